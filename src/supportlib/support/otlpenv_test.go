package support

import (
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The OTLP exporter's configuration, its retries and their budget, and
// the queue's bound while the collector is down.

// configured is the OTLP exporter (and the transport's configuration)
// that the environment gives, with the messages said.
func configured(t *testing.T, env ...string) (*otlp, OTLPConfig, []string) {
	t.Helper()
	clearEnv(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4318")
	for i := 0; i < len(env); i += 2 {
		t.Setenv(env[i], env[i+1])
	}
	var got OTLPConfig
	RegisterOTLPTransport(func(c OTLPConfig) (OTLPClient, error) { got = c; return nil, nil })
	t.Cleanup(func() { RegisterOTLPTransport(nil) })
	var out output
	e, _ := otlpFromEnv(&logger{w: &out, max: levelInfo}).(*otlp)
	return e, got, out.lines()
}

func TestOTLPConfiguration(t *testing.T) {
	// Defaults: protobuf, uncompressed, 10 s, the system's roots.
	e, cfg, msgs := configured(t)
	if cfg.ContentType != "application/x-protobuf" || cfg.Gzip || e.timeout != 10*time.Second || cfg.CAFile != "" || cfg.CertFile != "" || msgs != nil {
		t.Fatalf("defaults: %+v, timeout %v, messages %q", cfg, e.timeout, msgs)
	}
	if got := e.encode(nil, nil, nil); string(got) != string(EncodeOTLPProto(nil, nil)) {
		t.Fatalf("the default encoding is not protobuf: %q", got)
	}
	// Every variable, the general ones.
	e, cfg, msgs = configured(t, "OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", "OTEL_EXPORTER_OTLP_COMPRESSION", "gzip",
		"OTEL_EXPORTER_OTLP_TIMEOUT", "2500", "OTEL_EXPORTER_OTLP_HEADERS", "a=1, b = x%2Cy%20z ,",
		"OTEL_EXPORTER_OTLP_CERTIFICATE", "/ca.pem", "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "/c.pem", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "/k.pem")
	want := OTLPConfig{Endpoint: "https://collector:4318/v1/traces", Headers: [][2]string{{"a", "1"}, {"b", "x,y z"}}, ContentType: "application/json", Gzip: true,
		CAFile: "/ca.pem", CAVar: "OTEL_EXPORTER_OTLP_CERTIFICATE", CertFile: "/c.pem", CertVar: "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", KeyFile: "/k.pem", KeyVar: "OTEL_EXPORTER_OTLP_CLIENT_KEY"}
	if !sameConfig(cfg, want) || e.timeout != 2500*time.Millisecond || msgs != nil {
		t.Fatalf("got  %+v (timeout %v, messages %q)\nwant %+v", cfg, e.timeout, msgs, want)
	}
	if got := e.encode(nil, nil, nil); !json.Valid(got) {
		t.Fatalf("http/json: %q", got)
	}
	// The TRACES_ variants take precedence.
	e, cfg, msgs = configured(t, "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json",
		"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "none",
		"OTEL_EXPORTER_OTLP_TIMEOUT", "x", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "700",
		"OTEL_EXPORTER_OTLP_HEADERS", "a=1\n", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "t=2",
		"OTEL_EXPORTER_OTLP_CERTIFICATE", "/ca.pem", "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "/tca.pem",
		"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "/c.pem", "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", "/tc.pem",
		"OTEL_EXPORTER_OTLP_CLIENT_KEY", "/k.pem", "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY", "/tk.pem")
	want = OTLPConfig{Endpoint: "https://collector:4318/v1/traces", Headers: [][2]string{{"t", "2"}}, ContentType: "application/json",
		CAFile: "/tca.pem", CAVar: "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", CertFile: "/tc.pem", CertVar: "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", KeyFile: "/tk.pem", KeyVar: "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY"}
	if !sameConfig(cfg, want) || e.timeout != 700*time.Millisecond || msgs != nil {
		t.Fatalf("got  %+v (timeout %v, messages %q)\nwant %+v", cfg, e.timeout, msgs, want)
	}
	// Values that mean nothing: a warning, the default.
	e, cfg, msgs = configured(t, "OTEL_EXPORTER_OTLP_COMPRESSION", "zstd", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "-5")
	wantMsgs := []string{
		"rtool tracing: OTEL_EXPORTER_OTLP_COMPRESSION=zstd is not a compression (gzip or none); sending uncompressed",
		"rtool tracing: OTEL_EXPORTER_OTLP_TRACES_TIMEOUT=-5 is not a timeout (a number of milliseconds above 0); using 10s",
	}
	if cfg.Gzip || e.timeout != 10*time.Second || strings.Join(msgs, "\n") != strings.Join(wantMsgs, "\n") {
		t.Fatalf("gzip %v, timeout %v, messages %q", cfg.Gzip, e.timeout, msgs)
	}
	// Over http:// the certificate variables do not matter.
	_, cfg, _ = configured(t, "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", "OTEL_EXPORTER_OTLP_CERTIFICATE", "/ca.pem")
	if cfg.CAFile != "" {
		t.Fatalf("http:// with a CA: %+v", cfg)
	}
	// One of the client pair: the variable missing is named right.
	_, cfg, _ = configured(t, "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY", "/k.pem")
	if cfg.CertVar != "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE" || cfg.CertFile != "" {
		t.Fatalf("key alone: %+v", cfg)
	}
	// The transport's configuration error: said once, nothing exported.
	clearEnv(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4318")
	RegisterOTLPTransport(func(OTLPConfig) (OTLPClient, error) {
		return nil, errors.New("OTEL_EXPORTER_OTLP_CERTIFICATE=/x: cannot read it (no such file or directory)")
	})
	var out output
	if _, ok := otlpFromEnv(&logger{w: &out, max: levelInfo}).(refused); !ok || out.String() != "rtool tracing: OTEL_EXPORTER_OTLP_CERTIFICATE=/x: cannot read it (no such file or directory); no spans will be exported\n" {
		t.Fatalf("a transport's configuration error: %q", out.String())
	}
}

func sameConfig(a, b OTLPConfig) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true}, {"7", 7 * time.Second, true}, {" 120 ", 2 * time.Minute, true},
		{"Thu, 02 Jan 2025 03:04:35 GMT", 30 * time.Second, true}, // IMF-fixdate
		{"Thursday, 02-Jan-25 03:05:05 GMT", time.Minute, true},   // RFC 850
		{"Thu Jan  2 03:04:15 2025", 10 * time.Second, true},      // asctime
		{"Thu, 02 Jan 2025 03:00:00 GMT", 0, true},                // past: now
		{"", 0, false}, {"-1", 0, false}, {"1.5", 0, false}, {"soon", 0, false}, {"Thu, 02 Jan 2025", 0, false},
	} {
		got, ok := parseRetryAfter(c.v, now)
		if got != c.want || ok != c.ok {
			t.Errorf("parseRetryAfter(%q) = %v %v, want %v %v", c.v, got, ok, c.want, c.ok)
		}
	}
}

// scripted answers each post with the next of its answers, on a fake
// clock that posts and sleeps advance.
type scripted struct {
	answers  []answer
	calls    int
	clock    *fakeClock
	slept    []time.Duration
	deadline time.Time
}

type answer struct {
	status     int
	retryAfter string
	err        error
	takes      time.Duration
}

type permanentErr struct{}

func (permanentErr) Error() string {
	return "tls: failed to verify certificate: x509: certificate signed by unknown authority"
}
func (permanentErr) Permanent() bool { return true }

func (s *scripted) Post(body []byte, deadline time.Time) (int, string, error) {
	a := s.answers[min(s.calls, len(s.answers)-1)]
	s.calls++
	s.deadline = deadline
	s.clock.advance(min(a.takes, deadline.Sub(s.clock.now()))) // as the transport's deadline bounds it
	return a.status, a.retryAfter, a.err
}

func scriptedOTLP(answers ...answer) (*otlp, *scripted) {
	s := &scripted{answers: answers, clock: newFakeClock()}
	o := &otlp{endpoint: "http://collector:4318/v1/traces", encode: AppendOTLP, client: s, attempts: otlpAttempts, backoff: otlpBackoff,
		timeout: defaultOTLPTimeout, now: s.clock.now, sleep: func(d time.Duration) { s.slept = append(s.slept, d); s.clock.advance(d) }}
	return o, s
}

func TestRetriesWithinTheExportTimeout(t *testing.T) {
	refused := answer{err: errors.New("dial tcp 127.0.0.1:4318: connect: connection refused")}
	for _, c := range []struct {
		name    string
		answers []answer
		want    string // "" for success
		calls   int
		slept   []time.Duration
	}{
		{"success", []answer{{status: 200}}, "", 1, nil},
		{"transient then success", []answer{refused, {status: 502}, {status: 204}}, "", 3, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}},
		{"never: 5 attempts, doubling", []answer{refused}, refused.err.Error() + " (5 attempts)", 5,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}},
		{"permanent status", []answer{{status: 400}}, "the collector answered HTTP 400", 1, nil},
		{"permanent TLS failure", []answer{{err: permanentErr{}}}, permanentErr{}.Error(), 1, nil},
		{"429 with Retry-After", []answer{{status: 429, retryAfter: "3"}, {status: 200}}, "", 2, []time.Duration{3 * time.Second}},
		{"503 with a date", []answer{{status: 503, retryAfter: "Thu, 02 Jan 2025 03:04:07 GMT"}, {status: 200}}, "", 2, []time.Duration{2 * time.Second}},
		{"502 ignores Retry-After", []answer{{status: 502, retryAfter: "3"}, {status: 200}}, "", 2, []time.Duration{100 * time.Millisecond}},
		{"Retry-After beyond the budget", []answer{{status: 429, retryAfter: "30"}}, "the collector answered HTTP 429, retry after 30s (giving up within the export timeout of 10s)", 1, nil},
		{"attempts that use the budget up", []answer{{err: errors.New("i/o timeout"), takes: 4 * time.Second}}, "i/o timeout (giving up within the export timeout of 10s, 3 attempts)", 3,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond}},
	} {
		o, s := scriptedOTLP(c.answers...)
		start := s.clock.now()
		err := o.export([]*Span{{Name: "x"}}, time.Time{})
		if (err == nil) != (c.want == "") || err != nil && err.Error() != c.want || s.calls != c.calls || len(s.slept) != len(c.slept) {
			t.Errorf("%s: %v after %d calls, slept %v\nwant %q after %d calls, slept %v", c.name, err, s.calls, s.slept, c.want, c.calls, c.slept)
			continue
		}
		for i := range c.slept {
			if s.slept[i] != c.slept[i] {
				t.Errorf("%s: slept %v, want %v", c.name, s.slept, c.slept)
			}
		}
		if !s.deadline.Equal(start.Add(10 * time.Second)) {
			t.Errorf("%s: deadline %v after the start, want the export timeout", c.name, s.deadline.Sub(start))
		}
		if d := s.clock.now().Sub(start); d > 10*time.Second {
			t.Errorf("%s: the export took %v, beyond its timeout", c.name, d)
		}
	}
}

func TestJSONScope(t *testing.T) {
	var got struct {
		ResourceSpans []struct {
			ScopeSpans []struct {
				Scope struct{ Name, Version string }
			}
		}
	}
	if err := json.Unmarshal(EncodeOTLP(nil, []*Span{{Name: "x"}}), &got); err != nil {
		t.Fatal(err)
	}
	if s := got.ResourceSpans[0].ScopeSpans[0].Scope; s.Name != "rtool" || s.Version != Version || Version == "" {
		t.Fatalf("scope %+v", s)
	}
}

// A collector that is down for long, under load: every export hangs until
// its timeout and fails, spans keep ending from many goroutines; the queue
// stays at its bound, the rest is dropped and counted, and the heap does
// not grow with the number of spans.
func TestQueueBoundedWhileTheCollectorIsDown(t *testing.T) {
	var posts atomic.Int64
	hang := answer{err: errors.New("i/o timeout")}
	o := &otlp{endpoint: "http://collector:4318/v1/traces", encode: AppendOTLPProto, attempts: otlpAttempts, backoff: otlpBackoff,
		timeout: 20 * time.Millisecond, now: time.Now, sleep: time.Sleep}
	o.client = clientFunc(func(body []byte, deadline time.Time) (int, string, error) {
		posts.Add(1)
		time.Sleep(time.Until(deadline))
		return 0, "", hang.err
	})
	var out output
	r := newRecorderReporting(sampler{bound: 1 << 63}, o, &losses{log: &logger{w: &out, max: levelInfo}, dest: o.dest(), now: time.Now})
	activate(t, r)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	const workers, perWorker = 4, 100_000
	before := heap()
	var wg sync.WaitGroup
	var maxQueued atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				StartSpan("x", KindInternal, Int("i", int64(i))).End()
				if i%1000 == 0 {
					r.mu.Lock()
					n := int64(len(r.pending))
					r.mu.Unlock()
					if n > maxQueued.Load() {
						maxQueued.Store(n)
					}
				}
			}
		}()
	}
	wg.Wait()
	during := heap()
	r.flush(time.Now().Add(5 * time.Second))
	if maxQueued.Load() > queueSize {
		t.Fatalf("%d spans queued, beyond the bound %d", maxQueued.Load(), queueSize)
	}
	total := int64(workers * perWorker)
	if d, e := r.dropped.Load(), r.exported.Load(); d+e != total || e != 0 || d < total-2*queueSize {
		t.Fatalf("%d dropped + %d exported, of %d", d, e, total)
	}
	// Two buffers of spans at most (the queue and the batch being
	// exported): far below what 400,000 spans would hold.
	if grown := int64(during) - int64(before); grown > 16<<20 {
		t.Fatalf("the heap grew by %d bytes with the collector down", grown)
	}
	if posts.Load() == 0 || !strings.Contains(out.String(), "cannot export to http://collector:4318/v1/traces: i/o timeout") {
		t.Fatalf("%d posts, messages %q", posts.Load(), out.String())
	}
}

type clientFunc func(body []byte, deadline time.Time) (int, string, error)

func (f clientFunc) Post(body []byte, deadline time.Time) (int, string, error) {
	return f(body, deadline)
}

// A round of several batches whose first one runs out of retries: the
// others are dropped unsent (the exporter is not held for one export
// timeout per batch); a permanent failure does not stop the round.
func TestRoundStopsWhenTheCollectorIsDown(t *testing.T) {
	for _, c := range []struct {
		answer answer
		posts  int64
	}{
		{answer{err: errors.New("connection refused")}, otlpAttempts},
		{answer{status: 400}, 3},
	} {
		var posts atomic.Int64
		o := &otlp{endpoint: "http://collector:4318/v1/traces", encode: AppendOTLPProto, attempts: otlpAttempts, backoff: time.Microsecond,
			timeout: time.Second, now: time.Now, sleep: time.Sleep}
		o.client = clientFunc(func([]byte, time.Time) (int, string, error) {
			posts.Add(1)
			return c.answer.status, "", c.answer.err
		})
		var out output
		r := newRecorderReporting(sampler{bound: 1 << 63}, o, &losses{log: &logger{w: &out, max: levelInfo}, dest: o.dest(), now: time.Now})
		activate(t, r)
		endSpans(3*batchSize - 1)
		if posts.Load() != c.posts || r.dropped.Load() != 3*batchSize-1 || r.inflight.Load() != 0 {
			t.Fatalf("%v: %d posts, %d dropped, %d in flight", c.answer, posts.Load(), r.dropped.Load(), r.inflight.Load())
		}
	}
}

func TestParseHeaders(t *testing.T) {
	for _, c := range []struct {
		in, want, bad string
	}{
		{"", "[]", ""},
		{" a = 1 ,, b=x%2Cy%09z, ", `[["a","1"],["b","x,y\tz"]]`, ""}, // empty entries skipped; a tab is fine
		{"Authorization=Basic%20dXNlcjpwYXNz", `[["Authorization","Basic dXNlcjpwYXNz"]]`, ""},
		{"k=%7F", "", "the value of k (entry 1) has a control character (a CR, LF or the like: it would corrupt the request)"},
		{"a=1,k=x%0Ay", "", "the value of k (entry 2) has a control character (a CR, LF or the like: it would corrupt the request)"},
		{"k=x%00", "", "the value of k (entry 1) has a control character (a CR, LF or the like: it would corrupt the request)"},
		{"=v", "", "entry 1's name is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)"},
		{"a:b=v", "", "entry 1's name is not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)"},
		{"a=1,secret", "", "entry 2 has no = (write name=value, with %2C for a comma in a value)"},
	} {
		got, bad := parseHeaders(c.in)
		js, _ := json.Marshal(got)
		if got == nil {
			js = []byte("[]")
		}
		if bad != c.bad || c.bad == "" && string(js) != c.want || c.bad != "" && got != nil {
			t.Errorf("parseHeaders(%q) = %s, %q; want %s, %q", c.in, js, bad, c.want, c.bad)
		}
	}
}
