"""scripts/bench (b) to (e): whole builds of testdata/webapp (net/http +
database/sql, about 190 packages).

(b) whole-build wall time, plain go build vs go build -toolexec rtool with no
    aspects (RTOOL_DISABLE=all) and with its defaults (built-in tracing):
    cold GOCACHE (fresh per build), warm with the binary relinked, and warm
    with the binary up to date;
(c) peak RSS of rtool's own work: the largest VmHWM any rtool process of a
    whole cold build logged before it ran or exec'd its tool (RTOOL_LOG=debug;
    a pass-through process becomes the tool, so later memory is the tool's);
(d) with a realistic aspect set (testdata/webapp-aspects: functions in
    net/http and database/sql, a directive in main): files parsed / files
    in the build, the same whole-build ratios, and rtool's peak RSS;
(e) with testdata/webapp-support (an aspect calling rtool's support library
    from every net/http handler): nested go commands, compiler runs vs a
    plain build (no package compiled twice), and the whole-build ratios."""

import os
import re
import shutil
import statistics
import subprocess

from benchlib import ROOT, files_listed, files_parsed, gocache, rotated, run, table_head

WEBAPP = os.path.join(ROOT, "testdata", "webapp")
ASPECTS = os.path.join(ROOT, "testdata", "webapp-aspects", "aspects.go")
SUPPORT = os.path.join(ROOT, "testdata", "webapp-support", "aspects.go")


def builds(env, rtool, rounds, scratch):
    """Wall seconds per mode {mode: [s]}: cold builds (`rounds` each), then
    warm relinks and warm up-to-date builds (at least 5 each)."""
    out = os.path.join(scratch, "webapp.bin")
    plain = ["go", "build", "-o", out, "."]
    wrapped = ["go", "build", "-toolexec", rtool, "-o", out, "."]
    modes = {"plain": (plain, env), "bare": (wrapped, dict(env, RTOOL_DISABLE="all")), "rtool": (wrapped, env),
             "aspects": (wrapped, dict(env, RTOOL_ASPECTS=ASPECTS)),
             "support": (wrapped, dict(env, RTOOL_ASPECTS=SUPPORT))}
    cold = {name: [] for name in modes}
    for r in range(rounds):
        for name in rotated(modes, r):
            cmd, e = modes[name]
            cache = gocache(scratch)
            cold[name].append(run(cmd, dict(e, GOCACHE=cache), cwd=WEBAPP))
            shutil.rmtree(cache, ignore_errors=True)
    # Warm: one cache per mode, filled first.
    relink = {name: [] for name in modes}
    uptodate = {name: [] for name in modes}
    caches = {name: gocache(scratch) for name in modes}
    for name, (cmd, e) in modes.items():
        run(cmd, dict(e, GOCACHE=caches[name]), cwd=WEBAPP)
    for r in range(max(rounds, 5)):
        for name in rotated(modes, r):
            cmd, e = modes[name]
            e = dict(e, GOCACHE=caches[name])
            os.remove(out)
            relink[name].append(run(cmd, e, cwd=WEBAPP))
            uptodate[name].append(run(cmd, e, cwd=WEBAPP))
    return cold, relink, uptodate


def peak_rss(env, rtool, scratch):
    """(largest peak RSS in kB, rtool processes) of a cold build's debug log."""
    log = os.path.join(scratch, "rtool.log")
    e = dict(env, GOCACHE=gocache(scratch), RTOOL_LOG="debug", RTOOL_LOG_FILE=log)
    run(["go", "build", "-toolexec", rtool, "-o", os.path.join(scratch, "w.bin"), "."], e, cwd=WEBAPP)
    peaks = [int(m) for m in re.findall(r"peak RSS (\d+) kB", open(log).read())]
    return max(peaks), len(peaks)


def aspect_counts(env, rtool, scratch):
    """(files parsed, files in the build, peak RSS in kB) for a cold build
    with the aspect set."""
    log = os.path.join(scratch, "aspects.log")
    e = dict(env, GOCACHE=gocache(scratch), RTOOL_LOG="debug", RTOOL_LOG_FILE=log, RTOOL_ASPECTS=ASPECTS)
    run(["go", "build", "-toolexec", rtool, "-o", os.path.join(scratch, "a.bin"), "."], e, cwd=WEBAPP)
    text = open(log).read()
    peak = max(int(m) for m in re.findall(r"peak RSS (\d+) kB", text))
    return files_parsed(text), sum(files_listed(e, WEBAPP)), peak


def injection_counts(env, rtool, scratch):
    """Nested go commands, real compiles (and repeats) of an rtool build with
    the support-library aspect, and the compiles of a plain build, cold."""
    log = os.path.join(scratch, "support.log")
    e = dict(env, GOCACHE=gocache(scratch), RTOOL_LOG="debug", RTOOL_LOG_FILE=log, RTOOL_ASPECTS=SUPPORT)
    run(["go", "build", "-toolexec", rtool, "-o", os.path.join(scratch, "s.bin"), "."], e, cwd=WEBAPP)
    text = open(log).read()
    nested = len(re.findall(r" nested: ", text))
    ran = re.findall(r"compile ([^:]+): ran the compiler", text)
    reused = len(re.findall(r"reused the compile", text))
    p = subprocess.run(["go", "build", "-x", "-o", os.path.join(scratch, "p.bin"), "."],
                       env=dict(env, GOCACHE=gocache(scratch)), cwd=WEBAPP,
                       capture_output=True, text=True, check=True)
    plain = len(re.findall(r"/compile -o", p.stderr))
    return nested, len(ran), len(ran) - len(set(ran)), reused, plain


def ratio_rows(times, mode, targets):
    """Rows of plain vs `mode` per kind of build: times are (cold, relink,
    up to date), targets the ratio's goal of each."""
    names = ("cold GOCACHE", "warm GOCACHE, relink", "warm GOCACHE, up to date")
    for name, data, target in zip(names, times, targets):
        p, w = statistics.median(data["plain"]), statistics.median(data[mode])
        print(f"| {name} | {p:.3f} s | {w:.3f} s | {w / p:.3f} | {target} |")


def builds_section(env, rtool, scratch, rounds):
    """(b) to (e), printed as each is measured."""
    times = builds(env, rtool, rounds, scratch)
    print("\n(b) whole build of testdata/webapp vs plain go build: rtool with no aspects at all "
          "(RTOOL_DISABLE=all), and rtool's defaults (built-in tracing: runtime patch, net/http, "
          "database/sql, support library)\n")
    table_head("build", "plain", "no aspects", "ratio", "target", "defaults", "ratio")
    for name, data, target in zip(("cold GOCACHE", "warm GOCACHE, relink", "warm GOCACHE, up to date"), times,
                                  ("<= 1.05", "<= 1.10", "<= 1.10")):
        p, b, w = (statistics.median(data[m]) for m in ("plain", "bare", "rtool"))
        print(f"| {name} | {p:.3f} s | {b:.3f} s | {b / p:.3f} | {target} | {w:.3f} s | {w / p:.3f} |")

    peak, n = peak_rss(env, rtool, scratch)
    print("\n(c) peak RSS of rtool (target: <= 20 MB)\n")
    print(f"largest VmHWM of the {n} rtool processes of a cold build, before each ran its tool: "
          f"{peak / 1024:.1f} MB")

    parsed, total, apeak = aspect_counts(env, rtool, scratch)
    print("\n(d) with the aspect set of testdata/webapp-aspects vs plain go build\n")
    print(f"files parsed / files in the build: {parsed} / {total} = {100 * parsed / total:.1f}% (target <= 5%)\n")
    table_head("build", "plain", "rtool + aspects", "ratio", "target")
    ratio_rows(times, "aspects", ("<= 1.10",) * 3)
    print(f"\npeak RSS of rtool with the aspect set: {apeak / 1024:.1f} MB (target <= 20 MB)")

    nested, ran, repeats, reused, plain_compiles = injection_counts(env, rtool, scratch)
    print("\n(e) with testdata/webapp-support (the support library called from every net/http handler)\n")
    print(f"nested go commands per build: {nested} (one per distinct resolution); compiler runs: {ran} "
          f"(repeated packages: {repeats}; compiles shared with the nested build: {reused}) vs {plain_compiles} "
          "in a plain build\n")
    table_head("build", "plain", "rtool + support library", "ratio", "target")
    ratio_rows(times, "support", ("<= 1.15", "<= 1.10", "<= 1.10"))
