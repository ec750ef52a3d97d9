"""scripts/bench (f): the instrumented program.

Go benchmarks of the support library under rtool (goroutine-local get/set,
current span, span start+end with no exporter and with the batching
exporter); then three servers on loopback, each on one core with
GOMAXPROCS=1 and its load generator on the other, plain build vs rtool's
built-in tracing, interleaved rounds (--rounds, --load-seconds each):
requests/s, the server's CPU per request (/proc/PID/stat), the share of its
core it kept busy, the bytes its spans took to a loopback OTLP sink (on the
load generator's core) and the spans it said it dropped.

The HTTP server (testdata/tracebench, 16 keep-alive connections) with no
exporter, every span as JSON lines (RTOOL_TRACE=/dev/null), every span over
OTLP protobuf to the sink, the same gzipped, 10% sampled over OTLP, and
OTLP configured with nothing sampled (traceidratio 0); the same route
making one database/sql query per request (testdata/tracebench/sqlserver,
testdata/webapp's in-memory driver) and a gRPC unary server
(testdata/grpcbench: grpc's health service, 16 concurrent callers on one
connection; its modules fetched first as in (h)), with no exporter and
every span over OTLP. Each server run is probed first (the right answer;
the sink received spans, or none at 0%). Last, the HTTP server's peak RSS
(VmHWM) under saturation load for --rss-seconds (default 60), plain vs
every span over OTLP to the sink and to a collector that is down (a closed
loopback port), with the spans the server says it dropped.

The servers and their load are in bench_servers.py."""

import os
import re
import statistics
import subprocess
import sys

from bench_servers import check_json_lines, grpc_probe, http_probe, memory_runs, serve_rounds
from benchlib import ROOT, Sink, gocache, pin, progress, proxied, run, table_head

TRACEBENCH = os.path.join(ROOT, "testdata", "tracebench")
GRPCBENCH = os.path.join(ROOT, "testdata", "grpcbench")
SUPPORTLIB = os.path.join(ROOT, "src", "supportlib")
ITEM3 = '{"id":3,"name":"item-3"}\n'


def supportlib_benchmarks(env, rtool, scratch):
    """Median ns/op and allocs/op of the support library's Go benchmarks."""
    e = dict(env, GOCACHE=gocache(scratch), GOFLAGS="-mod=mod",
             RTOOL_DISABLE="builtin.http,builtin.sql")  # see testdata/script/supportlib.txtar
    p = subprocess.run(["go", "test", "-toolexec", rtool, "-run", "^$", "-bench", ".", "-benchmem", "-count", "5",
                        "./support"], env=e, cwd=SUPPORTLIB, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench: go test -bench failed:\n{p.stdout}{p.stderr}")
    runs = {}
    for m in re.finditer(r"^Benchmark(\w+)-\d+\s+\d+\s+([\d.]+) ns/op\s+\d+ B/op\s+(\d+) allocs/op", p.stdout, re.M):
        runs.setdefault(m.group(1), []).append((float(m.group(2)), int(m.group(3))))
    return {k: (statistics.median(n for n, _ in v), max(a for _, a in v)) for k, v in runs.items()}


def build_servers(env, rtool, scratch):
    """The servers of (f), plain and under rtool, and their load generators:
    {name: path}."""
    bins = {}
    genv = proxied(env, scratch, GRPCBENCH)
    for name, d, pkg, e in (("http", TRACEBENCH, ".", env), ("sql", TRACEBENCH, "./sqlserver", env),
                            ("grpc", GRPCBENCH, ".", genv)):
        for kind, cmd in (("plain", ["go", "build"]), ("traced", ["go", "build", "-toolexec", rtool])):
            progress(f"(f) building the {name} server, {kind}")
            bins[f"{name}-{kind}"] = os.path.join(scratch, f"{name}-{kind}")
            run(cmd + ["-o", bins[f"{name}-{kind}"], pkg], e, cwd=d)
    bins["http-load"] = os.path.join(scratch, "http-load")
    run(["go", "build", "-o", bins["http-load"], "./load"], env, cwd=TRACEBENCH)
    bins["grpc-load"] = os.path.join(scratch, "grpc-load")
    run(["go", "build", "-o", bins["grpc-load"], "./load"], genv, cwd=GRPCBENCH)
    return bins


def supportlib_table(env, rtool, scratch):
    table_head("Go benchmark (support library, under rtool)", "ns/op", "allocs/op", "target")
    progress("(f) the support library's Go benchmarks")
    marks = supportlib_benchmarks(env, rtool, scratch)
    for name, what, target in (("LocalGet", "goroutine-local get", "<= 5 ns, 0 allocs"),
                               ("LocalSet", "goroutine-local set", "<= 5 ns, 0 allocs"),
                               ("CurrentSpan", "current span", "<= 5 ns, 0 allocs"),
                               ("SpanNoExporter", "span start+end, no exporter", "<= 300 ns, <= 2 allocs"),
                               ("SpanBatching", "span start+end, batching exporter", "<= 300 ns, <= 2 allocs")):
        ns, allocs = marks[name]
        print(f"| {what} | {ns:.1f} | {allocs} | {target} |", flush=True)


def serve_table(title, results):
    """A markdown table of serve_rounds' results, with each mode's targets."""
    base, base_cpu = results["plain build"][:2]
    print(f"\n| {title} | requests/s | vs plain | target | server CPU per request | vs plain | target "
          "| server core busy | to the sink per request | spans dropped |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, (v, c, s, busy, lost, targets) in results.items():
        tput, tcpu = targets
        print(f"| {name} | {v:.0f} | {v / base:.3f} | {f'>= {tput}' if tput else '—'} | {c * 1e6:.2f} µs "
              f"| {c / base_cpu:.3f} | {f'<= {tcpu}' if tcpu else '—'} | {100 * busy:.0f}% "
              f"| {'—' if s is None else f'{s:.0f} B'} | {'—' if lost is None else lost} |")


def http_modes(bins, otlp, every):
    """The HTTP server's modes: {name: (binary, extra env, (throughput
    target, CPU target))}."""
    traced = bins["http-traced"]
    return {"plain build": (bins["http-plain"], {}, (None, None)),
            "rtool, no exporter": (traced, {}, (0.95, None)),
            "rtool, every span as JSON lines (RTOOL_TRACE=/dev/null)": (
                traced, {"RTOOL_TRACE": "/dev/null"}, (0.95, None)),
            "rtool, every span over OTLP (protobuf, to a loopback sink)": (traced, otlp, every),
            "rtool, every span over OTLP (protobuf, gzip)": (
                traced, dict(otlp, OTEL_EXPORTER_OTLP_COMPRESSION="gzip"), every),
            "rtool, 10% sampled over OTLP (parentbased_traceidratio 0.1)": (traced, dict(
                otlp, OTEL_TRACES_SAMPLER="parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG="0.1"), (0.98, None)),
            "rtool, OTLP configured, 0% sampled (traceidratio 0)": (traced, dict(
                otlp, OTEL_TRACES_SAMPLER="traceidratio", OTEL_TRACES_SAMPLER_ARG="0"), (0.99, None))}


def throughput_tables(bins, env, sink, scratch, rounds, seconds):
    """The three servers' tables: HTTP in every mode, then HTTP with a
    database/sql query and gRPC with no exporter and every span over OTLP."""
    otlp = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://{sink.addr}"}
    http_load = lambda addr, d: [bins["http-load"], "-addr", addr, "-d", f"{d}s"]
    every = (0.95, 1.05)  # every request exported over OTLP
    http = http_modes(bins, otlp, every)
    probe = http_probe(ITEM3)
    check_json_lines(bins["http-traced"], env, scratch, probe, "GET /items/{id}")
    res = serve_rounds("HTTP", http, http_load, probe, rounds, seconds, env, sink, scratch)
    print(f"\n{rounds} interleaved round(s) of {seconds} s of load each (medians); server and load generator on one "
          "core each, GOMAXPROCS=1; 16 keep-alive connections, 16 concurrent gRPC callers on one connection")
    serve_table("HTTP server (testdata/tracebench)", {m: res[m] + (http[m][2],) for m in http})

    for title, key, load, probe in (
            ("HTTP + one database/sql query (testdata/tracebench/sqlserver, memdb)", "sql", http_load,
             http_probe('{"id":3,"name":"hello, 3"}\n')),
            ("gRPC unary server (testdata/grpcbench, health Check)", "grpc",
             lambda addr, d: [bins["grpc-load"], "-addr", addr, "-d", f"{d}s"], grpc_probe(bins["grpc-load"]))):
        modes = {"plain build": (bins[f"{key}-plain"], {}, (None, None)),
                 "rtool, no exporter": (bins[f"{key}-traced"], {}, (0.95, None)),
                 "rtool, every span over OTLP (protobuf, to a loopback sink)": (bins[f"{key}-traced"], otlp, every)}
        res = serve_rounds(key, modes, load, probe, rounds, seconds, env, sink, scratch)
        serve_table(title, {m: res[m] + (modes[m][2],) for m in modes})


def memory_table(mem, seconds, rounds):
    """memory_runs' results, and what the server said with the collector
    down."""
    plain = mem["plain build"][0]
    print(f"\nHTTP server (testdata/tracebench) under saturation load for {seconds} s, "
          f"{rounds} interleaved round(s): peak RSS (VmHWM just before it is stopped)\n")
    table_head("mode", "peak RSS", "vs plain", "target", "requests served", "spans dropped (the server's stderr)")
    for name, (kb, served, lost, _) in mem.items():
        diff = "—" if name == "plain build" else f"{(kb - plain) / 1024:+.1f} MB"
        target = {"plain build": "—"}.get(name, "within 5 MB" if "sink" in name else "bounded")
        print(f"| {name} | {kb / 1024:.1f} MB | {diff} | {target} | {served} | "
              f"{'—' if name == 'plain build' else lost} |")
    lines = [line for m, v in mem.items() if "closed" in m for line in v[3]]
    if lines:
        print("\nwhat the server said with the collector down (its lines with \"dropped\" or \"not exported\"):\n")
        for line in lines[:6]:
            print(f"    {line}")


def program_section(env, rtool, scratch, args):
    """(f) the instrumented program: the support library's Go benchmarks,
    then the throughput and CPU per request of three servers (HTTP, HTTP
    with a database/sql query, gRPC unary), plain vs rtool's modes, and the
    HTTP server's peak RSS under a longer load."""
    print("\n(f) the instrumented program\n")
    supportlib_table(env, rtool, scratch)
    bins = build_servers(env, rtool, scratch)
    with Sink(env, scratch, pin(1)) as sink:
        throughput_tables(bins, env, sink, scratch, args.rounds, args.load_seconds)
        mem = memory_runs(bins, env, sink, scratch, args.rss_seconds, args.rss_rounds)
    memory_table(mem, args.rss_seconds, args.rss_rounds)
