//go:build rtool

// Built-in tracing of net/http: instrumented inside net/http itself, so
// every handler and every client request is covered however it is set up.
package aspects

import "rtool.invalid/support"

// net/http links the OTLP transport (which does not use net/http).
//
//rtool:aspect builtin.http-otlp
//rtool:where std && package(net/http)
//rtool:import rtool.invalid/support/otlp

// Every request a net/http server serves (whatever the handler; HTTP/2
// requests pass here too, without their status code) gets a server span, the child of the caller's span named by
// the traceparent/tracestate headers. The span is the current span of the
// handler's goroutine and of goroutines it starts (the request's context
// is left alone: copying the request would cost every request more than
// the span does).
//
//rtool:aspect builtin.http-server
//rtool:where std && package(net/http) && function(name=ServeHTTP, receiver=serverHandler)
//rtool:prepend
func _() {
	if support.Enabled() { // no header lookups when not tracing
		rtoolSpan := support.StartHTTPServer(RtoolParam1.Method, RtoolParam1.URL.Path, RtoolParam1.Host, RtoolParam1.Proto, RtoolParam1.TLS != nil, RtoolParam1.Header.Get("Traceparent"), RtoolParam1.Header.Get("Tracestate"))
		defer func() { rtoolHTTPServerEnd(rtoolSpan, RtoolParam0, RtoolParam1, recover()) }()
	}
}

//rtool:aspect builtin.http-helpers
//rtool:where std && package(net/http)
//rtool:inject
func rtoolHTTPServerEnd(span *support.Span, w ResponseWriter, req *Request, recovered any) {
	status := -1 // unknown (an HTTP/2 writer)
	if r, ok := w.(*response); ok {
		status = 0
		if r.wroteHeader {
			status = r.status
		}
	}
	pattern := ""
	if req.pat != nil {
		pattern = req.pat.str
	}
	support.EndHTTPServer(span, status, pattern, recovered)
}

// rtoolWithTraceparent: the request to send, with the span's traceparent
// (and tracestate) set on a copy, leaving the caller's request alone.
func rtoolWithTraceparent(r *Request, span *support.Span) *Request {
	r2 := new(Request)
	*r2 = *r
	r2.Header = r.Header.Clone()
	if r2.Header == nil {
		r2.Header = make(Header)
	}
	r2.Header.Set("Traceparent", span.TraceParent())
	if span.State != "" {
		r2.Header.Set("Tracestate", span.State)
	}
	return r2
}

// Every request a net/http client sends (Client.Do, Get, Post… with any
// transport) gets a client span, the child of the span in the request's
// context or else of the goroutine's current span; `traceparent` is
// injected into the request.
//
//rtool:aspect builtin.http-client
//rtool:where std && package(net/http) && function(name=send, receiver=none)
//rtool:prepend
func _() {
	if RtoolParam0.URL != nil {
		if rtoolSpan := support.StartHTTPClient(RtoolParam0.Context(), RtoolParam0.Method, RtoolParam0.URL.Scheme, RtoolParam0.URL.Host, RtoolParam0.URL.Path); rtoolSpan != nil {
			RtoolParam0 = rtoolWithTraceparent(RtoolParam0, rtoolSpan)
			defer func() {
				status := 0
				if RtoolResult0 != nil {
					status = RtoolResult0.StatusCode
				}
				support.EndHTTPClient(rtoolSpan, status, RtoolResult2, recover())
			}()
		}
	}
}
