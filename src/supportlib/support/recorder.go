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
	// export sends spans; it gives up by cut unless cut is zero (the
	// program is ending).
	export(spans []*Span, cut time.Time) error
	// dest names where the spans go, for messages (never with secrets).
	dest() string
}

// recorder batches finished spans to an exporter. Ending a span appends it
// to a bounded buffer under a mutex; nothing else runs until there is work:
// the first span queued arms a timer (the batch period), a full batch or a
// flush starts an exporting goroutine at once, and that goroutine ends as
// soon as the queue is drained (re-arming the timer if spans remain). So
// an idle program has no goroutine and no timer of rtool's: goroutine-leak
// checks and the runtime's deadlock detector see the program alone. When
// the buffer is full, spans are dropped and counted, never waited for.
type recorder struct {
	sampler  sampler
	exporter exporter
	// How long the program's end may wait for its last spans.
	budget time.Duration

	mu       sync.Mutex
	pending  []*Span // at most queueSize
	spare    []*Span // the other buffer, swapped in by the exporting goroutine
	running  bool    // an exporting goroutine exists
	timer    *time.Timer
	armed    bool          // timer is set to start an export round
	accepted int64         // spans ever queued
	done     int64         // of those, exported or dropped by a round
	want     int64         // a flush waits until done reaches this
	watching bool          // spans wait: termination signals are watched (signalWatch)
	progress chan struct{} // closed (and replaced) after every round

	dropped  atomic.Int64 // queue full, or their export failed
	exported atomic.Int64
	inflight atomic.Int64 // spans taken and not yet exported or dropped
	unsent   atomic.Int64 // their export ran into the program's end (cut)
	// The program is ending: exports give up by this time (unix
	// nanoseconds; 0 while it runs).
	cut    atomic.Int64
	losses *losses
	limits limits // of attribute values (limits.go)
}

const (
	queueSize   = 2048
	batchSize   = 512
	batchPeriod = time.Second
	// How long a program's end waits for its last spans by default
	// (OTEL_BSP_EXPORT_TIMEOUT sets it): enough for a collector that is
	// briefly away (a restart, a 503 with Retry-After: 1 or 2).
	defaultExitBudget = 5 * time.Second
)

var (
	active     *recorder
	activeOnce sync.Once
	// Set up: active is final (otherwise setup waits for the OTLP
	// transport's registration, see otlpPending).
	activeDone atomic.Bool
	activeMu   sync.Mutex
)

// current is the process's recorder, set up from the environment on first
// use; nil when no exporter is configured (or OTEL_SDK_DISABLED=true), so
// that instrumentation costs next to nothing. Called during package
// initialisation before the OTLP transport registered itself (a package
// whose path sorts first logging in its init), it answers nil without
// deciding: tracing starts at the first call after the registration.
func current() *recorder {
	if activeDone.Load() {
		return active
	}
	if otlpPending() {
		return nil
	}
	activeOnce.Do(func() {
		if r := setup(os.Stderr, time.Now); r != nil {
			active = r
			// When main returns or os.Exit is called (with any code).
			// The program's other goroutines stay stopped meanwhile, as
			// without rtool they would be gone.
			runtime_rtglsAddExitHook(func() { runtime_rtglsExclusive(r.exit, false) })
			watchShutdown(r) // a fatal panic, SIGTERM, SIGINT
		}
		activeDone.Store(true)
	})
	return active
}

// setup reads the environment: the exporter (exporterFromEnv), the
// sampler, the exit budget, OTEL_SDK_DISABLED and OTEL_LOG_LEVEL.
// Messages go to w; now is the clock of their rate limit. Without an
// exporter configured, or with the SDK disabled, it returns nil and prints
// nothing.
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
	r := newRecorderReporting(samplerFromEnv(log), e, l)
	if v := os.Getenv("OTEL_BSP_EXPORT_TIMEOUT"); v != "" {
		if d, ok := parseTimeout(v); ok {
			r.budget = d
		} else {
			log.print(levelWarn, "OTEL_BSP_EXPORT_TIMEOUT="+shown(v)+" is not a timeout (a number of milliseconds above 0); using "+defaultExitBudget.String())
		}
	}
	r.limits = limitsFromEnv(log)
	return r
}

func newRecorderReporting(s sampler, e exporter, l *losses) *recorder {
	return &recorder{sampler: s, exporter: e, budget: defaultExitBudget, pending: make([]*Span, 0, queueSize), spare: make([]*Span, 0, queueSize),
		progress: make(chan struct{}), losses: l, limits: noLimits}
}

func (r *recorder) enqueue(s *Span) {
	r.mu.Lock()
	if len(r.pending) == queueSize {
		r.mu.Unlock()
		r.dropped.Add(1)
		return
	}
	r.pending = append(r.pending, s)
	r.accepted++
	start, watch := false, !r.watching
	r.watching = true // a termination signal must export them now
	if !r.running {
		if len(r.pending) >= batchSize {
			start = r.startLocked()
		} else if !r.armed {
			r.armLocked()
		}
	}
	r.mu.Unlock()
	if watch {
		r.signalWatch()
	}
	if start {
		runtime_rtglsGo(r.run)
	}
}

// armLocked sets the timer of the batch period: when it fires, the spans
// queued meanwhile are exported.
func (r *recorder) armLocked() {
	r.armed = true
	if r.timer == nil {
		r.timer = time.AfterFunc(batchPeriod, r.tick)
	} else {
		r.timer.Reset(batchPeriod)
	}
}

// startLocked marks an exporting goroutine as running (the caller starts
// it once the lock is released) and disarms the timer; false if one runs.
func (r *recorder) startLocked() bool {
	if r.running {
		return false
	}
	r.running = true
	if r.armed {
		r.armed = false
		r.timer.Stop() // if it fires anyway, tick finds a goroutine running
	}
	return true
}

// tick is the batch period's end, on the timer's own goroutine, which
// starts the exporting one (a system goroutine, see runtime_rtglsGo).
func (r *recorder) tick() {
	r.mu.Lock()
	r.armed = false
	start := len(r.pending) > 0 && r.startLocked()
	r.mu.Unlock()
	if start {
		runtime_rtglsGo(r.run)
	}
}

// run exports rounds (all that is queued, in batches) while a full batch
// or a flush waits, then ends, leaving the timer armed if spans remain.
func (r *recorder) run() {
	for {
		r.mu.Lock()
		batch := r.pending
		r.pending = r.spare[:0]
		r.inflight.Store(int64(len(batch)))
		r.mu.Unlock()

		var cut time.Time
		if c := r.cut.Load(); c != 0 {
			cut = time.Unix(0, c)
		}
		var failed error
		down, ended := false, false
		for i := 0; i < len(batch); i += batchSize {
			part := batch[i:min(i+batchSize, len(batch))]
			// Once a batch's retries ran out, the collector is down or
			// overloaded: the rest of the round is dropped rather than
			// holding the exporter for one export timeout each (the
			// next round tries again).
			n := int64(len(part))
			switch {
			case ended: // the program's end came: the rest goes unsent too
			case down:
				r.dropped.Add(n)
			default:
				err := r.exporter.export(part, cut)
				_, ended = err.(cutShort)
				switch {
				case err == nil:
					r.exported.Add(n)
				case !ended:
					r.dropped.Add(n)
					failed = err
					_, down = err.(retriesExhausted)
				}
			}
			if ended { // under the lock exit reads both with: counted once
				r.mu.Lock()
				r.unsent.Add(n)
				r.inflight.Add(-n)
				r.mu.Unlock()
				continue
			}
			r.inflight.Add(-n)
		}
		clear(batch) // let the spans go
		r.losses.note(r.dropped.Load(), failed, false)

		r.mu.Lock()
		r.spare = batch[:0]
		r.done += int64(len(batch))
		close(r.progress)
		r.progress = make(chan struct{})
		more := len(r.pending) >= batchSize || r.want > r.done
		unwatch := false
		if !more {
			r.running = false
			if len(r.pending) > 0 {
				r.armLocked()
			} else {
				unwatch, r.watching = r.watching, false // nothing left to lose
			}
		}
		r.mu.Unlock()
		if unwatch {
			r.signalWatch()
		}
		if !more {
			return
		}
	}
}

// Flush exports every span ended so far, waiting at most timeout. It runs
// by itself when main returns and on os.Exit.
func Flush(timeout time.Duration) {
	if r := current(); r != nil {
		r.flush(time.Now().Add(timeout))
	}
}

// flush exports the spans queued so far, waiting until deadline at most;
// false if it gave up waiting.
func (r *recorder) flush(deadline time.Time) bool {
	r.mu.Lock()
	target := r.accepted
	if r.done >= target {
		r.mu.Unlock()
		// Nothing to export; a report held back by its rate limit may
		// be due.
		r.losses.note(r.dropped.Load(), nil, false)
		return true
	}
	r.want = max(r.want, target)
	start := r.startLocked()
	r.mu.Unlock()
	if start {
		runtime_rtglsGo(r.run)
	}
	t := time.NewTimer(time.Until(deadline))
	defer func() {
		t.Stop()
		runtime_rtglsWakePoll()
	}()
	for {
		r.mu.Lock()
		if r.done >= target {
			r.mu.Unlock()
			return true
		}
		progress := r.progress
		r.mu.Unlock()
		select {
		case <-progress:
		case <-t.C:
			return false
		}
	}
}

// exit flushes, waiting at most the exit budget in all (exports give up
// by then too), and then says what was lost and not yet told: when main
// returns, os.Exit is called, a panic or a signal ends the program.
func (r *recorder) exit() {
	deadline := time.Now().Add(r.budget)
	r.cut.CompareAndSwap(0, deadline.UnixNano())
	r.losses.exiting.Store(true)
	done := r.flush(deadline)
	r.mu.Lock()
	n := r.unsent.Load()
	if !done {
		n += int64(len(r.pending)) + r.inflight.Load()
	}
	r.mu.Unlock()
	r.losses.gaveUp(n, r.budget)
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

func (refused) export([]*Span, time.Time) error { return errRefused }
func (e refused) dest() string                  { return e.to }

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
