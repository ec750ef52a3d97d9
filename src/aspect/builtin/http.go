//go:build rtool

// Built-in tracing of net/http: instrumented inside net/http itself, so
// every handler and every client request is covered however it is set up.
package aspects

import (
	"crypto/tls"
	"errors"
	"net"
	"sync/atomic"

	"rtool.invalid/support"
)

// net/http links the OTLP transport (which does not use net/http).
//
//rtool:aspect builtin.http-otlp
//rtool:where std && package(net/http)
//rtool:import rtool.invalid/support/otlp

// Every request a net/http server serves (whatever the handler; HTTP/2
// requests of net/http's own HTTP/2 server pass here too) gets a server
// span, the child of the caller's span named by the traceparent/tracestate
// headers (a tracestate sent as several fields is one list). The span is
// the current span of the handler's goroutine and of goroutines it starts
// (the request's context is left alone: copying the request would cost
// every request more than the span does).
//
//rtool:aspect builtin.http-server
//rtool:where std && package(net/http) && function(name=ServeHTTP, receiver=serverHandler)
//rtool:prepend
func _() {
	if support.Enabled() { // no header lookups when not tracing
		rtoolParent, rtoolState := rtoolHeader(RtoolParam1.Header, "Traceparent"), ""
		if rtoolParent != "" { // a trace state means nothing without a parent
			rtoolState = support.TraceStateOf(RtoolParam1.Header["Tracestate"]) // every field, in order
		}
		rtoolSpan := support.StartHTTPServer(RtoolParam1.Method, RtoolParam1.URL.Path, RtoolParam1.Host, RtoolParam1.Proto, RtoolParam1.TLS != nil, rtoolParent, rtoolState)
		defer func() { rtoolHTTPServerEnd(rtoolSpan, RtoolParam0, RtoolParam1) }()
	}
}

//rtool:aspect builtin.http-helpers
//rtool:where std && package(net/http)
//rtool:inject
func rtoolHTTPServerEnd(span *support.Span, w ResponseWriter, req *Request) {
	if !span.Recording() { // unsampled: the end is all there is to record
		support.EndHTTPServer(span, 0, "", "")
		return
	}
	status := -1 // unknown (another package's writer)
	switch rw := w.(type) {
	case *response:
		status = 0
		if rw.wroteHeader {
			status = rw.status
		}
	default: // HTTP/2: builtin.http-h2-status, builtin.http-h2-internal-status
		if f := rtoolHTTP2Status.Load(); f != nil {
			status = (*f)(w)
		}
	}
	pattern := ""
	if req.pat != nil {
		pattern = req.pat.str
	}
	support.EndHTTPServer(span, status, pattern, req.URL.Path)
}

// rtoolHeader is Header.Get for a key already in canonical form (as the
// server stores received headers), without canonicalizing it again.
func rtoolHeader(h Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// rtoolHTTP2Status reads the status of the HTTP/2 server's writer, set by
// builtin.http-h2-status (the bundled server, Go 1.22 to 1.26) or
// builtin.http-h2-internal-status (net/http/internal/http2, Go 1.27 on):
// only code that exists with the HTTP/2 server may name its types (-tags
// nethttpomithttp2 leaves it out).
var rtoolHTTP2Status atomic.Pointer[func(ResponseWriter) int]

// rtoolErrorType is error.type for an error of net/http's client: the
// support library's names (timeouts, SQLSTATEs, well-known sentinels),
// else the type of the network or TLS error inside (*url.Error, which
// wraps them all, says nothing), else _OTHER.
func rtoolErrorType(err error) string {
	t := support.ErrorType(err)
	if t != support.ErrorTypeOther {
		return t
	}
	var dns *net.DNSError
	var op *net.OpError
	var cert *tls.CertificateVerificationError
	var rec tls.RecordHeaderError
	switch {
	case errors.As(err, &dns):
		return "*net.DNSError"
	case errors.As(err, &op):
		return "*net.OpError"
	case errors.As(err, &cert):
		return "*tls.CertificateVerificationError"
	case errors.As(err, &rec):
		return "tls.RecordHeaderError"
	}
	return t
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
				errType := ""
				if RtoolResult2 != nil {
					errType = rtoolErrorType(RtoolResult2)
				}
				support.EndHTTPClient(rtoolSpan, status, RtoolResult2, errType)
			}()
		}
	}
}

// The bundled HTTP/2 server (h2_bundle.go, Go 1.22 to 1.26) tells
// rtoolHTTPServerEnd how to read its writer's status: set when it serves
// its first connection, from a function that exists only with the bundle.
//
//rtool:aspect builtin.http-h2-status
//rtool:where std && package(net/http) && function(name=ServeConn, receiver=*http2Server)
//rtool:prepend
func _() {
	if rtoolHTTP2Status.Load() == nil {
		f := func(w ResponseWriter) int {
			if rw, ok := w.(*http2responseWriter); ok && rw.rws != nil {
				if rw.rws.wroteHeader {
					return rw.rws.status
				}
				return 0
			}
			return -1
		}
		rtoolHTTP2Status.Store(&f)
	}
}

// Go 1.27 on: net/http's HTTP/2 handler adapter (http2.go, only with the
// HTTP/2 server) wraps the writer of net/http/internal/http2, whose status
// RtoolStatus (builtin.http-h2-internal) reads. `http2` is that file's own
// import of net/http/internal/http2 (its signature names it), not one of
// this file's: the unit test of built-in imports holds on every Go version.
//
//rtool:aspect builtin.http-h2-internal-status
//rtool:where std && package(net/http) && function(name=ServeHTTP, receiver=http2Handler, params="*http2.ResponseWriter, *http2.ServerRequest")
//rtool:prepend
func _() {
	if rtoolHTTP2Status.Load() == nil {
		f := func(w ResponseWriter) int {
			if rw, ok := w.(http2ResponseWriter); ok {
				return http2.RtoolStatus(rw.ResponseWriter)
			}
			return -1
		}
		rtoolHTTP2Status.Store(&f)
	}
}
