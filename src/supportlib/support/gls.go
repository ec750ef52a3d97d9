package support

import (
	"sync/atomic"
	"unsafe"
)

// Goroutine-local storage. rtool patches the runtime (see rtool's
// src/rewrite/runtime_gls.rs) with one pointer per goroutine and these
// accessors; this file gives them meaning.
//
// The pointer names a frame. Its first word is its owner: the goroutine
// that may write it. When a goroutine starts another, the runtime zeroes
// that word and gives the child the same frame (unless it holds nothing),
// which is then read-only for both: whichever writes next copies it first. A child thus starts with its
// parent's values (and current span) but never shares mutable state with
// it, and a go statement costs no allocation.

//go:linkname runtime_rtglsGet runtime.rtgls_get
func runtime_rtglsGet() unsafe.Pointer

//go:linkname runtime_rtglsSet runtime.rtgls_set
func runtime_rtglsSet(p unsafe.Pointer)

//go:linkname runtime_rtglsSelf runtime.rtgls_self
func runtime_rtglsSelf() uintptr

//go:linkname runtime_rtglsAddExitHook runtime.rtgls_addexithook
func runtime_rtglsAddExitHook(f func())

//go:linkname runtime_rtglsPanicDepth runtime.rtgls_panicdepth
func runtime_rtglsPanicDepth() int

//go:linkname runtime_rtglsUnwinding runtime.rtgls_unwinding
func runtime_rtglsUnwinding(depth int) (any, bool)

// runtime_rtglsGo starts f in a goroutine the runtime counts as its own:
// left out of NumGoroutine, goroutine dumps and the deadlock detector.
//
//go:linkname runtime_rtglsGo runtime.rtgls_go
func runtime_rtglsGo(f func())

// runtime_rtglsExclusive runs f while no other user goroutine is
// scheduled; they run again afterwards if resume.
//
//go:linkname runtime_rtglsExclusive runtime.rtgls_exclusive
func runtime_rtglsExclusive(f func(), resume bool)

// runtime_rtglsWakePoll has the network poller recompute its sleep after
// a timer of rtool's stopped (see the runtime's rtgls_wakepoll).
//
//go:linkname runtime_rtglsWakePoll runtime.rtgls_wakepoll
func runtime_rtglsWakePoll()

type frame struct {
	// First word: the owning g, with emptyBit while the frame holds
	// nothing. The runtime zeroes it when it shares the frame with a new
	// goroutine, and skips frames with emptyBit (nothing to inherit), so
	// that a goroutine that starts others between spans, as net/http's
	// connection goroutine does on every request, keeps its frame.
	owner uintptr
	span  *Span
	vals  []any // indexed by Local ids; no trailing nils
}

const emptyBit = 1 // g addresses are aligned: bit 0 is free

func loadFrame() *frame { return (*frame)(runtime_rtglsGet()) }

// ownFrame returns a frame the calling goroutine may write, copying a
// shared one.
func ownFrame() *frame {
	f := loadFrame()
	self := runtime_rtglsSelf()
	if f != nil && f.owner&^emptyBit == self {
		return f
	}
	n := &frame{owner: self | emptyBit}
	if f != nil {
		n.span = f.span
		n.vals = append([]any(nil), f.vals...)
		n.settle()
	}
	runtime_rtglsSet(unsafe.Pointer(n))
	return n
}

// settle records in the owner word whether the frame holds anything.
func (f *frame) settle() {
	if f.span == nil && len(f.vals) == 0 {
		f.owner |= emptyBit
	} else {
		f.owner &^= emptyBit
	}
}

// CurrentSpan returns the span open on this goroutine: the innermost one
// started here and not yet ended, or else the one current in the goroutine
// that started this one when it did. A span that has ended, wherever and
// in whatever order, is never current: the nearest span current before it
// that has not ended is, so that a goroutine outliving the span it
// inherited (a worker started during one request and serving the next)
// does not put later spans under it. Nil if none.
func CurrentSpan() *Span {
	f := loadFrame()
	if f == nil {
		return nil
	}
	s := f.span
	if s != nil && s.done.Load() {
		s = live(s.prev)
		if f.owner&^emptyBit == runtime_rtglsSelf() {
			f.span = s // let the ended spans go
			f.settle()
		}
	}
	return s
}

// setCurrent makes s the current span and returns the previous one (that
// has not ended).
func setCurrent(s *Span) *Span {
	f := loadFrame()
	if f == nil && s == nil {
		return nil
	}
	if f == nil || f.owner&^emptyBit != runtime_rtglsSelf() {
		f = ownFrame()
	}
	prev := live(f.span)
	f.span = s
	if s != nil {
		f.owner &^= emptyBit
	} else {
		f.settle()
	}
	return prev
}

// endCurrent: s has ended; if it is this goroutine's current span in a
// frame of its own, the nearest live span before it becomes current (the
// frame empties if none, and goroutines started from now on inherit
// nothing). Elsewhere CurrentSpan skips s when it reads it.
func endCurrent(s *Span) {
	f := loadFrame()
	if f == nil || f.span != s || f.owner&^emptyBit != runtime_rtglsSelf() {
		return
	}
	f.span = live(s.prev)
	f.settle()
}

// Local is a goroutine-local variable of type T: each goroutine sees its
// own value, starting with the value its parent had when it started it.
// Get and Set do not allocate (Set may box a non-pointer T, as storing it
// in an interface would).
type Local[T any] struct{ id int }

var nextLocal atomic.Int64

// NewLocal returns a new goroutine-local variable.
func NewLocal[T any]() *Local[T] { return &Local[T]{id: int(nextLocal.Add(1) - 1)} }

// Get returns this goroutine's value and whether it has one.
func (l *Local[T]) Get() (v T, ok bool) {
	f := loadFrame()
	if f == nil || l.id >= len(f.vals) {
		return v, false
	}
	v, ok = f.vals[l.id].(T)
	return v, ok
}

// Set gives this goroutine (and those it starts from now on) the value v.
func (l *Local[T]) Set(v T) { l.store(v) }

// Delete removes this goroutine's value.
func (l *Local[T]) Delete() {
	if _, ok := l.Get(); ok {
		l.store(nil)
	}
}

func (l *Local[T]) store(v any) {
	f := loadFrame()
	if f == nil || f.owner&^emptyBit != runtime_rtglsSelf() {
		f = ownFrame()
	}
	if l.id >= len(f.vals) {
		f.vals = append(f.vals, make([]any, l.id+1-len(f.vals))...)
	}
	f.vals[l.id] = v
	if v != nil {
		f.owner &^= emptyBit
		return
	}
	for len(f.vals) > 0 && f.vals[len(f.vals)-1] == nil {
		f.vals = f.vals[:len(f.vals)-1]
	}
	f.settle()
}
