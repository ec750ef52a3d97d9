package support

import (
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// exporter sends finished spans somewhere.
type exporter interface {
	export(spans []*Span) error
	// dest names where the spans go, for messages (never with secrets).
	dest() string
}

// recorder batches finished spans to an exporter from a background
// goroutine. Ending a span appends it to a bounded buffer under a mutex;
// the goroutine is woken only when a batch is full (or by its ticker, or a
// flush), so that ending a span costs no goroutine switch. When the buffer
// is full, spans are dropped and counted, never waited for.
type recorder struct {
	sampler  sampler
	exporter exporter
	mu       sync.Mutex
	pending  []*Span // at most queueSize
	spare    []*Span // the other buffer, swapped in by the exporting goroutine
	kick     chan struct{}
	dropped  atomic.Int64 // queue full, or their export failed
	exported atomic.Int64
	inflight atomic.Int64 // spans taken and not yet exported or dropped
	flushReq chan chan struct{}
	losses   *losses
	limits   limits // of attribute values (limits.go)
}

const (
	queueSize   = 2048
	batchSize   = 512
	batchPeriod = time.Second
	// How long a program's exit may wait for its last spans to be sent.
	exitFlushTimeout = 2 * time.Second
)

var (
	active     *recorder
	activeOnce sync.Once
)

// current is the process's recorder, set up from the environment on first
// use; nil when no exporter is configured (or OTEL_SDK_DISABLED=true), so
// that instrumentation costs next to nothing.
func current() *recorder {
	activeOnce.Do(func() {
		if r := setup(os.Stderr, time.Now); r != nil {
			active = r
			// When main returns or os.Exit is called (with any code).
			runtime_rtglsAddExitHook(func() { r.exit(exitFlushTimeout) })
			watchShutdown(r) // a fatal panic, SIGTERM, SIGINT
		}
	})
	return active
}

// setup reads the environment: the exporter (exporterFromEnv), the
// sampler, OTEL_SDK_DISABLED and OTEL_LOG_LEVEL. Messages go to w; now is
// the clock of their rate limit. Without an exporter configured, or with
// the SDK disabled, it returns nil and prints nothing.
func setup(w io.Writer, now func() time.Time) *recorder {
	if os.Getenv("RTOOL_TRACE") == "" && otlpEndpointVar() == "" {
		return nil
	}
	disabled, disabledOK := parseBool(os.Getenv("OTEL_SDK_DISABLED"))
	if disabled {
		return nil
	}
	max, levelOK := parseLevel(os.Getenv("OTEL_LOG_LEVEL"))
	log := &logger{w: w, max: max}
	if !levelOK {
		log.print(levelWarn, "OTEL_LOG_LEVEL="+shown(os.Getenv("OTEL_LOG_LEVEL"))+" is not a level (none, error, warn, info, debug, verbose, all); using info")
	}
	if !disabledOK {
		log.print(levelWarn, "OTEL_SDK_DISABLED="+shown(os.Getenv("OTEL_SDK_DISABLED"))+" is neither true nor false; taken as false: tracing stays on")
	}
	e := exporterFromEnv(log)
	if e == nil {
		return nil
	}
	l := &losses{log: log, dest: e.dest(), now: now}
	if _, ok := e.(refused); ok {
		l.quiet = true // said once already; every span is dropped and counted
	}
	r := newRecorderReporting(samplerFromEnv(), e, l)
	r.limits = limitsFromEnv(log)
	return r
}

func newRecorderReporting(s sampler, e exporter, l *losses) *recorder {
	r := &recorder{sampler: s, exporter: e, pending: make([]*Span, 0, queueSize), spare: make([]*Span, 0, queueSize),
		kick: make(chan struct{}, 1), flushReq: make(chan chan struct{}), losses: l, limits: noLimits}
	go r.loop()
	return r
}

func (r *recorder) enqueue(s *Span) {
	r.mu.Lock()
	if len(r.pending) == queueSize {
		r.mu.Unlock()
		r.dropped.Add(1)
		return
	}
	r.pending = append(r.pending, s)
	full := len(r.pending)%batchSize == 0
	r.mu.Unlock()
	if full {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
}

// take swaps the pending buffer for the spare one and returns its spans.
func (r *recorder) take() []*Span {
	r.mu.Lock()
	batch := r.pending
	r.pending = r.spare[:0]
	r.inflight.Store(int64(len(batch)))
	r.mu.Unlock()
	return batch
}

func (r *recorder) loop() {
	tick := time.NewTicker(batchPeriod)
	defer tick.Stop()
	for {
		var done chan struct{}
		select {
		case <-r.kick:
		case <-tick.C:
		case done = <-r.flushReq:
		}
		batch := r.take()
		var failed error
		down := false
		for i := 0; i < len(batch); i += batchSize {
			part := batch[i:min(i+batchSize, len(batch))]
			// Once a batch's retries ran out, the collector is down or
			// overloaded: the rest of the round is dropped rather than
			// holding the exporter for one export timeout each (the
			// next round tries again).
			if down {
				r.dropped.Add(int64(len(part)))
			} else if err := r.exporter.export(part); err != nil {
				r.dropped.Add(int64(len(part)))
				failed = err
				_, down = err.(retriesExhausted)
			} else {
				r.exported.Add(int64(len(part)))
			}
			r.inflight.Add(-int64(len(part)))
		}
		clear(batch) // let the spans go
		r.mu.Lock()
		r.spare = batch[:0]
		r.mu.Unlock()
		r.losses.note(r.dropped.Load(), failed, false)
		if done != nil {
			close(done)
		}
	}
}

// Flush exports every span ended so far, waiting at most timeout. It runs
// by itself when main returns and on os.Exit.
func Flush(timeout time.Duration) {
	if r := current(); r != nil {
		r.flush(timeout)
	}
}

// flush is Flush; false if it gave up waiting.
func (r *recorder) flush(timeout time.Duration) bool {
	done := make(chan struct{})
	select {
	case r.flushReq <- done:
	case <-time.After(timeout):
		return false
	}
	select {
	case <-done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// exit flushes, waiting at most timeout, and then says what was lost and
// not yet told: the exit hook, when main returns or os.Exit is called.
func (r *recorder) exit(timeout time.Duration) {
	r.losses.exiting.Store(true)
	if !r.flush(timeout) {
		r.mu.Lock()
		n := int64(len(r.pending)) + r.inflight.Load()
		r.mu.Unlock()
		r.losses.gaveUp(n, timeout)
	}
	r.losses.note(r.dropped.Load(), nil, true)
}

// Dropped reports how many spans were dropped: the queue was full, or
// their export failed or could not be attempted.
func Dropped() int64 {
	if r := current(); r != nil {
		return r.dropped.Load()
	}
	return 0
}

// exporterFromEnv: RTOOL_TRACE=stderr|PATH writes JSON lines; an OTLP
// endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or _ENDPOINT) sends
// OTLP/HTTP (protobuf or JSON). Neither: no tracing.
func exporterFromEnv(log *logger) exporter {
	if dest := os.Getenv("RTOOL_TRACE"); dest != "" {
		return newJSONLines(dest, log)
	}
	return otlpFromEnv(log)
}

// rtool's own messages: one line each on stderr, prefixed "rtool
// tracing: ", at a level that OTEL_LOG_LEVEL filters as the OpenTelemetry
// SDKs do (the JavaScript SDK's levels: none, error, warn, info, debug,
// verbose, all; default info). A configuration that cannot work, failed
// exports and spans lost at exit are errors; a full queue and a variable
// with a value that means nothing are warnings.
type level int

const (
	levelNone level = iota
	levelError
	levelWarn
	levelInfo
	levelDebug
	levelVerbose
)

// parseLevel reads OTEL_LOG_LEVEL (any case); false if it is not a level
// (then info, the default).
func parseLevel(v string) (level, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "none":
		return levelNone, true
	case "error":
		return levelError, true
	case "warn":
		return levelWarn, true
	case "", "info":
		return levelInfo, true
	case "debug":
		return levelDebug, true
	case "verbose", "all":
		return levelVerbose, true
	}
	return levelInfo, false
}

// parseBool reads a boolean OTEL_* variable as the specification says:
// true only for "true" in any case; false if unset, empty or "false";
// anything else is false too, and ok is false (worth a warning).
func parseBool(v string) (b, ok bool) {
	v = strings.TrimSpace(v)
	switch {
	case strings.EqualFold(v, "true"):
		return true, true
	case v == "" || strings.EqualFold(v, "false"):
		return false, true
	}
	return false, false
}

type logger struct {
	mu  sync.Mutex
	w   io.Writer
	max level
}

// print writes msg if its level is on; false if it is not.
func (l *logger) print(lv level, msg string) bool {
	if lv > l.max {
		return false
	}
	line := "rtool tracing: " + msg + "\n"
	l.mu.Lock()
	io.WriteString(l.w, line)
	l.mu.Unlock()
	return true
}

// shown is v as a message shows it: quoted if it has spaces, control or
// non-ASCII characters (a message stays one line).
func shown(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] >= 0x7f || v[i] == '"' {
			return strconv.Quote(v)
		}
	}
	if v == "" {
		return `""`
	}
	return v
}

// errRefused: the exporter's configuration cannot work (said once, when
// tracing started).
var errRefused = errors.New("not exported")

// refused is the exporter of a configuration that cannot work: every span
// is dropped and counted, none is sent.
type refused struct{ to string }

func (refused) export([]*Span) error { return errRefused }
func (e refused) dest() string       { return e.to }

// lossReportPeriod: a failing exporter is reported at its first failure,
// then at most this often.
const lossReportPeriod = time.Minute

// losses tells of spans that were not exported: at the first failure
// (and the first spans dropped), then at most once a lossReportPeriod,
// each report with the number dropped since the one before, and at exit
// what was dropped and not yet told.
type losses struct {
	log   *logger
	dest  string
	now   func() time.Time
	quiet bool // the configuration was refused, and said so
	// The program is exiting: no "further reports" to announce.
	exiting atomic.Bool

	mu       sync.Mutex
	last     time.Time // of the last report; zero before the first
	reported int64     // spans dropped at the last report
	cause    string    // the last failure since the last report
	failed   bool      // a failure was reported
}

// note is called after each export round with the number of spans dropped
// so far and the round's failure, if any; force (at exit) ignores the rate
// limit.
func (l *losses) note(dropped int64, err error, force bool) {
	if l.quiet {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	firstFailure := false
	if err != nil && err != errRefused {
		l.cause = err.Error()
		firstFailure = !l.failed
	}
	n := dropped - l.reported
	if n <= 0 {
		return
	}
	now := l.now()
	if !force && !firstFailure && !l.last.IsZero() && now.Sub(l.last) < lossReportPeriod {
		return
	}
	count := plural(n, "span") + " dropped"
	if !l.last.IsZero() {
		count += " since the last report"
	}
	var said bool
	if l.cause != "" {
		msg := "cannot export to " + l.dest + ": " + l.cause + "; " + count
		if !l.failed && !l.exiting.Load() {
			msg += " (further reports at most once a minute)"
		}
		if said = l.log.print(levelError, msg); said {
			l.failed = true
		}
	} else {
		said = l.log.print(levelWarn, count+": the queue was full (spans ended faster than they were exported to "+l.dest+")")
	}
	if said { // what OTEL_LOG_LEVEL silences is counted in the next report
		l.last, l.reported, l.cause = now, dropped, ""
	}
}

// gaveUp says that the program exited with n spans not exported yet.
func (l *losses) gaveUp(n int64, waited time.Duration) {
	if l.quiet || n <= 0 {
		return
	}
	l.log.print(levelError, plural(n, "span")+" not exported: the program exited while exporting to "+l.dest+" (waited "+waited.String()+")")
}

func plural(n int64, what string) string {
	s := strconv.FormatInt(n, 10) + " " + what
	if n != 1 {
		s += "s"
	}
	return s
}
