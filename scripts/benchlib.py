"""What every section of scripts/bench shares: running and timing commands,
cold caches, interleaving, counting files, markdown tables, the loopback
OTLP sink ((f) and (g) export to it) and the note on the machine's load."""

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rtool_binary():
    """The release build of rtool, built (or brought up to date) first."""
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    # cargo resolves a relative CARGO_TARGET_DIR against its cwd, ROOT.
    target = os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR") or "target")
    return os.path.join(target, "release", "rtool")


def run(cmd, env, cwd=None, check=True):
    """Wall seconds of a command; a failure ends the run with its stderr."""
    start = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    took = time.perf_counter() - start
    if check and p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr.decode()}")
    return took


def run_cpu(cmd, env, cwd=None):
    """(wall, CPU) seconds of a command; CPU is user + system of it and of
    every process under it (all of them are waited for: the go command
    waits for its tools, rtool for the tool it runs and its nested go
    commands), from this process's RUSAGE_CHILDREN before and after."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    took = run(cmd, env, cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def gocache(scratch):
    """A fresh, empty GOCACHE under scratch: a cold build."""
    return tempfile.mkdtemp(dir=scratch, prefix="gocache-")


def rotated(modes, r):
    """The names of modes in round r's order: each round starts one later,
    so that drift hits every mode alike (two modes alternate)."""
    names = list(modes)
    return names[r % len(names):] + names[:r % len(names)]


def cold_rounds(env, rtool, scratch, moddir, out, rounds, measure, each=None):
    """Cold builds of the main package in moddir, plain and with rtool,
    rounds times in alternating order: the two commands, and {mode:
    [measure(cmd, env, cwd=moddir)]}; each(round, mode, result) after every
    build."""
    modes = {"plain": ["go", "build", "-o", out, "."], "rtool": ["go", "build", "-toolexec", rtool, "-o", out, "."]}
    results = {name: [] for name in modes}
    for r in range(rounds):
        for name in rotated(modes, r):
            cache = gocache(scratch)
            results[name].append(measure(modes[name], dict(env, GOCACHE=cache), cwd=moddir))
            shutil.rmtree(cache, ignore_errors=True)
            if each:
                each(r, name, results[name][-1])
    return modes, results


def files_parsed(log):
    """Files rtool parsed, summed over a debug log's text."""
    return sum(int(m) for m in re.findall(r"files seen \d+, parsed (\d+)", log))


def files_listed(env, cwd):
    """Per package of the build in cwd: its Go files, then its cgo files."""
    listed = subprocess.run(["go", "list", "-deps", "-f", "{{len .GoFiles}} {{len .CgoFiles}}", "."],
                            env=env, cwd=cwd, capture_output=True, text=True, check=True).stdout
    return [int(x) for x in listed.split()]


def ms(seconds):
    return f"{seconds * 1e3:.2f} ms"


def table_head(*columns):
    """A markdown table's header row and separator."""
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))


def progress(msg):
    """A line on stderr, so that a long run shows it is alive."""
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def proxied(env, scratch, moddir):
    """env for building the module in moddir with -mod=mod: its modules
    fetched first through the environment's own module proxy (env has
    GOPROXY=off) into a module cache of this run's (writable, so that the
    run can delete it)."""
    env = dict(env, GOMODCACHE=os.path.join(scratch, "modcache"), GOFLAGS="-mod=mod -modcacherw")
    proxy = subprocess.run(["go", "env", "GOPROXY"], capture_output=True, text=True).stdout.strip()
    run(["go", "mod", "download"], dict(env, GOPROXY=proxy), cwd=moddir)
    return env


def pin(cpu):
    """The taskset prefix that keeps a process on one core (none on a
    single-core machine)."""
    return ["taskset", "-c", str(cpu)] if shutil.which("taskset") and os.cpu_count() >= 2 else []


SINK = """package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync/atomic"
)

func main() {
	var requests, bytes atomic.Int64
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println(l.Addr())
	go func() { // a line on stdin: print the counts
		var b [1]byte
		for {
			if _, err := os.Stdin.Read(b[:]); err != nil {
				return
			}
			fmt.Println(requests.Load(), bytes.Load())
		}
	}()
	http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		requests.Add(1)
		bytes.Add(n)
		w.WriteHeader(200)
	}))
}
"""


class Sink:
    """The OTLP sink of SINK, built once per run and started per use:
    `with Sink(env, scratch) as sink:` gives sink.addr and sink.counts()
    (requests and body bytes received so far). `prefix` pins it to a core
    (in (f), the load generator's: a collector's work is not the server's
    and must not take its core)."""

    def __init__(self, env, scratch, prefix=()):
        self.prefix = list(prefix)
        d = os.path.join(scratch, "export", "sink")
        self.binary = os.path.join(scratch, "export", "sink.bin")
        if not os.path.exists(self.binary):
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "go.mod"), "w") as f:
                f.write("module example.com/sink\n\ngo 1.22\n")
            with open(os.path.join(d, "main.go"), "w") as f:
                f.write(SINK)
            run(["go", "build", "-o", self.binary, "."], env, cwd=d)
        self.env = env

    def __enter__(self):
        self.proc = subprocess.Popen(self.prefix + [self.binary], env=self.env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.addr = self.proc.stdout.readline().strip()
        return self

    def counts(self):
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        return [int(x) for x in self.proc.stdout.readline().split()]

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


def cpu_times():
    """The machine's CPU time so far, in ticks: (all, stolen by the hypervisor)."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    return sum(ticks[:8]), ticks[7] if len(ticks) > 7 else 0


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def machine_note(start_load, start_ticks):
    """What else the machine did during the run: the figures are only as
    steady as this."""
    (all0, stolen0), (all1, stolen1) = start_ticks, cpu_times()
    stolen = 100 * (stolen1 - stolen0) / max(all1 - all0, 1)
    print(f"\nmachine during this run: load average (1 min) {start_load} at its start, {loadavg()} at its end; "
          f"CPU time stolen by the hypervisor: {stolen:.1f}%")
