package support

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// memory collects exported spans.
type memory struct {
	mu    sync.Mutex
	spans []*Span
	block chan struct{}
}

func (m *memory) export(spans []*Span, _ time.Time) error {
	if m.block != nil {
		<-m.block
	}
	m.mu.Lock()
	m.spans = append(m.spans, spans...)
	m.mu.Unlock()
	return nil
}

func (m *memory) dest() string { return "memory" }

// newRecorder is a recorder whose messages are discarded.
func newRecorder(s sampler, e exporter) *recorder {
	return newRecorderReporting(s, e, &losses{log: &logger{w: io.Discard, max: levelInfo}, dest: e.dest(), now: time.Now})
}

func use(t testing.TB, s sampler, e exporter) *recorder {
	t.Helper()
	activeOnce.Do(func() {})
	activeDone.Store(true)
	r := newRecorder(s, e)
	active = r
	t.Cleanup(func() { active = nil })
	return r
}

func TestTraceParentRoundTrip(t *testing.T) {
	use(t, sampler{bound: 1 << 63}, &memory{})
	_, s := Start(context.Background(), "op", KindInternal)
	tid, sid, sampled, ok := ParseTraceParent(s.TraceParent())
	if !ok || tid != s.TraceID || sid != s.SpanID || !sampled {
		t.Fatalf("round trip of %q: %v %v %v %v", s.TraceParent(), tid, sid, sampled, ok)
	}
	for _, bad := range []string{"", "00-xyz", "00-00000000000000000000000000000000-0000000000000001-01",
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"} {
		if _, _, _, ok := ParseTraceParent(bad); ok {
			t.Errorf("ParseTraceParent(%q) accepted", bad)
		}
	}
	tid, _, sampled, ok = ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
	if !ok || sampled || tid.String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatal("a valid unsampled traceparent")
	}
}

func TestSpansNestAndExport(t *testing.T) {
	m := &memory{}
	use(t, sampler{parentBased: true, bound: 1 << 63}, m)
	ctx, parent := StartRemote(context.Background(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "k=v", "GET /x", KindServer, String("http.request.method", "GET"))
	_, child := Start(ctx, "query", KindClient, Int("n", 3))
	child.SetStatus(StatusError, "boom")
	func() {
		defer func() {
			if v := recover(); v != nil {
				child.RecordPanic(v)
			}
		}()
		panic("disk full")
	}()
	child.End()
	child.End() // twice: exported once
	parent.End()
	Flush(time.Second)
	if len(m.spans) != 2 {
		t.Fatalf("exported %d spans, want 2", len(m.spans))
	}
	if parent.TraceID.String() != "4bf92f3577b34da6a3ce929d0e0e4736" || parent.Parent.String() != "00f067aa0ba902b7" || parent.State != "k=v" {
		t.Fatalf("remote parent not taken: %+v", parent)
	}
	if child.TraceID != parent.TraceID || child.Parent != parent.SpanID || child.State != "k=v" {
		t.Fatal("child is not the parent's child")
	}
	if len(child.Events) != 1 || child.Events[0].Name != "exception" || child.Message != "disk full" || child.Status != StatusError {
		t.Fatalf("panic not recorded: %+v", child.Events)
	}
	if child.EndNano < child.StartNano || child.StartNano < parent.StartNano || child.StartNano < time.Now().Add(-time.Minute).UnixNano() {
		t.Fatal("span times out of order or not Unix nanoseconds")
	}
}

func TestSampling(t *testing.T) {
	use(t, samplerFromEnvWith(t, "always_off", ""), &memory{})
	if _, s := Start(context.Background(), "x", KindInternal); s.Sampled {
		t.Fatal("always_off sampled")
	} else {
		s.End()
	}
	use(t, samplerFromEnvWith(t, "traceidratio", "0"), &memory{})
	if _, s := Start(context.Background(), "x", KindInternal); s.Sampled {
		t.Fatal("ratio 0 sampled")
	} else {
		s.End()
	}
	r := samplerFromEnvWith(t, "parentbased_traceidratio", "0")
	if !r.sample(TraceID{}, true, true) || r.sample(TraceID{}, true, false) || r.sample(TraceID{1}, false, false) {
		t.Fatal("parentbased_traceidratio must follow the parent, and sample roots at the ratio")
	}
	half := samplerFromEnvWith(t, "traceidratio", "0.5")
	n := 0
	for i := 0; i < 2000; i++ {
		var tid TraceID
		tid[8], tid[15] = byte(i), byte(i>>8)
		tid[9] = byte(i * 7)
		if half.sample(tid, false, false) {
			n++
		}
	}
	if n < 800 || n > 1200 {
		t.Fatalf("ratio 0.5 sampled %d of 2000", n)
	}
}

func samplerFromEnvWith(t *testing.T, name, arg string) sampler {
	t.Setenv("OTEL_TRACES_SAMPLER", name)
	t.Setenv("OTEL_TRACES_SAMPLER_ARG", arg)
	var msgs strings.Builder
	s := samplerFromEnv(&logger{w: &msgs, max: levelInfo})
	if msgs.Len() > 0 {
		t.Errorf("sampler %q, argument %q: said %q", name, arg, msgs.String())
	}
	return s
}

// A sampler or argument rtool cannot use is said, naming the variable
// and the value, and the default applies; an argument no sampler reads is
// not looked at.
func TestSamplerVariablesThatMeanNothingAreSaid(t *testing.T) {
	for _, c := range []struct {
		name, arg, said string
		want            sampler
	}{
		{"always-on-please", "", "OTEL_TRACES_SAMPLER=always-on-please is not a sampler rtool has", sampler{parentBased: true, bound: 1 << 63}},
		{"traceidratio", "10%", "OTEL_TRACES_SAMPLER_ARG=10% is not a ratio (a number from 0 to 1); using 1", sampler{bound: 1 << 63}},
		{"parentbased_traceidratio", "1.5", "OTEL_TRACES_SAMPLER_ARG=1.5 is not a ratio", sampler{parentBased: true, bound: 1 << 63}},
		{" TraceIdRatio ", "0.5", "", sampler{bound: 1 << 62}},
		{"always_on", "10%", "", sampler{bound: 1 << 63}},
	} {
		t.Setenv("OTEL_TRACES_SAMPLER", c.name)
		t.Setenv("OTEL_TRACES_SAMPLER_ARG", c.arg)
		var msgs strings.Builder
		got := samplerFromEnv(&logger{w: &msgs, max: levelInfo})
		if got != c.want || !strings.Contains(msgs.String(), c.said) || (c.said == "") != (msgs.Len() == 0) {
			t.Errorf("%q %q: %+v, said %q", c.name, c.arg, got, msgs.String())
		}
	}
}

func TestFullQueueDropsInsteadOfBlocking(t *testing.T) {
	m := &memory{block: make(chan struct{})}
	r := use(t, sampler{bound: 1 << 63}, m)
	start := time.Now()
	for i := 0; i < 3*queueSize; i++ { // more than pending plus the batch being exported
		_, s := Start(context.Background(), "x", KindInternal)
		s.End()
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("ending spans blocked on a stuck exporter")
	}
	if r.dropped.Load() == 0 {
		t.Fatal("no span dropped with a stuck exporter and a full queue")
	}
	close(m.block)
}

func TestOTLPExportRetriesAndEncodes(t *testing.T) {
	var calls int
	var got map[string]any
	var gotEndpoint string
	var gotHeaders [][2]string
	RegisterOTLPSender(func(endpoint string, headers [][2]string, body []byte) (int, error) {
		calls++
		if calls <= 2 {
			return 503, nil
		}
		gotEndpoint, gotHeaders = endpoint, headers
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("body is not JSON: %v\n%s", err, body)
		}
		return 200, nil
	})
	defer RegisterOTLPSender(nil)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json") // the body is read as JSON here
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20x,k=v")
	t.Setenv("OTEL_SERVICE_NAME", "svc")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test,service.name=ignored")
	var log bytes.Buffer
	e := otlpFromEnv(&logger{w: &log, max: levelInfo}).(*otlp)
	e.backoff = time.Millisecond
	s := &Span{Name: "op \"quoted\"\n", Kind: KindServer, Sampled: true, StartNano: 1_000_000_005, Status: StatusOK, State: "k=v"}
	s.TraceID[15], s.SpanID[7], s.Parent[7] = 1, 2, 3
	s.EndNano = s.StartNano + 1e6
	s.Attrs = []Attr{String("s", "v\u00e9"), Int("i", 7), Bool("b", true), Float("f", 1.5)}
	s.Events = []Event{{Name: "e", TimeNano: 1_000_000_005, Attrs: []Attr{String("x", "y")}}}
	if err := e.export([]*Span{s}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if calls != 3 || gotEndpoint != "http://collector:4318/v1/traces" || len(gotHeaders) != 2 || gotHeaders[0] != [2]string{"Authorization", "Bearer x"} {
		t.Fatalf("calls %d, endpoint %q, headers %q", calls, gotEndpoint, gotHeaders)
	}
	rs := got["resourceSpans"].([]any)[0].(map[string]any)
	res, _ := json.Marshal(rs["resource"])
	if string(res) != `{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}},{"key":"deployment.environment","value":{"stringValue":"test"}}]}` {
		t.Fatalf("resource: %s", res)
	}
	span := rs["scopeSpans"].([]any)[0].(map[string]any)["spans"].([]any)[0].(map[string]any)
	if span["name"] != "op \"quoted\"\n" || span["traceState"] != "k=v" {
		t.Errorf("name %q, state %q", span["name"], span["traceState"])
	}
	js, _ := json.Marshal(span)
	for _, want := range []string{
		`"traceId":"00000000000000000000000000000001"`, `"spanId":"0000000000000002"`, `"parentSpanId":"0000000000000003"`,
		`"kind":2`, `"startTimeUnixNano":"1000000005"`, `"endTimeUnixNano":"1001000005"`, `"status":{"code":1}`,
		`{"key":"i","value":{"intValue":"7"}}`, `{"key":"b","value":{"boolValue":true}}`, `{"key":"f","value":{"doubleValue":1.5}}`,
		`{"key":"s","value":{"stringValue":"vé"}}`, `"events":[{"attributes":[{"key":"x","value":{"stringValue":"y"}}],"name":"e","timeUnixNano":"1000000005"}]`,
	} {
		if !strings.Contains(string(js), want) {
			t.Errorf("span lacks %s: %s", want, js)
		}
	}
	if log.Len() != 0 {
		t.Errorf("messages: %s", log.String())
	}
	// Without a transport linked in, an endpoint switches tracing off.
	RegisterOTLPSender(nil)
	if otlpFromEnv(&logger{w: &log, max: levelInfo}) != nil {
		t.Error("an OTLP exporter without a transport")
	}
	if want := "rtool tracing: OTEL_EXPORTER_OTLP_ENDPOINT is set but this program has no OTLP transport (rtool.invalid/support/otlp is not linked in); tracing is off\n"; log.String() != want {
		t.Errorf("got %q, want %q", log.String(), want)
	}
}

func TestJSONLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spans.jsonl")
	e := newJSONLines(path, &logger{w: os.Stderr, max: levelInfo})
	s := &Span{Name: "a", Kind: KindInternal, Sampled: true, StartNano: nowNano()}
	s.EndNano = s.StartNano
	if err := e.export([]*Span{s, s}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"name":"a"`) {
		t.Fatalf("%q", b)
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("not JSON: %s", l)
		}
	}
}

func TestNoExporterNoCost(t *testing.T) {
	activeOnce.Do(func() {})
	activeDone.Store(true)
	active = nil
	ctx, s := Start(context.Background(), "x", KindInternal, String("k", "v"))
	if s != nil || ctx != context.Background() || CurrentSpan() != nil {
		t.Fatal("a span recorded with no exporter")
	}
	if n := testing.AllocsPerRun(100, func() { _, s := Start(context.Background(), "x", KindInternal); s.End() }); n != 0 {
		t.Fatalf("%v allocations per span with no exporter", n)
	}
}

// Goroutine-local storage needs rtool's runtime patch: run these tests
// with go test -toolexec rtool.

func TestLocalIsPerGoroutineAndInherited(t *testing.T) {
	l := NewLocal[string]()
	if _, ok := l.Get(); ok {
		t.Fatal("a value before Set")
	}
	l.Set("parent")
	got := make(chan string, 4)
	release := make(chan struct{})
	go func() {
		v, _ := l.Get()
		got <- v // inherited
		<-release
		v, _ = l.Get()
		got <- v // the parent's later Set is not seen
		l.Set("child")
		go func() { v, _ := l.Get(); got <- v }() // grandchild inherits the child's
	}()
	if v := <-got; v != "parent" {
		t.Fatalf("child saw %q, want the parent's value", v)
	}
	l.Set("parent2")
	close(release)
	if v := <-got; v != "parent" {
		t.Fatalf("child saw %q after the parent's Set, want its own copy", v)
	}
	if v := <-got; v != "child" {
		t.Fatalf("grandchild saw %q", v)
	}
	if v, _ := l.Get(); v != "parent2" {
		t.Fatalf("the child's Set leaked to the parent: %q", v)
	}
	l.Delete()
	if _, ok := l.Get(); ok {
		t.Fatal("a value after Delete")
	}
	other := make(chan bool)
	go func() { _, ok := l.Get(); other <- ok }()
	if <-other {
		t.Fatal("a goroutine started after Delete has a value")
	}
}

func TestLocalsOfGoroutinesThatNeverMet(t *testing.T) {
	l := NewLocal[int]()
	var wg sync.WaitGroup
	bad := make(chan int, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok := l.Get(); ok {
				bad <- -1
			}
			for j := 0; j < 100; j++ {
				l.Set(i*1000 + j)
				if v, _ := l.Get(); v != i*1000+j {
					bad <- v
				}
			}
		}()
	}
	wg.Wait()
	close(bad)
	for v := range bad {
		t.Fatalf("a goroutine saw another's value (%d)", v)
	}
}

func TestCurrentSpanParentsAcrossGoroutines(t *testing.T) {
	m := &memory{}
	use(t, sampler{bound: 1 << 63}, m)
	root := StartSpan("handler", KindServer)
	if CurrentSpan() != root {
		t.Fatal("a started span is not current")
	}
	done := make(chan *Span)
	go func() {
		c := StartSpan("work", KindInternal)
		c.End()
		done <- c
	}()
	c := <-done
	_, inner := Start(context.Background(), "inner", KindInternal)
	inner.End()
	root.End()
	if CurrentSpan() != nil {
		t.Fatal("the current span is not restored at End")
	}
	if c.Parent != root.SpanID || c.TraceID != root.TraceID || inner.Parent != root.SpanID {
		t.Fatal("spans of a goroutine started in a span are not its children")
	}
	// A context's span wins over the goroutine's.
	other := StartSpan("other", KindInternal)
	other.End()
	cur := StartSpan("cur", KindInternal)
	_, viaCtx := Start(ContextWithSpan(context.Background(), other), "x", KindInternal)
	viaCtx.End()
	cur.End()
	if viaCtx.Parent != other.SpanID {
		t.Fatal("the context's span is not the parent")
	}
}

// A span ended in a deferred call records the panic unwinding its frame
// and leaves it alone: the same value goes on, and recover() in an outer
// deferred call still gets it. A panic begun before the span started (the
// span's function runs in a deferred call of the panic), and one
// recovered inside the span's function, are not the span's.
func TestEndDeferredRecordsAndLeavesThePanic(t *testing.T) {
	m := &memory{}
	use(t, sampler{bound: 1 << 63}, m)
	checkPanicGoesOn(t, func(s *Span) { s.EndDeferred() })
	var during, recovered *Span
	func() {
		defer func() { recover() }()
		defer func() {
			during = StartSpan("during", KindInternal)
			defer during.EndDeferred() // returns normally, inside the outer panic
		}()
		panic("outer")
	}()
	func() {
		recovered = StartSpan("recovered", KindInternal)
		defer recovered.EndDeferred()
		func() {
			defer func() { recover() }()
			panic("inner")
		}()
	}()
	for _, s := range []*Span{during, recovered} {
		if len(s.Events) != 0 || s.Status == StatusError {
			t.Errorf("%s: a panic not its own recorded: %+v", s.Name, s)
		}
	}
	// Within the outer panic, one begun in the span's function is its own.
	var inner *Span
	func() {
		defer func() { recover() }()
		defer func() {
			defer func() { recover() }()
			inner = StartSpan("inner", KindInternal)
			defer inner.EndDeferred()
			panic("second")
		}()
		panic("first")
	}()
	if len(inner.Events) != 1 || inner.Status != StatusError {
		t.Errorf("a panic begun inside a deferred call not recorded: %+v", inner)
	}
}

func TestEndWithRecordsAndPanicsOn(t *testing.T) {
	m := &memory{}
	use(t, sampler{bound: 1 << 63}, m)
	checkPanicGoesOn(t, func(s *Span) { s.EndWith(recover()) })
}

// checkPanicGoesOn: a panic unwinding a function that defers end(s) goes
// on with its value, recorded on s (and nothing breaks with a nil span).
func checkPanicGoesOn(t *testing.T, end func(s *Span)) {
	t.Helper()
	type custom struct{ n int }
	for _, s := range []*Span{StartSpan("p", KindInternal), nil} {
		got := func() (v any) {
			defer func() { v = recover() }()
			func() {
				defer end(s)
				panic(custom{7})
			}()
			return nil
		}()
		if got != (custom{7}) {
			t.Fatalf("panicked on with %v, want the same value", got)
		}
		if s != nil && (len(s.Events) != 1 || s.Events[0].Name != "exception" || s.Status != StatusError) {
			t.Fatalf("panic not recorded: %+v", s)
		}
	}
}

func TestEmptyFrameStaysWithItsGoroutine(t *testing.T) {
	use(t, sampler{bound: 0}, &memory{}) // unsampled spans: one allocation each
	done := make(chan bool, 1)
	s := StartSpan("warm", KindInternal)
	s.End()
	spawn := func() {
		go func() { done <- true }() // between spans, as net/http's connection goroutine does
		<-done
	}
	base := testing.AllocsPerRun(200, spawn)
	n := testing.AllocsPerRun(200, func() {
		spawn()
		s := StartSpan("x", KindInternal)
		s.End()
	})
	if n-base > 1.5 {
		t.Fatalf("%v allocations per span after a go statement: the empty frame was shared and copied", n-base)
	}
}

var sink any

func BenchmarkLocalGet(b *testing.B) {
	l := NewLocal[*int]()
	v := new(int)
	l.Set(v)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sink, _ = l.Get()
	}
}

func BenchmarkLocalSet(b *testing.B) {
	l := NewLocal[*int]()
	v := new(int)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		l.Set(v)
	}
}

func BenchmarkCurrentSpan(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sink = CurrentSpan()
	}
}

func BenchmarkSpanNoExporter(b *testing.B) {
	activeOnce.Do(func() {})
	activeDone.Store(true)
	active = nil
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s := StartSpan("x", KindInternal)
		s.End()
	}
}

type discard struct{}

func (discard) export([]*Span, time.Time) error { return nil }
func (discard) dest() string                    { return "nowhere" }

func BenchmarkSpanBatching(b *testing.B) {
	use(b, sampler{bound: 1 << 63}, discard{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s := StartSpan("x", KindInternal)
		s.End()
		if i%1024 == 0 {
			Flush(time.Second) // keep the queue from dropping: measure the export path
		}
	}
}

func BenchmarkHTTPServerSpan(b *testing.B) {
	use(b, sampler{bound: 1 << 63}, discard{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s := StartHTTPServer("GET", "/items/7", "127.0.0.1:8080", "HTTP/1.1", false, "", "")
		EndHTTPServer(s, 200, "GET /items/{id}", "/items/7")
		if i%1024 == 0 {
			Flush(time.Second)
		}
	}
}

func BenchmarkEncodeSpan(b *testing.B) {
	use(b, sampler{bound: 1 << 63}, discard{})
	s := StartHTTPServer("GET", "/items/7", "127.0.0.1:8080", "HTTP/1.1", false, "", "")
	EndHTTPServer(s, 200, "GET /items/{id}", "/items/7")
	var buf []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = appendSpan(buf[:0], s)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkHTTPServerSpanUnsampled(b *testing.B) {
	use(b, sampler{bound: 0}, discard{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s := StartHTTPServer("GET", "/items/7", "127.0.0.1:8080", "HTTP/1.1", false, "", "")
		EndHTTPServer(s, 200, "GET /items/{id}", "/items/7")
	}
}
