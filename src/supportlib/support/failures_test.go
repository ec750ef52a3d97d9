package support

import (
	"bytes"
	"errors"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// What rtool says when spans cannot be exported, and the switches that
// silence it or turn tracing off.

// output is a bytes.Buffer the recorder's goroutine may write while a
// test reads it.
type output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// lines returns the lines written since the last call.
func (o *output) lines() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := strings.TrimSuffix(o.b.String(), "\n")
	o.b.Reset()
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// fakeClock is a clock a test moves by hand.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// failing is an exporter whose outcome the test sets.
type failing struct {
	mu    sync.Mutex
	err   error
	calls int
	block chan struct{}
}

func (f *failing) export(spans []*Span, _ time.Time) error {
	if f.block != nil {
		<-f.block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return f.err
}

func (f *failing) fail(err error) {
	f.mu.Lock()
	f.err = err
	f.mu.Unlock()
}

func (f *failing) dest() string { return "http://collector:4318/v1/traces" }

// activate makes r the process's recorder for the test.
func activate(t *testing.T, r *recorder) {
	t.Helper()
	activeOnce.Do(func() {})
	activeDone.Store(true)
	active = r
	t.Cleanup(func() { active = nil })
}

// endSpans queues n ended spans at once (one export round takes them
// all, even if the batch ticker fires) and waits for their export.
func endSpans(n int) {
	r := current()
	r.mu.Lock()
	for i := 0; i < n; i++ {
		r.pending = append(r.pending, &Span{Name: "x", Sampled: true, recorder: r, ended: true})
		r.accepted++
	}
	r.mu.Unlock()
	Flush(5 * time.Second)
}

// clearEnv unsets the variables setup reads, for the test's duration.
func clearEnv(t *testing.T) {
	for _, k := range []string{"RTOOL_TRACE", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS",
		"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_COMPRESSION",
		"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
		"OTEL_EXPORTER_OTLP_CERTIFICATE", "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
		"OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY",
		"OTEL_SDK_DISABLED", "OTEL_LOG_LEVEL", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

// countingSender counts posts and accepts them.
func countingSender(t *testing.T) *atomic.Int64 {
	var n atomic.Int64
	RegisterOTLPSender(func(string, [][2]string, []byte) (int, error) { n.Add(1); return 200, nil })
	t.Cleanup(func() { RegisterOTLPSender(nil) })
	return &n
}

func TestEndpointConfigurationErrors(t *testing.T) {
	const drop = "; no spans will be exported"
	for _, c := range []struct{ name, value, want string }{
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318", "OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4318: no scheme (write http://localhost:4318)"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector", "OTEL_EXPORTER_OTLP_ENDPOINT=collector: no scheme (write http://collector)"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "//collector:4318", "OTEL_EXPORTER_OTLP_ENDPOINT=//collector:4318: no scheme (write http://collector:4318)"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http:collector:4318", "OTEL_EXPORTER_OTLP_ENDPOINT=http:collector:4318: not a URL (write http://HOST:PORT)"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "grpc://collector:4317", "OTEL_EXPORTER_OTLP_ENDPOINT=grpc://collector:4317: unsupported scheme grpc://: rtool's exporter speaks OTLP over http:// and https://"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://", "OTEL_EXPORTER_OTLP_ENDPOINT=http://: no host"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://:4318", "OTEL_EXPORTER_OTLP_ENDPOINT=http://:4318: no host"},
		{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http:///v1/traces", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http:///v1/traces: no host"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:99999", `OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:99999: not a URL: 99999 is not a port`},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:43x8", `OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:43x8: not a URL: 43x8 is not a port`},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://[::1:4318", `OTEL_EXPORTER_OTLP_ENDPOINT=http://[::1:4318: not a URL: a [ without ] in the host`},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://coll ector:4318", `OTEL_EXPORTER_OTLP_ENDPOINT="http://coll ector:4318": not a URL: it has a space or control character`},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318\n", `OTEL_EXPORTER_OTLP_ENDPOINT="http://collector:4318\n": not a URL: it has a space or control character`},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector/%zz", `OTEL_EXPORTER_OTLP_ENDPOINT=http://collector/%zz: not a URL: a % not followed by two hex digits`},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://col<lector", `OTEL_EXPORTER_OTLP_ENDPOINT=http://col<lector: not a URL: col<lector is not a host name`},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "1http://collector", `OTEL_EXPORTER_OTLP_ENDPOINT=1http://collector: not a URL: 1http is not a scheme`},
		// A password in the URL is never shown.
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://user:s3cret@collector:4318", "OTEL_EXPORTER_OTLP_ENDPOINT=ftp://user:xxxxx@collector:4318: unsupported scheme ftp://: rtool's exporter speaks OTLP over http:// and https://"},
		// The other variables (with OTEL_EXPORTER_OTLP_ENDPOINT set): a
		// protocol rtool does not speak, headers that cannot be sent.
		{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_PROTOCOL=grpc: gRPC is not supported; rtool exports OTLP over HTTP (http/protobuf, the default, or http/json; the collector's port is usually 4318)"},
		{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/xml", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/xml is not a protocol rtool speaks (http/protobuf, the default, or http/json)"},
		{"OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20hunter2%0D%0AX-Forged: 1", "OTEL_EXPORTER_OTLP_HEADERS: the value of Authorization (entry 1) has a control character (a CR, LF or the like: it would corrupt the request)"},
		{"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "a=b,k=hun\x01ter2", "OTEL_EXPORTER_OTLP_TRACES_HEADERS: the value of k (entry 2) has a control character (a CR, LF or the like: it would corrupt the request)"},
		{"OTEL_EXPORTER_OTLP_HEADERS", "Authorization: Bearer hunter2", "OTEL_EXPORTER_OTLP_HEADERS: entry 1 has no = (write name=value, with %2C for a comma in a value)"},
		{"OTEL_EXPORTER_OTLP_HEADERS", "a=b,Bad Name=hunter2", "OTEL_EXPORTER_OTLP_HEADERS: entry 2's name is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)"},
		{"OTEL_EXPORTER_OTLP_HEADERS", "a=b,x\r\ny=hunter2", "OTEL_EXPORTER_OTLP_HEADERS: entry 2's name is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "user:s3cret@collector:4318", "OTEL_EXPORTER_OTLP_ENDPOINT=user:xxxxx@collector:4318: no scheme (write http://user:xxxxx@collector:4318)"},
	} {
		t.Run(c.value, func(t *testing.T) {
			clearEnv(t)
			sent := countingSender(t)
			if !strings.HasSuffix(c.name, "_ENDPOINT") {
				t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
			}
			t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20hunter2")
			t.Setenv(c.name, c.value)
			var out output
			r := setup(&out, time.Now)
			if r == nil {
				t.Fatal("no recorder: spans must be recorded, dropped and counted")
			}
			if got, want := out.lines(), []string{"rtool tracing: " + c.want + drop}; len(got) != 1 || got[0] != want[0] {
				t.Fatalf("got %q\nwant %q", got, want)
			}
			activate(t, r)
			endSpans(3)
			endSpans(2)
			r.budget = time.Second
			r.exit()
			if sent.Load() != 0 {
				t.Fatalf("%d posts to an endpoint that cannot work", sent.Load())
			}
			if Dropped() != 5 {
				t.Fatalf("%d spans dropped, want 5", Dropped())
			}
			if got := out.lines(); got != nil {
				t.Fatalf("more messages after the first: %q", got)
			}
		})
	}
}

func TestEndpointCheckAgreesWithNetURL(t *testing.T) {
	for _, ep := range []string{
		"http://collector:4318/v1/traces", "http://127.0.0.1:4318/v1/traces", "http://[::1]:4318/v1/traces", "HTTP://Collector/v1/traces",
		"http://user:pw@collector/v1/traces", "http://collector/v1/traces?x=%zz", "http://collector:/v1/traces", "http://my_collector.local/x%20y",
	} {
		if p := checkEndpoint(ep); p != "" {
			t.Errorf("%s refused: %s", ep, p)
		}
	}
	// The IPv6 addresses net/netip takes, and only those.
	for _, a := range []string{"::1", "::", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::", "1::2::3",
		"::ffff:1.2.3.4", "::ffff:1.2.3.04", "::ffff:1.2.3", "::ffff:256.1.1.1", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "12345::",
		"fe80::1%25eth0", "fe80::1%25", ":1::", "1:", ":", "", "g::", "1:2:3:4:5:6:7", "1.2.3.4", "::1.2.3.4:1"} {
		_, err := netip.ParseAddr(strings.Replace(a, "%25", "%", 1))
		if ok := validIPv6(a); ok != (err == nil) && !(a == "fe80::1%25" || a == "1.2.3.4") {
			t.Errorf("validIPv6(%q) = %v, netip: %v", a, ok, err)
		}
	}
	// Whatever the check lets through, the transport's url.Parse takes.
	for _, ep := range []string{
		"http://collector:4318/v1/traces", "http://[::1]:4318", "http://[fe80::1%25eth0]:4318/v1/traces", "http://a.b-c_d~e/v1",
		"http://[::1]x", "http://[::1", "http://a b", "http://a/%4", "http://a:0", "http://a:65536", "http://:4318", "http://@/", "http://%41/",
		"http://a%zz/", "http://a%C3%A9/", "http://[fe80::1%eth0]/", "http://[fe80::1%25]/", "http://[fe80::1%25eth0]/", "http://[::ffff:1.2.3.4]:80/", "http://[1::2::3]/", "http://[1.2.3.4]/", "http://a:1:2/", "http://a]/", "http://a[/", "http://a^b/", "http://a|b/", "http://a{b/",
	} {
		if checkEndpoint(ep) != "" {
			continue
		}
		u, err := url.Parse(ep)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Errorf("%s passed the check but not url.Parse (%v)", ep, err)
		}
	}
}

func TestFailuresReportedFirstThenOnceAMinute(t *testing.T) {
	clock := newFakeClock()
	var out output
	f := &failing{err: errors.New("dial tcp 10.0.0.9:4318: connect: connection refused (5 attempts)")}
	r := newRecorderReporting(sampler{bound: 1 << 63}, f, &losses{log: &logger{w: &out, max: levelInfo}, dest: f.dest(), now: clock.now})
	activate(t, r)
	const cause = "rtool tracing: cannot export to http://collector:4318/v1/traces: dial tcp 10.0.0.9:4318: connect: connection refused (5 attempts); "

	endSpans(3) // the first failure: said at once
	want := []string{cause + "3 spans dropped (further reports at most once a minute)"}
	if got := out.lines(); len(got) != 1 || got[0] != want[0] {
		t.Fatalf("first failure:\ngot  %q\nwant %q", got, want)
	}
	clock.advance(10 * time.Second)
	endSpans(2)
	clock.advance(40 * time.Second)
	endSpans(4)
	if got := out.lines(); got != nil {
		t.Fatalf("reported again within the minute: %q", got)
	}
	clock.advance(10*time.Second + time.Millisecond) // a minute after the first report: said with no new failure
	Flush(time.Second)
	want = []string{cause + "6 spans dropped since the last report"}
	if got := out.lines(); len(got) != 1 || got[0] != want[0] {
		t.Fatalf("a minute later:\ngot  %q\nwant %q", got, want)
	}
	clock.advance(2 * time.Minute)
	Flush(time.Second)
	if got := out.lines(); got != nil {
		t.Fatalf("a report with nothing dropped: %q", got)
	}

	f.fail(nil) // the collector is back
	endSpans(5)
	if got := out.lines(); got != nil || r.exported.Load() != 5 {
		t.Fatalf("exported %d, messages %q", r.exported.Load(), got)
	}
	f.fail(errors.New("the collector answered HTTP 400")) // fails again, more than a minute after the last report: at once
	endSpans(1)
	want = []string{"rtool tracing: cannot export to http://collector:4318/v1/traces: the collector answered HTTP 400; 1 span dropped since the last report"}
	if got := out.lines(); len(got) != 1 || got[0] != want[0] {
		t.Fatalf("failing again:\ngot  %q\nwant %q", got, want)
	}
	clock.advance(time.Second)
	endSpans(7)
	if got := out.lines(); got != nil {
		t.Fatalf("reported again within the minute: %q", got)
	}
	// At exit, what was not told yet is.
	r.budget = time.Second
	r.exit()
	want = []string{"rtool tracing: cannot export to http://collector:4318/v1/traces: the collector answered HTTP 400; 7 spans dropped since the last report"}
	if got := out.lines(); len(got) != 1 || got[0] != want[0] {
		t.Fatalf("at exit:\ngot  %q\nwant %q", got, want)
	}
	if Dropped() != 3+2+4+1+7 {
		t.Fatalf("%d spans dropped, want 17", Dropped())
	}
}

func TestFirstFailureIsSaidAtOnceAfterAQueueWarning(t *testing.T) {
	clock := newFakeClock()
	var out output
	f := &failing{block: make(chan struct{})}
	r := newRecorderReporting(sampler{bound: 1 << 63}, f, &losses{log: &logger{w: &out, max: levelInfo}, dest: f.dest(), now: clock.now})
	activate(t, r)
	for i := 0; i < 3*queueSize; i++ { // more than the queue holds while the export is stuck
		StartSpan("x", KindInternal).End()
	}
	full := r.dropped.Load()
	close(f.block)
	Flush(5 * time.Second)
	want := "rtool tracing: " + plural(full, "span") + " dropped: the queue was full (spans ended faster than they were exported to http://collector:4318/v1/traces)"
	if full == 0 {
		t.Fatal("no span dropped with a stuck exporter")
	}
	if got := out.lines(); len(got) != 1 || got[0] != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	clock.advance(time.Second)
	f.fail(errors.New("i/o timeout"))
	endSpans(2)
	want = "rtool tracing: cannot export to http://collector:4318/v1/traces: i/o timeout; 2 spans dropped since the last report (further reports at most once a minute)"
	if got := out.lines(); len(got) != 1 || got[0] != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestExitSaysWhatWasStillBeingExported(t *testing.T) {
	var out output
	f := &failing{block: make(chan struct{})}
	defer close(f.block)
	r := newRecorderReporting(sampler{bound: 1 << 63}, f, &losses{log: &logger{w: &out, max: levelInfo}, dest: f.dest(), now: time.Now})
	activate(t, r)
	for i := 0; i < batchSize+3; i++ { // a full batch wakes the exporter, which is stuck
		StartSpan("x", KindInternal).End()
	}
	r.budget = 50 * time.Millisecond
	r.exit()
	want := "rtool tracing: 515 spans not exported: the program exited while exporting to http://collector:4318/v1/traces (waited 50ms)"
	if got := out.lines(); len(got) != 1 || got[0] != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

// timeoutErr is a transport's timeout, as net reports one.
type timeoutErr struct{}

func (timeoutErr) Error() string { return "read tcp 127.0.0.1:1->127.0.0.1:2: i/o timeout" }
func (timeoutErr) Timeout() bool { return true }

// A collector that never answers, at the program's end: the export's
// deadline is the exit's, so the read times out just as the exit stops
// waiting. Whichever notices first, the spans are reported once, as not
// exported at exit (not as an export failure), and only an export that
// ran into the program's end counts so: the same timeout without a cut
// is an ordinary failure.
func TestExportCutShortByTheExitIsReportedAsNotExported(t *testing.T) {
	for _, early := range []bool{true, false} { // the export gives up before, or after, exit stops waiting
		var out output
		o := &otlp{endpoint: "http://collector:4318/v1/traces", encode: AppendOTLPProto, attempts: otlpAttempts, backoff: otlpBackoff,
			timeout: 10 * time.Second, now: time.Now, sleep: time.Sleep}
		o.client = clientFunc(func(body []byte, deadline time.Time) (int, string, error) {
			if early {
				return 0, "", timeoutErr{}
			}
			time.Sleep(time.Until(deadline) + 20*time.Millisecond)
			return 0, "", timeoutErr{}
		})
		r := newRecorderReporting(sampler{bound: 1 << 63}, o, &losses{log: &logger{w: &out, max: levelInfo}, dest: o.dest(), now: time.Now})
		activate(t, r)
		for i := 0; i < 3; i++ {
			StartSpan("x", KindInternal).End()
		}
		r.budget = 50 * time.Millisecond
		r.exit()
		want := "rtool tracing: 3 spans not exported: the program exited while exporting to http://collector:4318/v1/traces (waited 50ms)"
		if got := out.lines(); len(got) != 1 || got[0] != want {
			t.Fatalf("early=%v: got  %q\nwant %q", early, got, want)
		}
	}
	o := &otlp{endpoint: "http://collector:4318/v1/traces", encode: AppendOTLPProto, attempts: 1, timeout: time.Second, now: time.Now, sleep: time.Sleep}
	o.client = clientFunc(func([]byte, time.Time) (int, string, error) { return 0, "", timeoutErr{} })
	span := &Span{Name: "x", Sampled: true}
	if err := o.export([]*Span{span}, time.Time{}); err == nil || err.Error() != (timeoutErr{}).Error() {
		t.Fatalf("a timeout while the program runs: %v", err)
	}
	if err := o.export([]*Span{span}, time.Now().Add(time.Hour)); err == nil || err.Error() != (timeoutErr{}).Error() {
		t.Fatalf("a timeout at the export's own deadline, before the cut: %v", err)
	}
}

func TestOTLPFailuresAreNotRetriedWhenPermanent(t *testing.T) {
	clearEnv(t)
	calls := 0
	status := 400
	RegisterOTLPSender(func(string, [][2]string, []byte) (int, error) { calls++; return status, nil })
	defer RegisterOTLPSender(nil)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://user:pw@collector:4318")
	var out output
	e := otlpFromEnv(&logger{w: &out, max: levelInfo}).(*otlp)
	e.backoff = time.Millisecond
	span := &Span{Name: "x", Sampled: true}
	if err := e.export([]*Span{span}, time.Time{}); err == nil || err.Error() != "the collector answered HTTP 400" || calls != 1 {
		t.Fatalf("400: %v after %d calls", err, calls)
	}
	calls, status = 0, 503
	if err := e.export([]*Span{span}, time.Time{}); err == nil || err.Error() != "the collector answered HTTP 503 (5 attempts)" || calls != 5 {
		t.Fatalf("503: %v after %d calls", err, calls)
	}
	if e.dest() != "http://user:xxxxx@collector:4318/v1/traces" {
		t.Fatalf("dest %q shows the password", e.dest())
	}
}

func TestSDKDisabled(t *testing.T) {
	for _, v := range []string{"true", "TRUE", "True"} {
		clearEnv(t)
		countingSender(t)
		path := filepath.Join(t.TempDir(), "spans.jsonl")
		t.Setenv("OTEL_SDK_DISABLED", v)
		t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4318") // would be said
		var out output
		if r := setup(&out, time.Now); r != nil || out.String() != "" {
			t.Fatalf("OTEL_SDK_DISABLED=%s: recorder %v, messages %q", v, r, out.String())
		}
		t.Setenv("RTOOL_TRACE", path)
		if r := setup(&out, time.Now); r != nil || out.String() != "" {
			t.Fatalf("OTEL_SDK_DISABLED=%s with RTOOL_TRACE: recorder %v, messages %q", v, r, out.String())
		}
		if _, err := os.Stat(path); err == nil {
			t.Fatal("the JSON-lines file was created")
		}
	}
	// Anything but true or false: false, with a warning.
	for _, v := range []string{"1", "yes", "false", "False", ""} {
		clearEnv(t)
		countingSender(t)
		t.Setenv("OTEL_SDK_DISABLED", v)
		t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
		var out output
		r := setup(&out, time.Now)
		if r == nil {
			t.Fatalf("OTEL_SDK_DISABLED=%q disabled tracing", v)
		}
		want := []string(nil)
		if v == "1" || v == "yes" {
			want = []string{"rtool tracing: OTEL_SDK_DISABLED=" + v + " is neither true nor false; taken as false: tracing stays on"}
		}
		if got := out.lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("OTEL_SDK_DISABLED=%q: got %q, want %q", v, got, want)
		}
	}
	// Nothing configured: nothing said, whatever the variables.
	clearEnv(t)
	t.Setenv("OTEL_SDK_DISABLED", "maybe")
	t.Setenv("OTEL_LOG_LEVEL", "loud")
	var out output
	if r := setup(&out, time.Now); r != nil || out.String() != "" {
		t.Fatalf("no exporter: recorder %v, messages %q", r, out.String())
	}
}

func TestLogLevel(t *testing.T) {
	for _, c := range []struct {
		level        string
		errors, warn bool
	}{
		{"none", false, false}, {"NONE", false, false}, {"error", true, false}, {"warn", true, true}, {"WARN", true, true},
		{"info", true, true}, {"", true, true}, {"debug", true, true}, {"verbose", true, true}, {"all", true, true},
	} {
		clearEnv(t)
		sent := countingSender(t)
		t.Setenv("OTEL_LOG_LEVEL", c.level)
		t.Setenv("OTEL_SDK_DISABLED", "1") // a warning
		t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318")
		var out output
		r := setup(&out, time.Now)
		if r == nil {
			t.Fatalf("OTEL_LOG_LEVEL=%s: tracing off", c.level)
		}
		got := out.String()
		if strings.Contains(got, "no scheme") != c.errors || strings.Contains(got, "OTEL_SDK_DISABLED=1") != c.warn {
			t.Errorf("OTEL_LOG_LEVEL=%q: %q", c.level, got)
		}
		// Silenced, spans are still dropped and counted.
		activate(t, r)
		endSpans(2)
		if Dropped() != 2 || sent.Load() != 0 {
			t.Fatalf("OTEL_LOG_LEVEL=%q: %d dropped, %d sent", c.level, Dropped(), sent.Load())
		}
	}
	clearEnv(t)
	countingSender(t)
	t.Setenv("OTEL_LOG_LEVEL", "loud")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
	var out output
	setup(&out, time.Now)
	want := "rtool tracing: OTEL_LOG_LEVEL=loud is not a level (none, error, warn, info, debug, verbose, all); using info\n"
	if out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
	// Export failures are errors; a full queue is a warning.
	var filtered output
	l := &losses{log: &logger{w: &filtered, max: levelError}, dest: "d", now: time.Now}
	l.note(3, nil, false)
	if filtered.String() != "" {
		t.Fatalf("a warning at level error: %q", filtered.String())
	}
	l.note(5, errors.New("refused"), false)
	if filtered.String() != "rtool tracing: cannot export to d: refused; 5 spans dropped (further reports at most once a minute)\n" {
		t.Fatalf("an error at level error: %q", filtered.String())
	}
}
