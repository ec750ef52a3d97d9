package support

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The runtime starts os/signal's watch once, when both it and the support
// library's flush are there (this binary's os/signal is not instrumented:
// the test stands in for it).
func TestTerminationWatchStartsOnceWithTracing(t *testing.T) {
	var started []func(bool)
	watch := func(flush func(dying bool)) { started = append(started, flush) }
	runtime_rtglsSigwatch(watch, nil)
	if len(started) != 0 {
		t.Fatal("the watch started without tracing")
	}
	watchShutdown(newRecorder(sampler{parentBased: true, bound: 1 << 63}, &memory{}))
	if len(started) != 1 || started[0] == nil {
		t.Fatalf("the watch started %d times when tracing started, want 1", len(started))
	}
	watchShutdown(newRecorder(sampler{parentBased: true, bound: 1 << 63}, &memory{}))
	runtime_rtglsSigwatch(watch, nil)
	if len(started) != 1 {
		t.Fatalf("the watch started %d times, want once", len(started))
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
