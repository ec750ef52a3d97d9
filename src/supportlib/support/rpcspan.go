package support

import (
	"context"
	"strconv"
	"strings"
)

// gRPC spans, after OpenTelemetry semantic conventions v1.44.0 (gRPC
// spans, release candidate there): named by rpc.method, the full method
// `package.Service/Method`; rpc.system.name `grpc`; rpc.response.status_code
// the status code's name (`OK`, `NOT_FOUND`). A client span is an error
// for every code but OK, a server span only for UNKNOWN,
// DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE and DATA_LOSS;
// error.type is then the code's name. The aspects (rtool's
// src/aspect/builtin/grpc.go) pass plain values: this package imports no gRPC.

// grpcCodes are the status codes' names, by number.
var grpcCodes = [...]string{"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"}

// GRPCCodeName is the name of a gRPC status code (its number for codes
// outside the 17 defined ones).
func GRPCCodeName(code uint32) string {
	if int(code) < len(grpcCodes) {
		return grpcCodes[code]
	}
	return strconv.FormatUint(uint64(code), 10)
}

// grpcServerError: the codes that make a server span an error.
func grpcServerError(code uint32) bool {
	switch code {
	case 2, 4, 12, 13, 14, 15: // UNKNOWN DEADLINE_EXCEEDED UNIMPLEMENTED INTERNAL UNAVAILABLE DATA_LOSS
		return true
	}
	return false
}

// grpcMethod is rpc.method for a full method name (`/pkg.Service/Method`).
func grpcMethod(fullMethod string) string {
	m := strings.TrimPrefix(fullMethod, "/")
	if m == "" {
		return "_OTHER"
	}
	return m
}

// grpcName is the span name: rpc.method, or `grpc` when it is _OTHER.
func grpcName(method string) string {
	if method == "_OTHER" {
		return "grpc"
	}
	return method
}

// StartGRPCServer begins the span of an incoming RPC: the child of the
// remote span its traceparent metadata names, else a new trace (never of
// whatever span the serving goroutine inherited). It becomes the current
// span of the calling goroutine, the one running the handler.
func StartGRPCServer(fullMethod, traceparent, tracestate string) *Span {
	rec := current()
	if rec == nil {
		return nil
	}
	tid, sid, sampled, tracestate := remoteParent(traceparent, tracestate)
	method := grpcMethod(fullMethod)
	s := startOwning(rec, nil, tid, sid, sampled, tracestate, grpcName(method), KindServer, nil)
	if s.Sampled {
		attrs := make([]Attr, 0, 4) // room for the status and error.type
		s.Attrs = append(attrs, String("rpc.system.name", "grpc"), String("rpc.method", method))
	}
	return s
}

// EndGRPCServer ends a server span with the RPC's status code (and its
// message, the span's status description when the code is an error).
// A panic (which gRPC does not recover) is an error named after its value,
// as a net/http handler's is.
func EndGRPCServer(s *Span, code uint32, message string) {
	if s == nil {
		return
	}
	switch recovered, panicking := s.unwinding(); {
	case panicking:
		t := typeName(recovered)
		if t == "error" || t == "unknown" {
			t = ErrorTypeOther
		}
		s.SetAttributes(String("error.type", t))
	default:
		endGRPC(s, code, message, grpcServerError(code))
	}
	s.EndDeferred()
}

// StartGRPCClient begins the span of an outgoing RPC on a connection to
// target (the target string as given to grpc.NewClient or Dial), the child
// of the span ctx carries, else of the goroutine's current span. A unary
// RPC's span is current until it ends; a stream's (stream true) is not, as
// the caller goes on with other work while the stream is open.
func StartGRPCClient(ctx context.Context, fullMethod, target string, stream bool) *Span {
	rec := current()
	if rec == nil {
		return nil
	}
	method := grpcMethod(fullMethod)
	s := startOwning(rec, parentOf(ctx), TraceID{}, SpanID{}, false, "", grpcName(method), KindClient, nil)
	if stream {
		setCurrent(live(s.prev))
	}
	if s.Sampled {
		attrs := make([]Attr, 0, 6)
		attrs = append(attrs, String("rpc.system.name", "grpc"), String("rpc.method", method))
		if host, port := grpcTarget(target); port > 0 {
			attrs = append(attrs, String("server.address", host), Int("server.port", port))
		} else {
			attrs = append(attrs, String("server.address", host))
		}
		s.Attrs = attrs
	}
	return s
}

// EndGRPCClient ends a client span: every code but OK is an error.
func EndGRPCClient(s *Span, code uint32, message string) {
	if s != nil {
		endGRPC(s, code, message, code != 0)
	}
	s.EndDeferred()
}

func endGRPC(s *Span, code uint32, message string, isError bool) {
	if !s.recording() {
		return
	}
	name := GRPCCodeName(code)
	s.mu.Lock()
	if !s.ended {
		s.Attrs = append(s.Attrs, String("rpc.response.status_code", name))
		if isError {
			s.Attrs = append(s.Attrs, String("error.type", name))
			s.Status, s.Message = StatusError, message
		}
	}
	s.mu.Unlock()
}

// grpcTarget is server.address and server.port for a gRPC target string,
// as the conventions parse it: `host:port`, `dns:///host:port`,
// `dns://resolver/host:port` and `passthrough:///host:port` give host and
// port; `unix:///path` or `unix:path` the path; any other scheme the
// whole target (port 0: none).
func grpcTarget(target string) (string, int64) {
	if rest, ok := strings.CutPrefix(target, "unix://"); ok {
		return rest, 0
	}
	if rest, ok := strings.CutPrefix(target, "unix:"); ok {
		return rest, 0
	}
	endpoint := target
	if i := strings.Index(target, "://"); i >= 0 {
		switch target[:i] {
		case "dns", "passthrough":
			rest := target[i+3:]
			j := strings.IndexByte(rest, '/')
			if j < 0 {
				return target, 0
			}
			endpoint = rest[j+1:]
		default:
			return target, 0
		}
	}
	host, port := splitHostPort(endpoint)
	if host == "" {
		return target, 0
	}
	return host, port
}
