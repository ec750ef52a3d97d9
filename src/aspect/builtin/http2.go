//go:build rtool

// Built-in tracing of net/http, the part inside net/http/internal/http2
// (Go 1.27 on): a file of its own, without the imports of http.go, which
// that package does not have.
package aspects

// Go 1.27 moved the HTTP/2 server into net/http/internal/http2, whose
// writer net/http embeds in its own (http2ResponseWriter): net/http reads
// the status through this function (builtin.http-h2-internal-status). A
// function, not a method, so neither writer's method set changes; exported
// only to net/http, as nothing outside the standard library can import an
// internal package.
//
//rtool:aspect builtin.http-h2-internal
//rtool:where std && package(net/http/internal/http2)
//rtool:inject
func RtoolStatus(w *responseWriter) int {
	if w == nil || w.rws == nil {
		return -1
	}
	if w.rws.wroteHeader {
		return w.rws.status
	}
	return 0
}
