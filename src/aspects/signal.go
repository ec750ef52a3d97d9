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

	// Named so that rtool knows this aspect needs the support library (and
	// its runtime patch); the injected code reaches it by //go:linkname,
	// not by an import: otlp imports os/signal, so os/signal's compile
	// must not need the library (resolving the library's standard imports
	// is what compiles os/signal).
	"rtool.invalid/support"
)

//rtool:aspect builtin.signal-flush
//rtool:where std && package(os/signal)
//rtool:inject
func init() { rtoolRegisterTermination(rtoolWatchTermination) }

//go:linkname rtoolRegisterTermination rtool.invalid/support.RegisterTermination
func rtoolRegisterTermination(watch func())

//go:linkname rtoolTerminating rtool.invalid/support.Terminating
func rtoolTerminating(dying bool)

// rtoolWatchTermination runs once, when tracing starts. SIGTERM and SIGINT
// are watched unless the program ignores them (nohup, SIG_IGN inherited,
// signal.Ignore): watching would undo that. When one arrives, the spans
// ended so far are exported; then if nothing else watches it (no Notify,
// or signal.Stop undid it), it is delivered again with its default action
// restored, so the program dies of it as it would have. signal.Ignore and
// signal.Reset cancel this watch like any other.
func rtoolWatchTermination() {
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
			rtoolTerminating(alone)
			if alone {
				Reset(sig)
				if p, err := os.FindProcess(os.Getpid()); err == nil {
					p.Signal(sig)
				}
			}
		}
	}()
}
