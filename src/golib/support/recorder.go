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
// goroutine. Its queue is bounded: when full, spans are dropped and
// counted, never waited for.
type recorder struct {
	sampler  sampler
	exporter exporter
	queue    chan *Span
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
	r := &recorder{sampler: s, exporter: e, queue: make(chan *Span, queueSize), flushReq: make(chan chan struct{})}
	go r.loop()
	return r
}

func (r *recorder) enqueue(s *Span) {
	select {
	case r.queue <- s:
	default:
		r.dropped.Add(1)
	}
}

func (r *recorder) loop() {
	batch := make([]*Span, 0, batchSize)
	tick := time.NewTicker(batchPeriod)
	defer tick.Stop()
	send := func() {
		if len(batch) > 0 {
			if r.exporter.export(batch) == nil {
				r.exported.Add(int64(len(batch)))
			}
			batch = make([]*Span, 0, batchSize)
		}
	}
	for {
		select {
		case s := <-r.queue:
			batch = append(batch, s)
			if len(batch) == batchSize {
				send()
			}
		case <-tick.C:
			send()
		case done := <-r.flushReq:
			for drained := false; !drained; {
				select {
				case s := <-r.queue:
					batch = append(batch, s)
				default:
					drained = true
				}
			}
			send()
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
