package support

import (
	"sync"
	"sync/atomic"
	_ "unsafe" // go:linkname
)

// Spans ended before the program ends are exported, however it ends:
//
//   - main returns or os.Exit is called: the exit hook (see current);
//   - a panic nobody recovers: the runtime patch (rtool's
//     src/rewrite/runtime_gls.rs) calls a hook in gopanic once every
//     deferred call has run, before the panic is printed, so the span
//     that recorded the panic (Span.EndWith) goes too;
//   - SIGTERM or SIGINT: rtool's built-in advice in os/signal (this package
//     must not import os/signal: that advice imports it) registers a
//     watcher here, started when tracing starts.
//
// Each waits at most exitFlushTimeout for the export.

//go:linkname runtime_rtglsSetPanicHook runtime.rtgls_setpanichook
func runtime_rtglsSetPanicHook(f func())

var termination struct {
	mu      sync.Mutex
	watch   func() // from os/signal's advice, if os/signal is linked
	tracing bool   // the recorder is set up
	started bool
}

// RegisterTermination is called by rtool's advice in os/signal when that
// package is initialised, with the function that starts watching SIGTERM
// and SIGINT. It runs once, when tracing starts (now, if it has), and
// never if tracing is off: no goroutine, no signal.Notify.
func RegisterTermination(watch func()) {
	termination.mu.Lock()
	termination.watch = watch
	start := termination.tracing && !termination.started
	termination.started = termination.started || start
	termination.mu.Unlock()
	if start {
		watch()
	}
}

// Terminating exports the spans ended so far, waiting at most
// exitFlushTimeout: a termination signal arrived. dying: nothing else
// handles it, so the program is about to die of it (what was lost is
// reported, as at exit); otherwise the program's own handling goes on.
func Terminating(dying bool) {
	r := current()
	if r == nil {
		return
	}
	if dying {
		r.exit(exitFlushTimeout)
	} else {
		r.flush(exitFlushTimeout)
	}
}

// watchShutdown runs once, when r becomes the process's recorder: besides
// the exit hook, a fatal panic and termination signals flush it.
func watchShutdown(r *recorder) {
	var once atomic.Bool
	// A panic in the flush itself (a second fatal panic) finds once set.
	runtime_rtglsSetPanicHook(func() {
		if once.CompareAndSwap(false, true) {
			r.exit(exitFlushTimeout)
		}
	})
	termination.mu.Lock()
	termination.tracing = true
	watch := termination.watch
	start := watch != nil && !termination.started
	termination.started = termination.started || start
	termination.mu.Unlock()
	if start {
		watch()
	}
}
