//go:build rtool

// Built-in: spans are exported before SIGTERM or SIGINT ends the program,
// and the program's own signal handling stays as it was. Instrumented
// inside os/signal, whose handler table says who else watches a signal;
// rtool.invalid/support/otlp imports os/signal, so it is linked whenever
// spans can be exported.
//
// The signals are watched only while spans wait to be exported (the
// support library asks, through rtoolSigSync): an idle program has no
// watch, and os/signal's goroutine, if rtool started it, has ended, so
// goroutine-leak checks, fatal errors' goroutine dumps and the runtime's
// deadlock detector see the program as it is without rtool. No goroutine
// of rtool's own: the watch is served by os/signal's loop. Windows'
// console events are left alone (no watch there).
package aspects

import (
	"os"
	"sync"
	"syscall"

	// Named so that rtool patches the runtime (the exit and panic hooks
	// the support library uses); os/signal does not import or link the
	// library (otlp imports os/signal; and a test binary of a standard
	// package the library imports would link two builds of that package).
	"rtool.invalid/support"
)

//rtool:aspect builtin.signal-flush
//rtool:where std && package(os/signal)
//rtool:inject
func init() {
	rtoolSig.c = make(chan os.Signal, 1)
	rtoolSigSync = rtoolSync
}

// rtoolSigSync is what the support library calls to have the watch catch
// up (its signalSync names this variable by //go:linkname, so it finds it
// without importing os/signal, and finds nil without this advice).
//
//go:linkname rtoolSigSync
var rtoolSigSync func(want func() bool, flush func(dying bool))

var rtoolSig struct {
	mu sync.Mutex     // serialises rtoolSync
	c  chan os.Signal // rtool's entry in handlers; nobody reads it
	// Under handlers' lock:
	flush   func(dying bool)
	on      bool    // c is notified
	program bool    // the program called Notify: os/signal's loop is its own too
	given   [3]bool // SIGINT, SIGTERM: the program's Ignore or Reset ended rtool's watch for good
	quit    bool    // the loop ends at its next wake-up unless the watch is on again
}

// rtoolSync starts or stops the watch of SIGTERM and SIGINT, as want says
// (it is asked here, under rtoolSig.mu, so that concurrent calls settle
// on the latest answer).
func rtoolSync(want func() bool, flush func(dying bool)) {
	if rtoolSigURG == 0 {
		return // Windows: a console's Ctrl-C cannot be raised again: left alone
	}
	rtoolSig.mu.Lock()
	defer rtoolSig.mu.Unlock()
	on := want()
	handlers.Lock()
	was := rtoolSig.on
	rtoolSig.flush = flush
	var sigs []os.Signal
	if on && !was {
		// Not those ignored (nohup, SIG_IGN inherited, signal.Ignore):
		// watching would undo that.
		for i, s := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
			if !rtoolSig.given[i+1] && !signalIgnored(signum(s)) {
				sigs = append(sigs, s)
			}
		}
		rtoolSig.on = len(sigs) > 0
		// Started by this watch, os/signal's loop can end once idle, and
		// is a goroutine of the runtime's: no dump or count shows it.
		watchSignalLoop = rtoolSystemLoop
	}
	if !on {
		rtoolSig.on = false
	}
	handlers.Unlock()
	switch {
	case len(sigs) > 0:
		Notify(rtoolSig.c, sigs...)
	case was && !on:
		handlers.Lock()
		rtoolUnwatch()
		// Unless the program uses os/signal itself, its loop (started
		// by the watch) ends: woken by a signal the runtime itself
		// sends at any time, SIGURG.
		quit := !rtoolSig.program && !rtoolSig.on && !rtoolSig.quit
		if quit {
			rtoolSig.quit = true
			enableSignal(rtoolSIGURG())
		}
		handlers.Unlock()
		if p, err := os.FindProcess(os.Getpid()); quit && err == nil {
			p.Signal(syscall.Signal(rtoolSIGURG()))
		}
	}
}

// rtoolUnwatch undoes rtool's Notify as Stop does, under handlers' lock,
// without Stop's wait until os/signal's loop receives again: the loop may
// be ending (rtoolLoopEnds), and then nothing would ever receive, and the
// wait would spin for good. The wait lets a signal caught meanwhile reach
// the channel; nobody reads rtool's.
func rtoolUnwatch() {
	h := handlers.m[rtoolSig.c]
	if h == nil {
		return
	}
	delete(handlers.m, rtoolSig.c)
	for n := 0; n < numSig; n++ {
		if h.want(n) {
			handlers.ref[n]--
			if handlers.ref[n] == 0 {
				disableSignal(n)
			}
		}
	}
}

// rtoolGo starts f as a system goroutine (the runtime patch's rtgls_go).
//
//go:linkname rtoolGo runtime.rtgls_go
func rtoolGo(f func())

// rtoolSystemLoop starts rtoolLoop as a system goroutine.
func rtoolSystemLoop() { rtoolGo(rtoolLoop) }

// rtoolLoop is os/signal's loop, ending when rtool's watch asks it to.
func rtoolLoop() {
	for {
		n := signal_recv()
		if rtoolLoopEnds() {
			return
		}
		process(syscall.Signal(n))
	}
}

// rtoolLoopEnds: the loop was asked to end and nothing needs it; then the
// next Notify starts it again.
func rtoolLoopEnds() bool {
	handlers.Lock()
	defer handlers.Unlock()
	if !rtoolSig.quit {
		return false
	}
	rtoolSig.quit = false
	urg := rtoolSIGURG()
	if handlers.ref[urg] == 0 {
		disableSignal(urg)
	}
	if rtoolSig.on || rtoolSig.program {
		return false
	}
	watchSignalLoopOnce = sync.Once{}
	return true
}

// rtoolSigURG is SIGURG's number on this system (package syscall does not
// name it on every system), set by the support library before it calls
// rtoolSigSync (os/signal does not import runtime, for GOOS: its imports
// are resolved by one nested go command less); 0 on Windows, where the
// watch is left off.
//
//go:linkname rtoolSigURG
var rtoolSigURG int

func rtoolSIGURG() int { return rtoolSigURG }

// rtoolGiveUp: see builtin.signal-flush-cancel.
func rtoolGiveUp(sigs []os.Signal) {
	handlers.Lock()
	defer handlers.Unlock()
	for i, s := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		n := signum(s)
		for _, t := range sigs {
			if signum(t) == n {
				rtoolSig.given[i+1] = true
			}
		}
		if len(sigs) == 0 {
			rtoolSig.given[i+1] = true
		}
	}
}

// rtoolProcess: see builtin.signal-flush-process.
func rtoolProcess(sig os.Signal) {
	n := signum(sig)
	handlers.Lock()
	h := handlers.m[rtoolSig.c]
	watched := n >= 0 && h != nil && h.want(n)
	alone := watched && handlers.ref[n] == 1
	flush := rtoolSig.flush
	handlers.Unlock()
	if !watched || flush == nil {
		return
	}
	flush(alone)
	if alone {
		Reset(sig)
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			p.Signal(sig)
		}
	}
}

// The program's own Notify: os/signal's loop is the program's from now on.
//
//rtool:aspect builtin.signal-flush-notify
//rtool:where std && package(os/signal) && function(name=Notify, receiver=none)
//rtool:prepend
func _() {
	if RtoolParam0 != rtoolSig.c {
		handlers.Lock()
		rtoolSig.program = true
		handlers.Unlock()
	}
}

// signal.Ignore and signal.Reset of SIGTERM or SIGINT end rtool's watch of
// it for good, so they keep their meaning (after Reset, the signal kills
// at once, without the export).
//
//rtool:aspect builtin.signal-flush-cancel
//rtool:where std && package(os/signal) && function(name=cancel, receiver=none)
//rtool:prepend
func _() {
	rtoolGiveUp(RtoolParam0)
}

// A watched signal: the spans ended so far are exported, on os/signal's
// loop, before the program's channels get it. If nothing else watches it
// (no Notify, or signal.Stop undid it), it is then delivered again with
// its default action restored, so the program dies of it as it would have.
//
//rtool:aspect builtin.signal-flush-process
//rtool:where std && package(os/signal) && function(name=process, receiver=none)
//rtool:prepend
func _() {
	rtoolProcess(RtoolParam0)
}
