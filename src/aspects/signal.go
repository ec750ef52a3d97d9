//go:build rtool

// Built-in: spans are exported before SIGTERM or SIGINT ends the program,
// and the program's own signal handling stays as it was. Instrumented
// inside os/signal, whose handler table says who else watches a signal;
// rtool.invalid/support/otlp imports os/signal, so it is linked whenever
// spans can be exported.
package aspects

import (
	"os"
	"syscall"

	// Named so that rtool patches the runtime, where the injected code
	// meets the support library: it does not import or link the library
	// (otlp imports os/signal; and a test binary of a standard package
	// the library imports would link two builds of that package).
	"rtool.invalid/support"
)

//rtool:aspect builtin.signal-flush
//rtool:where std && package(os/signal)
//rtool:inject
func init() { rtoolSigwatch(rtoolWatchTermination, nil) }

// rtoolSigwatch hands the watch to the runtime (rtool's patch), which
// starts it with the support library's flush once tracing starts.
//
//go:linkname rtoolSigwatch runtime.rtgls_sigwatch
func rtoolSigwatch(watch func(flush func(dying bool)), flush func(dying bool))

// rtoolWatchTermination runs once, when tracing starts (never if it does
// not: no goroutine, no Notify), with the support library's flush.
// SIGTERM and SIGINT are watched unless the program ignores them (nohup,
// SIG_IGN inherited, signal.Ignore): watching would undo that. When one
// arrives, the spans ended so far are exported; then if nothing else
// watches it (no Notify, or signal.Stop undid it), it is delivered again
// with its default action restored, so the program dies of it as it would
// have. signal.Ignore and signal.Reset cancel this watch like any other.
func rtoolWatchTermination(flush func(dying bool)) {
	var sigs []os.Signal
	for _, s := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		if !Ignored(s) {
			sigs = append(sigs, s)
		}
	}
	if len(sigs) == 0 {
		return
	}
	c := make(chan os.Signal, 1)
	Notify(c, sigs...)
	go func() {
		for sig := range c {
			n := signum(sig)
			handlers.Lock()
			h := handlers.m[c]
			alone := n >= 0 && h != nil && h.want(n) && handlers.ref[n] == 1
			handlers.Unlock()
			flush(alone)
			if alone {
				Reset(sig)
				if p, err := os.FindProcess(os.Getpid()); err == nil {
					p.Signal(sig)
				}
			}
		}
	}()
}
