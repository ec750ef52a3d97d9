//go:build rtool

// Built-in tracing of gRPC (google.golang.org/grpc, v1.28.0 on: the first
// with chained server interceptors), through its exported options only:
// the constructors of servers and client connections get rtool's
// interceptors put first, so every server and every connection is covered
// however it is set up, and the single interceptor a user installs with
// grpc.UnaryInterceptor/StreamInterceptor (or the With… dial options),
// which gRPC runs before any chained one, is wrapped so that the span
// encloses it too (a context mark keeps the chained copy from making a
// second span). The code is injected into package grpc and written for the
// Go version of its oldest go.mod (no `any`, no generics); it imports only
// packages grpc imports itself (src/injected.rs's test lists them). Every
// aspect is kept to [v1.28.0, v2): older versions lack the chained
// interceptors and build unchanged. Spans: see rtool.invalid/support's
// rpcspan.go.
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
type rtoolServerKey struct{}

// rtoolServerStart begins the server span of an RPC from the traceparent
// and tracestate in its incoming metadata, and returns the handler's
// context carrying it (and the mark that it has one).
func rtoolServerStart(ctx context.Context, fullMethod string) (context.Context, *support.Span) {
	var tp, ts string
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md["traceparent"]; len(v) > 0 {
			tp = v[0]
		}
		ts = support.TraceStateOf(md["tracestate"]) // every value, in order
	}
	span := support.StartGRPCServer(fullMethod, tp, ts)
	return support.ContextWithSpan(context.WithValue(ctx, rtoolServerKey{}, true), span), span
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
	code, msg := rtoolStatus(err)
	support.EndGRPCServer(span, code, msg)
}

func rtoolUnaryServer(ctx context.Context, req interface{}, info *UnaryServerInfo, handler UnaryHandler) (resp interface{}, err error) {
	if !support.Enabled() || ctx.Value(rtoolServerKey{}) != nil {
		return handler(ctx, req)
	}
	ctx, span := rtoolServerStart(ctx, info.FullMethod)
	defer func() { rtoolServerEnd(span, err) }()
	return handler(ctx, req)
}

// rtoolServerStream is a server stream whose context carries the span.
type rtoolServerStream struct {
	ServerStream
	ctx context.Context
}

func (s *rtoolServerStream) Context() context.Context { return s.ctx }

func rtoolStreamServer(srv interface{}, ss ServerStream, info *StreamServerInfo, handler StreamHandler) (err error) {
	if !support.Enabled() || ss.Context().Value(rtoolServerKey{}) != nil {
		return handler(srv, ss)
	}
	ctx, span := rtoolServerStart(ss.Context(), info.FullMethod)
	defer func() { rtoolServerEnd(span, err) }()
	return handler(srv, &rtoolServerStream{ss, ctx})
}

func rtoolWrapUnaryServer(i UnaryServerInterceptor) UnaryServerInterceptor {
	return func(ctx context.Context, req interface{}, info *UnaryServerInfo, handler UnaryHandler) (interface{}, error) {
		return rtoolUnaryServer(ctx, req, info, func(ctx context.Context, req interface{}) (interface{}, error) {
			return i(ctx, req, info, handler)
		})
	}
}

func rtoolWrapStreamServer(i StreamServerInterceptor) StreamServerInterceptor {
	return func(srv interface{}, ss ServerStream, info *StreamServerInfo, handler StreamHandler) error {
		return rtoolStreamServer(srv, ss, info, func(srv interface{}, ss2 ServerStream) error {
			return i(srv, ss2, info, handler)
		})
	}
}

// rtoolClientMark marks the context of an RPC whose client span is made:
// the interceptor runs twice when it wraps a user's single interceptor.
// (Keyed by connection and method, so that an RPC a user's interceptor
// makes with that context on its own still gets its span.)
type rtoolClientKey struct{}

type rtoolClientMark struct {
	cc     *ClientConn
	method string
}

// rtoolClientStart begins the client span and returns the context to send
// the RPC with: marked, and with traceparent (and tracestate) set in its
// outgoing metadata. A nil span: no span to make.
func rtoolClientStart(ctx context.Context, cc *ClientConn, method string, stream bool) (context.Context, *support.Span) {
	if !support.Enabled() {
		return ctx, nil
	}
	mark := rtoolClientMark{cc, method}
	if m, ok := ctx.Value(rtoolClientKey{}).(rtoolClientMark); ok && m == mark {
		return ctx, nil
	}
	span := support.StartGRPCClient(ctx, method, cc.Target(), stream)
	md, _ := metadata.FromOutgoingContext(ctx)
	if md == nil {
		md = metadata.MD{}
	}
	md.Set("traceparent", span.TraceParent())
	if span.State != "" {
		md.Set("tracestate", span.State)
	}
	return metadata.NewOutgoingContext(context.WithValue(ctx, rtoolClientKey{}, mark), md), span
}

func rtoolClientEnd(span *support.Span, err error) {
	if err == io.EOF {
		err = nil
	}
	code, msg := rtoolStatus(err)
	support.EndGRPCClient(span, code, msg)
}

func rtoolUnaryClient(ctx context.Context, method string, req, reply interface{}, cc *ClientConn, invoker UnaryInvoker, opts ...CallOption) (err error) {
	ctx, span := rtoolClientStart(ctx, cc, method, false)
	if span == nil {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	defer func() { rtoolClientEnd(span, err) }()
	return invoker(ctx, method, req, reply, cc, opts...)
}

// rtoolClientStream ends the span when the stream ends: RecvMsg returns an
// error (io.EOF: OK), or the one response of a stream without server
// streaming has arrived, or SendMsg fails, or the caller's context is done.
type rtoolClientStream struct {
	ClientStream
	span  *support.Span
	unary bool // one response
	once  sync.Once
	stop  func() bool
}

func (s *rtoolClientStream) end(err error) {
	s.once.Do(func() { rtoolClientEnd(s.span, err, nil) })
}

// finish ends the span from the stream's methods (which run after stop is
// set), dropping the wait for the context.
func (s *rtoolClientStream) finish(err error) {
	s.end(err)
	if s.stop != nil {
		s.stop()
	}
}

func (s *rtoolClientStream) RecvMsg(m interface{}) error {
	err := s.ClientStream.RecvMsg(m)
	if err != nil || s.unary {
		s.finish(err)
	}
	return err
}

func (s *rtoolClientStream) SendMsg(m interface{}) error {
	err := s.ClientStream.SendMsg(m)
	if err != nil && err != io.EOF { // io.EOF: RecvMsg tells the status
		s.finish(err)
	}
	return err
}

func rtoolStreamClient(ctx context.Context, desc *StreamDesc, cc *ClientConn, method string, streamer Streamer, opts ...CallOption) (cs ClientStream, err error) {
	ctx, span := rtoolClientStart(ctx, cc, method, true)
	if span == nil {
		return streamer(ctx, desc, cc, method, opts...)
	}
	defer func() {
		if err != nil || span.Panicking() {
			rtoolClientEnd(span, err)
		}
	}()
	cs, err = streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		return cs, err
	}
	w := &rtoolClientStream{ClientStream: cs, span: span, unary: !desc.ServerStreams}
	if ctx.Done() != nil {
		w.stop = context.AfterFunc(ctx, func() { w.end(ctx.Err()) })
	}
	return w, nil
}

func rtoolWrapUnaryClient(i UnaryClientInterceptor) UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply interface{}, cc *ClientConn, invoker UnaryInvoker, opts ...CallOption) error {
		return rtoolUnaryClient(ctx, method, req, reply, cc, func(ctx context.Context, method string, req, reply interface{}, cc *ClientConn, opts ...CallOption) error {
			return i(ctx, method, req, reply, cc, invoker, opts...)
		}, opts...)
	}
}

func rtoolWrapStreamClient(i StreamClientInterceptor) StreamClientInterceptor {
	return func(ctx context.Context, desc *StreamDesc, cc *ClientConn, method string, streamer Streamer, opts ...CallOption) (ClientStream, error) {
		return rtoolStreamClient(ctx, desc, cc, method, func(ctx context.Context, desc *StreamDesc, cc *ClientConn, method string, opts ...CallOption) (ClientStream, error) {
			return i(ctx, desc, cc, method, streamer, opts...)
		}, opts...)
	}
}

// rtoolDialMark marks options that carry rtool's interceptors: DialContext
// (v1.63.0 on) passes its options on to NewClient, which must not add them
// again.
type rtoolDialMark struct{ EmptyDialOption }

func rtoolDialOptions(opts []DialOption) []DialOption {
	for _, o := range opts {
		if _, ok := o.(*rtoolDialMark); ok {
			return opts
		}
	}
	return append([]DialOption{&rtoolDialMark{}, WithChainUnaryInterceptor(rtoolUnaryClient), WithChainStreamInterceptor(rtoolStreamClient)}, opts...)
}

// Every server gets a server span per RPC, unary or streaming, current on
// the goroutine that runs the handler and carried in its context; the
// interceptors come first, before any the options chain.
//
//rtool:aspect builtin.grpc-server
//rtool:where package(google.golang.org/grpc) && function(name=NewServer, receiver=none)
//rtool:where module-version(min=v1.28.0, below=v2.0.0)
//rtool:prepend
func _() {
	RtoolParam0 = append([]ServerOption{ChainUnaryInterceptor(rtoolUnaryServer), ChainStreamInterceptor(rtoolStreamServer)}, RtoolParam0...)
}

// A user's single server interceptor runs before chained ones: it is
// wrapped so that the span encloses it.
//
//rtool:aspect builtin.grpc-server-unary-option
//rtool:where package(google.golang.org/grpc) && function(name=UnaryInterceptor, receiver=none)
//rtool:where module-version(min=v1.28.0, below=v2.0.0)
//rtool:prepend
func _() {
	if RtoolParam0 != nil {
		RtoolParam0 = rtoolWrapUnaryServer(RtoolParam0)
	}
}

//rtool:aspect builtin.grpc-server-stream-option
//rtool:where package(google.golang.org/grpc) && function(name=StreamInterceptor, receiver=none)
//rtool:where module-version(min=v1.28.0, below=v2.0.0)
//rtool:prepend
func _() {
	if RtoolParam0 != nil {
		RtoolParam0 = rtoolWrapStreamServer(RtoolParam0)
	}
}

// Every client connection (grpc.NewClient; grpc.Dial and DialContext)
// gets a client span per RPC, the child of the span in the call's context,
// else of the goroutine's current span; traceparent and tracestate go into
// the outgoing metadata.
//
//rtool:aspect builtin.grpc-client
//rtool:where package(google.golang.org/grpc) && function(name=NewClient, receiver=none)
//rtool:where module-version(min=v1.28.0, below=v2.0.0)
//rtool:prepend
func _() {
	RtoolParam1 = rtoolDialOptions(RtoolParam1)
}

// grpc.Dial calls DialContext.
//
//rtool:aspect builtin.grpc-client-dial
//rtool:where package(google.golang.org/grpc) && function(name=DialContext, receiver=none)
//rtool:where module-version(min=v1.28.0, below=v2.0.0)
//rtool:prepend
func _() {
	RtoolParam2 = rtoolDialOptions(RtoolParam2)
}

//rtool:aspect builtin.grpc-client-unary-option
//rtool:where package(google.golang.org/grpc) && function(name=WithUnaryInterceptor, receiver=none)
//rtool:where module-version(min=v1.28.0, below=v2.0.0)
//rtool:prepend
func _() {
	if RtoolParam0 != nil {
		RtoolParam0 = rtoolWrapUnaryClient(RtoolParam0)
	}
}

//rtool:aspect builtin.grpc-client-stream-option
//rtool:where package(google.golang.org/grpc) && function(name=WithStreamInterceptor, receiver=none)
//rtool:where module-version(min=v1.28.0, below=v2.0.0)
//rtool:prepend
func _() {
	if RtoolParam0 != nil {
		RtoolParam0 = rtoolWrapStreamClient(RtoolParam0)
	}
}
