//go:build rtool

// Built-in tracing of net/http, the part inside net/http/internal/http2
// (Go 1.27 on): a file of its own, without the imports of http.go, which
// that package does not have.
package aspects

// Go 1.27 moved the HTTP/2 server into net/http/internal/http2: its writer
// tells its status itself (net/http wraps it in a type that promotes the
// method).
//
//rtool:aspect builtin.http-h2-internal
//rtool:where std && package(net/http/internal/http2)
//rtool:inject
func (w *responseWriter) RtoolStatus() int {
	if w == nil || w.rws == nil {
		return -1
	}
	if w.rws.wroteHeader {
		return w.rws.status
	}
	return 0
}
