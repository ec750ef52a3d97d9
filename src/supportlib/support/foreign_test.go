package support

import (
	"context"
	"testing"
	"time"
)

// These use the goroutine's current span: run them under rtool (see
// support_test.go).

var (
	foreignTID = [16]byte{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	foreignSID = [8]byte{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7}
)

func TestRtoolSpanUnderForeignSpan(t *testing.T) {
	mem := &memory{}
	use(t, sampler{parentBased: true, bound: 1 << 63}, mem)
	for _, sampled := range []bool{true, false} {
		ctx := ContextWithForeignSpan(context.Background(), foreignTID, foreignSID, sampled, "k=v")
		p := SpanFromContext(ctx)
		if !IsPlaceholder(p) || p.TraceID != foreignTID || p.SpanID != foreignSID || p.Sampled != sampled || CurrentSpan() != nil {
			t.Fatalf("placeholder %+v (current %v)", p, CurrentSpan())
		}
		_, s := Start(ctx, "child", KindClient)
		if s.TraceID != foreignTID || s.Parent != foreignSID || s.Sampled != sampled || s.State != "k=v" || IsPlaceholder(s) {
			t.Fatalf("sampled=%v: child %+v", sampled, s)
		}
		s.End()
		if CurrentSpan() != nil {
			t.Fatalf("current span %v after the child ended", CurrentSpan())
		}
		// The foreign side answers for its own span.
		if SpanForForeign(ctx) != nil {
			t.Fatal("SpanForForeign answered for a foreign span")
		}
	}
	Flush(time.Second)
	if len(mem.spans) != 1 || mem.spans[0].Parent != foreignSID {
		t.Fatalf("exported %d spans (want the sampled child only)", len(mem.spans))
	}
}

func TestSpanForForeign(t *testing.T) {
	use(t, sampler{parentBased: true, bound: 1 << 63}, &memory{})
	bg := context.Background()
	if s := SpanForForeign(bg); s != nil {
		t.Fatalf("no span anywhere, got %v", s)
	}
	cur := StartSpan("current", KindServer)
	defer cur.End()
	if s := SpanForForeign(bg); s != cur {
		t.Fatalf("context without spans: got %v, want the current span", s)
	}
	// A foreign span nearer than anything of rtool's: the foreign side's.
	foreign := ContextWithForeignSpan(bg, foreignTID, foreignSID, true, "")
	if s := SpanForForeign(foreign); s != nil {
		t.Fatalf("foreign span in the context: got %v", s)
	}
	// An rtool span nearer than the foreign one: rtool's.
	ctx, own := Start(foreign, "own", KindInternal)
	if s := SpanForForeign(ctx); s != own {
		t.Fatalf("rtool span in the context: got %v, want %v", s, own)
	}
	// A foreign span again nearer: the foreign side's.
	if s := SpanForForeign(ContextWithForeignSpan(ctx, foreignTID, foreignSID, true, "")); s != nil {
		t.Fatalf("foreign span nearest: got %v", s)
	}
	own.End()
	// An invalid foreign span ("no span" on that side) hides rtool's span
	// in the context from both sides; rtool then parents on the current.
	none := ContextWithForeignSpan(ctx, [16]byte{}, [8]byte{}, false, "")
	if s := SpanForForeign(none); s != nil {
		t.Fatalf("invalid foreign span: got %v", s)
	}
	_, child := Start(none, "child", KindInternal)
	if child.Parent != cur.SpanID {
		t.Fatalf("under an invalid foreign span: parent %v, want the current span %v", child.Parent, cur.SpanID)
	}
	child.End()
	if s := SpanForForeign(NoSpanContext()); s != nil {
		t.Fatalf("NoSpanContext: got %v", s)
	}
	if SpanForForeign(nil) != nil || ContextWithForeignSpan(nil, foreignTID, foreignSID, true, "") != nil {
		t.Fatal("a nil context")
	}
}

func TestForeignWithTracingOff(t *testing.T) {
	activeOnce.Do(func() {})
	activeDone.Store(true)
	active = nil
	bg := context.Background()
	if ctx := ContextWithForeignSpan(bg, foreignTID, foreignSID, true, ""); ctx != bg {
		t.Fatal("tracing off: the context changed")
	}
	if SpanForForeign(bg) != nil || LogSpan(bg) != nil {
		t.Fatal("tracing off: a span")
	}
	if n := testing.AllocsPerRun(100, func() { _ = ContextWithForeignSpan(bg, foreignTID, foreignSID, true, "") }); n != 0 {
		t.Fatalf("tracing off: %v allocations", n)
	}
}

func TestLogSpan(t *testing.T) {
	use(t, sampler{parentBased: true, bound: 1 << 63}, &memory{})
	bg := context.Background()
	if s := LogSpan(bg); s != nil {
		t.Fatalf("outside spans: %v", s)
	}
	if s := LogSpan(nil); s != nil {
		t.Fatalf("nil context outside spans: %v", s)
	}
	cur := StartSpan("current", KindInternal)
	if s := LogSpan(bg); s != cur {
		t.Fatalf("got %v, want the current span", s)
	}
	if s := LogSpan(nil); s != cur {
		t.Fatalf("nil context: got %v, want the current span", s)
	}
	// The context's span wins, a foreign span's placeholder included.
	ctx := ContextWithForeignSpan(bg, foreignTID, foreignSID, false, "")
	if s := LogSpan(ctx); s.TraceID != foreignTID || s.SpanID != foreignSID {
		t.Fatalf("foreign span in the context: got %v", s)
	}
	cur.End()
	if s := LogSpan(bg); s != nil {
		t.Fatalf("after the span ended: %v", s)
	}
}
