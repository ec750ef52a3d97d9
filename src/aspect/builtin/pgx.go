//go:build rtool

// Built-in tracing of github.com/jackc/pgx/v5 used directly (pgx.Conn,
// pgxpool.Pool, their transactions): pgx's own tracer interfaces
// (QueryTracer, BatchTracer, CopyFromTracer, PrepareTracer), installed in
// the configuration of every connection as pgx makes it. Connect,
// ConnectWithOptions and ConnectConfig (which pgxpool uses for each
// connection of a pool) all go through connect with a configuration of
// the connection's own, so the tracer is set there and nowhere else. A
// tracer the configuration already has is wrapped: it is called as
// before, inside rtool's spans. Connections of pgx's database/sql driver
// (package stdlib) get no tracer: builtin.sql traces their operations.
// From v5.5.3 (the first whose Batch shows its queries); older versions
// are left unchanged.
package aspects

import (
	"context"

	"rtool.invalid/support"
)

// pgx links the OTLP transport.
//
//rtool:aspect builtin.pgx-otlp
//rtool:where package(github.com/jackc/pgx/v5) && module-version(min=v5.5.3)
//rtool:import rtool.invalid/support/otlp

//rtool:aspect builtin.pgx-tracer
//rtool:where package(github.com/jackc/pgx/v5) && module-version(min=v5.5.3)
//rtool:inject
type rtoolTracer struct {
	user     QueryTracer // the configuration's own tracer, or nil
	batch    BatchTracer
	copyFrom CopyFromTracer
	prepare  PrepareTracer
	conn     support.PgxConn
	// A query, batch or copy is in flight: the statements pgx prepares for it
	// are part of its span, not spans of their own. (A connection runs
	// one operation at a time.)
	busy bool
}

// rtoolKey carries rtool's span (or batch) from a Trace…Start to its
// Trace…End: its own key, since a tracer it wraps may put spans of
// another API in the context between the two.
type rtoolKey struct{}

// rtoolNewTracer is the tracer of a connection made with config.
func rtoolNewTracer(config *ConnConfig) *rtoolTracer {
	user := config.Tracer
	t := &rtoolTracer{user: user, conn: support.PgxConn{Namespace: config.Database, Address: config.Host, Port: int(config.Port)}}
	t.batch, _ = user.(BatchTracer)
	t.copyFrom, _ = user.(CopyFromTracer)
	t.prepare, _ = user.(PrepareTracer)
	return t
}

// rtoolParent makes s the parent of the spans the wrapped tracer starts
// (only when there is one: pgx starts none of its own).
func (t *rtoolTracer) rtoolParent(ctx context.Context, s *support.Span, user bool) context.Context {
	if s == nil || !user {
		return ctx
	}
	return support.ContextWithSpan(ctx, s)
}

func rtoolKeep(ctx context.Context, v any, ok bool) context.Context {
	if !ok {
		return ctx
	}
	return context.WithValue(ctx, rtoolKey{}, v)
}

func rtoolSpanOf(ctx context.Context) *support.Span {
	s, _ := ctx.Value(rtoolKey{}).(*support.Span)
	return s
}

func (t *rtoolTracer) TraceQueryStart(ctx context.Context, conn *Conn, data TraceQueryStartData) context.Context {
	s := support.StartPgxQuery(ctx, &t.conn, data.SQL)
	t.busy = s != nil
	ctx = t.rtoolParent(ctx, s, t.user != nil)
	if t.user != nil {
		ctx = t.user.TraceQueryStart(ctx, conn, data)
	}
	return rtoolKeep(ctx, s, s != nil)
}

func (t *rtoolTracer) TraceQueryEnd(ctx context.Context, conn *Conn, data TraceQueryEndData) {
	if t.user != nil {
		t.user.TraceQueryEnd(ctx, conn, data)
	}
	t.busy = false
	support.EndDB(rtoolSpanOf(ctx), data.Err)
}

func (t *rtoolTracer) TraceBatchStart(ctx context.Context, conn *Conn, data TraceBatchStartData) context.Context {
	var b *support.PgxBatch
	if data.Batch != nil {
		qs := data.Batch.QueuedQueries
		b = support.StartPgxBatch(ctx, &t.conn, len(qs), func(i int) string { return qs[i].SQL })
	}
	t.busy = b != nil
	ctx = t.rtoolParent(ctx, b.Span(), t.batch != nil)
	if t.batch != nil {
		ctx = t.batch.TraceBatchStart(ctx, conn, data)
	}
	return rtoolKeep(ctx, b, b != nil)
}

func (t *rtoolTracer) TraceBatchQuery(ctx context.Context, conn *Conn, data TraceBatchQueryData) {
	b, _ := ctx.Value(rtoolKey{}).(*support.PgxBatch)
	b.Query(data.SQL, data.Err)
	if t.batch != nil {
		t.batch.TraceBatchQuery(ctx, conn, data)
	}
}

func (t *rtoolTracer) TraceBatchEnd(ctx context.Context, conn *Conn, data TraceBatchEndData) {
	if t.batch != nil {
		t.batch.TraceBatchEnd(ctx, conn, data)
	}
	t.busy = false
	b, _ := ctx.Value(rtoolKey{}).(*support.PgxBatch)
	b.End(data.Err)
}

func (t *rtoolTracer) TraceCopyFromStart(ctx context.Context, conn *Conn, data TraceCopyFromStartData) context.Context {
	s := support.StartPgxCopy(ctx, &t.conn, data.TableName)
	t.busy = s != nil
	ctx = t.rtoolParent(ctx, s, t.copyFrom != nil)
	if t.copyFrom != nil {
		ctx = t.copyFrom.TraceCopyFromStart(ctx, conn, data)
	}
	return rtoolKeep(ctx, s, s != nil)
}

func (t *rtoolTracer) TraceCopyFromEnd(ctx context.Context, conn *Conn, data TraceCopyFromEndData) {
	if t.copyFrom != nil {
		t.copyFrom.TraceCopyFromEnd(ctx, conn, data)
	}
	t.busy = false
	support.EndDB(rtoolSpanOf(ctx), data.Err)
}

// Prepare: a span for an explicit Conn.Prepare only.
func (t *rtoolTracer) TracePrepareStart(ctx context.Context, conn *Conn, data TracePrepareStartData) context.Context {
	var s *support.Span
	if !t.busy {
		s = support.StartPgxQuery(ctx, &t.conn, data.SQL)
	}
	ctx = t.rtoolParent(ctx, s, t.prepare != nil)
	if t.prepare != nil {
		ctx = t.prepare.TracePrepareStart(ctx, conn, data)
	}
	// Inside a query, a nil span hides the query's from TracePrepareEnd.
	return rtoolKeep(ctx, s, s != nil || t.busy)
}

func (t *rtoolTracer) TracePrepareEnd(ctx context.Context, conn *Conn, data TracePrepareEndData) {
	if t.prepare != nil {
		t.prepare.TracePrepareEnd(ctx, conn, data)
	}
	support.EndDB(rtoolSpanOf(ctx), data.Err)
}

// Every connection is made by connect, which copies the configuration's
// tracer into the connection's fields: when it returns a connection,
// rtool's tracer (wrapping that one) replaces them. Connecting has no span
// (the conventions define none); pgx calls the configuration's
// ConnectTracer itself. Nothing changes while rtool's tracing is off.
//
//rtool:aspect builtin.pgx-connect
//rtool:where package(github.com/jackc/pgx/v5) && module-version(min=v5.5.3) && function(name=connect, receiver=none)
//rtool:prepend
func _() {
	if RtoolParam1 != nil && support.Enabled() && support.PgxTraced(RtoolParam0) {
		defer func() {
			if c := RtoolResult0; c != nil && RtoolResult1 == nil {
				t := rtoolNewTracer(c.config)
				c.queryTracer, c.batchTracer, c.copyFromTracer, c.prepareTracer = t, t, t, t
			}
		}()
	}
}

// pgx's database/sql driver connects with a context that says so: its
// operations are database/sql's, traced by builtin.sql, not twice.
//
//rtool:aspect builtin.pgx-stdlib
//rtool:where package(github.com/jackc/pgx/v5/stdlib) && module-version(min=v5.5.3) && function(name=Connect)
//rtool:where function(receiver=connector) || function(receiver=*driverConnector)
//rtool:prepend
func _() {
	RtoolParam0 = support.PgxUntraced(RtoolParam0)
}

// builtin.pgx-connect relies on pgx's unexported connect, unchanged from
// v5.0.0 to v5.12.0: were it renamed, the aspect would match nothing and
// the program would build untraced.
