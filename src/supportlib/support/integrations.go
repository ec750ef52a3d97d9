package support

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
)

// The entry points of rtool's built-in aspects (rtool's src/aspect/builtin/). The
// aspects live inside net/http and database/sql, which this package must
// not import (they would import it back), so these take plain values and
// follow OpenTelemetry's semantic conventions. Each Start returns nil when
// no exporter is configured: then instrumentation costs a call and a load.

// Enabled reports whether spans are recorded (an exporter is configured).
func Enabled() bool { return current() != nil }

// EndDeferred ends the span from a deferred call of the function that
// started it: a panic unwinding that function is recorded, not recovered,
// so that it goes on as if rtool were not there (same message, same
// traceback, same exit status).
func (s *Span) EndDeferred() {
	if s == nil {
		return
	}
	if v, ok := s.unwinding(); ok {
		s.RecordPanic(v)
	}
	s.End()
}

// Panicking reports whether a panic is unwinding the frame that started s
// (see EndDeferred).
func (s *Span) Panicking() bool {
	if s == nil {
		return false
	}
	_, ok := s.unwinding()
	return ok
}

// EndWith ends the span; if recovered (what the caller's deferred function
// got from recover()) is not nil, it records it as a panic first and then
// panics again with the same value. Recovering changes how the panic is
// printed ("[recovered]"): prefer EndDeferred.
func (s *Span) EndWith(recovered any) {
	if recovered != nil {
		s.RecordPanic(recovered)
		s.End()
		panic(recovered)
	}
	s.End()
}

// StartFunc begins the span of a function marked //rtool:span: named
// `name` if given, else after the function; params alternate parameter
// names and values.
func StartFunc(name, pkg, fn string, params []any) *Span {
	rec := current()
	if rec == nil {
		return nil
	}
	if name == "" {
		name = fn
	}
	attrs := make([]Attr, 0, 1+len(params)/2)
	attrs = append(attrs, String("code.function.name", pkg+"."+fn))
	for i := 0; i+1 < len(params); i += 2 {
		if k, ok := params[i].(string); ok {
			attrs = append(attrs, Any(k, params[i+1]))
		}
	}
	return startOwning(rec, CurrentSpan(), TraceID{}, SpanID{}, false, "", name, KindInternal, attrs)
}

// The HTTP conventions followed are OpenTelemetry semantic conventions
// v1.44.0 (stable HTTP spans): span names `{method} {http.route}` or
// `{method}`, where an unknown method is `_OTHER` in http.request.method
// (the original in http.request.method_original) and `HTTP` in the name.

// knownMethods: the methods recorded as they are (OpenTelemetry's
// default, or OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS, comma-separated and
// case-sensitive, replacing it).
// customMethods is the list OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS sets,
// or nil for the default (isKnownMethod's switch).
var customMethods = sync.OnceValue(func() map[string]bool {
	if v, ok := os.LookupEnv("OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS"); ok {
		return parseMethods(v)
	}
	return nil
})

const defaultKnownMethods = "GET,HEAD,POST,PUT,DELETE,CONNECT,OPTIONS,TRACE,PATCH,QUERY"

func parseMethods(list string) map[string]bool {
	m := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		if name = strings.TrimSpace(name); name != "" {
			m[name] = true
		}
	}
	return m
}

// httpMethod is the method's part of the span name, and whether the
// method is known.
func httpMethod(method string) (string, bool) {
	if isKnownMethod(method) {
		return method, true
	}
	return "HTTP", false
}

// isKnownMethod: a switch for the default list (a map lookup cost more
// than the rest of an unsampled request's span).
func isKnownMethod(method string) bool {
	if m := customMethods(); m != nil {
		return m[method]
	}
	switch method {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY":
		return true
	}
	return false
}

// appendMethod appends http.request.method (and method_original).
func appendMethod(attrs []Attr, method string, known bool) []Attr {
	if known {
		return append(attrs, String("http.request.method", method))
	}
	return append(attrs, String("http.request.method", "_OTHER"), String("http.request.method_original", method))
}

// StartHTTPServer begins the span of an incoming request: the child of the
// remote span its traceparent names, else a new trace (never of whatever
// span the serving goroutine inherited).
func StartHTTPServer(method, path, host, proto string, tls bool, traceparent, tracestate string) *Span {
	rec := current()
	if rec == nil {
		return nil
	}
	tid, sid, sampled, tracestate := remoteParent(traceparent, tracestate)
	name, known := httpMethod(method)
	id := newIDs(rec, nil, tid, sid, sampled, tracestate)
	if !id.sampled { // attributes only for spans that are recorded
		return begin(&Span{httpServer: true}, id, rec, name, KindServer, nil)
	}
	hs := new(httpServerSpan) // the span and its facts in one allocation
	hs.httpServer = true
	h := &hs.facts
	h.method, h.known, h.path, h.tls, h.proto = method, known, path, tls, protocolVersion(proto)
	h.host, h.port = splitHostPort(host)
	hs.http = h
	return begin(&hs.Span, id, rec, name, KindServer, nil)
}

// httpServerSpan is a server span with what it records about the request
// kept as plain values, turned into attributes only when exported
// (httpServerFacts.appendAttrs): building them per request cost more than
// the rest of the span, in time and garbage.
type httpServerSpan struct {
	Span
	facts httpServerFacts
}

type httpServerFacts struct {
	method      string // as received
	known       bool   // method is one of knownMethods
	tls         bool
	path, proto string
	host        string    // server.address, if any
	port        int64     // server.port, if > 0
	routes      httpRoute // what routers reported (SetHTTPRoute)
	// Set by EndHTTPServer.
	route   string
	named   bool // the span's Name has the route (the attribute was cut: limitSpan)
	status  int  // http.response.status_code, if > 0
	errType string
}

// appendAttrs appends the span's attributes as the HTTP conventions name
// them.
func (h *httpServerFacts) appendAttrs(dst []Attr) []Attr {
	scheme := "http"
	if h.tls {
		scheme = "https"
	}
	dst = appendMethod(dst, h.method, h.known)
	dst = append(dst, String("url.path", h.path), String("url.scheme", scheme), String("network.protocol.version", h.proto))
	if h.host != "" {
		dst = append(dst, String("server.address", h.host))
		if h.port > 0 {
			dst = append(dst, Int("server.port", h.port))
		}
	}
	if h.route != "" {
		dst = append(dst, String("http.route", h.route))
	}
	if h.status > 0 {
		dst = append(dst, Int("http.response.status_code", int64(h.status)))
	}
	if h.errType != "" {
		dst = append(dst, String("error.type", h.errType))
	}
	return dst
}

// appendProto writes what appendAttrs gives as protobuf KeyValue messages
// of `field`, without building the attributes first (the exporter's
// largest cost per span). A test holds the two to the same attributes.
func (h *httpServerFacts) appendProto(b []byte, field int) []byte {
	scheme := "http"
	if h.tls {
		scheme = "https"
	}
	if h.known {
		b = appendProtoString(b, field, "http.request.method", h.method)
	} else {
		b = appendProtoString(b, field, "http.request.method", "_OTHER")
		b = appendProtoString(b, field, "http.request.method_original", h.method)
	}
	b = appendProtoString(b, field, "url.path", h.path)
	b = appendProtoString(b, field, "url.scheme", scheme)
	b = appendProtoString(b, field, "network.protocol.version", h.proto)
	if h.host != "" {
		b = appendProtoString(b, field, "server.address", h.host)
		if h.port > 0 {
			b = appendProtoInt(b, field, "server.port", h.port)
		}
	}
	if h.route != "" {
		b = appendProtoString(b, field, "http.route", h.route)
	}
	if h.status > 0 {
		b = appendProtoInt(b, field, "http.response.status_code", int64(h.status))
	}
	if h.errType != "" {
		b = appendProtoString(b, field, "error.type", h.errType)
	}
	return b
}

// EndHTTPServer ends a server span with the response status (0: the
// handler wrote nothing, so 200; negative: unknown) and the matched
// ServeMux pattern, if any, of the request for path. The route is the
// most specific of that pattern's and the routers' (SetHTTPRoute). A 5xx status or a
// panic is an error (error.type: the status code, else the panic value's
// type); 4xx is not, on the server's side.
//
// Called from a deferred function of the frame that started s: a panic
// unwinding it is recorded and goes on.
func EndHTTPServer(s *Span, status int, pattern, path string) {
	if s == nil {
		return
	}
	recovered, panicking := s.unwinding()
	if status == 0 && !panicking {
		status = 200
	}
	if panicking {
		s.RecordPanic(recovered)
	}
	if h := s.http; h != nil && s.claimEnd() { // s.http: a recording span of StartHTTPServer
		endCurrent(s)
		s.mu.Lock() // one locked section for the facts and the end
		if route := h.routes.final(routeOf(pattern, path)); route != "" {
			h.route = route // the name's second part (exportName)
		}
		h.status = max(status, 0)
		switch {
		case status >= 500:
			s.Status = StatusError
			h.errType = strconv.Itoa(status)
		case panicking:
			t := typeName(recovered)
			if t == "error" || t == "unknown" {
				t = ErrorTypeOther
			}
			h.errType = t
		}
		s.stop()
		s.recorder.enqueue(s)
	} else {
		s.End()
	}
}

// StartHTTPClient begins the span of an outgoing request.
func StartHTTPClient(ctx context.Context, method, scheme, host, path string) *Span {
	rec := current()
	if rec == nil {
		return nil
	}
	name, known := httpMethod(method)
	s := startOwning(rec, parentOf(ctx), TraceID{}, SpanID{}, false, "", name, KindClient, nil)
	if !s.Sampled {
		return s
	}
	attrs := make([]Attr, 0, 7)
	attrs = appendMethod(attrs, method, known)
	attrs = append(attrs, String("url.full", scheme+"://"+host+path))
	if h, port := splitHostPort(host); h != "" {
		attrs = append(attrs, String("server.address", h))
		if port == 0 && scheme == "https" {
			port = 443
		} else if port == 0 {
			port = 80
		}
		attrs = append(attrs, Int("server.port", port))
	}
	s.Attrs = attrs
	return s
}

// EndHTTPClient ends a client span with the response status (0: no
// response) or the error, whose error.type errType names (empty: as
// ErrorType does). A request the caller cancelled (context.Canceled) is
// not an error, as the conventions ask; 4xx and 5xx are.
func EndHTTPClient(s *Span, status int, err error, errType string) {
	if s == nil {
		return
	}
	switch {
	case err != nil && errors.Is(err, context.Canceled):
	case err != nil:
		if errType == "" {
			errType = ErrorType(err)
		}
		s.SetAttributes(String("error.type", errType))
		s.SetStatus(StatusError, err.Error())
	case status > 0:
		s.SetAttributes(Int("http.response.status_code", int64(status)))
		if status >= 400 {
			s.SetAttributes(String("error.type", strconv.Itoa(status)))
			s.SetStatus(StatusError, "")
		}
	}
	s.EndDeferred()
}

// ErrorTypeOther is error.type for an error of no type rtool can name.
const ErrorTypeOther = "_OTHER"

// ErrorType is the error.type of err, without reflect: the SQLSTATE of a
// driver error that has one (a SQLState() string method, as lib/pq's and
// pgx's errors do), "timeout" for deadlines and timeouts
// (context.DeadlineExceeded, os.ErrDeadlineExceeded, a Timeout() method
// that says so), the name of a well-known sentinel error (context.Canceled,
// io.EOF, io.ErrUnexpectedEOF) anywhere in its chain, else ErrorTypeOther.
// The built-in aspects name the error types of their own packages first
// (*net.OpError and others, see rtool's src/aspect/builtin/http.go).
func ErrorType(err error) string {
	if err == nil {
		return ""
	}
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		if code := st.SQLState(); code != "" {
			return code
		}
	}
	var to interface{ Timeout() bool }
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &to) && to.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "context.Canceled"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "io.ErrUnexpectedEOF"
	case errors.Is(err, io.EOF):
		return "io.EOF"
	}
	return ErrorTypeOther
}

// routeOf is http.route: the path of the ServeMux pattern that matched
// (`GET example.com/items/{id}` → `/items/{id}`, `/{$}` → `/`). A subtree
// pattern (`/static/`, or `/` routing everything to another router) is a
// route only for its own path: for paths under it, it would name a
// single route for many, so there is none.
func routeOf(pattern, path string) string {
	i := strings.IndexByte(pattern, '/')
	if i < 0 {
		return ""
	}
	route := pattern[i:]
	if strings.HasSuffix(route, "/{$}") {
		return strings.TrimSuffix(route, "{$}")
	}
	if strings.HasSuffix(route, "/") && route != path {
		return ""
	}
	return route
}

func protocolVersion(proto string) string {
	switch proto {
	case "HTTP/1.1":
		return "1.1"
	case "HTTP/1.0":
		return "1.0"
	case "HTTP/2.0":
		return "2"
	}
	return strings.TrimPrefix(proto, "HTTP/")
}

// splitHostPort splits "host:port" (or "[v6]:port", or a bare host).
func splitHostPort(hp string) (string, int64) {
	host, port := hp, ""
	if i := strings.LastIndexByte(hp, ':'); i >= 0 && !strings.Contains(hp[i:], "]") {
		host, port = hp[:i], hp[i+1:]
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	var n int64
	for _, c := range port {
		if c < '0' || c > '9' || n > 65535 {
			return host, 0
		}
		n = n*10 + int64(c-'0')
	}
	return host, n
}
