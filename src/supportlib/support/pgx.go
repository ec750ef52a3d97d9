package support

import (
	"context"
	"strings"
)

// Spans of github.com/jackc/pgx/v5, recorded by the tracer that the
// builtin.pgx aspects give every connection (pgx's own tracer interfaces):
// the database conventions of StartDB, plus where the connection goes
// (db.namespace, server.address, server.port), batches and COPY.

type pgxOffKey struct{}

// PgxUntraced marks ctx as the context of connections that pgx's tracing
// leaves alone (those of its database/sql driver, which builtin.sql
// traces).
func PgxUntraced(ctx context.Context) context.Context {
	if ctx == nil || current() == nil {
		return ctx
	}
	return context.WithValue(ctx, pgxOffKey{}, true)
}

// PgxTraced: a connection made with ctx gets rtool's tracer.
func PgxTraced(ctx context.Context) bool {
	return ctx == nil || ctx.Value(pgxOffKey{}) == nil
}

// PgxConn is what a connection's spans say of where it goes: the
// configuration's database, host and port (the first host, when the
// configuration lists fallbacks).
type PgxConn struct {
	Namespace, Address string
	Port               int
}

func (c *PgxConn) appendAttrs(attrs []Attr) []Attr {
	if c == nil {
		return attrs
	}
	if c.Namespace != "" {
		attrs = append(attrs, String("db.namespace", c.Namespace))
	}
	if c.Address != "" {
		attrs = append(attrs, String("server.address", c.Address))
		// A Unix socket (a directory, for PostgreSQL) has no port.
		if c.Port > 0 && !strings.HasPrefix(c.Address, "/") {
			attrs = append(attrs, Int("server.port", int64(c.Port)))
		}
	}
	return attrs
}

// StartPgxQuery begins the span of a query pgx runs (Query, QueryRow and
// Exec, the begin, commit and rollback of its transactions, which pgx runs
// as queries) or prepares: named by its summary, the child of the span in
// ctx, else of the goroutine's current span.
func StartPgxQuery(ctx context.Context, c *PgxConn, query string) *Span {
	rec := current()
	if rec == nil {
		return nil
	}
	return startPgxQuery(rec, parentOf(ctx), c, query)
}

func startPgxQuery(rec *recorder, parent *Span, c *PgxConn, query string) *Span {
	text, summary := scanSQL(query, "postgresql", sanitizedMax(rec))
	name := summary
	if name == "" {
		name = "postgresql"
	}
	s := startOwning(rec, parent, TraceID{}, SpanID{}, false, "", name, KindClient, nil)
	if !s.Sampled {
		return s
	}
	attrs := make([]Attr, 0, 8)
	attrs = append(attrs, String("db.system.name", "postgresql"))
	attrs = queryAttrs(rec, attrs, summary, text, query)
	s.Attrs = c.appendAttrs(attrs)
	return s
}

// StartPgxCopy begins the span of a CopyFrom into table (pgx's
// Identifier: the schema, if given, and the table): `COPY {table}`.
// pgx builds the statement itself, so there is no query text.
func StartPgxCopy(ctx context.Context, c *PgxConn, table []string) *Span {
	rec := current()
	if rec == nil {
		return nil
	}
	coll := strings.Join(table, ".")
	name := "COPY"
	if coll != "" {
		name += " " + coll
	}
	s := startOwning(rec, parentOf(ctx), TraceID{}, SpanID{}, false, "", name, KindClient, nil)
	if !s.Sampled {
		return s
	}
	attrs := make([]Attr, 0, 8)
	attrs = append(attrs, String("db.system.name", "postgresql"), String("db.operation.name", "COPY"), String("db.query.summary", name))
	if coll != "" {
		attrs = append(attrs, String("db.collection.name", coll))
	}
	s.Attrs = c.appendAttrs(attrs)
	return s
}

// PgxBatch is a SendBatch in flight: its span, and the time the last of
// its queries' results was read (where the next query's span starts).
type PgxBatch struct {
	span  *Span
	conn  *PgxConn
	batch bool // two or more queries (or none): a batch; one is a query
	last  int64
}

// StartPgxBatch begins the span of a SendBatch of n queries (query(i) is
// the i-th). As the conventions ask, a batch of one query is that query's
// span; otherwise the span is named `BATCH {summary}` when every query has
// the same summary, else `BATCH {operation}` when they share their first
// operation, else `BATCH`, with db.operation.batch.size, and the query
// texts (one, if all are the same, else joined by "; ").
func StartPgxBatch(ctx context.Context, c *PgxConn, n int, query func(int) string) *PgxBatch {
	rec := current()
	if rec == nil {
		return nil
	}
	parent := parentOf(ctx)
	if n == 1 {
		return &PgxBatch{span: startPgxQuery(rec, parent, c, query(0)), conn: c}
	}
	texts := make([]string, n)
	textMax := sanitizedMax(rec)
	var summary, op string
	sameSummary, sameOp, sameText := true, true, true
	for i := 0; i < n; i++ {
		var sum string
		texts[i], sum = scanSQL(query(i), "postgresql", textMax)
		first, _, _ := strings.Cut(sum, " ")
		if i == 0 {
			summary, op = sum, first
		}
		sameSummary = sameSummary && sum == summary
		sameOp = sameOp && first == op
		sameText = sameText && query(i) == query(0)
	}
	name, operation := "BATCH", "BATCH"
	switch {
	case n > 0 && sameSummary && summary != "":
		name, operation = "BATCH "+summary, "BATCH "+op
	case n > 0 && sameOp && op != "":
		name, operation = "BATCH "+op, "BATCH "+op
	}
	b := &PgxBatch{conn: c, batch: true}
	b.span = startOwning(rec, parent, TraceID{}, SpanID{}, false, "", name, KindClient, nil)
	if !b.span.Sampled {
		return b
	}
	b.last = b.span.StartNano
	attrs := make([]Attr, 0, 10)
	attrs = append(attrs, String("db.system.name", "postgresql"), String("db.operation.name", operation),
		Int("db.operation.batch.size", int64(n)))
	var text, raw string
	switch {
	case n == 0:
	case sameText:
		text, raw = texts[0], query(0)
	default:
		text = joinCut(n, func(i int) string { return texts[i] }, textMax)
		if queryTextMode(rec) == queryRaw {
			raw = joinCut(n, query, rec.limits.query)
		}
	}
	attrs = queryAttrs(rec, attrs, name, text, raw)
	b.span.Attrs = c.appendAttrs(attrs)
	return b
}

// joinCut is the n texts text(i) joined by "; ", cut to max characters
// as it is built.
func joinCut(n int, text func(int) string, max int) string {
	b := newTextBuilder(max, 256)
	for i := 0; i < n && !b.full(); i++ {
		if i > 0 {
			b.str("; ")
		}
		b.str(text(i))
	}
	return b.String()
}

// Span is the batch's span (nil when tracing is off).
func (b *PgxBatch) Span() *Span {
	if b == nil {
		return nil
	}
	return b.span
}

// Query records a query of the batch whose results have been read: a
// child span from when the previous query's were (or the batch began) to
// now, with the query's error. Nothing for a batch of one (its span is
// the query's) or one that is not sampled.
func (b *PgxBatch) Query(query string, err error) {
	if b == nil || !b.batch || !b.span.recording() {
		return
	}
	s := startPgxQuery(b.span.recorder, b.span, b.conn, query)
	if s.Sampled && b.last != 0 {
		s.StartNano = b.last
	}
	EndDB(s, err)
	b.last = s.EndNano
}

// End ends the batch's span with the batch's error.
func (b *PgxBatch) End(err error) {
	if b != nil {
		EndDB(b.span, err)
	}
}
