"""scripts/bench (i): a large build. testdata/caddybench (caddy's cmd/caddy
with its standard modules, about 1,000 packages; modules fetched first like
(h)), cold GOCACHE, plain go build vs rtool's defaults, interleaved rounds:
wall time and CPU time (user + system of every process of the build), the
packages in the build, files parsed / files in the build, and how many
compiles ran as coordinator jobs (ran here, or reused from another go
command of the build). Minutes per build on 2 cores; --large-builds 0
leaves it out of a full run."""

import os
import re
import shutil
import statistics
import sys
import time

from benchlib import ROOT, cold_rounds, files_listed, files_parsed, gocache, proxied, run, run_cpu, table_head

CADDYBENCH = os.path.join(ROOT, "testdata", "caddybench")


def large(env, rtool, scratch, rounds):
    """Cold builds of testdata/caddybench, plain and rtool's defaults,
    interleaved with the order alternating: {mode: [(wall, cpu)]}; then the
    counts of one more rtool build with the debug log."""
    print("(i) downloading caddy's modules", file=sys.stderr)
    env = proxied(env, scratch, CADDYBENCH)
    out = os.path.join(scratch, "caddy.bin")

    def said(r, name, took):
        print(f"(i) round {r + 1}/{rounds}, {name}: {took[0]:.1f} s wall, {took[1]:.1f} s CPU", file=sys.stderr)

    modes, times = cold_rounds(env, rtool, scratch, CADDYBENCH, out, rounds, run_cpu, each=said)
    print("(i) one more rtool build with the debug log", file=sys.stderr)
    return times, large_counts(env, modes["rtool"], scratch)


def large_counts(env, cmd, scratch):
    """Of a cold rtool build of testdata/caddybench with the debug log:
    packages in the build, files parsed, files in the build, compiles, and
    compiles run as coordinator jobs (ran the compiler, reused another go
    command's compile)."""
    log = os.path.join(scratch, "caddy.log")
    cache = gocache(scratch)
    e = dict(env, GOCACHE=cache, RTOOL_LOG="debug", RTOOL_LOG_FILE=log)
    run(cmd, e, cwd=CADDYBENCH)
    shutil.rmtree(cache, ignore_errors=True)
    text = open(log).read()
    # One process per compile of a package (compile -V=full names none).
    compiles = len(set(re.findall(r"^rtool\[(\d+)\] compile [^ :]+:", text, re.M)))
    ran = len(re.findall(r"\] compile [^ :]+: ran the compiler", text))
    reused = len(re.findall(r"\] compile [^ :]+: reused the compile", text))
    counts = files_listed(e, CADDYBENCH)
    return {"packages": len(counts) // 2, "parsed": files_parsed(text), "files": sum(counts), "compiles": compiles,
            "ran": ran, "reused": reused}


def large_section(env, rtool, scratch, rounds):
    load = os.getloadavg()
    start = time.perf_counter()
    times, n = large(env, rtool, scratch, rounds)
    took = time.perf_counter() - start
    print(f"\n(i) a large build: testdata/caddybench (caddy v2.11.9, cmd/caddy with the standard modules, "
          f"{n['packages']} packages), cold GOCACHE, {rounds} interleaved rounds\n")
    table_head("median", "plain go build", "rtool, defaults", "ratio (target <= 1.03)")
    for i, what in ((0, "wall time"), (1, "CPU time (user + system)")):
        p, w = (statistics.median(t[i] for t in times[m]) for m in ("plain", "rtool"))
        print(f"| {what} | {p:.1f} s | {w:.1f} s | {w / p:.3f} |")
    per_round = ", ".join(f"{w[0] / p[0]:.3f} / {w[1] / p[1]:.3f}" for p, w in zip(times["plain"], times["rtool"]))
    print(f"\nrtool/plain per round, wall / CPU: {per_round}")
    print(f"\nfiles parsed / files in the build: {n['parsed']} / {n['files']} = "
          f"{100 * n['parsed'] / n['files']:.1f}%; compiles: {n['compiles']}, as coordinator jobs: "
          f"{n['ran'] + n['reused']} ({n['ran']} ran the compiler, {n['reused']} reused another go command's compile)")
    after = os.getloadavg()
    print(f"\nsection time {took / 60:.1f} min; load average (1, 5, 15 min) before "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, after {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}")
