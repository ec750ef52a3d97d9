"""Runs the behaviour corpus's binaries for scripts/behave (which builds
them) and compares each instrumented run with the plain build's.

usage: behave.py --corpus DIR --work DIR --bin DIR --receiver RECEIVER.py
                 [--jobs N] [--runs N] [--known CASE=WHY]... CASE=BINARY...
BINARY is MODULE/NAME under BIN/plain and BIN/rtool; each run's directory
(with its stdout and stderr) is WORK/runs/CASE_BUILD_MODE_GOMAXPROCS_N.

A case's spec (CORPUS/CASE/spec): '#' lines, its description, then one
directive a line (later '#' lines are comments):
  args A B ...    the program's arguments (split on spaces)
  env K=V         an environment variable (repeatable)
  signal TERM|INT sent once the program printed a line "ready" on stdout;
                  stdin is closed 1 s after it (programs that must survive
                  the signal wait for stdin's end)
  ignore TERM|INT the program starts with the signal ignored (as under nohup)
  test            a go test binary (go test -c); args are its -test.* flags
  bin CASE        runs CASE's binary (another directory of the same module)
  gomaxprocs N... only these GOMAXPROCS values (default 1 2)
  spans no        the live receiver need not get spans (the program ends in
                  a way rtool's exit flush does not cover)
  timeout S       seconds before a run is killed (default 15)
  stderr-lines N  only the first N lines of stderr are compared: a fatal
                  error whose goroutine dump is chance (concurrent map
                  writes: one writer or both report, the other caught
                  running or runnable); the plain runs may then differ
                  after those lines
  added RE        a documented addition of rtool's (trace ids in log lines,
                  README "Trace ids in logs"): every instrumented run must
                  have at least one match of the regular expression RE in
                  its stdout or stderr, and the matches are removed before
                  the comparison (repeatable)

Every run gets GOMAXPROCS and OTEL_EXPORTER_OTLP_ENDPOINT; the plain binary
is run twice per GOMAXPROCS with the live receiver's endpoint (its outputs
must agree: the corpus admits no program whose plain output varies), the
instrumented one RUNS times per GOMAXPROCS and mode:
  live    the OTLP receiver (testdata/otlp-receiver.py); each run names
          itself in OTEL_RESOURCE_ATTRIBUTES (behave.run=ID) so that its
          spans can be counted
  closed  a loopback port bound but not listening (connection refused)
  hang    a collector that accepts connections and never answers
closed and hang set OTEL_EXPORTER_OTLP_TIMEOUT and OTEL_BSP_EXPORT_TIMEOUT
to 500 ms so that the runs stay short (where the support library reads
them).

Normalisation, applied to both sides and nothing more:
  - stderr lines starting "rtool tracing:" are dropped (rtool's own);
  - goroutine ids ("goroutine 18", goleak's "Goroutine 18") become N (they
    count the goroutines started before);
  - in a traceback, a frame's " +0x.." pc offset after its "\tFILE:LINE"
    is dropped (an inlined frame has none), and the function line before
    it has its argument list replaced by "(...)" (words of memory, and
    "(...)" already for an inlined frame);
  - other hexadecimal numbers (addresses) become 0x?;
  - in test binaries' output only, "--- PASS/FAIL/SKIP: Name (0.00s)"
    durations become "(?s)" (the plain binary's vary too).
"""

import argparse
import collections
import concurrent.futures
import difflib
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time

MODES = ("live", "closed", "hang")
SHORT_TIMEOUT_MS = "500"


def parse_spec(path):
    spec = {"args": [], "env": {}, "signal": None, "ignore": None, "test": False,
            "gomaxprocs": ["1", "2"], "spans": True, "timeout": 15.0, "about": "", "added": [], "stderr_lines": None}
    directives = False
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                if not directives:  # the description; later ones are comments
                    spec["about"] += line[1:].strip() + " "
                continue
            if not line.strip():
                continue
            directives = True
            key, _, value = line.partition(" ")
            value = value.strip()
            if key == "args":
                spec["args"] = shlex.split(value)
            elif key == "env":
                k, _, v = value.partition("=")
                spec["env"][k] = v
            elif key in ("signal", "ignore"):
                if value not in ("TERM", "INT"):
                    raise SystemExit(f"{path}: {key} {value}: TERM or INT")
                spec[key] = value
            elif key == "test":
                spec["test"] = True
            elif key == "bin":
                pass  # scripts/behave resolves it
            elif key == "gomaxprocs":
                spec["gomaxprocs"] = value.split()
            elif key == "spans":
                spec["spans"] = value != "no"
            elif key == "stderr-lines":
                spec["stderr_lines"] = int(value)
            elif key == "timeout":
                spec["timeout"] = float(value)
            elif key == "added":
                spec["added"].append(re.compile(value))
            else:
                raise SystemExit(f"{path}: unknown directive {key}")
    spec["about"] = spec["about"].strip()
    return spec


# --- normalisation (see the module's doc) ---

HEX = re.compile(r"0x[0-9a-fA-F]+")
GOID = re.compile(r"\b([Gg]oroutine) \d+")
FRAME_FILE = re.compile(r"^(\t\S.*:\d+)(?: \+0x[0-9a-f]+)?$")
ARGS = re.compile(r"^(\S.*)\([^()]*\)$")
TEST_TIME = re.compile(r"^(\s*--- (?:PASS|FAIL|SKIP): .*) \(\d+\.\d+s\)$")


def normalise(text, stream, is_test):
    lines = text.split("\n")
    if stream == "stderr":
        lines = [l for l in lines if not l.startswith("rtool tracing:")]
    frame = [bool(FRAME_FILE.match(l)) for l in lines]
    lines = [FRAME_FILE.sub(r"\1", l) for l in lines]
    for i in range(len(lines) - 1):
        if frame[i + 1]:
            lines[i] = ARGS.sub(r"\1(...)", lines[i])
    lines = [HEX.sub("0x?", GOID.sub(r"\1 N", l)) for l in lines]
    if is_test:
        lines = [TEST_TIME.sub(r"\1 (?s)", l) for l in lines]
    return "\n".join(lines)


# --- the collectors ---

class Hanging:
    """Accepts connections and never answers (nor reads)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)


def closed_port():
    """A loopback port bound but not listening: every connection is refused,
    and no other process can take the port while we hold it."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


class Receiver:
    def __init__(self, script, work):
        self.out = os.path.join(work, "spans.jsonl")
        port_file = os.path.join(work, "receiver.port")
        self.summary = os.path.join(work, "receiver.summary")
        self.log = open(os.path.join(work, "receiver.stderr"), "w")
        self.proc = subprocess.Popen([sys.executable, script, self.out, port_file, self.summary],
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while not os.path.exists(port_file) or not open(port_file).read():
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit("behave: the OTLP receiver did not start: " +
                                 open(self.log.name).read())
            time.sleep(0.05)
        self.port = int(open(port_file).read())

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.log.close()

    def spans_by_run(self):
        counts = collections.Counter()
        if os.path.exists(self.out):
            with open(self.out) as f:
                for line in f:
                    try:
                        run = json.loads(line)["resource"].get("behave.run", {}).get("stringValue", "")
                    except ValueError:
                        continue  # a line being written
                    counts[run] += 1
        return counts

    def report(self):
        """The receiver's summary, and what else it said (a request cut
        short by a killed program makes it print a traceback)."""
        text = open(self.summary).read().strip() if os.path.exists(self.summary) else "receiver: no summary"
        lines = [l for l in open(self.log.name).read().splitlines() if l.strip()]
        decode = [l for l in lines if l.startswith("receiver: decode error")]
        if decode:
            text += f" ({len(decode)} decode errors, first: {decode[0]})"
        if len(lines) > len(decode):
            text += f"; {len(lines) - len(decode)} more lines on its stderr ({self.log.name})"
        return text


# --- one run ---

Run = collections.namedtuple("Run", "case build mode gmp index")


def run_id(r):
    return f"{r.case}/{r.build}/{r.mode}/{r.gmp}/{r.index}"


def status_of(code):
    if code is None:
        return "timeout"
    if code < 0:
        return "signal " + signal.Signals(-code).name
    return f"exit {code}"


def execute(r, binary, spec, env, rundir):
    os.makedirs(rundir)
    out_path, err_path = os.path.join(rundir, "stdout"), os.path.join(rundir, "stderr")
    cmd = [binary] + spec["args"]
    if spec["ignore"]:
        # An ignored disposition survives exec; a handled one would not.
        cmd = ["sh", "-c", f'trap "" {spec["ignore"]}; exec "$0" "$@"'] + cmd
    start = time.time()
    deadline = start + spec["timeout"]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out, stderr=err, env=env, cwd=rundir)
        note = ""
        if spec["signal"]:
            while p.poll() is None and time.time() < deadline:
                with open(out_path, "rb") as f:
                    if re.search(rb"(^|\n)ready\n", f.read()):
                        break
                time.sleep(0.01)
            if p.poll() is None and time.time() < deadline:
                p.send_signal(getattr(signal, "SIG" + spec["signal"]))
                # A program that dies of the signal gets time to die before
                # stdin's end lets a survivor go on: Go's default action
                # yields between two raises, and main could exit meanwhile.
                try:
                    p.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
            else:
                note = "never printed ready"
        p.stdin.close()
        try:
            code = p.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            code = None
    elapsed = time.time() - start
    with open(out_path, "rb") as f:
        stdout = f.read().decode("utf-8", "surrogateescape")  # byte for byte
    with open(err_path, "rb") as f:
        stderr = f.read().decode("utf-8", "surrogateescape")
    status = status_of(code)
    if code is None:
        status += f" (killed after {spec['timeout']:g}s)"
    if note:
        status += f" ({note})"
    return {"status": status, "stdout": stdout, "stderr": stderr, "elapsed": elapsed}


def rendered(result, spec, rtool=False):
    out, err = result["stdout"], result["stderr"]
    missing = ""
    if rtool:  # the case's documented additions: required, then removed
        for added in spec["added"]:
            (out, n1), (err, n2) = added.subn("", out), added.subn("", err)
            if n1 + n2 == 0:
                missing += f"(rtool's documented addition {added.pattern!r} is missing)\n"
    err = normalise(err, 'stderr', spec['test'])
    if spec["stderr_lines"] is not None:
        err = "\n".join(err.split("\n")[:spec["stderr_lines"]])
    return (f"{missing}status: {result['status']}\n"
            f"--- stdout\n{normalise(out, 'stdout', spec['test'])}\n"
            f"--- stderr\n{err}\n")


def unified(a, b, name_a, name_b, limit=60):
    lines = [l.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
             for l in difflib.unified_diff(a.splitlines(), b.splitlines(), name_a, name_b, lineterm="", n=2)]
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more diff lines)"]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--receiver", required=True)
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--known", action="append", default=[])
    ap.add_argument("cases", nargs="+")
    a = ap.parse_args()

    # Children get the default action for SIGINT and SIGTERM unless a case
    # asks otherwise (a handled signal is reset by exec, an ignored one not).
    for s in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(s) == signal.SIG_IGN:
            signal.signal(s, signal.SIG_DFL)

    known = {}
    for k in a.known:
        case, _, why = k.partition("=")
        known[case] = why
    cases, binaries = [], {}
    for arg in a.cases:
        case, _, binary = arg.partition("=")
        cases.append(case)
        binaries[case] = binary
    specs = {c: parse_spec(os.path.join(a.corpus, c, "spec")) for c in cases}

    receiver = Receiver(a.receiver, a.work)
    hanging = Hanging()
    closed_sock, closed = closed_port()
    ports = {"live": receiver.port, "closed": closed, "hang": hanging.port}

    base = {k: v for k, v in os.environ.items()
            if not k.startswith("OTEL_") and k not in ("RTOOL_TRACE", "GOMAXPROCS", "GODEBUG", "GOTRACEBACK")}

    def env_for(r):
        env = dict(base)
        mode = "live" if r.build == "plain" else r.mode
        env["GOMAXPROCS"] = r.gmp
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = f"http://127.0.0.1:{ports[mode]}"
        env["OTEL_RESOURCE_ATTRIBUTES"] = "behave.run=" + run_id(r)
        if mode != "live":
            env["OTEL_EXPORTER_OTLP_TIMEOUT"] = SHORT_TIMEOUT_MS
            env["OTEL_BSP_EXPORT_TIMEOUT"] = SHORT_TIMEOUT_MS
        env.update(specs[r.case]["env"])
        return env

    plan = []
    for c in cases:
        for g in specs[c]["gomaxprocs"]:
            plan += [Run(c, "plain", "plain", g, i) for i in (1, 2)]
            plan += [Run(c, "rtool", m, g, i) for m in MODES for i in range(1, a.runs + 1)]
    # The slow ones first (the hanging collector holds each exit), for packing.
    plan.sort(key=lambda r: (r.mode != "hang", specs[r.case]["signal"] is None))
    pending = collections.Counter(r.case for r in plan)
    results = {}
    print(f"behave: {len(plan)} runs of {len(cases)} cases, {a.jobs} at a time "
          f"(plain twice, then modes {', '.join(MODES)} {a.runs} times, at each GOMAXPROCS)", flush=True)

    failed_cases, known_seen, stale = [], [], []
    started = time.time()

    def one(r):
        binary = os.path.join(a.bin, r.build, binaries[r.case])
        rundir = os.path.join(a.work, "runs", run_id(r).replace("/", "_"))
        return r, execute(r, binary, specs[r.case], env_for(r), rundir)

    def finish_case(c):
        """Compares a case's runs once all have ended; returns its report."""
        spec = specs[c]
        problems = []
        for g in spec["gomaxprocs"]:
            p1, p2 = results[Run(c, "plain", "plain", g, 1)], results[Run(c, "plain", "plain", g, 2)]
            ref = rendered(p1, spec)
            if rendered(p2, spec) != ref:
                problems.append((f"CORPUS: the plain build's output varies (GOMAXPROCS={g})",
                                 unified(ref, rendered(p2, spec), "plain run 1", "plain run 2")))
            # Identical differences from several runs are shown once.
            diffs = collections.OrderedDict()
            for m in MODES:
                for i in range(1, a.runs + 1):
                    res = results[Run(c, "rtool", m, g, i)]
                    got = rendered(res, spec, rtool=True)
                    if got != ref:
                        d = unified(ref, got, "plain", "rtool")
                        diffs.setdefault(d, []).append(f"{m}#{i} ({res['elapsed']:.1f}s)")
            shown = list(diffs.items())
            for d, where in shown[:2]:
                problems.append((f"differs: GOMAXPROCS={g}, {', '.join(where)}", d))
            if len(shown) > 2:
                rest = [w for _, ws in shown[2:] for w in ws]
                problems.append((f"differs: GOMAXPROCS={g}, {', '.join(rest)}: in other ways "
                                 f"(-k keeps every run's output)", ""))
        return problems

    def report(c, problems, span_problems):
        all_problems = problems + span_problems
        if not all_problems:
            if c in known:
                stale.append(c)
                print(f"ok    {c}  (listed as known-failing: {known[c]}; remove it)", flush=True)
            else:
                print(f"ok    {c}", flush=True)
            return
        tag = "KNOWN" if c in known else "FAIL "
        (known_seen if c in known else failed_cases).append(c)
        why = f"  [known: {known[c]}]" if c in known else ""
        print(f"{tag} {c}{why}\n      {specs[c]['about']}", flush=True)
        for title, d in all_problems:
            print(f"  {title}", flush=True)
            if d:
                print("\n".join("    " + l for l in d.splitlines()), flush=True)

    def spans_missing(c):
        counts = receiver.spans_by_run()
        missing = [f"GOMAXPROCS={r.gmp} live#{r.index}" for r in plan
                   if r.case == c and r.mode == "live" and counts[run_id(r)] == 0]
        return [("no span reached the live receiver: " + ", ".join(missing), "")] if missing else []

    done_runs = 0
    last_progress = time.time()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs)
    try:
        futures = [pool.submit(one, r) for r in plan]
        for fut in concurrent.futures.as_completed(futures):
            r, res = fut.result()
            results[r] = res
            done_runs += 1
            pending[r.case] -= 1
            if pending[r.case] == 0:
                # The exit flush waits for the receiver's answer, which
                # comes once the spans are written: they are all there.
                report(r.case, finish_case(r.case), spans_missing(r.case) if specs[r.case]["spans"] else [])
            if time.time() - last_progress > 15:
                last_progress = time.time()
                print(f"behave: {done_runs}/{len(plan)} runs ({time.time() - started:.0f}s)", flush=True)
    finally:
        pool.shutdown(cancel_futures=True)  # on an error or ^C, the queued runs are dropped
        receiver.stop()  # it would outlive us

    print(receiver.report())
    closed_sock.close()

    print(f"behave: {len(cases)} cases, {len(plan)} runs in {time.time() - started:.0f}s: "
          f"{len(cases) - len(failed_cases) - len(known_seen)} passed, {len(failed_cases)} failed, "
          f"{len(known_seen)} known-failing")
    if known_seen:
        print("behave: known-failing (not counted): " + " ".join(known_seen))
    if stale:
        print("behave: listed as known-failing but passed: " + " ".join(stale))
    if failed_cases:
        print("behave: FAILED: " + " ".join(failed_cases))
        sys.exit(1)


if __name__ == "__main__":
    main()
