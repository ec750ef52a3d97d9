package support

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"
)

// The span API's traps: spans ended out of order or on another
// goroutine, goroutines outliving the span they inherited, changes after
// End, integer attributes, spans without a recorder. (Under rtool: the
// goroutine-local parts need its runtime patch.)

func TestSpansEndedOutOfOrderAreNeverCurrent(t *testing.T) {
	use(t, sampler{bound: 1 << 63}, &memory{})
	outer := StartSpan("outer", KindInternal)
	a := StartSpan("a", KindInternal)
	b := StartSpan("b", KindInternal)
	a.End() // before b, its child
	if CurrentSpan() != b {
		t.Fatal("ending a span that is not current changed the current span")
	}
	c := StartSpan("c", KindInternal)
	c.End()
	if c.Parent != b.SpanID {
		t.Fatal("c is not b's child")
	}
	b.End()
	if cur := CurrentSpan(); cur != outer {
		t.Fatalf("after b ended, current is %v, want outer (a has ended)", name(cur))
	}
	d := StartSpan("d", KindInternal)
	d.End()
	if d.Parent != outer.SpanID {
		t.Fatal("d's parent is not outer")
	}
	outer.End()
	if cur := CurrentSpan(); cur != nil {
		t.Fatalf("after all ended, current is %v", name(cur))
	}
}

func TestSpanEndedOnAnotherGoroutine(t *testing.T) {
	use(t, sampler{bound: 1 << 63}, &memory{})
	outer := StartSpan("outer", KindInternal)
	s := StartSpan("s", KindInternal)
	done := make(chan bool)
	go func() { s.End(); done <- true }()
	<-done
	if cur := CurrentSpan(); cur != outer {
		t.Fatalf("current is %v after s ended elsewhere, want outer", name(cur))
	}
	next := StartSpan("next", KindInternal)
	next.End()
	if next.Parent != outer.SpanID {
		t.Fatal("a span started after s ended elsewhere is not outer's child")
	}
	outer.End()
	alone := StartSpan("alone", KindInternal)
	alone.End()
	if alone.Parent != (SpanID{}) || alone.TraceID == outer.TraceID {
		t.Fatal("with every span ended, a new span does not start a new trace")
	}
}

// A worker started lazily while request A is served (sync.Once) inherits
// A's span; a job it runs for request B after A ended must not join A's
// trace. A goroutine the request starts and waits for stays in it.
func TestInheritedParentThatEndedIsNotAParent(t *testing.T) {
	use(t, sampler{bound: 1 << 63}, &memory{})
	var once sync.Once
	jobs := make(chan func())
	serve := func(name string, job func()) *Span {
		req := StartHTTPServer("GET", "/"+name, "h:1", "HTTP/1.1", false, "", "")
		once.Do(func() {
			go func() {
				for j := range jobs {
					j()
				}
			}()
		})
		var own *Span
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // the request's own goroutine
			defer wg.Done()
			own = StartSpan("own", KindInternal)
			own.End()
		}()
		wg.Wait()
		if own.Parent != req.SpanID || own.TraceID != req.TraceID {
			t.Errorf("%s: the request's own goroutine's span is not its child", name)
		}
		jobs <- job
		EndHTTPServer(req, 200, "", "/"+name)
		return req
	}
	done := make(chan *Span)
	a := serve("a", func() { done <- nil })
	<-done
	b := serve("b", func() {
		// Runs after request b's handler handed it over; request a has
		// ended: the worker's inherited span is a's.
		time.Sleep(10 * time.Millisecond)
		s := StartSpan("job", KindInternal)
		s.End()
		done <- s
	})
	job := <-done
	close(jobs)
	if job.TraceID == a.TraceID || job.Parent == a.SpanID {
		t.Fatal("a job run for request b joined ended request a's trace")
	}
	if job.Parent != (SpanID{}) || job.TraceID == b.TraceID {
		t.Fatal("the job should start a trace of its own (b's span is not the worker's)")
	}
	// A context passed in is the parent, ended or not.
	_, viaCtx := Start(ContextWithSpan(context.Background(), a), "late", KindInternal)
	viaCtx.End()
	if viaCtx.Parent != a.SpanID {
		t.Fatal("the span of a context passed in is not the parent")
	}
}

func TestChangesAfterEndAreIgnored(t *testing.T) {
	m := &memory{}
	r := use(t, sampler{bound: 1 << 63}, m)
	s := StartHTTPServer("GET", "/x", "h:1", "HTTP/1.1", false, "", "")
	s.SetAttributes(String("before", "yes"))
	s.End()
	s.SetAttributes(String("after", "yes"))
	s.SetStatus(StatusError, "late")
	s.AddEvent("late")
	s.RecordPanic("late")
	EndHTTPServer(s, 500, "GET /x", "/x")
	s.End()
	r.flush(time.Now().Add(time.Second))
	if len(m.spans) != 1 {
		t.Fatalf("%d spans exported, want 1", len(m.spans))
	}
	got := m.spans[0]
	if got.Name != "GET" || got.Status != StatusUnset || len(got.Events) != 0 || attr(got, "after") != nil ||
		attr(got, "http.route") != nil || attr(got, "before") != "yes" {
		t.Fatalf("changed after End: %q %v %v %v", got.Name, got.Status, got.Events, got.Attrs)
	}
}

func TestAnyIntegers(t *testing.T) {
	for _, c := range []struct {
		v    any
		want any
	}{
		{int(-1), int64(-1)}, {int8(-8), int64(-8)}, {int16(-16), int64(-16)}, {int32(-32), int64(-32)}, {int64(math.MinInt64), int64(math.MinInt64)},
		{uint(1), int64(1)}, {uint8(255), int64(255)}, {uint16(65535), int64(65535)}, {uint32(math.MaxUint32), int64(math.MaxUint32)},
		{uint64(math.MaxInt64), int64(math.MaxInt64)}, {uintptr(7), int64(7)},
		{uint64(math.MaxUint64), "18446744073709551615"}, {uint(math.MaxUint64), "18446744073709551615"},
		{float32(0.5), 0.5}, {"s", "s"}, {true, true},
	} {
		if got := Any("k", c.v).Value(); got != c.want {
			t.Errorf("Any(%T %v) = %T %v, want %T %v", c.v, c.v, got, got, c.want, c.want)
		}
	}
	if b := appendAttrs(nil, []Attr{Any("k", uint8(3))}); string(b) != `[{"key":"k","value":{"intValue":"3"}}]` {
		t.Errorf("uint8 encoded as %s", b)
	}
}

// A span made without Start (a parent from another tracing API, say) has
// no recorder: its methods do nothing, and it still parents.
func TestSpanWithoutRecorder(t *testing.T) {
	m := &memory{}
	r := use(t, sampler{parentBased: true, bound: 1 << 63}, m)
	p := &Span{TraceID: TraceID{1}, SpanID: SpanID{2}, Sampled: true}
	p.SetAttributes(String("k", "v"))
	p.SetStatus(StatusError, "x")
	p.AddEvent("e")
	p.RecordPanic("boom")
	p.EndWith(nil)
	EndHTTPServer(p, 500, "GET /x", "/x")
	EndHTTPClient(p, 500, nil, "")
	EndDB(p, context.Canceled)
	p.End()
	if p.Attrs != nil || p.Status != StatusUnset || p.Events != nil || p.Name != "" {
		t.Fatalf("a span without a recorder changed: %+v", p)
	}
	_, c := Start(ContextWithSpan(context.Background(), p), "child", KindInternal)
	c.End()
	r.flush(time.Now().Add(time.Second))
	if len(m.spans) != 1 || m.spans[0] != c || c.TraceID != p.TraceID || c.Parent != p.SpanID {
		t.Fatalf("exported %d spans; the child's parent is not the placeholder", len(m.spans))
	}
}

// attr is the value of s's attribute key as exported, or nil.
func attr(s *Span, key string) any {
	for _, a := range s.exportAttrs(nil) {
		if a.Key == key {
			return a.Value()
		}
	}
	return nil
}

func name(s *Span) string {
	if s == nil {
		return "nil"
	}
	return s.Name
}
