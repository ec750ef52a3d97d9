package support

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"
)

// What comes from outside the program (request paths, headers, queries,
// the environment) reaches the collector valid and bounded.

// A request path of %C0%AF (and bytes that are not UTF-8 anywhere else)
// is exported as U+FFFD by both encoders; valid strings are written as
// they are, without allocating.
func TestInvalidUTF8IsReplaced(t *testing.T) {
	s := fuzzSpan("GET", "k\xff\xfe", "/\xc0\xaf", "/{x}\xe2\x82")
	b := EncodeOTLPProto([]Attr{String("service.name", "svc\xc0")}, []*Span{s})
	strs, err := walkWire(b, wireRequest)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"/\uFFFD": false, "k\uFFFD": false, "GET /{x}\uFFFD": false, "svc\uFFFD": false}
	for _, s := range strs {
		if _, ok := want[s.value]; ok {
			want[s.value] = true
		}
	}
	for v, seen := range want {
		if !seen {
			t.Errorf("protobuf: %q not found in %q", v, strs)
		}
	}
	var req struct{ ResourceSpans []json.RawMessage }
	j := EncodeOTLP(nil, []*Span{s})
	if !utf8.Valid(j) || json.Unmarshal(j, &req) != nil {
		t.Fatalf("JSON: %q", j)
	}
	if !strings.Contains(string(j), `"stringValue":"/\ufffd"`) || !strings.Contains(string(j), `"name":"GET /{x}\ufffd"`) {
		t.Errorf("JSON: %s", j)
	}
	valid := strings.Repeat("é/ascii/", 10)
	if n := testing.AllocsPerRun(10, func() { _ = validUTF8(valid) }); n != 0 {
		t.Errorf("validUTF8 of a valid string: %v allocations", n)
	}
	if got := validUTF8(valid); unsafe.StringData(got) != unsafe.StringData(valid) {
		t.Error("validUTF8 copied a valid string")
	}
}

func TestAttributeValueLimitFromEnv(t *testing.T) {
	for _, c := range []struct {
		span, all  string
		value, qry int
		warned     bool
	}{
		{"", "", -1, defaultQueryTextMax, false},
		{"", "10", 10, 10, false},
		{"5", "10", 5, 5, false},
		{"0", "", 0, 0, false},
		{"", "100000", 100000, 100000, false},
		{"ten", "7", 7, 7, true},
		{"", "-1", -1, defaultQueryTextMax, true},
		{"", "99999999999999999999999", maxLimit, maxLimit, false},
	} {
		t.Setenv("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", c.span)
		t.Setenv("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", c.all)
		var out strings.Builder
		l := limitsFromEnv(&logger{w: &out, max: levelInfo})
		if l.value != c.value || l.query != c.qry || (out.Len() > 0) != c.warned {
			t.Errorf("%q, %q: %+v, said %q", c.span, c.all, l, out.String())
		}
	}
}

// Values are cut to the limit in characters, never inside one, wherever
// they enter a span; a cut value does not keep the long one alive.
func TestAttributeValuesAreCut(t *testing.T) {
	r := use(t, sampler{bound: 1 << 63}, &memory{})
	r.limits = limits{value: 3, query: 3}
	long := "héllo"
	_, s := Start(context.Background(), "op", KindInternal, String("a", long), Int("n", 12345))
	s.SetAttributes(String("b", long), String("short", "hé"))
	s.AddEvent("e", String("c", long))
	s.End()
	for _, k := range []string{"a", "b"} {
		if v := attr(s, k); v != "hél" {
			t.Errorf("%s: %q", k, v)
		}
	}
	if attr(s, "n") != int64(12345) || attr(s, "short") != "hé" || s.Events[0].Attrs[0].Value() != "hél" {
		t.Errorf("attributes %v, events %v", s.Attrs, s.Events)
	}
	if v := attr(s, "a").(string); unsafe.StringData(v) == unsafe.StringData(long) {
		t.Error("the cut value shares the long one's memory")
	}
	// What an integration records directly: cut when the span ends.
	h := StartHTTPServer("GET", "/ünïcode/path", "example.com", "HTTP/1.1", false, "", "")
	EndHTTPServer(h, 200, "GET /{path...}", "/ünïcode/path")
	if attr(h, "url.path") != "/ün" || attr(h, "server.address") != "exa" || attr(h, "http.route") != "/{p" || exportedName(t, h) != "GET /{path...}" {
		t.Errorf("HTTP server span: %v", h.exportAttrs(nil))
	}
	r.limits = noLimits
	_, u := Start(context.Background(), "op", KindInternal, String("a", strings.Repeat("x", 100000)))
	if u.End(); len(attr(u, "a").(string)) != 100000 {
		t.Error("cut with no limit set")
	}
}

// db.query.text is bounded with no variable set: a bulk INSERT of
// megabytes keeps defaultQueryTextMax characters, sanitized or raw, from
// database/sql, pgx (a batch too) and Redis; the variable's limit, when
// set, is the query text's too.
func TestQueryTextIsBounded(t *testing.T) {
	r := use(t, sampler{bound: 1 << 63}, &memory{})
	queryModeOnce.Do(func() {})
	t.Cleanup(func() { queryMode = querySanitized })
	bulk := "INSERT INTO items (name) VALUES " + strings.Repeat("('ünïcode name'), ", 200000) + "('last')"
	for _, mode := range []int{querySanitized, queryRaw} {
		queryMode = mode
		for _, max := range []int{defaultQueryTextMax, 10} {
			r.limits = limits{value: -1, query: max}
			if max == 10 {
				r.limits.value = 10
			}
			s := StartDB(context.Background(), "postgresql", "(*DB).ExecContext", bulk)
			EndDB(s, nil)
			p := StartPgxQuery(context.Background(), nil, bulk)
			EndDB(p, nil)
			b := StartPgxBatch(context.Background(), nil, 3, func(i int) string { return bulk[:len(bulk)-i] })
			b.End(nil)
			rd := StartRedis(context.Background(), [][]any{{"set", "k", []byte(bulk)}}, false, false, "", 0, "")
			EndRedis(rd, nil, false)
			for _, sp := range []*Span{s, p, b.Span(), rd} {
				text, _ := attr(sp, "db.query.text").(string)
				if sp == rd && mode == querySanitized {
					if text != "SET ? ?" {
						t.Errorf("Redis: %q", text)
					}
					continue
				}
				if n := utf8.RuneCountInString(text); n != max || !utf8.ValidString(text) || !strings.HasPrefix(text, bulk[:6]) && !strings.HasPrefix(text, "SET") {
					t.Errorf("mode %d, limit %d, %s: %d characters: %.40q", mode, max, sp.Name, n, text)
				}
				if sum, _ := attr(sp, "db.query.summary").(string); sp != rd && max > 20 && !strings.Contains(sum, "INSERT items") {
					t.Errorf("summary %q", sum)
				}
			}
		}
	}
	queryMode = querySanitized
	r.limits = noLimits
	// Cut as it is built: memory for the limit, not for the query.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	scanSQL(bulk, "postgresql", defaultQueryTextMax)
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 256<<10 {
		t.Errorf("scanSQL of a %d-byte query, cut to %d characters: %d bytes allocated", len(bulk), defaultQueryTextMax, n)
	}
}

// A summary is bounded as it is built: a million qualified names cost
// linear time, and the summary is what a whole one cut at a part is.
func TestSummaryOfAHugeQuery(t *testing.T) {
	q := "SELECT * FROM " + strings.Repeat("a.", 500000) + "b"
	start := time.Now()
	_, sum := scanSQL(q, "postgresql", 100)
	if d := time.Since(start); d > 5*time.Second || sum != "SELECT" {
		t.Errorf("%v, %q", d, sum)
	}
	q = "SELECT * FROM " + strings.Repeat("t, ", 200) + "u"
	if _, sum := scanSQL(q, "postgresql", -1); len(sum) > summaryMax || !strings.HasSuffix(sum, " t") || len(sum) < summaryMax-2 {
		t.Errorf("%d: %q", len(sum), sum)
	}
}

func TestTraceState(t *testing.T) {
	long := func(c string, n int) string { return strings.Repeat(c, n) }
	var thirtyThree []string
	for i := 1; i <= 33; i++ {
		thirtyThree = append(thirtyThree, "bar"+string(rune('0'+i/10))+string(rune('0'+i%10))+"=v")
	}
	for _, c := range []struct {
		fields []string
		want   string
	}{
		{nil, ""},
		{[]string{""}, ""},
		{[]string{"rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"}, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"},
		{[]string{"foo=1,bar=2", "rojo=1,congo=2", "baz=3"}, "foo=1,bar=2,rojo=1,congo=2,baz=3"},
		{[]string{"foo=1 \t , \t bar=2, \t baz=3"}, "foo=1,bar=2,baz=3"},
		{[]string{"foo=1,,  ,bar= x"}, "foo=1,bar= x"},
		// Invalid members are left out, the others kept.
		{[]string{"foo =1,FOO=1,foo.bar=1,@foo=1,foo=bar=baz,foo=,x=\x01,ok=1"}, "ok=1"},
		{[]string{"foo@=1,foo@@bar=1,t@v=2,9lives=x,a/b*c_d-e=v"}, "foo@=1,foo@@bar=1,t@v=2,9lives=x,a/b*c_d-e=v"},
		{[]string{"foo=1,foo=2"}, "foo=1"},
		{[]string{long("z", 256) + "=1," + long("z", 257) + "=1"}, long("z", 256) + "=1"},
		{[]string{"k=" + long("v", 256) + ",j=" + long("v", 257)}, "k=" + long("v", 256)},
		// At most 32 members: the right-most go.
		{thirtyThree, strings.Join(thirtyThree[:32], ",")},
		// Over 512 characters: members over 128 go first, then from the
		// right.
		{[]string{"a=" + long("1", 100) + ",b=" + long("2", 200) + ",c=" + long("3", 100) + ",d=" + long("4", 100) + ",e=5"},
			"a=" + long("1", 100) + ",c=" + long("3", 100) + ",d=" + long("4", 100) + ",e=5"},
		{[]string{"a=" + long("1", 120), "b=" + long("2", 120), "c=" + long("3", 120), "d=" + long("4", 120), "e=" + long("5", 120) + ",f=6"},
			"a=" + long("1", 120) + ",b=" + long("2", 120) + ",c=" + long("3", 120) + ",d=" + long("4", 120)},
	} {
		if got := TraceStateOf(c.fields); got != c.want {
			t.Errorf("%.80q:\n got  %.80q\n want %.80q", c.fields, got, c.want)
		}
	}
	valid := "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"
	if n := testing.AllocsPerRun(10, func() { normalTraceState(valid) }); n != 0 {
		t.Errorf("a valid trace state: %v allocations", n)
	}
	// Received with a traceparent, kept so, and passed on so.
	use(t, sampler{parentBased: true, bound: 1 << 63}, &memory{})
	_, s := StartRemote(context.Background(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "a=1, B=2,a=3", "op", KindServer)
	h := StartHTTPServer("GET", "/", "", "HTTP/1.1", false, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", " a=1,,b=2 ")
	m := StartMessagingProcess("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "x=1,x=2", &MessagingDest{System: "nats", Name: "s"})
	if s.State != "a=1" || h.State != "a=1,b=2" || m.State != "x=1" {
		t.Errorf("states %q %q %q", s.State, h.State, m.State)
	}
	m.End()
	EndHTTPServer(h, 200, "", "/")
	s.End()
	if _, s := StartRemote(context.Background(), "garbage", "a=1", "op", KindServer); s.State != "" {
		t.Errorf("a trace state without a valid traceparent: %q", s.State)
	}
}

func TestTraceParentVersions(t *testing.T) {
	const ids = "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	for h, ok := range map[string]bool{
		"00-" + ids: true, "01-" + ids: true, "cc-" + ids + "-what-the-future-holds": true, "cc-" + ids + "x": false,
		"00-" + ids + "-": false, "ff-" + ids: false, ".0-" + ids: false, "0.-" + ids: false, "0A-" + ids: false, "00-" + strings.ToUpper(ids): false,
	} {
		if _, _, _, got := ParseTraceParent(h); got != ok {
			t.Errorf("ParseTraceParent(%q): %v, want %v", h, got, ok)
		}
	}
}
