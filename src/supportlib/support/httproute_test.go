package support

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

// report is one router's SetHTTPRoute call.
type report struct {
	route, seen string
	prefix      bool
}

// serve runs reports on the goroutine serving a request for path (each
// on a goroutine of its own when apart, as under http.TimeoutHandler;
// under an internal span a user's middleware started) and ends the span
// with the ServeMux pattern.
func serve(path, pattern string, apart bool, reports ...report) *Span {
	s := StartHTTPServer("GET", path, "h:8", "HTTP/1.1", false, "", "")
	inner := StartSpan("user middleware", KindInternal)
	for _, r := range reports {
		if apart {
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { defer wg.Done(); SetHTTPRoute(r.route, r.seen, r.prefix) }()
			wg.Wait()
		} else {
			SetHTTPRoute(r.route, r.seen, r.prefix)
		}
	}
	inner.End()
	EndHTTPServer(s, 200, pattern, path)
	return s
}

func TestHTTPRoute(t *testing.T) {
	m := &memory{}
	use(t, sampler{bound: 1 << 63}, m)
	for _, c := range []struct {
		path, pattern string
		reports       []report
		want          string
	}{
		{"/users/7", "", []report{{"/users/{id}", "/users/7", false}}, "/users/{id}"},
		// Under ServeMux's subtree pattern with StripPrefix: the prefix is put back.
		{"/api/users/7", "/api/", []report{{"/users/:id", "/users/7", false}}, "/api/users/:id"},
		{"/api/users/7", "/api/", []report{{"users/:id", "users/7", false}}, "/api/users/:id"},
		// An outer router's catch-all or prefix loses to the inner full
		// template, whichever reports first.
		{"/o/g/users/7", "", []report{{"/users/:id", "/users/7", false}, {"/o/g/*", "/o/g/users/7", false}}, "/o/g/users/:id"},
		{"/m/c/users/7", "", []report{{"/m/c", "/m/c/users/7", true}, {"/users/{id}", "/users/7", false}}, "/m/c/users/{id}"},
		// The longer full template wins (a chi sub-router reports what its parent does).
		{"/api/users/7", "", []report{{"/api/users/{id}", "/api/users/7", false}, {"/api/{rest}", "/api/users/7", false}}, "/api/users/{id}"},
		// A router that matched nothing leaves the outer prefix out, in either order...
		{"/o/g/nope", "", []report{{"", "/nope", false}, {"/o/g/*", "/o/g/nope", false}}, ""},
		{"/m/c/nope", "", []report{{"/m/c", "/m/c/nope", true}, {"", "/nope", false}}, ""},
		// ...but not a full template, nor ServeMux's exact pattern.
		{"/x/7", "GET /x/{id}", []report{{"", "/x/7", false}}, "/x/{id}"},
		// A catch-all alone names the span; ServeMux's `{path...}` too, below a router's template.
		{"/static/a.css", "", []report{{"/static/*", "/static/a.css", false}}, "/static/*"},
		{"/f/a/b", "/f/{p...}", nil, "/f/{p...}"},
		{"/f/a/b", "/f/{p...}", []report{{"/a/*path", "/a/b", false}}, "/f/a/*path"},
		// The router's template over ServeMux's on a tie; unrelated paths are not composed.
		{"/u/7", "/u/{i}", []report{{"/u/:id", "/u/7", false}}, "/u/:id"},
		{"/u/7", "", []report{{"/q/:id", "/q/7", false}}, "/q/:id"},
		// Unmatched everywhere: the method alone.
		{"/nope", "", []report{{"", "/nope", false}}, ""},
	} {
		for _, apart := range []bool{false, true} {
			s := serve(c.path, c.pattern, apart, c.reports...)
			want := "GET"
			if c.want != "" {
				want += " " + c.want
			}
			route, _ := attr(s, "http.route").(string)
			if !s.Recording() {
				t.Fatalf("a sampled server span is recording")
			}
			if got := exportedName(t, s); got != want || route != c.want {
				t.Errorf("%s %q %v (apart %v): %q, http.route %q; want %q", c.path, c.pattern, c.reports, apart, got, route, c.want)
			}
		}
	}

	// After the span ended (a handler's goroutine reporting late), and with
	// no server span current, nothing changes and nothing fails.
	s := StartHTTPServer("GET", "/late/7", "h:8", "HTTP/1.1", false, "", "")
	EndHTTPServer(s, 200, "", "/late/7")
	SetHTTPRoute("/late/{id}", "/late/7", false)
	if got := exportedName(t, s); got != "GET" || attr(s, "http.route") != nil {
		t.Errorf("after End: %q %v", got, s.Attrs)
	}
	SetHTTPRoute("/none", "/none", false)
}

func TestHTTPRouteOff(t *testing.T) {
	use(t, sampler{bound: 0}, &memory{}) // nothing sampled
	s := StartHTTPServer("GET", "/users/7", "h:8", "HTTP/1.1", false, "", "")
	SetHTTPRoute("/users/{id}", "/users/7", false)
	EndHTTPServer(s, 200, "", "/users/7")
	if s.Recording() || (*Span)(nil).Recording() {
		t.Errorf("an unsampled span and nil are not recording")
	}
	if s.Name != "GET" || s.Attrs != nil || s.http != nil {
		t.Errorf("unsampled: %q %v %+v", s.Name, s.Attrs, s.http)
	}
}

// exportedName is the span's name as both encoders write it (the route
// of an HTTP server span is joined at export).
func exportedName(t *testing.T, s *Span) string {
	t.Helper()
	rs := decode(t, only(t, decode(t, EncodeOTLPProto(nil, []*Span{s})), fieldRequestResourceSpans).bytes)
	ss := decode(t, only(t, rs, fieldResourceSpansScopeSpans).bytes)
	span := decode(t, only(t, ss, fieldScopeSpansSpans).bytes)
	fromProto := string(only(t, span, fieldSpanName).bytes)
	// The attributes written straight from an HTTP server span's facts are
	// those of appendAttrs (the JSON encoder's and these tests').
	got, want := attrs(t, all(span, fieldSpanAttributes)), map[string]any{}
	for _, a := range s.exportAttrs(nil) {
		want[a.Key] = a.Value()
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("attributes in protobuf %v, built %v", got, want)
	}
	var fromJSON struct{ Name string }
	if err := json.Unmarshal(appendSpan(nil, s), &fromJSON); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	if fromJSON.Name != fromProto {
		t.Fatalf("name %q in JSON, %q in protobuf", fromJSON.Name, fromProto)
	}
	return fromProto
}
