package support

import (
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// exporter sends finished spans somewhere.
type exporter interface {
	export(spans []*Span) error
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
	dropped  atomic.Int64
	exported atomic.Int64
	flushReq chan chan struct{}
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
// use; nil when no exporter is configured, so that instrumentation costs
// next to nothing.
func current() *recorder {
	activeOnce.Do(func() {
		if e := exporterFromEnv(); e != nil {
			active = newRecorder(samplerFromEnv(), e)
			// When main returns or os.Exit is called (with any code).
			runtime_rtglsAddExitHook(func() { Flush(exitFlushTimeout) })
		}
	})
	return active
}

func newRecorder(s sampler, e exporter) *recorder {
	r := &recorder{sampler: s, exporter: e, pending: make([]*Span, 0, queueSize), spare: make([]*Span, 0, queueSize),
		kick: make(chan struct{}, 1), flushReq: make(chan chan struct{})}
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
		for i := 0; i < len(batch); i += batchSize {
			part := batch[i:min(i+batchSize, len(batch))]
			if r.exporter.export(part) == nil {
				r.exported.Add(int64(len(part)))
			}
		}
		clear(batch) // let the spans go
		r.mu.Lock()
		r.spare = batch[:0]
		r.mu.Unlock()
		if done != nil {
			close(done)
		}
	}
}

// Flush exports every span ended so far, waiting at most timeout. It runs
// by itself when main returns and on os.Exit.
func Flush(timeout time.Duration) {
	r := current()
	if r == nil {
		return
	}
	done := make(chan struct{})
	select {
	case r.flushReq <- done:
	case <-time.After(timeout):
		return
	}
	select {
	case <-done:
	case <-time.After(timeout):
	}
}

// Dropped reports how many spans were dropped because the queue was full.
func Dropped() int64 {
	if r := current(); r != nil {
		return r.dropped.Load()
	}
	return 0
}

// exporterFromEnv: RTOOL_TRACE=stderr|PATH writes JSON lines; an OTLP
// endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or _ENDPOINT) sends
// OTLP/HTTP JSON. Neither: no tracing.
func exporterFromEnv() exporter {
	if dest := os.Getenv("RTOOL_TRACE"); dest != "" {
		return newJSONLines(dest)
	}
	if ep := otlpEndpoint(); ep != "" {
		return newOTLP(ep)
	}
	return nil
}
