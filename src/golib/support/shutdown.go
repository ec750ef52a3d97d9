package support

import (
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
//   - SIGTERM or SIGINT: rtool's built-in advice in os/signal watches
//     them; it meets this package in the runtime patch (rtgls_sigwatch),
//     which starts the watch with terminating once tracing starts. Neither
//     imports the other (advice inside os/signal cannot import this
//     package, and linking this package into every program that has
//     os/signal would clash with the test binaries of its own imports).
//
// Each waits at most exitFlushTimeout for the export.

//go:linkname runtime_rtglsSetPanicHook runtime.rtgls_setpanichook
func runtime_rtglsSetPanicHook(f func())

//go:linkname runtime_rtglsSigwatch runtime.rtgls_sigwatch
func runtime_rtglsSigwatch(watch func(flush func(dying bool)), flush func(dying bool))

// terminating exports the spans ended so far, waiting at most
// exitFlushTimeout: a termination signal arrived. dying: nothing else
// handles it, so the program is about to die of it (what was lost is
// reported, as at exit); otherwise the program's own handling goes on.
func terminating(dying bool) {
	r := current()
	if r == nil {
		return
	}
	if dying {
		runtime_rtglsExclusive(func() { r.exit(exitFlushTimeout) }, true)
	} else {
		r.flush(exitFlushTimeout)
	}
}

// watchShutdown runs once, when r becomes the process's recorder: besides
// the exit hook, a fatal panic and termination signals flush it.
func watchShutdown(r *recorder) {
	var flusher atomic.Uintptr // the goroutine of the first fatal panic
	flushed := make(chan struct{})
	runtime_rtglsSetPanicHook(func() {
		self := runtime_rtglsSelf()
		if flusher.CompareAndSwap(0, self) {
			// No other goroutine runs meanwhile: without rtool the program
			// would be printing the panic and gone (and runtime.main, seeing
			// no panic yet, would exit 0 where it should wait).
			runtime_rtglsExclusive(func() { r.exit(exitFlushTimeout) }, true)
			close(flushed)
		} else if flusher.Load() != self {
			// A second goroutine's fatal panic waits for the first's flush,
			// which then prints its panic first, as without rtool. A panic
			// in the flush itself goes on.
			<-flushed
		}
	})
	// Starts os/signal's watch, now or when os/signal is initialised.
	runtime_rtglsSigwatch(nil, terminating)
}
