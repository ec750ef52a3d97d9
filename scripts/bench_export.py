"""scripts/bench (g): OTLP export throughput. Spans/s that reach a loopback
sink (a plain Go HTTP server that reads every body and answers 200,
keep-alive) from a program ending spans as fast as it can for 2 s, in
protobuf and JSON, gzip on and off, interleaved rounds; exported = ended -
dropped (the drops the program reports on stderr when its queue is full)."""

import os
import re
import statistics
import subprocess
import sys
import time

from benchlib import Sink, rotated, run, table_head

PRODUCER = """package main

import (
	"fmt"
	"time"
)

func main() {
	n := 0
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); n++ {
		work(n, "GET /items/{id}")
	}
	fmt.Println(n)
}

//rtool:span params=i,route
func work(i int, route string) {}
"""


def build_producer(env, rtool, scratch):
    """PRODUCER built under rtool: its path."""
    d = os.path.join(scratch, "export", "producer")
    os.makedirs(d)
    with open(os.path.join(d, "go.mod"), "w") as f:
        f.write("module example.com/producer\n\ngo 1.22\n")
    with open(os.path.join(d, "main.go"), "w") as f:
        f.write(PRODUCER)
    producer = os.path.join(scratch, "export", "producer.bin")
    run(["go", "build", "-toolexec", rtool, "-o", producer, "."], env, cwd=d)
    return producer


def export_throughput(env, rtool, scratch, rounds):
    """Median exported spans/s (and sink bytes per span) per OTLP encoding."""
    producer = build_producer(env, rtool, scratch)
    modes = {f"{proto}, {comp}": {"OTEL_EXPORTER_OTLP_PROTOCOL": proto, "OTEL_EXPORTER_OTLP_COMPRESSION": comp}
             for proto in ("http/protobuf", "http/json") for comp in ("none", "gzip")}
    rates = {m: [] for m in modes}
    sizes = {m: [] for m in modes}
    with Sink(env, scratch) as sink:
        addr, counts = sink.addr, sink.counts
        for r in range(rounds):
            for name in rotated(modes, r):
                _, before = counts()
                start = time.perf_counter()
                p = subprocess.run([producer], env=dict(env, OTEL_EXPORTER_OTLP_ENDPOINT=f"http://{addr}", **modes[name]),
                                   capture_output=True, text=True)
                took = time.perf_counter() - start
                _, after = counts()
                if p.returncode != 0 or re.search(r"cannot export|not exported", p.stderr):
                    sys.exit(f"bench: the export producer failed ({name}):\n{p.stderr}")
                ended = int(p.stdout)
                dropped = sum(int(m) for m in re.findall(r"(\d+) spans? dropped", p.stderr))
                exported = ended - dropped
                rates[name].append(exported / took)
                sizes[name].append((after - before) / max(exported, 1))
    return {m: (statistics.median(rates[m]), statistics.median(sizes[m])) for m in modes}


def export_section(env, rtool, scratch, rounds):
    print("\n(g) OTLP export throughput: a program ending spans for 2 s, a loopback sink\n")
    table_head("protocol, compression", "spans/s exported", "bytes per span on the wire")
    for name, (rate, size) in export_throughput(env, rtool, scratch, rounds).items():
        print(f"| {name} | {rate:.0f} | {size:.1f} |")
