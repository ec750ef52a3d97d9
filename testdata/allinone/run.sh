# Starts PostgreSQL, Redis, NATS and the OTLP receiver on loopback, then the
# service; sends two requests for the same order (the first misses Redis'
# cache and reads PostgreSQL, the second hits it), waits for the NATS
# consumer, stops the service with SIGTERM (rtool exports on the way out)
# and checks what the receiver decoded.
set -euo pipefail
pids=()
tmp=$(mktemp -d /tmp/rtool-allinone.XXXXXX)
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  as_pg pg_ctl -D "$tmp/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
# PostgreSQL refuses to run as root: use its own account then.
as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -g postgres -G root -- env PATH="$PATH" "$@"); else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$tmp"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done; echo "timed out waiting for $1" >&2; return 1; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; return 1; }

pgport=$(free_port) redisport=$(free_port) natsport=$(free_port)
as_pg initdb -D "$tmp/pg" -U postgres -A trust >/dev/null
as_pg pg_ctl -D "$tmp/pg" -o "-p $pgport -k $tmp -c listen_addresses=127.0.0.1" -l "$tmp/pg.log" -w start >/dev/null
psql -h 127.0.0.1 -p "$pgport" -U postgres -q -c "CREATE TABLE orders (id text PRIMARY KEY, name text); INSERT INTO orders VALUES ('7', 'teapot')"
redis-server --port "$redisport" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" >"$tmp/redis.log" 2>&1 & pids+=($!)
"$(command -v nats-server || echo /usr/sbin/nats-server)" -a 127.0.0.1 -p "$natsport" >"$tmp/nats.log" 2>&1 & pids+=($!)
wait_port "$redisport"
wait_port "$natsport"

python3 receiver.py received.jsonl receiver.port receiver.summary & receiver=$!; pids+=($receiver)
wait_for receiver.port
export OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$(cat receiver.port)" OTEL_SERVICE_NAME=shop

./svc -addr svc.addr -redis "127.0.0.1:$redisport" -nats "nats://127.0.0.1:$natsport" \
  -dsn "postgres://postgres@127.0.0.1:$pgport/postgres?sslmode=disable" & svc=$!; pids+=($svc)
wait_for svc.addr
base="http://$(cat svc.addr)"
python3 - "$base" <<'PY'
import sys, urllib.request
base = sys.argv[1]
for _ in range(2):
    body = urllib.request.urlopen(base + "/orders/7").read()
    assert body == b"order teapot\n", body
assert urllib.request.urlopen(base + "/consumed/2").read() == b"2\n"
PY
echo "service: ok"
kill -TERM "$svc"; wait "$svc" || true
kill -TERM "$receiver"; wait "$receiver" || true
cat receiver.summary
python3 check.py received.jsonl
