"""scripts/bench (f)'s machinery: a server under test on one core, the
probes that check it answers right, the interleaved rounds of load against
it, and the peak RSS runs. bench_program.py says which servers and modes."""

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from benchlib import pin, progress, rotated


class Server:
    """A server of (f), on core 0 with GOMAXPROCS=1: the first line of its
    stdout is its address, its stderr goes to a file that stop() returns.
    `with Server(binary, env, scratch) as srv:` kills it if still running."""

    def __init__(self, binary, env, scratch):
        fd, self.log = tempfile.mkstemp(dir=scratch, prefix="server-", suffix=".log")
        with os.fdopen(fd, "w") as err:
            self.proc = subprocess.Popen(pin(0) + [binary], env=dict(env, GOMAXPROCS="1"), stdout=subprocess.PIPE,
                                         stderr=err, text=True)
        self.addr = self.proc.stdout.readline().strip()
        if not self.addr:
            sys.exit(f"bench: {binary} did not start:\n{self.stop()}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def cpu(self):
        """CPU seconds (user + system) the server has used so far."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss(self):
        """The server's peak RSS so far (VmHWM), in kB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M).group(1))

    def stop(self):
        """SIGTERM (rtool's tracing then exports what it holds, waiting at
        most 2 s, and reports what it dropped), SIGKILL after 10 s; the
        server's stderr."""
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with open(self.log) as f:
            return f.read()


def dropped(log):
    """Spans the server's stderr says were dropped or left unexported."""
    return sum(int(n) for n in re.findall(r"(\d+) spans? (?:dropped|not exported)", log))


def http_probe(body):
    """A probe of an HTTP server of (f): GET /items/3 must answer body."""
    def probe(addr):
        got = urllib.request.urlopen(f"http://{addr}/items/3", timeout=5).read().decode()
        if got != body:
            sys.exit(f"bench: GET /items/3 answered {got!r}, want {body!r}")
    return probe


def grpc_probe(load):
    """A probe of the gRPC server of (f): one health Check must succeed."""
    def probe(addr):
        p = subprocess.run([load, "-addr", addr, "-once"], capture_output=True, text=True)
        if p.returncode != 0 or p.stdout.strip() != "SERVING":
            sys.exit(f"bench: the gRPC health check failed:\n{p.stdout}{p.stderr}")
    return probe


def check_json_lines(binary, env, scratch, probe, span):
    """One request to a server exporting JSON lines to a file: the file must
    get its span (the table's JSON lines mode writes to /dev/null)."""
    out = os.path.join(scratch, "check.jsonl")
    with Server(binary, dict(env, RTOOL_TRACE=out), scratch) as srv:
        probe(srv.addr)
        srv.stop()
    if f'"name":"{span}"' not in open(out).read():
        sys.exit(f"bench: exporting JSON lines to a file, no span {span!r} in it")


def serve_rounds(what, modes, load, probe, rounds, seconds, env, sink, scratch):
    """Each mode {name: (binary, extra env, targets)} over interleaved rounds:
    the server started (probe checks it answers right), the load generator
    on the other core for `seconds`, then the server stopped with SIGTERM.
    Per mode: median requests/s, server CPU per request and sink bytes per
    request (None when it does not export over OTLP), the share of its core
    the server kept busy under load, and the spans dropped in all rounds
    (None with no exporter)."""
    rps, cpu, sent, busy, lost = ({m: [] for m in modes} for _ in range(5))
    for r in range(rounds):
        for name in rotated(modes, r):
            binary, extra, _ = modes[name]
            progress(f"(f) {what}, round {r + 1}/{rounds}: {name}")
            before = sink.counts()[1]
            with Server(binary, dict(env, **extra), scratch) as srv:
                probe(srv.addr)
                start, start_cpu = time.perf_counter(), srv.cpu()
                p = subprocess.run(pin(1) + load(srv.addr, seconds), env=dict(env, GOMAXPROCS="1"),
                                   capture_output=True, text=True)
                if p.returncode != 0:
                    sys.exit(f"bench: the load generator failed ({what}, {name}):\n{p.stderr}")
                used = srv.cpu()
                busy[name].append((used - start_cpu) / (time.perf_counter() - start))
                log = srv.stop()
            received = sink.counts()[1] - before
            rate, served = float(p.stdout.split()[0]), int(p.stdout.split()[1])
            rps[name].append(rate)
            cpu[name].append(used / served)
            sent[name].append(received / served)
            lost[name].append(dropped(log))
            check_mode(what, name, extra, sink, received, log)
    otlp = lambda m: "OTEL_EXPORTER_OTLP_ENDPOINT" in modes[m][1]
    exporting = lambda m: otlp(m) or "RTOOL_TRACE" in modes[m][1]
    return {m: (statistics.median(rps[m]), statistics.median(cpu[m]), statistics.median(sent[m]) if otlp(m) else None,
                statistics.median(busy[m]), sum(lost[m]) if exporting(m) else None) for m in modes}


def check_mode(what, name, extra, sink, received, log):
    """A mode exporting to the sink must have sent it something (nothing
    when it samples 0%), and must not have failed to export."""
    if extra.get("OTEL_EXPORTER_OTLP_ENDPOINT") != f"http://{sink.addr}":
        return
    if re.search(r"cannot export|not exported", log):
        sys.exit(f"bench: {what}, {name}: the export failed:\n{log}")
    if extra.get("OTEL_TRACES_SAMPLER_ARG") == "0":
        if received:
            sys.exit(f"bench: {what}, {name}: the sink received {received} bytes, sampling 0%")
    elif not received:
        sys.exit(f"bench: {what}, {name}: the sink received nothing")


def closed_port():
    """A loopback address nothing listens on (a port just bound and closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"127.0.0.1:{port}"


def memory_runs(bins, env, sink, scratch, seconds, rounds):
    """Peak RSS (VmHWM, read just before the server is stopped) of the HTTP
    server under saturation load for `seconds`, plain and under rtool
    exporting every span over OTLP, to the sink and to a collector that is
    down: per mode the median peak in kB, the requests served and spans
    dropped in all rounds, and the lines of its stderr that say "dropped"."""
    sink_env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://{sink.addr}"}
    modes = {"plain build": (bins["http-plain"], {}),
             "rtool, every span over OTLP (protobuf, to a loopback sink)": (bins["http-traced"], sink_env),
             "rtool, every span over OTLP, the collector down (a closed loopback port)": (bins["http-traced"], {
                 "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://{closed_port()}"})}
    peak, served, lost, said = ({m: [] for m in modes} for _ in range(4))
    probe = http_probe('{"id":3,"name":"item-3"}\n')
    for r in range(rounds):
        for name in rotated(modes, r):
            binary, extra = modes[name]
            progress(f"(f) peak RSS, {seconds} s of load, round {r + 1}/{rounds}: {name}")
            before = sink.counts()[1]
            with Server(binary, dict(env, **extra), scratch) as srv:
                probe(srv.addr)
                p = subprocess.run(pin(1) + [bins["http-load"], "-addr", srv.addr, "-d", f"{seconds}s"],
                                   env=dict(env, GOMAXPROCS="1"), capture_output=True, text=True)
                if p.returncode != 0:
                    sys.exit(f"bench: the load generator failed (peak RSS, {name}):\n{p.stderr}")
                peak[name].append(srv.peak_rss())
                log = srv.stop()
            check_mode("peak RSS", name, extra, sink, sink.counts()[1] - before, log)
            if "closed" in name and "cannot export" not in log:
                sys.exit(f"bench: peak RSS, {name}: the server did not say it could not export:\n{log}")
            served[name].append(int(p.stdout.split()[1]))
            lost[name].append(dropped(log))
            said[name] += [line for line in log.splitlines() if "dropped" in line or "not exported" in line]
    return {m: (statistics.median(peak[m]), sum(served[m]), sum(lost[m]), said[m]) for m in modes}
