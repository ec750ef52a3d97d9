# Asserts the traces of allinone's two requests, as the receiver decoded
# them: each request one trace, with this structure (kind, parent):
#
#   GET /orders/{id}                    server, root (chi's route)
#     shop.Orders/Get                   client
#       shop.Orders/Get                 server (through gRPC metadata)
#         GET                           client (Redis: a miss, then a hit)
#         SELECT orders                 client (pgx; first request only)
#         SET                           client (Redis; first request only)
#         publish orders.viewed         producer (NATS)
#           process orders.viewed       consumer (through the message's headers)
#             INCR                      client (Redis)
import json, sys

SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5
spans = [json.loads(line) for line in open(sys.argv[1])]
errors = []

def val(s, key):
    v = s["attrs"].get(key)
    return None if v is None else next(iter(v.values()))

def one(cands, what):
    if len(cands) != 1:
        errors.append(f"{what}: {len(cands)} spans, want 1: {[c['name'] for c in cands]}")
        return None
    return cands[0]

def child(trace, parent, name, kind, what):
    if parent is None:
        return None
    return one([s for s in trace if s["parentSpanId"] == parent["spanId"] and s["name"] == name and s["kind"] == kind],
               f"{what}: {name!r} under {parent['name']!r}")

def want(s, key, value, what):
    if s is not None and val(s, key) != value:
        errors.append(f"{what}: {s['name']} {key}={val(s, key)!r}, want {value!r}")

roots = [s for s in spans if s["name"] == "GET /orders/{id}" and s["kind"] == SERVER]
if len(roots) != 2:
    sys.exit(f"check: {len(roots)} server spans GET /orders/{{id}}, want 2: {sorted({s['name'] for s in spans})}")
roots.sort(key=lambda s: int(s["start"]))
for n, root in enumerate(roots, 1):
    what = f"request {n}"
    trace = [s for s in spans if s["traceId"] == root["traceId"]]
    if root["parentSpanId"]:
        errors.append(f"{what}: the server span has a parent")
    want(root, "http.route", "/orders/{id}", what)
    want(root, "http.response.status_code", "200", what)
    if root["resource"].get("service.name") != {"stringValue": "shop"}:
        errors.append(f"{what}: resource {root['resource']}")
    gc = child(trace, root, "shop.Orders/Get", CLIENT, what)
    gs = child(trace, gc, "shop.Orders/Get", SERVER, what)
    for s in (gc, gs):
        want(s, "rpc.system.name", "grpc", what)
        want(s, "rpc.response.status_code", "OK", what)
    get = child(trace, gs, "GET", CLIENT, what)
    want(get, "db.system.name", "redis", what)
    want(get, "db.query.text", "GET ?", what)
    if n == 1:
        sel = child(trace, gs, "SELECT orders", CLIENT, what)
        want(sel, "db.system.name", "postgresql", what)
        want(sel, "db.query.text", "SELECT name FROM orders WHERE id = $1", what)
        want(child(trace, gs, "SET", CLIENT, what), "db.query.text", "SET ? ? ? ?", what)
    pub = child(trace, gs, "publish orders.viewed", PRODUCER, what)
    want(pub, "messaging.system", "nats", what)
    want(pub, "messaging.destination.name", "orders.viewed", what)
    want(pub, "messaging.operation.type", "send", what)
    proc = child(trace, pub, "process orders.viewed", CONSUMER, what)
    want(proc, "messaging.operation.type", "process", what)
    incr = child(trace, proc, "INCR", CLIENT, what)
    want(incr, "db.system.name", "redis", what)
    # Nothing else in the trace but what pgx does to get a connection.
    known = {id(s) for s in (root, gc, gs, get, pub, proc, incr) if s}
    for s in trace:
        if id(s) not in known and s["name"] not in ("SELECT orders", "SET") and val(s, "db.system.name") != "postgresql":
            errors.append(f"{what}: unexpected span {s['name']!r} (kind {s['kind']})")
    for s in trace:
        if s["status"] == 2:
            errors.append(f"{what}: {s['name']} failed: {s['message']}")
if errors:
    sys.exit("\n".join(errors))
print("check: ok")
