"""scripts/bench (h): the integrations. testdata/allinone (chi, gRPC,
go-redis, pgx, NATS in one service; its modules fetched first through the
environment's own module proxy), cold whole build, plain go build vs rtool
with every integration (its defaults), interleaved rounds; and files parsed
per build / files in the build."""

import os
import statistics

from benchlib import ROOT, cold_rounds, files_listed, files_parsed, gocache, proxied, run, table_head

ALLINONE = os.path.join(ROOT, "testdata", "allinone")


def integrations(env, rtool, scratch, rounds):
    """Cold build times (plain, rtool) of testdata/allinone, and (files
    parsed, files in the build) of one rtool build."""
    env = proxied(env, scratch, ALLINONE)
    out = os.path.join(scratch, "allinone.bin")
    modes, cold = cold_rounds(env, rtool, scratch, ALLINONE, out, rounds, run)
    log = os.path.join(scratch, "allinone.log")
    e = dict(env, GOCACHE=gocache(scratch), RTOOL_LOG="debug", RTOOL_LOG_FILE=log)
    run(modes["rtool"], e, cwd=ALLINONE)
    parsed = files_parsed(open(log).read())
    return {m: statistics.median(v) for m, v in cold.items()}, parsed, sum(files_listed(e, ALLINONE))


def integrations_section(env, rtool, scratch, rounds):
    times, parsed, total = integrations(env, rtool, scratch, rounds)
    print(f"\n(h) testdata/allinone (chi, gRPC, go-redis, pgx, NATS), cold GOCACHE, {rounds} interleaved rounds\n")
    table_head("plain go build", "rtool, every integration", "ratio (goal <= 1.10)", "files parsed / in the build")
    p, w = times["plain"], times["rtool"]
    print(f"| {p:.2f} s | {w:.2f} s | {w / p:.3f} | {parsed} / {total} = {100 * parsed / total:.1f}% (target <= 5%) |")
