package support

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Fuzz targets: every parser of what comes from outside the program
// (headers from peers, the environment, a collector's answers) and both
// encoders. `go test` runs each on its seeds (f.Add, and testdata/fuzz/
// where inputs that once failed are kept); scripts/fuzz runs them with
// the fuzzing engine.

func FuzzTraceParent(f *testing.F) {
	for _, s := range []string{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-later",
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", ".0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		tid, sid, sampled, ok := ParseTraceParent(h)
		if !ok {
			return
		}
		if len(h) < 55 || h[:2] == "ff" || h[3:35] != tid.String() || h[36:52] != sid.String() || tid == (TraceID{}) || sid == (SpanID{}) {
			t.Fatalf("accepted %q as %v %v", h, tid, sid)
		}
		if len(h) > 55 && (h[:2] == "00" || h[55] != '-') {
			t.Fatalf("accepted %q: version 00 is 55 characters; a later one's flags end it or a dash follows", h)
		}
		s := &Span{TraceID: tid, SpanID: sid, Sampled: sampled}
		if t2, s2, sampled2, ok := ParseTraceParent(s.TraceParent()); !ok || t2 != tid || s2 != sid || sampled2 != sampled {
			t.Fatalf("%q does not round-trip", h)
		}
	})
}

func FuzzTraceState(f *testing.F) {
	f.Add("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", "")
	f.Add("foo=1 \t , \t bar=2, \t baz=3", "foo=2,,@x=1,a@b@c=x")
	f.Add(strings.Repeat("k=v,", 40), "z"+strings.Repeat("v", 300)+"=1")
	f.Add("a="+strings.Repeat("x", 200)+",b=1", "c="+strings.Repeat("y", 250))
	f.Fuzz(func(t *testing.T, a, b string) {
		got := TraceStateOf([]string{a, b})
		if len(got) > traceStateMax {
			t.Fatalf("%d characters", len(got))
		}
		if got == "" {
			return
		}
		members := strings.Split(got, ",")
		if len(members) > traceStateMembers {
			t.Fatalf("%d members", len(members))
		}
		keys := map[string]bool{}
		given := strings.Split(a+","+b, ",")
		for _, m := range members {
			k, _, _ := strings.Cut(m, "=")
			if !validMember(m) || keys[k] {
				t.Fatalf("member %q of %q", m, got)
			}
			keys[k] = true
			found := false
			for _, g := range given {
				found = found || strings.Trim(g, " \t") == m
			}
			if !found {
				t.Fatalf("%q: %q was not given", got, m)
			}
		}
		if again := normalTraceState(got); again != got {
			t.Fatalf("not stable: %q then %q", got, again)
		}
	})
}

func FuzzSQL(f *testing.F) {
	for _, q := range []string{"UPDATE users SET password='hunter2' WHERE id = 42", "SELECT 'it''s', E'a\\'b', $$x$$, $t$y$t$ FROM a.b.c, d WHERE x = 0x1F",
		"INSERT INTO t VALUES ('it\\'s secret', \"also\") -- c\n/* d */", "CREATE TABLE IF NOT EXISTS s.t (id int)", "SELECT [x] FROM [dbo].[t] WHERE n = N'é'"} {
		f.Add(q, byte(0), 20)
		f.Add(q, byte(1), -1)
	}
	systems := []string{"postgresql", "mysql", "microsoft.sql_server", "sqlite"}
	f.Fuzz(func(t *testing.T, q string, system byte, max int) {
		sys := systems[int(system)%len(systems)]
		max = max%5000 - 1
		text, summary := scanSQL(q, sys, max)
		whole, summary2 := scanSQL(q, sys, -1)
		if summary != summary2 || len(summary) > summaryMax {
			t.Fatalf("summary %q (cut text) vs %q", summary, summary2)
		}
		if text != cutChars(whole, max) {
			t.Fatalf("cut to %d as built: %q; cut after: %q", max, text, cutChars(whole, max))
		}
		if len(whole) > len(q) {
			t.Fatalf("sanitized text longer than the query: %q", whole)
		}
		if utf8.ValidString(q) && (!utf8.ValidString(text) || !utf8.ValidString(summary)) {
			t.Fatalf("UTF-8 in, not out: %q %q", text, summary)
		}
	})
}

func FuzzCutChars(f *testing.F) {
	f.Add("héllo wörld", 3)
	f.Add("\xc0\xafx\xe2\x82", 2)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max%300 - 1
		c := cutChars(s, max)
		if !strings.HasPrefix(s, c) || max >= 0 && utf8.RuneCountInString(c) > max {
			t.Fatalf("cutChars(%q, %d) = %q", s, max, c)
		}
		if len(c) < len(s) && utf8.RuneCountInString(c) != max {
			t.Fatalf("cutChars(%q, %d) = %q: cut short", s, max, c)
		}
		if utf8.ValidString(s) && !utf8.ValidString(c) {
			t.Fatalf("cutChars(%q, %d) = %q splits a character", s, max, c)
		}
	})
}

// FuzzEnvValues: the OTEL_* and RTOOL_* variables' parsers.
func FuzzEnvValues(f *testing.F) {
	for _, v := range []string{"", "10000", " 5 ", "-1", "+3", "99999999999999999999", "true", "FALSE", "debug", "raw", "GET,,POST ", "0x10", "1e3"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if d, ok := parseTimeout(v); ok && (d <= 0 || d > 24*time.Hour) {
			t.Fatalf("timeout %q: %v", v, d)
		}
		if n, ok := parseLimit(v); ok && (n < 0 || n > maxLimit) || !ok && n != 0 {
			t.Fatalf("limit %q: %d %v", v, n, ok)
		}
		if b, ok := parseBool(v); b && !ok {
			t.Fatalf("bool %q", v)
		}
		if l, ok := parseLevel(v); l < levelNone || l > levelVerbose || !ok && l != levelInfo {
			t.Fatalf("level %q: %d", v, l)
		}
		if m, ok := parseQueryTextMode(v); !ok && m != querySanitized {
			t.Fatalf("query text mode %q: %d", v, m)
		}
		for m := range parseMethods(v) {
			if m == "" || strings.TrimSpace(m) != m || strings.Contains(m, ",") {
				t.Fatalf("methods %q: %q", v, m)
			}
		}
		for _, kv := range parseList(v) {
			if kv[0] == "" || strings.TrimSpace(kv[0]) != kv[0] {
				t.Fatalf("list %q: key %q", v, kv[0])
			}
		}
		if d, ok := parseRetryAfter(v, time.Unix(1e9, 0)); ok && d < 0 {
			t.Fatalf("retry after %q: %v", v, d)
		}
	})
}

func FuzzHeaders(f *testing.F) {
	for _, h := range []string{"Authorization=Bearer%20hunter2,x-tenant=a", "a=b%0D%0AX-Forged:%20yes", "bad name=x", "=x", "k=%zz%4", "a=b,,c=d ,"} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, s string) {
		headers, bad := parseHeaders(s)
		if bad != "" {
			if headers != nil {
				t.Fatalf("%q refused (%s) but gave headers", s, bad)
			}
			return
		}
		for _, h := range headers {
			if !validToken(h[0]) {
				t.Fatalf("%q: name %q", s, h[0])
			}
			for i := 0; i < len(h[1]); i++ {
				if c := h[1][i]; c < 0x20 && c != '\t' || c == 0x7f {
					t.Fatalf("%q: value %q has a control character", s, h[1])
				}
			}
		}
	})
}

func FuzzEndpoint(f *testing.F) {
	for _, ep := range []string{"http://localhost:4318", "https://u:p@[::1%25eth0]:443/x?y#z", "localhost:4318", "http://a b", "http://[::1", "grpc://x", "http://x:99999", "http://%zz"} {
		f.Add(ep)
	}
	f.Fuzz(func(t *testing.T, ep string) {
		problem := checkEndpoint(ep)
		if problem == "" {
			u, err := url.Parse(ep)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https" && !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) || u.Host == "" {
				t.Fatalf("%q accepted, but url.Parse: %v (%+v)", ep, err, u)
			}
		}
		// Messages never show a password.
		if u, err := url.Parse(ep); err == nil && u.User != nil {
			// Read back, the redacted text has another password; where it
			// does not parse, the password's text must not be in it
			// (unless the rest of the URL has that text anyway).
			p, ok := u.User.Password()
			r := redact(ep)
			if ru, err := url.Parse(r); err == nil && ru.User != nil {
				if rp, _ := ru.User.Password(); ok && rp == p {
					t.Fatalf("redact(%q) = %q keeps the password", ep, r)
				}
			} else if ok && len(p) > 5 && strings.Contains(r, p) && !strings.Contains(u.Host+u.Path+u.RawQuery+u.Fragment+u.User.Username(), p) {
				t.Fatalf("redact(%q) = %q shows the password", ep, r)
			}
		}
	})
}

// fuzzSpan is a span with the given strings in every field that takes
// one, as both encoders see it.
func fuzzSpan(name, key, value, route string) *Span {
	return &Span{
		TraceID: TraceID{1}, SpanID: SpanID{2}, Parent: SpanID{3}, Name: name, Kind: KindServer, Sampled: true,
		StartNano: 1, EndNano: 2, Status: StatusError, Message: value, State: key + "=" + value,
		Attrs:  []Attr{String(key, value), Int(key, -7), Bool(value, true), Float(key, 1.5), String("", "")},
		Events: []Event{{Name: value, TimeNano: 3, Attrs: []Attr{String(key, name)}}},
		http:   &httpServerFacts{method: name, path: value, host: key, route: route, proto: "1.1", status: 500, errType: value},
	}
}

var encoderSeeds = [][4]string{{"GET", "url.path", "/%C0%AF", "/{id}"}, {"\xc0\xaf", "k\xff", "v\xe2\x82", ""}, {"é", "\x00\"\\", "\u2028\ufffd", "\xed\xa0\x80"}}

// FuzzEncodeProto: any strings in, a request a strict receiver decodes
// out, each string as strings.ToValidUTF8 has it.
func FuzzEncodeProto(f *testing.F) {
	for _, s := range encoderSeeds {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, name, key, value, route string) {
		b := EncodeOTLPProto([]Attr{String("service.name", value), String(key, name)}, []*Span{fuzzSpan(name, key, value, route)})
		strs, err := walkWire(b, wireRequest)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, s := range strs {
			got[s.path] = append(got[s.path], s.value)
		}
		v := func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
		wantName := v(name)
		if route != "" {
			wantName += " " + v(route)
		}
		if n := got["resource_spans.scope_spans.span.name"]; wantName != "" && (len(n) != 1 || n[0] != wantName) {
			t.Fatalf("name %q, want %q", n, wantName)
		}
		if m := got["resource_spans.scope_spans.span.status.message"]; v(value) != "" && (len(m) != 1 || m[0] != v(value)) {
			t.Fatalf("status message %q, want %q", m, v(value))
		}
		for _, k := range got["resource_spans.scope_spans.span.attr.key"] {
			if k != v(key) && k != v(value) && k != "" && !strings.Contains(k, ".") {
				t.Fatalf("attribute key %q, given %q and %q", k, key, value)
			}
		}
		if ks := got["resource_spans.resource.attr.key"]; key != "" && (len(ks) != 2 || ks[1] != v(key)) {
			t.Fatalf("resource keys %q", ks)
		}
	})
}

// FuzzEncodeJSON: any strings in, JSON out (OTLP/JSON and JSON lines),
// each string as strings.ToValidUTF8 has it.
func FuzzEncodeJSON(f *testing.F) {
	for _, s := range encoderSeeds {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, name, key, value, route string) {
		s := fuzzSpan(name, key, value, route)
		b := EncodeOTLP([]Attr{String(key, value)}, []*Span{s})
		if !json.Valid(b) {
			t.Fatalf("not JSON: %q", b)
		}
		var req struct {
			ResourceSpans []struct {
				Resource struct {
					Attributes []struct{ Key string }
				}
				ScopeSpans []struct {
					Spans []struct {
						Name, TraceState string
						Attributes       []struct {
							Key   string
							Value struct{ StringValue *string }
						}
						Status struct{ Message string }
					}
				}
			}
		}
		if err := json.Unmarshal(b, &req); err != nil {
			t.Fatal(err)
		}
		v := func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
		wantName := v(name)
		if route != "" {
			wantName += " " + v(route)
		}
		got := req.ResourceSpans[0].ScopeSpans[0].Spans[0]
		if got.Name != wantName || got.Status.Message != v(value) || got.TraceState != v(key+"="+value) || req.ResourceSpans[0].Resource.Attributes[0].Key != v(key) {
			t.Fatalf("decoded %+v from name %q key %q value %q route %q", got, name, key, value, route)
		}
		if a := got.Attributes[len(got.Attributes)-5]; a.Key != v(key) || a.Value.StringValue == nil || *a.Value.StringValue != v(value) {
			t.Fatalf("attribute %+v", a)
		}
		line := appendSpan(nil, s)
		if !json.Valid(line) || strings.ContainsAny(string(line), "\n\r") {
			t.Fatalf("not one JSON line: %q", line)
		}
	})
}
