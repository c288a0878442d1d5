#!/usr/bin/env bash
# The main job on its embedded default: a throwaway PostgreSQL 15 with a
# small shop database, cdcd capturing it (snapshot, then the live stream)
# into the exactly-once file sink, and the captured events printed.
# Installs the dependencies and builds cdcd first. Everything it starts is
# stopped and removed on exit. `build/cdcd demo` is the same without a
# database (generated changes).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null
./scripts/build.sh --target cdcd >/dev/null
CDCD="${BUILD_DIR:-build}/cdcd"

work=$(mktemp -d /tmp/cdcd-demo.XXXXXX)
cdcd_pid=""
cleanup() {
  [ -n "$cdcd_pid" ] && kill -TERM "$cdcd_pid" 2>/dev/null && wait "$cdcd_pid" 2>/dev/null
  tests/services/svc stop postgres "$work" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== starting a throwaway PostgreSQL 15"
tests/services/svc start postgres "$work" >/dev/null
# shellcheck disable=SC1091
source "$work/postgres.env"
sql() { psql -q -X -v ON_ERROR_STOP=1 "$CDCD_TEST_PG_DSN dbname=shop" -c "$1"; }
psql -q -X -v ON_ERROR_STOP=1 "$CDCD_TEST_PG_DSN" -c "CREATE DATABASE shop"
sql "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text);
     CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL,
                          amount numeric(10,2) NOT NULL, placed_at timestamptz NOT NULL);
     INSERT INTO customers VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bo', NULL);
     INSERT INTO orders VALUES (100, 1, 19.99, '2025-01-01T10:00:00Z');"

cat > "$work/pipelines.yaml" <<YAML
pipelines:
  - name: shop
    source:
      type: postgres
      dsn: "$CDCD_TEST_PG_DSN dbname=shop"
      tables: ["public.*"]
      snapshot: initial
    sink:
      type: file
      path: $work/out
    format: {envelope: debezium, schemas: false, decimal_handling: string}
    batch: {linger: 20ms}
http: {enabled: false}
YAML

echo "== cdcd run: snapshot of the existing rows, then the live stream"
"$CDCD" run --config "$work/pipelines.yaml" 2>"$work/cdcd.log" &
cdcd_pid=$!
# Wait until cdcd streams: the changes below then arrive as live events
# rather than as part of the snapshot. (A slot reads as active before its
# consistent point exists; the walsender state says when it really streams.)
for _ in $(seq 1 300); do
  active=$(psql -tA -X "$CDCD_TEST_PG_DSN dbname=shop" -c \
    "SELECT count(*) FROM pg_stat_replication WHERE state IN ('catchup', 'streaming')")
  [ "$active" != "0" ] && break
  sleep 0.1
done

echo "== changing data"
sql "BEGIN; INSERT INTO orders VALUES (101, 2, 5.00, now()); UPDATE customers SET email = 'bo@example.com' WHERE id = 2; COMMIT;
     DELETE FROM orders WHERE id = 100;"

# 3 snapshot rows + 3 changes + the delete's tombstone.
want=7
for _ in $(seq 1 300); do
  got=$(python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1]))["records"])
except Exception: print(0)' "$work/out/offsets.json")
  [ "$got" -ge "$want" ] && break
  sleep 0.1
done
kill -TERM "$cdcd_pid"; wait "$cdcd_pid"; cdcd_pid=""

echo "== captured (topic, op, key, after), exactly as committed in $work/out:"
python3 - "$work/out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
committed = json.load(open(out / "offsets.json"))
for seg in sorted(out.glob("events-*.jsonl")):
    data = seg.read_bytes()
    if int(seg.stem.split("-")[1]) == committed["segment"]:
        data = data[: committed["length"]]
    for line in data.decode().splitlines():
        r = json.loads(line)
        v = r["value"]
        if v is None:
            print(f'{r["topic"]:<22} tombstone key={json.dumps(r["key"])}')
        else:
            print(f'{r["topic"]:<22} op={v["op"]} key={json.dumps(r["key"])} after={json.dumps(v["after"])}')
print("committed offset:", json.dumps(committed["offset"]))
PY
if [ "$got" -lt "$want" ]; then
  echo "demo: expected $want records, got $got; cdcd's log:" >&2; cat "$work/cdcd.log" >&2; exit 1
fi
