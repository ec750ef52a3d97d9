# An OTLP/HTTP receiver for the end-to-end tests (each copies it next to
# itself as receiver.py; usage: receiver.py OUT.jsonl PORT_FILE SUMMARY):
# every POST body (protobuf or JSON, by its
# Content-Type) is parsed with the official protobuf definitions into
# ExportTraceServiceRequest; the decoded requests
# are appended to a file (as protobuf JSON, ids re-encoded as hex), decode
# errors counted and answered with 400. It keeps connections alive (HTTP/1.1),
# as collectors do, one thread per connection.
import base64, http.server, json, signal, sys, threading
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

out, port_file, summary = sys.argv[1:4]
stats = {"requests": 0, "errors": 0}
lock = threading.Lock()  # stats and out, shared by the connections' threads

def jsonhex(b):
    # OTLP/JSON carries ids as hex; protobuf's JSON mapping reads bytes as
    # base64, so the hex text comes back as the base64 of the parsed bytes.
    return base64.b64encode(b).decode()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            assert self.path == "/v1/traces", self.path
            if self.headers["Content-Type"] == "application/x-protobuf":  # the default
                req, hexid = ExportTraceServiceRequest.FromString(body), bytes.hex
            else:
                assert self.headers["Content-Type"] == "application/json", self.headers["Content-Type"]
                req, hexid = json_format.Parse(body, ExportTraceServiceRequest()), jsonhex
        except Exception as e:
            with lock:
                stats["errors"] += 1
            print("receiver: decode error:", e, file=sys.stderr)
            self.answer(400, b"{}"); return
        with lock, open(out, "a") as f:
            stats["requests"] += 1
            for rs in req.resource_spans:
                res = {a.key: json_format.MessageToDict(a.value) for a in rs.resource.attributes}
                for ss in rs.scope_spans:
                    for s in ss.spans:
                        f.write(json.dumps({
                            "resource": res,
                            "traceId": hexid(s.trace_id), "spanId": hexid(s.span_id),
                            "parentSpanId": hexid(s.parent_span_id) if s.parent_span_id else "",
                            "name": s.name, "kind": s.kind, "traceState": s.trace_state,
                            "attrs": {a.key: json_format.MessageToDict(a.value) for a in s.attributes},
                            "status": s.status.code, "message": s.status.message,
                            "start": s.start_time_unix_nano, "end": s.end_time_unix_nano,
                        }) + "\n")
        self.answer(200, b"{}")
    def log_message(self, *a): pass

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
def stop(*_):
    with lock, open(summary, "w") as f:
        f.write(f"receiver: {stats['requests']} requests decoded, {stats['errors']} errors\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
open(port_file, "w").write(str(srv.server_address[1]))
srv.serve_forever()
