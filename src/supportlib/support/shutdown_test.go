package support

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Termination signals are watched exactly while spans wait for export:
// os/signal's advice (a stand-in here: this binary's os/signal is not
// instrumented) is asked to catch up when the first span is queued and
// once the queue is drained, and nothing runs in between or after (no
// goroutine, no timer): an idle program is left alone.
func TestSignalWatchOnlyWhileSpansWait(t *testing.T) {
	var calls []bool
	signalSync = func(want func() bool, flush func(bool)) { calls = append(calls, want()) }
	t.Cleanup(func() { signalSync = nil })
	m := &memory{}
	r := use(t, sampler{parentBased: true, bound: 1 << 63}, m)
	before := runtime.NumGoroutine()
	for i := 0; i < 3; i++ {
		_, s := Start(context.Background(), "x", KindInternal)
		s.End()
	}
	if len(calls) != 1 || !calls[0] {
		t.Fatalf("asked %v after the first spans, want [true]", calls)
	}
	if n := runtime.NumGoroutine(); n != before {
		t.Fatalf("%d goroutines while spans wait for the batch period, want %d", n, before)
	}
	if !r.flush(time.Now().Add(5 * time.Second)) {
		t.Fatal("flush gave up")
	}
	if len(m.spans) != 3 || len(calls) != 2 || calls[1] {
		t.Fatalf("exported %d spans (want 3); asked %v (want [true false])", len(m.spans), calls)
	}
	r.mu.Lock()
	idle := !r.running && !r.armed && len(r.pending) == 0
	r.mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() != before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if !idle || runtime.NumGoroutine() != before {
		t.Fatalf("after the export: idle %v, %d goroutines (want %d)", idle, runtime.NumGoroutine(), before)
	}
	// The batch period exports by itself, then leaves nothing behind.
	_, s := Start(context.Background(), "y", KindInternal)
	s.End()
	for len(calls) < 4 && time.Now().Before(deadline.Add(batchPeriod)) {
		time.Sleep(10 * time.Millisecond)
	}
	m.mu.Lock()
	n := len(m.spans)
	m.mu.Unlock()
	if n != 4 || len(calls) != 4 || !calls[2] || calls[3] {
		t.Fatalf("after the batch period: %d spans (want 4), asked %v", n, calls)
	}
}

func TestTerminatingExports(t *testing.T) {
	m := &memory{}
	r := use(t, sampler{parentBased: true, bound: 1 << 63}, m)
	_, s := Start(context.Background(), "before the signal", KindInternal)
	s.End()
	terminating(false) // the program handles the signal itself
	if len(m.spans) != 1 || r.losses.exiting.Load() {
		t.Fatalf("exported %d spans (want 1); exiting %v (want false)", len(m.spans), r.losses.exiting.Load())
	}
	_, s = Start(context.Background(), "second", KindInternal)
	s.End()
	terminating(true) // the program dies of it
	if len(m.spans) != 2 || !r.losses.exiting.Load() {
		t.Fatalf("exported %d spans (want 2); exiting %v (want true)", len(m.spans), r.losses.exiting.Load())
	}
}

// A fatal panic exports the spans, the panicking one's included, and
// still prints the panic and exits with status 2 (in a child process: the
// test binary itself, told by the environment to panic).
func TestFatalPanicExports(t *testing.T) {
	if os.Getenv("SUPPORT_TEST_PANIC") == "1" {
		_, s := Start(context.Background(), "ended", KindInternal)
		s.End()
		func() {
			_, s := Start(context.Background(), "panicking", KindInternal)
			defer s.EndDeferred()
			panic("fatal for the test")
		}()
		return
	}
	out := filepath.Join(t.TempDir(), "spans.jsonl")
	cmd := exec.Command(os.Args[0], "-test.run=^TestFatalPanicExports$")
	cmd.Env = append(os.Environ(), "SUPPORT_TEST_PANIC=1", "RTOOL_TRACE="+out, "OTEL_SDK_DISABLED=", "OTEL_TRACES_SAMPLER=")
	stderr, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 || !strings.Contains(string(stderr), "panic: fatal for the test") {
		t.Fatalf("the child: %v, output:\n%s", err, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	if !strings.Contains(got, `"name":"ended"`) || !strings.Contains(got, `"name":"panicking"`) || !strings.Contains(got, `"name":"exception"`) {
		t.Fatalf("spans exported at the panic:\n%s", got)
	}
}
