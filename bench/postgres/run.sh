#!/usr/bin/env bash
# bench/postgres/run.sh: how fast, and in how much memory, cdcd streams one large PostgreSQL
# transaction into files, compared with pg_recvlogical reading the same WAL.
#
# Usage: [BUILD_DIR=build] [BENCH_ROWS=1000000] bench/postgres/run.sh
#
# Steps (see bench/README.md for what the numbers mean):
#   1. start a throwaway PostgreSQL 15 (tests/services/svc), stopped again at exit;
#   2. create bench_rows (int8 PK, text, numeric, timestamptz, jsonb, bool), a publication, and
#      one logical slot per reader, all BEFORE the load, so every reader decodes the same WAL;
#   3. insert BENCH_ROWS rows in one transaction; END = pg_current_wal_insert_lsn();
#   4. (a) pg_recvlogical, pgoutput proto_version 1, to /dev/null until END  (reference)
#      (c) pg_recvlogical, wal2json, to /dev/null until END          (second reference)
#      (b) cdcd run, snapshot: never, file sink, until the HTTP status shows all rows committed;
#          peak RSS is VmHWM of the cdcd process, read just before it is stopped.
#
# Environment:
#   BUILD_DIR        build directory holding cdcd (default build, relative to the repository)
#   BENCH_ROWS       rows in the transaction (default 1000000)
#   BENCH_FSYNC      file sink fsync (default false: the references write to /dev/null)
#   BENCH_FORMAT_YAML keys for the pipeline's format: block, e.g. "schemas: false" or
#                    "envelope: flat" (default: none, cdcd's defaults: debezium with schemas)
#   BENCH_OUT_DIR    absolute path where the file sink writes (default: a new directory under
#                    /dev/shm when it exists, so that cdcd, like the references, is not timed
#                    against the disk)
#   BENCH_WAL2JSON   0 skips the wal2json reference (default 1 when wal2json.so is installed)
#   BENCH_BATCH_YAML extra keys for the pipeline's batch: block, e.g.
#                    "queue_bytes: 32MiB, max_bytes: 8MiB" (default: none, cdcd's defaults)
#   BENCH_KEEP       1 keeps the work directory (config, logs) and the output; on a failure the
#                    work directory is kept anyway
#   BENCH_TIMEOUT    seconds cdcd may take before the run fails (default 1800)
#   BENCH_RSS_TARGET_MIB  the memory target printed next to the peak RSS (default 64)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BUILD_DIR=${BUILD_DIR:-build}
CDCD=$BUILD_DIR/cdcd
[[ $CDCD == /* ]] || CDCD=$ROOT/$CDCD
ROWS=${BENCH_ROWS:-1000000}
FSYNC=${BENCH_FSYNC:-false}
FORMAT_YAML=${BENCH_FORMAT_YAML:-}
RSS_TARGET=${BENCH_RSS_TARGET_MIB:-64}
TIMEOUT=${BENCH_TIMEOUT:-1800}
PGLIB=/usr/lib/postgresql/15/lib
if [[ -z ${BENCH_WAL2JSON:-} ]]; then
  BENCH_WAL2JSON=0
  [[ -f $PGLIB/wal2json.so ]] && BENCH_WAL2JSON=1
fi

die() { echo "bench: error: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }
now_ns() { date +%s%N; }
[[ -x $CDCD ]] || die "$CDCD not found: run ./scripts/build.sh (or set BUILD_DIR)"
[[ $ROWS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROWS must be a positive integer, got '$ROWS'"
for tool in pg_recvlogical psql curl jq; do
  command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps.sh installs it)"
done

WORK=$(mktemp -d /tmp/cdcd-bench.XXXXXX)
if [[ -n ${BENCH_OUT_DIR:-} ]]; then
  OUT=$BENCH_OUT_DIR
elif [[ -d /dev/shm && -w /dev/shm ]]; then
  OUT=$(mktemp -d /dev/shm/cdcd-bench-out.XXXXXX)
else
  OUT=$WORK/out
fi
CDCD_PID=
cleanup() {
  local rc=$?
  if [[ -n $CDCD_PID ]] && kill -0 "$CDCD_PID" 2>/dev/null; then
    kill -TERM "$CDCD_PID" 2>/dev/null || true
    wait "$CDCD_PID" 2>/dev/null || true
  fi
  tests/services/svc stop postgres "$WORK" >/dev/null 2>&1 || true
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then
    say "kept: work directory $WORK, output $OUT"
    return
  fi
  # The output can be GiBs in /dev/shm: never leave it behind unasked.
  if [[ -z ${BENCH_OUT_DIR:-} ]]; then rm -rf "$OUT"; fi
  if [[ $rc != 0 ]]; then
    say "work directory kept for inspection: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- server ------------------------------------------------------------------------------------
tests/services/svc start postgres "$WORK" >&2
# shellcheck disable=SC1091
source "$WORK/postgres.env"
DSN=$CDCD_TEST_PG_DSN
sql() { psql "$DSN" -XAtq -v ON_ERROR_STOP=1 "$@"; }

sql >/dev/null <<'SQL'
CREATE TABLE bench_rows (
  id         int8 PRIMARY KEY,
  customer   text NOT NULL,
  amount     numeric(12, 2) NOT NULL,
  created_at timestamptz NOT NULL,
  attrs      jsonb,
  active     bool NOT NULL
) WITH (autovacuum_enabled = false);
CREATE PUBLICATION bench_pub FOR TABLE bench_rows;
SELECT 1 FROM pg_create_logical_replication_slot('bench_pgoutput', 'pgoutput');
SELECT 1 FROM pg_create_logical_replication_slot('bench_cdcd', 'pgoutput');
SQL
if [[ $BENCH_WAL2JSON == 1 ]]; then
  sql -c "SELECT 1 FROM pg_create_logical_replication_slot('bench_wal2json', 'wal2json')" >/dev/null
fi

# --- load: one transaction ---------------------------------------------------------------------
say "inserting $ROWS rows in one transaction"
t0=$(now_ns)
sql -c "
INSERT INTO bench_rows
SELECT g,
       'customer-' || (g % 50000) || ' ' || repeat(chr(97 + g % 26), 8 + g % 24),
       (g % 1000000) / 100.0 + 0.01,
       timestamptz '2025-01-01 00:00:00+00' + g * interval '1 second',
       jsonb_build_object('sku', 'SKU-' || (g % 5000), 'qty', 1 + g % 7,
                          'tags', jsonb_build_array('t' || (g % 3), 't' || (g % 11))),
       g % 3 <> 0
FROM generate_series(1, $ROWS) AS g"
END_LSN=$(sql -c 'SELECT pg_current_wal_insert_lsn()')
load_s=$(awk -v a="$t0" -v b="$(now_ns)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
say "loaded in ${load_s}s; WAL end $END_LSN"

# --- CPU accounting ----------------------------------------------------------------------------
# On a shared machine wall time depends on the neighbours; CPU seconds do not (much). The server
# side of a reader is its walsender, which decodes the WAL: its CPU is counted as the growth of
# the postmaster's own and reaped-children's time (utime stime cutime cstime) plus its live
# children's time, taken when no walsender is running. Autovacuum is off for bench_rows, so the
# server is otherwise idle.
TICK=$(getconf CLK_TCK)
POSTMASTER=$(head -n 1 "$(sql -c 'SHOW data_directory')/postmaster.pid")
server_ticks() {
  local t c
  t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$POSTMASTER/stat")
  for c in $(pgrep -P "$POSTMASTER"); do
    t=$((t + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$c/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
# Waits until no replication connection is left (its walsender exited and was reaped).
wait_walsenders_gone() {
  local i
  for i in $(seq 100); do
    [[ $(sql -c 'SELECT count(*) FROM pg_stat_replication') == 0 ]] && { sleep 0.2; return; }
    sleep 0.1
  done
  die "a walsender is still running 10 s after its client finished"
}
declare -A WALL CLIENT_CPU SERVER_CPU
ticks_to_s() { awk -v t="$1" -v hz="$TICK" 'BEGIN { printf "%.2f", t / hz }'; }

# --- references --------------------------------------------------------------------------------
# recvlogical NAME SLOT [-o option ...]: reads SLOT up to END_LSN into /dev/null.
recvlogical() {
  local name=$1 slot=$2 s0 times
  shift 2
  s0=$(server_ticks)
  times=$( { TIMEFORMAT='%R %U %S'; time pg_recvlogical -d "$DSN" --slot "$slot" --start \
    --no-loop -E "$END_LSN" -f /dev/null "$@" 2>"$WORK/$name.log"; } 2>&1) ||
    { cat "$WORK/$name.log" >&2; die "pg_recvlogical ($name) failed"; }
  wait_walsenders_gone
  read -r WALL[$name] user sys <<<"$times"
  CLIENT_CPU[$name]=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  SERVER_CPU[$name]=$(ticks_to_s $(($(server_ticks) - s0)))
  say "$name: ${WALL[$name]}s wall, CPU ${CLIENT_CPU[$name]}s client + ${SERVER_CPU[$name]}s server"
}
recvlogical pgoutput bench_pgoutput -o proto_version=1 -o publication_names=bench_pub
if [[ $BENCH_WAL2JSON == 1 ]]; then
  recvlogical wal2json bench_wal2json -o format-version=2
fi

# --- cdcd ----------------------------------------------------------------------------------------
free_port() {
  local p
  for p in $(shuf -i 20000-60000 -n 50); do
    (: </dev/tcp/127.0.0.1/"$p") 2>/dev/null || { echo "$p"; return; }
  done
  die "no free port"
}
HTTP=127.0.0.1:$(free_port)
cat >"$WORK/cdcd.yaml" <<YAML
http: { enabled: true, listen: "$HTTP" }
log: { level: ${BENCH_LOG_LEVEL:-info} }
pipelines:
  - name: bench
    source:
      type: postgres
      dsn: "$DSN"
      tables: [public.bench_rows]
      slot: bench_cdcd
      publication: bench_pub
      snapshot: never
      heartbeat_interval: 0
    sink:
      type: file
      path: "$OUT"
      fsync: $FSYNC
    format: { $FORMAT_YAML }
    batch: { ${BENCH_BATCH_YAML:-} }
YAML

# committed: the pipeline's events_committed, or "" while the HTTP server is not up yet.
committed() { curl -fsS "http://$HTTP/pipelines" 2>/dev/null | jq -r '.[0].events_committed'; }
status_field() { curl -fsS "http://$HTTP/pipelines" 2>/dev/null | jq -r ".[0].$1"; }
proc_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

s0=$(server_ticks)
t=$(now_ns)
"$CDCD" run --config "$WORK/cdcd.yaml" >"$WORK/cdcd.log" 2>&1 &
CDCD_PID=$!
n=0
while :; do
  kill -0 "$CDCD_PID" 2>/dev/null || { tail -20 "$WORK/cdcd.log" >&2; die "cdcd exited early"; }
  n=$(committed || true)
  [[ -n $n && $n != null && $n -ge $ROWS ]] && break
  [[ $(status_field state || true) == failed ]] && die "pipeline failed: $(status_field last_error)"
  (($(now_ns) - t < TIMEOUT * 1000000000)) ||
    die "cdcd committed only $n of $ROWS rows in ${TIMEOUT}s"
  sleep 0.05
done
WALL[cdcd]=$(awk -v a="$t" -v b="$(now_ns)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
# VmHWM is the process's peak RSS so far; utime + stime cover all its threads.
HWM_KIB=$(proc_kib "$CDCD_PID" VmHWM)
CDCD_TICKS=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$CDCD_PID/stat")
CLIENT_CPU[cdcd]=$(ticks_to_s "$CDCD_TICKS")
BATCHES=$(status_field batches_committed)
kill -TERM "$CDCD_PID"
wait "$CDCD_PID" || die "cdcd exited with status $? after SIGTERM"
CDCD_PID=
wait_walsenders_gone
SERVER_CPU[cdcd]=$(ticks_to_s $(($(server_ticks) - s0)))
[[ $n == "$ROWS" ]] || die "cdcd committed $n events, expected $ROWS"
OUT_MIB=$(du -sm "$OUT" | cut -f1)
say "cdcd: ${WALL[cdcd]}s wall, CPU ${CLIENT_CPU[cdcd]}s client + ${SERVER_CPU[cdcd]}s server," \
  "$BATCHES batches, $OUT_MIB MiB written"

# --- report ---------------------------------------------------------------------------------------
row() {
  awk -v name="$1" -v rows="$ROWS" -v w="${WALL[$1]}" -v c="${CLIENT_CPU[$1]}" \
    -v sv="${SERVER_CPU[$1]}" -v rw="${WALL[pgoutput]}" \
    -v rc="${CLIENT_CPU[pgoutput]}" -v rs="${SERVER_CPU[pgoutput]}" 'BEGIN {
      printf "%-9s %8d %8.2f %9.0f %8.2f %8.2f %8.2f %8.2f %8.2f\n",
             name, rows, w, rows / w, c, sv, c + sv, w / rw, (c + sv) / (rc + rs) }'
}
echo
echo "$ROWS rows in one transaction (insert ${load_s}s)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cdcd: format { ${FORMAT_YAML:-defaults} }, batch { ${BENCH_BATCH_YAML:-defaults} }," \
  "fsync $FSYNC, $BATCHES batches, $OUT_MIB MiB written"
printf "%-9s %8s %8s %9s %8s %8s %8s %8s %8s\n" reader rows wall_s rows/s cpu_cli cpu_srv \
  cpu_sum "wall/ref" "cpu/ref"
row pgoutput
if [[ $BENCH_WAL2JSON == 1 ]]; then row wal2json; fi
row cdcd
awk -v k="$HWM_KIB" -v t="$RSS_TARGET" 'BEGIN {
  printf "cdcd peak RSS: %.1f MiB (target <= %d MiB: %s)\n", k / 1024, t,
         (k / 1024 <= t ? "met" : "MISSED") }'
