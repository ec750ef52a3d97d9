package support

import (
	"context"
	"strconv"
	"strings"
)

// The entry points of rtool's built-in aspects (rtool's src/aspects/). The
// aspects live inside net/http and database/sql, which this package must
// not import (they would import it back), so these take plain values and
// follow OpenTelemetry's semantic conventions. Each Start returns nil when
// no exporter is configured: then instrumentation costs a call and a load.

// Enabled reports whether spans are recorded (an exporter is configured).
func Enabled() bool { return current() != nil }

// EndWith ends the span; if recovered (what the caller's deferred function
// got from recover()) is not nil, it records it as a panic first and then
// panics again with the same value.
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

// StartHTTPServer begins the span of an incoming request: the child of the
// remote span its traceparent names, else a new trace (never of whatever
// span the serving goroutine inherited).
func StartHTTPServer(method, path, host, proto string, tls bool, traceparent, tracestate string) *Span {
	rec := current()
	if rec == nil {
		return nil
	}
	tid, sid, sampled, ok := ParseTraceParent(traceparent)
	if !ok {
		tid, sid, sampled, tracestate = TraceID{}, SpanID{}, false, ""
	}
	s := startOwning(rec, nil, tid, sid, sampled, tracestate, method, KindServer, nil)
	if !s.Sampled {
		return s // attributes only for spans that are recorded
	}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	attrs := make([]Attr, 0, 8) // room for route and status at the end
	attrs = append(attrs,
		String("http.request.method", method),
		String("url.path", path),
		String("url.scheme", scheme),
		String("network.protocol.version", protocolVersion(proto)),
	)
	if h, port := splitHostPort(host); h != "" {
		attrs = append(attrs, String("server.address", h))
		if port > 0 {
			attrs = append(attrs, Int("server.port", port))
		}
	}
	s.Attrs = attrs // not yet seen by any other goroutine
	return s
}

// EndHTTPServer ends a server span with the response status (0: the
// handler wrote nothing, so 200) and the matched route pattern, if known.
func EndHTTPServer(s *Span, status int, pattern string, recovered any) {
	if s == nil {
		s.EndWith(recovered)
		return
	}
	if status == 0 && recovered == nil {
		status = 200
	}
	route := routeOf(pattern)
	if s.Sampled {
		s.mu.Lock() // one locked section for all of it
		if route != "" {
			s.Name = s.Name + " " + route
			s.Attrs = append(s.Attrs, String("http.route", route))
		}
		if status > 0 {
			s.Attrs = append(s.Attrs, Int("http.response.status_code", int64(status)))
		}
		if status >= 500 {
			s.Status = StatusError
		}
		s.mu.Unlock()
	}
	s.EndWith(recovered)
}

// StartHTTPClient begins the span of an outgoing request.
func StartHTTPClient(ctx context.Context, method, scheme, host, path string) *Span {
	rec := current()
	if rec == nil {
		return nil
	}
	s := startOwning(rec, parentOf(ctx), TraceID{}, SpanID{}, false, "", method, KindClient, nil)
	if !s.Sampled {
		return s
	}
	attrs := make([]Attr, 0, 6)
	attrs = append(attrs, String("http.request.method", method), String("url.full", scheme+"://"+host+path))
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
// response) or the error.
func EndHTTPClient(s *Span, status int, err error, recovered any) {
	if s == nil {
		s.EndWith(recovered)
		return
	}
	switch {
	case err != nil:
		s.SetAttributes(String("error.type", "error"))
		s.SetStatus(StatusError, err.Error())
	case status > 0:
		s.SetAttributes(Int("http.response.status_code", int64(status)))
		if status >= 400 {
			s.SetAttributes(String("error.type", strconv.Itoa(status)))
			s.SetStatus(StatusError, "")
		}
	}
	s.EndWith(recovered)
}

// DBSystem is the db.system value for a database/sql driver name.
func DBSystem(driver string) string {
	switch d := strings.ToLower(driver); {
	case d == "postgres" || d == "postgresql" || d == "pgx" || strings.HasPrefix(d, "pgx/") || d == "cloudsqlpostgres":
		return "postgresql"
	case strings.HasPrefix(d, "mysql"):
		return "mysql"
	case strings.HasPrefix(d, "sqlite"):
		return "sqlite"
	case d == "sqlserver" || d == "mssql":
		return "mssql"
	case d == "oracle" || d == "godror" || d == "oci8":
		return "oracle"
	case d == "clickhouse":
		return "clickhouse"
	}
	return "other_sql"
}

// StartDB begins the span of a database/sql operation: op is the method
// (`(*DB).QueryContext`), query the statement, if any.
func StartDB(ctx context.Context, system, op, query string) *Span {
	rec := current()
	if rec == nil {
		return nil
	}
	if system == "" {
		system = "other_sql"
	}
	name := sqlKeyword(query)
	if name == "" {
		name = dbOperation(op)
	}
	s := startOwning(rec, parentOf(ctx), TraceID{}, SpanID{}, false, "", name, KindClient, nil)
	if !s.Sampled {
		return s
	}
	attrs := make([]Attr, 0, 5)
	attrs = append(attrs, String("db.system", system), String("db.operation.name", name))
	if query != "" {
		attrs = append(attrs, String("db.query.text", query))
	}
	s.Attrs = attrs
	return s
}

// EndDB ends a database span with the operation's error.
func EndDB(s *Span, err error, recovered any) {
	if s != nil && err != nil {
		s.SetAttributes(String("error.type", "error"))
		s.SetStatus(StatusError, err.Error())
	}
	s.EndWith(recovered)
}

// dbOperation: `(*Tx).Commit` → COMMIT, `(*DB).BeginTx` → BEGIN.
func dbOperation(op string) string {
	if i := strings.LastIndexByte(op, '.'); i >= 0 {
		op = op[i+1:]
	}
	op = strings.TrimSuffix(strings.TrimSuffix(op, "Context"), "Tx")
	return strings.ToUpper(op)
}

// sqlKeyword is the statement's first word, upper-cased (SELECT, INSERT…).
func sqlKeyword(q string) string {
	q = strings.TrimLeft(q, " \t\r\n(")
	end := 0
	for end < len(q) && (q[end] >= 'a' && q[end] <= 'z' || q[end] >= 'A' && q[end] <= 'Z') {
		end++
	}
	return strings.ToUpper(q[:end])
}

// routeOf: the path of a ServeMux pattern (`GET example.com/items/{id}` →
// `/items/{id}`).
func routeOf(pattern string) string {
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		return pattern[i:]
	}
	return ""
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
