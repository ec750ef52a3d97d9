package support

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// OpenTelemetry's semantic conventions in the built-in spans: HTTP method
// names, routes and error.type; database span names, summaries and
// sanitized query text.

func TestSanitizeAndSummarizeSQL(t *testing.T) {
	for _, c := range []struct{ system, q, text, summary string }{
		{"postgresql", "UPDATE users SET password='hunter2' WHERE id = 42", "UPDATE users SET password=? WHERE id = ?", "UPDATE users"},
		{"postgresql", "SELECT name FROM users WHERE id = $1", "SELECT name FROM users WHERE id = $1", "SELECT users"},
		{"mysql", "SELECT * FROM t WHERE a = ? AND b = :name AND c = @p1", "SELECT * FROM t WHERE a = ? AND b = :name AND c = @p1", "SELECT t"},
		{"postgresql", "select x::text from public.users u, orders o where o.n > -1.5e3 and u.f = TRUE and u.h = 0xFF",
			"select x::text from public.users u, orders o where o.n > -? and u.f = ? and u.h = ?", "select public.users orders"},
		{"postgresql", "SELECT 'it''s', E'a\\'b', X'ff', N'n', $$dollar ' secret$$, $tag$x$tag$ FROM t",
			"SELECT ?, ?, ?, ?, ?, ? FROM t", "SELECT t"},
		// A backslash is a character in standard SQL: the string ends at
		// the first quote, and what follows is not swallowed into it.
		{"postgresql", `SELECT 'C:\' , 'secret' FROM t`, `SELECT ? , ? FROM t`, "SELECT t"},
		{"mysql", `INSERT INTO t VALUES ('it\'s secret', "also secret")`, `INSERT INTO t VALUES (?, ?)`, "INSERT t"},
		{"postgresql", `SELECT "col""x" FROM "song list" WHERE a = 'unterminated secret`, `SELECT "col""x" FROM "song list" WHERE a = ?`, `SELECT "song list"`},
		{"postgresql", "INSERT INTO shipping_details (order_id, address) SELECT order_id, address FROM orders WHERE order_id = 7",
			"INSERT INTO shipping_details (order_id, address) SELECT order_id, address FROM orders WHERE order_id = ?", "INSERT shipping_details SELECT orders"},
		{"postgresql", "SELECT order_date FROM (SELECT * FROM orders o JOIN customers c ON o.id = c.id) x",
			"SELECT order_date FROM (SELECT * FROM orders o JOIN customers c ON o.id = c.id) x", "SELECT SELECT orders customers"},
		{"postgresql", "-- note 1\nDELETE /* 2 */ FROM t1 WHERE id IN (1, 2)", "-- note 1\nDELETE /* 2 */ FROM t1 WHERE id IN (?, ?)", "DELETE t1"},
		{"postgresql", "CREATE TABLE IF NOT EXISTS users (id int DEFAULT 0)", "CREATE TABLE IF NOT EXISTS users (id int DEFAULT ?)", "CREATE TABLE users"},
		{"sqlite", "SELECT replace(a, 'x', 'y') FROM t", "SELECT replace(a, ?, ?) FROM t", "SELECT t"},
		{"microsoft.sql_server", "SELECT * FROM [dbo].[users] WHERE n = N'x'", "SELECT * FROM [dbo].[users] WHERE n = ?", "SELECT [dbo].[users]"},
		{"postgresql", "BEGIN; UPDATE a SET n = 1; COMMIT", "BEGIN; UPDATE a SET n = ?; COMMIT", "BEGIN UPDATE a COMMIT"},
		{"postgresql", "(((", "(((", ""},
	} {
		text, summary := scanSQL(c.q, c.system, -1)
		if text != c.text || summary != c.summary {
			t.Errorf("%s %q:\n got  %q, %q\n want %q, %q", c.system, c.q, text, summary, c.text, c.summary)
		}
	}
	long := "SELECT " + strings.Repeat("a, ", 10) + "b FROM " + strings.Repeat("table_name_of_twenty, ", 20) + "z"
	if _, s := scanSQL(long, "postgresql", -1); len(s) > summaryMax || !strings.HasSuffix(s, "table_name_of_twenty") {
		t.Errorf("long summary (%d): %q", len(s), s)
	}
}

func TestDBSpans(t *testing.T) {
	m := &memory{}
	r := use(t, sampler{bound: 1 << 63}, m)
	queryModeOnce.Do(func() {})
	t.Cleanup(func() { queryMode = querySanitized })
	for _, mode := range []int{querySanitized, queryRaw, queryOff} {
		queryMode = mode
		s := StartDB(context.Background(), "postgresql", "(*DB).ExecContext", "UPDATE users SET password='hunter2' WHERE id = $1")
		EndDB(s, nil)
		want := map[int]any{querySanitized: "UPDATE users SET password=? WHERE id = $1",
			queryRaw: "UPDATE users SET password='hunter2' WHERE id = $1", queryOff: nil}[mode]
		if s.Name != "UPDATE users" || attr(s, "db.query.text") != want || attr(s, "db.system.name") != "postgresql" ||
			attr(s, "db.query.summary") != "UPDATE users" || attr(s, "db.operation.name") != nil {
			t.Errorf("mode %d: %q %v", mode, s.Name, s.Attrs)
		}
	}
	queryMode = querySanitized
	c := StartDB(context.Background(), "mysql", "(*Tx).Commit", "")
	EndDB(c, pqError{"40001"})
	if c.Name != "COMMIT" || attr(c, "db.operation.name") != "COMMIT" || attr(c, "error.type") != "40001" ||
		attr(c, "db.response.status_code") != "40001" || c.Status != StatusError {
		t.Errorf("commit: %q %v", c.Name, c.Attrs)
	}
	o := StartDB(context.Background(), "", "(*DB).QueryContext", "/* nothing */")
	EndDB(o, io.ErrUnexpectedEOF)
	if o.Name != "other_sql" || attr(o, "error.type") != "io.ErrUnexpectedEOF" || attr(o, "db.response.status_code") != nil {
		t.Errorf("no summary, no operation: %q %v", o.Name, o.Attrs)
	}
	r.flush(time.Now().Add(time.Second))
	for mode, ok := range map[string]bool{"": true, "Raw": true, " off ": true, "sanitized": true, "verbatim": false} {
		if got, gotOK := parseQueryTextMode(mode); gotOK != ok || !ok && got != querySanitized {
			t.Errorf("parseQueryTextMode(%q) = %d, %v", mode, got, gotOK)
		}
	}
	if DBSystem("sqlserver") != "microsoft.sql_server" || DBSystem("godror") != "oracle.db" || DBSystem("pgx/v5") != "postgresql" || DBSystem("odbc") != "other_sql" {
		t.Error("db.system.name values")
	}
}

type pqError struct{ code string }

func (e pqError) Error() string    { return "pq: " + e.code }
func (e pqError) SQLState() string { return e.code }

type timeoutError struct{}

func (timeoutError) Error() string { return "i/o timeout" }
func (timeoutError) Timeout() bool { return true }

func TestErrorType(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{fmt.Errorf("query: %w", pqError{"42P01"}), "42P01"},
		{fmt.Errorf("get: %w", context.DeadlineExceeded), "timeout"},
		{os.ErrDeadlineExceeded, "timeout"},
		{fmt.Errorf("read: %w", timeoutError{}), "timeout"},
		{fmt.Errorf("x: %w", context.Canceled), "context.Canceled"},
		{fmt.Errorf("x: %w", io.EOF), "io.EOF"},
		{io.ErrUnexpectedEOF, "io.ErrUnexpectedEOF"},
		{errors.New("error"), ErrorTypeOther},
	} {
		if got := ErrorType(c.err); got != c.want {
			t.Errorf("ErrorType(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

func TestHTTPServerSpans(t *testing.T) {
	use(t, sampler{bound: 1 << 63}, &memory{})
	type server struct {
		method, pattern, path string
		status                int
		name, route, errType  string
		errStatus             bool
	}
	for _, c := range []server{
		{"GET", "GET example.com/items/{id}", "/items/7", 200, "GET /items/{id}", "/items/{id}", "", false},
		{"GET", "/{$}", "/", 404, "GET /", "/", "", false}, // 4xx: not the server's error
		{"POST", "/static/", "/static/a.css", 503, "POST", "", "503", true},
		{"PUT", "/static/", "/static/", 0, "PUT /static/", "/static/", "", false},
		{"DIE", "", "/x", 500, "HTTP", "", "500", true},
	} {
		s := StartHTTPServer(c.method, c.path, "h:8", "HTTP/2.0", true, "", "")
		EndHTTPServer(s, c.status, c.pattern, c.path)
		route, _ := attr(s, "http.route").(string)
		errType, _ := attr(s, "error.type").(string)
		if name := exportedName(t, s); name != c.name || route != c.route || errType != c.errType || (s.Status == StatusError) != c.errStatus ||
			attr(s, "network.protocol.version") != "2" || attr(s, "url.scheme") != "https" {
			t.Errorf("%+v: %q %v %v", c, name, s.Status, s.exportAttrs(nil))
		}
		if c.method == "DIE" && (attr(s, "http.request.method") != "_OTHER" || attr(s, "http.request.method_original") != "DIE") {
			t.Errorf("unknown method: %v", s.exportAttrs(nil))
		}
		if c.method == "GET" && attr(s, "http.request.method_original") != nil {
			t.Errorf("method_original of a known method: %v", s.exportAttrs(nil))
		}
	}
	s := StartHTTPServer("GET", "/p", "h:8", "HTTP/1.1", false, "", "")
	func() {
		defer func() { recover() }()
		func() {
			defer EndHTTPServer(s, 200, "", "/p")
			panic(errors.New("handler panicked"))
		}()
	}()
	if s.Status != StatusError || attr(s, "error.type") != ErrorTypeOther {
		t.Errorf("panic: %v %v", s.Status, s.exportAttrs(nil))
	}
}

func TestHTTPClientSpans(t *testing.T) {
	use(t, sampler{bound: 1 << 63}, &memory{})
	for _, c := range []struct {
		status    int
		err       error
		errType   string
		want      any
		errStatus bool
	}{
		{200, nil, "", nil, false},
		{404, nil, "", "404", true},
		{0, errors.New("dial tcp: refused"), "*net.OpError", "*net.OpError", true},
		{0, fmt.Errorf("x: %w", context.DeadlineExceeded), "", "timeout", true},
		{0, fmt.Errorf("x: %w", context.Canceled), "", nil, false}, // the caller's choice
	} {
		s := StartHTTPClient(context.Background(), "GET", "http", "h", "/")
		EndHTTPClient(s, c.status, c.err, c.errType)
		if attr(s, "error.type") != c.want || (s.Status == StatusError) != c.errStatus {
			t.Errorf("client %d %v: %v %v", c.status, c.err, s.Status, s.Attrs)
		}
	}
}

func TestHTTPMethods(t *testing.T) {
	use(t, sampler{bound: 1 << 63}, &memory{})
	for _, in := range []string{"FOO, GET ,", "GET,FOO"} {
		if m := parseMethods(in); len(m) != 2 || !m["FOO"] || !m["GET"] {
			t.Errorf("parseMethods(%q) = %v", in, m)
		}
	}
	if m := parseMethods(defaultKnownMethods); len(m) != 10 || !m["PATCH"] || !m["QUERY"] || m["get"] {
		t.Errorf("default methods: %v", m)
	}
	for _, host := range []string{"", "h", "[::1]:9"} { // the protobuf attributes without a host or a port
		s := StartHTTPServer("GET", "/", host, "HTTP/1.0", false, "", "")
		EndHTTPServer(s, 0, "", "/")
		exportedName(t, s)
	}
	for m := range parseMethods(defaultKnownMethods + ",get,FOO,,GETX") {
		if isKnownMethod(m) != strings.Contains(","+defaultKnownMethods+",", ","+m+",") {
			t.Errorf("isKnownMethod(%q) disagrees with the default list", m)
		}
	}
}

// RTOOL_DB_QUERY_TEXT is read once; a value that means nothing sanitizes
// and is said.
func TestQueryTextVariable(t *testing.T) {
	var msgs strings.Builder
	rec := newRecorderReporting(sampler{bound: 1 << 63}, &memory{}, &losses{log: &logger{w: &msgs, max: levelInfo}, dest: "memory", now: time.Now})
	t.Cleanup(func() { queryModeOnce, queryMode = sync.Once{}, querySanitized })
	for _, c := range []struct {
		v    string
		want int
		said bool
	}{{"raw", queryRaw, false}, {"OFF", queryOff, false}, {"", querySanitized, false}, {"verbatim", querySanitized, true}} {
		queryModeOnce, queryMode = sync.Once{}, -1
		msgs.Reset()
		t.Setenv("RTOOL_DB_QUERY_TEXT", c.v)
		if got := queryTextMode(rec); got != c.want || (msgs.Len() > 0) != c.said {
			t.Errorf("RTOOL_DB_QUERY_TEXT=%q: mode %d, said %q", c.v, got, msgs.String())
		}
		os.Setenv("RTOOL_DB_QUERY_TEXT", "raw")
		if got := queryTextMode(rec); got != c.want {
			t.Errorf("read again after a change: %d", got)
		}
	}
	if !strings.Contains(msgs.String(), "rtool tracing: RTOOL_DB_QUERY_TEXT=verbatim is not sanitized, raw or off; queries are sanitized") {
		t.Errorf("warning: %q", msgs.String())
	}
}
