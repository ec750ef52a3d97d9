package support

import (
	"context"
	"testing"
	"time"
)

// The pgx spans' parts that the end-to-end test (testdata/script/pgx.txtar)
// does not reach: raw query text in a batch, a Unix socket, an empty
// batch, a batch of queries that share only their operation, a context
// that leaves pgx connections untraced.
func TestPgxSpans(t *testing.T) {
	m := &memory{}
	r := use(t, sampler{bound: 1 << 63}, m)
	queryModeOnce.Do(func() {})
	t.Cleanup(func() { queryMode = querySanitized })
	sock := &PgxConn{Namespace: "shop", Address: "/run/postgresql", Port: 5432}
	qs := []string{"INSERT INTO a VALUES ('x')", "INSERT INTO b VALUES (1)"}
	at := func(i int) string { return qs[i] }

	queryMode = queryRaw
	b := StartPgxBatch(context.Background(), sock, 2, at)
	b.Query(qs[0], nil)
	b.Query(qs[1], pqError{"23505"})
	b.End(nil)
	s := b.Span()
	if s.Name != "BATCH INSERT" || attr(s, "db.operation.name") != "BATCH INSERT" || attr(s, "db.operation.batch.size") != int64(2) ||
		attr(s, "db.query.text") != qs[0]+"; "+qs[1] || attr(s, "server.address") != "/run/postgresql" || attr(s, "server.port") != nil {
		t.Errorf("batch: %q %v", s.Name, s.Attrs)
	}
	queryMode = querySanitized
	e := StartPgxBatch(context.Background(), nil, 0, at)
	e.End(nil)
	if s := e.Span(); s.Name != "BATCH" || attr(s, "db.operation.batch.size") != int64(0) || attr(s, "db.query.text") != nil {
		t.Errorf("empty batch: %q %v", s.Name, s.Attrs)
	}
	r.flush(time.Now().Add(time.Second))
	var kids []*Span
	for _, k := range m.spans {
		if k.Parent == s.SpanID {
			kids = append(kids, k)
		}
	}
	if len(kids) != 2 || kids[0].Name != "INSERT a" || attr(kids[0], "db.query.text") != qs[0] ||
		kids[1].StartNano != kids[0].EndNano || attr(kids[1], "error.type") != "23505" {
		t.Errorf("batch queries: %v", kids)
	}
	if ctx := PgxUntraced(context.Background()); PgxTraced(ctx) || !PgxTraced(context.Background()) {
		t.Error("PgxUntraced")
	}
}
