//go:build rtool

// Built-in tracing of gRPC (google.golang.org/grpc, v1.28.0 up to v2),
// from inside the library: no interceptor, option, handler or exported
// identifier is added, so a program (and grpc's own tests) sees the
// servers and connections it made. The server side advises the methods
// that dispatch an RPC to its handler (processUnaryRPC and
// processStreamingRPC, processRPC from v1.84.0: their shapes change at
// v1.59.0, v1.69.0 and v1.84.0, hence one aspect per range); the client
// side advises invoke (every unary RPC, after the interceptors), and for
// streams newClientStream and (*clientStream).finish, where gRPC ends a
// stream however it ends. The code is injected into package grpc and
// written for the Go version of its oldest go.mod (no `any`, no
// generics); it imports only packages grpc imports itself
// (src/cachekey/injected.rs's test lists them). Older versions build unchanged.
// Spans: see rtool.invalid/support's rpcspan.go.
package aspects

import (
	"context"
	"errors"
	"io"
	"sync"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"rtool.invalid/support"
)

//rtool:aspect builtin.grpc-helpers
//rtool:where package(google.golang.org/grpc)
//rtool:where module-version(min=v1.28.0, below=v2.0.0)
//rtool:inject

// rtoolServerStart begins the server span of an RPC from the traceparent
// and tracestate in its incoming metadata (ctx is the stream's), current
// on the calling goroutine, the one that runs the handler.
func rtoolServerStart(ctx context.Context, fullMethod string) *support.Span {
	var tp, ts string
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md["traceparent"]; len(v) > 0 {
			tp = v[0]
		}
		if v := md["tracestate"]; len(v) > 0 {
			ts = v[0]
		}
	}
	return support.StartGRPCServer(fullMethod, tp, ts)
}

// rtoolStatus is the status code and message of an RPC's error: its gRPC
// status, or CANCELLED or DEADLINE_EXCEEDED for a context's error.
func rtoolStatus(err error) (uint32, string) {
	st, ok := status.FromError(err)
	if !ok {
		switch {
		case errors.Is(err, context.Canceled):
			return 1, err.Error()
		case errors.Is(err, context.DeadlineExceeded):
			return 4, err.Error()
		}
	}
	return uint32(st.Code()), st.Message()
}

func rtoolServerEnd(span *support.Span, err error) {
	if err == io.EOF { // as gRPC counts it: not a failure
		err = nil
	}
	code, msg := rtoolStatus(err)
	support.EndGRPCServer(span, code, msg)
}

// rtoolClientStart begins the client span of an RPC on cc and returns the
// context to send it with: traceparent (and tracestate) appended to its
// outgoing metadata, which gRPC's transport sends. The program's own
// metadata is left as it is (appended to, never rewritten: gRPC checks it
// as given), and one that carries a traceparent already gets none.
func rtoolClientStart(ctx context.Context, cc *ClientConn, method string, stream bool) (context.Context, *support.Span) {
	span := support.StartGRPCClient(ctx, method, cc.Target(), stream)
	if span == nil {
		return ctx, nil
	}
	md, _ := metadata.FromOutgoingContext(ctx)
	if len(md["traceparent"]) > 0 {
		return ctx, span
	}
	if span.State != "" && len(md["tracestate"]) == 0 {
		return metadata.AppendToOutgoingContext(ctx, "traceparent", span.TraceParent(), "tracestate", span.State), span
	}
	return metadata.AppendToOutgoingContext(ctx, "traceparent", span.TraceParent()), span
}

func rtoolClientEnd(span *support.Span, err error) {
	if err == io.EOF {
		err = nil
	}
	code, msg := rtoolStatus(err)
	support.EndGRPCClient(span, code, msg)
}

// rtoolStream is a client stream's span, in the stream's context under
// rtoolStreamKey, ended once: by finish, or by newClientStream failing.
type rtoolStream struct {
	span *support.Span
	once sync.Once
}

type rtoolStreamKey struct{}

func (s *rtoolStream) end(err error) {
	s.once.Do(func() { rtoolClientEnd(s.span, err) })
}

func rtoolStreamStart(ctx context.Context, cc *ClientConn, method string) (context.Context, *rtoolStream) {
	ctx, span := rtoolClientStart(ctx, cc, method, true)
	if span == nil {
		return ctx, nil
	}
	s := &rtoolStream{span: span}
	return context.WithValue(ctx, rtoolStreamKey{}, s), s
}

// rtoolStreamCreated ends the span of a stream newClientStream could not
// make (else finish ends it).
func rtoolStreamCreated(s *rtoolStream, err error) {
	if s != nil && (err != nil || s.span.Panicking()) {
		s.end(err)
	}
}

// rtoolStreamFinish ends the span of the stream ctx belongs to.
func rtoolStreamFinish(ctx context.Context, err error) {
	if s, ok := ctx.Value(rtoolStreamKey{}).(*rtoolStream); ok {
		s.end(err)
	}
}

// Every unary RPC a client makes (ClientConn.Invoke, after the
// interceptors, which call invoke as their invoker) is a client span, the
// child of the span in the call's context, else of the goroutine's current
// span, current while the call runs.
//
//rtool:aspect builtin.grpc-client-unary
//rtool:where package(google.golang.org/grpc) && function(name=invoke, receiver=none)
//rtool:where module-version(min=v1.28.0, below=v2.0.0)
//rtool:prepend
func _() {
	if support.Enabled() {
		var rtoolSpan *support.Span
		RtoolParam0, rtoolSpan = rtoolClientStart(RtoolParam0, RtoolParam4, RtoolParam1, false)
		defer func() { rtoolClientEnd(rtoolSpan, RtoolResult0) }()
	}
}

// Every stream (ClientConn.NewStream, after the interceptors) is a client
// span from its creation until gRPC finishes it: RecvMsg returns an error
// (io.EOF: OK) or the one response of a call without server streaming,
// SendMsg fails, the call's context is done or the connection closes. It
// is not current: the caller goes on while the stream is open. (A unary
// call's stream is invoke's.)
//
//rtool:aspect builtin.grpc-client-stream
//rtool:where package(google.golang.org/grpc) && function(name=newClientStream, receiver=none)
//rtool:where module-version(min=v1.28.0, below=v2.0.0)
//rtool:prepend
func _() {
	if RtoolParam1 != unaryStreamDesc && support.Enabled() {
		var rtoolS *rtoolStream
		RtoolParam0, rtoolS = rtoolStreamStart(RtoolParam0, RtoolParam2, RtoolParam3)
		defer func() { rtoolStreamCreated(rtoolS, RtoolResult1) }()
	}
}

//rtool:aspect builtin.grpc-client-stream-end
//rtool:where package(google.golang.org/grpc) && function(name=finish, receiver=*clientStream)
//rtool:where module-version(min=v1.28.0, below=v2.0.0)
//rtool:prepend
func _() {
	if RtoolReceiver.desc != unaryStreamDesc && support.Enabled() {
		rtoolStreamFinish(RtoolReceiver.ctx, RtoolParam0)
	}
}

// Every RPC a server dispatches to a method it has (or to its
// UnknownServiceHandler) is a server span, from the dispatch to the
// status: it continues the trace in the incoming metadata, else starts a
// new one; it is current on the goroutine that runs the handler (and the
// interceptors) and is in the handler's context (ctx, stream.Context()).
// Before v1.59.0 the dispatching methods have no context parameter: the
// span goes into the context where they make the handler's,
// NewContextWithServerTransportStream, through rtoolServerSpans.
//
//rtool:aspect builtin.grpc-server-v1.28
//rtool:where package(google.golang.org/grpc)
//rtool:where module-version(min=v1.28.0, below=v1.59.0)
//rtool:inject

// rtoolServerSpans: the stream of each server span being dispatched
// (keyed by the span, current on the dispatching goroutine), until the
// handler's context is made.
var rtoolServerSpans sync.Map

func rtoolServerDispatch(stream ServerTransportStream, ctx context.Context) *support.Span {
	span := rtoolServerStart(ctx, stream.Method())
	if span != nil {
		rtoolServerSpans.Store(span, stream)
	}
	return span
}

func rtoolServerDone(span *support.Span, err error) {
	if span != nil {
		rtoolServerSpans.Delete(span)
	}
	rtoolServerEnd(span, err)
}

// rtoolServerContext is the handler's context: ctx carrying the span of
// the stream being dispatched, if it is the goroutine's current span.
// (The stored stream is a pointer: comparing it with any value is safe.)
func rtoolServerContext(ctx context.Context, stream ServerTransportStream) context.Context {
	span := support.CurrentSpan()
	if span == nil {
		return ctx
	}
	if st, ok := rtoolServerSpans.Load(span); ok && st == stream {
		rtoolServerSpans.Delete(span)
		return support.ContextWithSpan(ctx, span)
	}
	return ctx
}

// The dispatching methods' parameters are in the join points too, so that
// a grpc without a version (the main module, a local replace) gets the
// aspects of its shape only.
//
//rtool:aspect builtin.grpc-server-v1.28-unary
//rtool:where package(google.golang.org/grpc) && function(name=processUnaryRPC, receiver=*Server)
//rtool:where function(params="transport.ServerTransport, *transport.Stream, *service, *MethodDesc, *traceInfo") || function(params="transport.ServerTransport, *transport.Stream, *serviceInfo, *MethodDesc, *traceInfo")
//rtool:where module-version(min=v1.28.0, below=v1.59.0)
//rtool:prepend
func _() {
	if support.Enabled() {
		rtoolSpan := rtoolServerDispatch(RtoolParam1, RtoolParam1.Context())
		defer func() { rtoolServerDone(rtoolSpan, RtoolResult0) }()
	}
}

//rtool:aspect builtin.grpc-server-v1.28-stream
//rtool:where package(google.golang.org/grpc) && function(name=processStreamingRPC, receiver=*Server)
//rtool:where function(params="transport.ServerTransport, *transport.Stream, *service, *StreamDesc, *traceInfo") || function(params="transport.ServerTransport, *transport.Stream, *serviceInfo, *StreamDesc, *traceInfo")
//rtool:where module-version(min=v1.28.0, below=v1.59.0)
//rtool:prepend
func _() {
	if support.Enabled() {
		rtoolSpan := rtoolServerDispatch(RtoolParam1, RtoolParam1.Context())
		defer func() { rtoolServerDone(rtoolSpan, RtoolResult0) }()
	}
}

//rtool:aspect builtin.grpc-server-v1.28-context
//rtool:where package(google.golang.org/grpc) && function(name=NewContextWithServerTransportStream, receiver=none)
//rtool:where module-version(min=v1.28.0, below=v1.59.0)
//rtool:prepend
func _() {
	if support.Enabled() {
		RtoolParam0 = rtoolServerContext(RtoolParam0, RtoolParam1)
	}
}

// From v1.59.0 the dispatching methods take the stream's context: the
// handler's is made from it.
//
//rtool:aspect builtin.grpc-server-v1.59-unary
//rtool:where package(google.golang.org/grpc) && function(name=processUnaryRPC, receiver=*Server)
//rtool:where function(params="context.Context, transport.ServerTransport, *transport.Stream, *serviceInfo, *MethodDesc, *traceInfo")
//rtool:where module-version(min=v1.59.0, below=v1.69.0)
//rtool:prepend
func _() {
	if support.Enabled() {
		rtoolSpan := rtoolServerStart(RtoolParam0, RtoolParam2.Method())
		RtoolParam0 = support.ContextWithSpan(RtoolParam0, rtoolSpan)
		defer func() { rtoolServerEnd(rtoolSpan, RtoolResult0) }()
	}
}

//rtool:aspect builtin.grpc-server-v1.59-stream
//rtool:where package(google.golang.org/grpc) && function(name=processStreamingRPC, receiver=*Server)
//rtool:where function(params="context.Context, transport.ServerTransport, *transport.Stream, *serviceInfo, *StreamDesc, *traceInfo")
//rtool:where module-version(min=v1.59.0, below=v1.69.0)
//rtool:prepend
func _() {
	if support.Enabled() {
		rtoolSpan := rtoolServerStart(RtoolParam0, RtoolParam2.Method())
		RtoolParam0 = support.ContextWithSpan(RtoolParam0, rtoolSpan)
		defer func() { rtoolServerEnd(rtoolSpan, RtoolResult0) }()
	}
}

// v1.69.0 drops the transport parameter.
//
//rtool:aspect builtin.grpc-server-v1.69-unary
//rtool:where package(google.golang.org/grpc) && function(name=processUnaryRPC, receiver=*Server)
//rtool:where function(params="context.Context, *transport.ServerStream, *serviceInfo, *MethodDesc, *traceInfo")
//rtool:where module-version(min=v1.69.0, below=v1.84.0)
//rtool:prepend
func _() {
	if support.Enabled() {
		rtoolSpan := rtoolServerStart(RtoolParam0, RtoolParam1.Method())
		RtoolParam0 = support.ContextWithSpan(RtoolParam0, rtoolSpan)
		defer func() { rtoolServerEnd(rtoolSpan, RtoolResult0) }()
	}
}

//rtool:aspect builtin.grpc-server-v1.69-stream
//rtool:where package(google.golang.org/grpc) && function(name=processStreamingRPC, receiver=*Server)
//rtool:where function(params="context.Context, *transport.ServerStream, *serviceInfo, *StreamDesc, *traceInfo")
//rtool:where module-version(min=v1.69.0, below=v1.84.0)
//rtool:prepend
func _() {
	if support.Enabled() {
		rtoolSpan := rtoolServerStart(RtoolParam0, RtoolParam1.Method())
		RtoolParam0 = support.ContextWithSpan(RtoolParam0, rtoolSpan)
		defer func() { rtoolServerEnd(rtoolSpan, RtoolResult0) }()
	}
}

// v1.84.0 dispatches unary and streaming RPCs through one method.
//
//rtool:aspect builtin.grpc-server-v1.84
//rtool:where package(google.golang.org/grpc) && function(name=processRPC, receiver=*Server)
//rtool:where function(params="context.Context, *transport.ServerStream, *serviceInfo, *StreamDesc, *traceInfo")
//rtool:where module-version(min=v1.84.0, below=v2.0.0)
//rtool:prepend
func _() {
	if support.Enabled() {
		rtoolSpan := rtoolServerStart(RtoolParam0, RtoolParam1.Method())
		RtoolParam0 = support.ContextWithSpan(RtoolParam0, rtoolSpan)
		defer func() { rtoolServerEnd(rtoolSpan, RtoolResult0) }()
	}
}
