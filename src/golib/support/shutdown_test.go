package support

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// resetTermination forgets the termination watch for the test.
func resetTermination(t *testing.T) {
	t.Helper()
	save := termination.watch
	termination.mu.Lock()
	termination.watch, termination.tracing, termination.started = nil, false, false
	termination.mu.Unlock()
	t.Cleanup(func() {
		termination.mu.Lock()
		termination.watch, termination.tracing, termination.started = save, false, false
		termination.mu.Unlock()
	})
}

func TestTerminationWatchStartsOnceWithTracing(t *testing.T) {
	resetTermination(t)
	calls := 0
	RegisterTermination(func() { calls++ })
	if calls != 0 {
		t.Fatal("the watch started without tracing")
	}
	watchShutdown(newRecorder(sampler{parentBased: true, bound: 1 << 63}, &memory{}))
	if calls != 1 {
		t.Fatalf("the watch started %d times when tracing started, want 1", calls)
	}

	// os/signal initialised after tracing started: the watch starts at once.
	resetTermination(t)
	watchShutdown(newRecorder(sampler{parentBased: true, bound: 1 << 63}, &memory{}))
	RegisterTermination(func() { calls++ })
	if calls != 2 {
		t.Fatalf("a watch registered after tracing started ran %d times, want 1", calls-1)
	}
}

func TestTerminatingExports(t *testing.T) {
	m := &memory{}
	r := use(t, sampler{parentBased: true, bound: 1 << 63}, m)
	_, s := Start(context.Background(), "before the signal", KindInternal)
	s.End()
	Terminating(false) // the program handles the signal itself
	if len(m.spans) != 1 || r.losses.exiting.Load() {
		t.Fatalf("exported %d spans (want 1); exiting %v (want false)", len(m.spans), r.losses.exiting.Load())
	}
	_, s = Start(context.Background(), "second", KindInternal)
	s.End()
	Terminating(true) // the program dies of it
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
			defer func() { s.EndWith(recover()) }()
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
