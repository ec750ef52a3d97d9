package support

import (
	"runtime"
	"sync/atomic"
	"time"
	_ "unsafe" // go:linkname
)

// Spans ended before the program ends are exported, however it ends:
//
//   - main returns or os.Exit is called: the exit hook (see current);
//   - a panic nobody recovers: the runtime patch (rtool's
//     src/rewrite/runtime_gls.rs) calls a hook in gopanic once every
//     deferred call has run, before the panic is printed, so the span
//     that recorded the panic (Span.EndDeferred) goes too;
//   - SIGTERM or SIGINT: rtool's built-in advice in os/signal watches
//     them while spans wait to be exported (and only then: an idle
//     program has no watch, so os/signal's goroutine does not run for
//     rtool and the runtime's deadlock detector works as without it).
//     Neither side imports the other (advice inside os/signal cannot
//     import this package, and linking this package into every program
//     that has os/signal would clash with the test binaries of its own
//     imports): signalSync is os/signal's variable, set by its advice
//     (//go:linkname; without os/signal or the advice, this package's
//     own zero definition of the name stands, and it stays nil).
//
// Each waits at most the exit budget (recorder.budget) for the export.

//go:linkname runtime_rtglsSetPanicHook runtime.rtgls_setpanichook
func runtime_rtglsSetPanicHook(f func())

// signalSync is os/signal's advice (nil without it): it asks want whether
// to watch SIGTERM and SIGINT now, and starts or stops the watch
// accordingly; flush is what it calls when one arrives.
//
//go:linkname signalSync os/signal.rtoolSigSync
var signalSync func(want func() bool, flush func(dying bool))

// signalURG is os/signal's copy of SIGURG's number, which its advice uses
// and cannot learn itself (os/signal does not import runtime); 0 on
// Windows, where signals are left alone.
//
//go:linkname signalURG os/signal.rtoolSigURG
var signalURG int

// sigURG is SIGURG's number on this system, 0 on Windows.
func sigURG() int {
	switch runtime.GOOS {
	case "windows":
		return 0
	case "linux", "android":
		switch runtime.GOARCH {
		case "mips", "mipsle", "mips64", "mips64le":
			return 21
		}
		return 23
	case "solaris", "illumos":
		return 21
	}
	return 16 // the BSDs, darwin, ios, aix
}

// signalWatch has os/signal's advice catch up with the recorder's wish
// (recorder.watching), if r is the process's recorder. Called without
// the recorder's lock: the advice calls back.
func (r *recorder) signalWatch() {
	if sync := signalSync; sync != nil && r == active {
		signalURG = sigURG()
		sync(signalWanted, terminating)
	}
}

// signalWanted: spans wait to be exported, which a termination signal
// would lose.
func signalWanted() bool {
	r := active
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.watching
}

// terminating exports the spans ended so far, waiting at most the exit
// budget: a termination signal arrived. dying: nothing else handles it, so
// the program is about to die of it (what was lost is reported, as at
// exit); otherwise the program's own handling goes on.
func terminating(dying bool) {
	r := current()
	if r == nil {
		return
	}
	if dying {
		runtime_rtglsExclusive(r.exit, true)
	} else {
		r.flush(time.Now().Add(r.budget))
	}
}

// watchShutdown runs once, when r becomes the process's recorder: besides
// the exit hook, a fatal panic flushes it.
func watchShutdown(r *recorder) {
	var flusher atomic.Uintptr // the goroutine of the first fatal panic
	flushed := make(chan struct{})
	runtime_rtglsSetPanicHook(func() {
		self := runtime_rtglsSelf()
		if flusher.CompareAndSwap(0, self) {
			// No other goroutine runs meanwhile, nor after: without rtool
			// the program would be printing the panic and gone (and
			// runtime.main, seeing no panic yet, would exit 0 where it
			// should wait).
			runtime_rtglsExclusive(r.exit, false)
			close(flushed)
		} else if flusher.Load() != self {
			// A second goroutine's fatal panic waits for the first's flush,
			// which then prints its panic first, as without rtool. A panic
			// in the flush itself goes on.
			<-flushed
		}
	})
}
