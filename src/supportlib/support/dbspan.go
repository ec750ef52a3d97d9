package support

import (
	"context"
	"os"
	"strings"
	"sync"
)

// Database spans, after OpenTelemetry semantic conventions v1.44.0
// (stable database and SQL client spans): named by db.query.summary
// (`SELECT users`) parsed from the query, else by the operation
// (`COMMIT`), else by db.system.name; db.query.text with every literal
// replaced by `?` (RTOOL_DB_QUERY_TEXT=raw keeps it as written, off
// leaves it out); error.type the driver's SQLSTATE where it has one.

// DBSystem is the db.system.name value for a database/sql driver name.
func DBSystem(driver string) string {
	switch d := strings.ToLower(driver); {
	case d == "postgres" || d == "postgresql" || d == "pgx" || strings.HasPrefix(d, "pgx/") || d == "cloudsqlpostgres":
		return "postgresql"
	case strings.HasPrefix(d, "mysql"):
		return "mysql"
	case d == "mariadb":
		return "mariadb"
	case strings.HasPrefix(d, "sqlite"):
		return "sqlite"
	case d == "sqlserver" || d == "mssql" || d == "azuresql":
		return "microsoft.sql_server"
	case d == "oracle" || d == "godror" || d == "oci8":
		return "oracle.db"
	case d == "clickhouse":
		return "clickhouse"
	case d == "trino":
		return "trino"
	case d == "spanner":
		return "gcp.spanner"
	}
	return "other_sql"
}

// Query text modes (RTOOL_DB_QUERY_TEXT).
const (
	querySanitized = iota
	queryRaw
	queryOff
)

// parseQueryTextMode reads RTOOL_DB_QUERY_TEXT (any case): empty or
// "sanitized", "raw", "off"; false for anything else (then sanitized).
func parseQueryTextMode(v string) (int, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "sanitized":
		return querySanitized, true
	case "raw":
		return queryRaw, true
	case "off":
		return queryOff, true
	}
	return querySanitized, false
}

var (
	queryModeOnce sync.Once
	queryMode     int
)

// queryTextMode is RTOOL_DB_QUERY_TEXT's mode, read once; a value that
// means nothing is said (as rtool's other warnings are) and sanitizes.
func queryTextMode(rec *recorder) int {
	queryModeOnce.Do(func() {
		v := os.Getenv("RTOOL_DB_QUERY_TEXT")
		var ok bool
		if queryMode, ok = parseQueryTextMode(v); !ok && rec.losses != nil {
			rec.losses.log.print(levelWarn, "RTOOL_DB_QUERY_TEXT="+shown(v)+" is not sanitized, raw or off; queries are sanitized")
		}
	})
	return queryMode
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
	var text, summary, operation string
	if query != "" {
		text, summary = scanSQL(query, system, sanitizedMax(rec))
	} else {
		operation = dbOperation(op) // BEGIN, COMMIT, ROLLBACK: the API's, not parsed
	}
	name := summary
	if name == "" {
		name = operation
	}
	if name == "" {
		name = system
	}
	s := startOwning(rec, parentOf(ctx), TraceID{}, SpanID{}, false, "", name, KindClient, nil)
	if !s.Sampled {
		return s
	}
	attrs := make([]Attr, 0, 6)
	attrs = append(attrs, String("db.system.name", system))
	if operation != "" {
		attrs = append(attrs, String("db.operation.name", operation))
	}
	s.Attrs = queryAttrs(rec, attrs, summary, text, query)
	return s
}

// EndDB ends a database span with the operation's error: error.type and
// db.response.status_code are the driver's SQLSTATE where it has one
// (see ErrorType).
func EndDB(s *Span, err error) {
	if s != nil && err != nil {
		t := ErrorType(err)
		s.SetAttributes(String("error.type", t))
		if isSQLState(t) {
			s.SetAttributes(String("db.response.status_code", t))
		}
		s.SetStatus(StatusError, err.Error())
	}
	s.EndDeferred()
}

// isSQLState: five characters of digits and capitals (SQLSTATE's form),
// not one of ErrorType's names.
func isSQLState(t string) bool {
	if len(t) != 5 {
		return false
	}
	for i := 0; i < 5; i++ {
		if c := t[i]; !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// dbOperation: `(*Tx).Commit` → COMMIT, `(*DB).BeginTx` → BEGIN.
func dbOperation(op string) string {
	if i := strings.LastIndexByte(op, '.'); i >= 0 {
		op = op[i+1:]
	}
	op = strings.TrimSuffix(strings.TrimSuffix(op, "Context"), "Tx")
	return strings.ToUpper(op)
}

// sanitizedMax is how much of a query's sanitized text scanSQL is to
// keep: what db.query.text may hold, none if it does not hold that form.
func sanitizedMax(rec *recorder) int {
	if queryTextMode(rec) != querySanitized {
		return 0
	}
	return rec.limits.query
}

// queryAttrs: a query's db.* attributes, its text as RTOOL_DB_QUERY_TEXT
// asks (text is the sanitized form, already cut; query as written, cut
// here to the limit).
func queryAttrs(rec *recorder, attrs []Attr, summary, text, query string) []Attr {
	if summary != "" {
		attrs = append(attrs, String("db.query.summary", summary))
	}
	switch queryTextMode(rec) {
	case querySanitized:
		if text != "" {
			attrs = append(attrs, String("db.query.text", text))
		}
	case queryRaw:
		if query != "" {
			attrs = append(attrs, String("db.query.text", truncate(query, rec.limits.query)))
		}
	}
	return attrs
}
