"""scripts/bench (a): added time per toolexec call. The real tool run
directly vs through rtool, interleaved call by call, for compile -V=full
(rtool answers), a pass-through call (asm -V=full) and a real compile of a
small package."""

import os
import statistics

from benchlib import ms, run, table_head


def per_call(env, rtool, tooldir, calls, scratch):
    """Per case: (name, median direct, median through rtool, median of the
    pairs' differences) in seconds."""
    # A small package compiled as the go command would: -o inside $WORK/bNNN.
    work = os.path.join(scratch, "go-build1", "b001")
    os.makedirs(work)
    src = os.path.join(scratch, "small.go")
    with open(src, "w") as f:
        f.write("package small\n\nfunc Add(a, b int) int { return a + b }\n")
    cfg = os.path.join(work, "importcfg")
    open(cfg, "w").close()
    compile_ = os.path.join(tooldir, "compile")
    cases = {
        "compile -V=full (answered by rtool)": [compile_, "-V=full"],
        "asm -V=full (pass-through)": [os.path.join(tooldir, "asm"), "-V=full"],
        "compile of a small package (pass-through)": [
            compile_, "-o", os.path.join(work, "_pkg_.a"), "-p", "example.com/small",
            "-complete", "-importcfg", cfg, "-pack", src],
    }
    rows = []
    for name, cmd in cases.items():
        direct, wrapped, diffs = [], [], []
        for i in range(calls):
            # Alternate which goes first, so drift hits both sides alike.
            if i % 2:
                w = run([rtool] + cmd, env)
                d = run(cmd, env)
            else:
                d = run(cmd, env)
                w = run([rtool] + cmd, env)
            direct.append(d)
            wrapped.append(w)
            diffs.append(w - d)
        rows.append((name, statistics.median(direct), statistics.median(wrapped), statistics.median(diffs)))
    return rows


def calls_section(env, rtool, tooldir, calls, scratch):
    print("(a) added time per toolexec call (target: <= 1 ms)\n")
    table_head("call", "direct", "through rtool", "added (median of pairs)")
    for name, d, w, diff in per_call(env, rtool, tooldir, calls, scratch):
        print(f"| {name} | {ms(d)} | {ms(w)} | {ms(diff)} |")
