#!/usr/bin/env bash
# bench/run.sh: cdcd's benchmark suite in one command (issue 14). Starts the test services it
# needs (tests/services/svc, throwaway, stopped at exit), runs each scenario --runs times, and
# prints one Markdown table of medians, with ratios against references measured in the same run,
# CPU seconds per million events and peak RSS (VmHWM). See bench/README.md for every column and
# knob.
#
# Usage: bench/run.sh [--smoke] [--runs N] [--only a,b,...] [--keep]
#   scenarios: a  PostgreSQL stream (1 large transaction; many small ones) vs pg_recvlogical
#              b  MariaDB stream (the same two shapes) vs mariadb-binlog
#              c  Kafka sink: generator -> Kafka, exactly-once and at_least_once, vs kcat -P
#              d  Debezium (embedded engine) on the workloads of a and b
#              e  initial snapshot (PostgreSQL and MariaDB) vs the client's copy to /dev/null
#              f  latency at a fixed transaction rate: commit -> file sink, -> Kafka consumer
#   --smoke    tiny sizes, one run: about a minute. Fails (exit 1) when a scenario does not
#              complete or cdcd's output has the wrong number of events; never on a ratio.
#   --runs N   runs per scenario (default 3; --smoke: 1); the table shows medians
#   --only L   comma-separated scenarios (default: all)
#   --keep     keep the work directory (configs, logs, results) and the outputs (in /dev/shm,
#              i.e. memory: ~20 GiB per full run; before each scenario the suite checks that
#              BENCH_MEM_MIN_GIB, default 6, GiB are still available)
# Sizes and other knobs: environment variables, listed in bench/README.md.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
HERE=$ROOT/bench

SMOKE=0
RUNS=
ONLY=
KEEP=${BENCH_KEEP:-0}
usage() {
  sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
while (($#)); do
  case $1 in
    --smoke) SMOKE=1 ;;
    --runs)
      [[ $# -ge 2 ]] || usage
      RUNS=$2
      shift
      ;;
    --runs=*) RUNS=${1#*=} ;;
    --only)
      [[ $# -ge 2 ]] || usage
      ONLY=$2
      shift
      ;;
    --only=*) ONLY=${1#*=} ;;
    --keep) KEEP=1 ;;
    -h | --help) usage ;;
    *)
      echo "bench: unknown argument '$1'" >&2
      usage
      ;;
  esac
  shift
done
[[ -n $RUNS ]] || RUNS=$((SMOKE ? 1 : 3))
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || {
  echo "bench: --runs wants a positive integer, got '$RUNS'" >&2
  exit 2
}
[[ -n $ONLY ]] || ONLY=a,b,c,d,e,f
declare -A WANT=()
for s in ${ONLY//,/ }; do
  [[ $s =~ ^[a-f]$ ]] || {
    echo "bench: unknown scenario '$s' in --only (want letters a to f)" >&2
    exit 2
  }
  WANT[$s]=1
done
want() { [[ -n ${WANT[$1]:-} ]]; }

# --- sizes (env overrides; --smoke shrinks the defaults) --------------------------------------------
if ((SMOKE)); then
  : "${BENCH_BIG_ROWS:=2000}" "${BENCH_SMALL_TXNS:=1000}" "${BENCH_KAFKA_EVENTS:=2000}"
  : "${BENCH_SNAPSHOT_ROWS:=5000}" "${BENCH_LATENCY_RATE:=500}" "${BENCH_LATENCY_SECONDS:=5}"
  : "${BENCH_DBZ_BIG_ROWS:=2000}" "${BENCH_DBZ_SMALL_TXNS:=1000}"
else
  : "${BENCH_BIG_ROWS:=1000000}" "${BENCH_SMALL_TXNS:=100000}" "${BENCH_KAFKA_EVENTS:=1000000}"
  : "${BENCH_SNAPSHOT_ROWS:=5000000}" "${BENCH_LATENCY_RATE:=5000}" "${BENCH_LATENCY_SECONDS:=60}"
  : "${BENCH_DBZ_BIG_ROWS:=$BENCH_BIG_ROWS}" "${BENCH_DBZ_SMALL_TXNS:=$BENCH_SMALL_TXNS}"
fi
for v in BENCH_BIG_ROWS BENCH_SMALL_TXNS BENCH_KAFKA_EVENTS BENCH_SNAPSHOT_ROWS BENCH_LATENCY_RATE \
  BENCH_LATENCY_SECONDS BENCH_DBZ_BIG_ROWS BENCH_DBZ_SMALL_TXNS; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || {
    echo "bench: $v must be a positive integer, got '${!v}'" >&2
    exit 2
  }
done
BUILD_DIR=${BUILD_DIR:-build}
CDCD=$BUILD_DIR/cdcd
[[ $CDCD == /* ]] || CDCD=$ROOT/$CDCD
TIMEOUT=${BENCH_TIMEOUT:-1800}

# shellcheck source=lib/common.bash
source "$HERE/lib/common.bash"
# shellcheck source=lib/pg.bash
source "$HERE/lib/pg.bash"
# shellcheck source=lib/mariadb.bash
source "$HERE/lib/mariadb.bash"
# shellcheck source=lib/kafka.bash
source "$HERE/lib/kafka.bash"
# shellcheck source=lib/debezium.bash
source "$HERE/lib/debezium.bash"
# shellcheck source=lib/latency.bash
source "$HERE/lib/latency.bash"

# --- tools, before anything starts ---------------------------------------------------------------------
[[ -x $CDCD ]] || die "$CDCD not found: run ./scripts/build.sh (or set BUILD_DIR)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian package 'time')"
for t in python3 awk pgrep shuf; do need_tool "$t"; done
if want a || want d || want e || want f; then
  for t in psql pg_recvlogical; do need_tool "$t"; done
fi
want f && need_tool pgbench "Debian package postgresql-contrib / postgresql-15"
if want b || want d || want e; then
  for t in mariadb mariadb-binlog; do need_tool "$t"; done
fi
if want c || want f; then need_tool kcat "Debian package kcat"; fi
want c && need_tool jq "Debian package jq"

# --- work directory, outputs, cleanup -------------------------------------------------------------------
WORK=$(mktemp -d /tmp/cdcd-bench.XXXXXX)
if [[ -n ${BENCH_OUT_DIR:-} ]]; then
  mkdir -p "$BENCH_OUT_DIR"
  SHM=$(mktemp -d "$BENCH_OUT_DIR/cdcd-bench-out.XXXXXX")
elif [[ -d /dev/shm && -w /dev/shm ]]; then
  SHM=$(mktemp -d /dev/shm/cdcd-bench-out.XXXXXX)
else
  SHM=$WORK/out
  mkdir -p "$SHM"
fi
# The suite measures one binary throughout, even if the build directory is rebuilt meanwhile.
cp "$CDCD" "$WORK/cdcd"
GIT_REV=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo "an unknown commit")
CDCD=$WORK/cdcd
RESULTS=$WORK/results.tsv
: >"$RESULTS"
SERVICES=()
cleanup() {
  local rc=$? s
  set +e
  reaper_stop
  cdcd_kill
  dbz_kill
  latency_kill
  for s in "${SERVICES[@]}"; do
    tests/services/svc stop "$s" "$WORK" >/dev/null 2>&1
  done
  if ((KEEP)); then
    say "kept: work directory $WORK, outputs $SHM"
    return
  fi
  rm -rf "$SHM"
  if ((rc != 0)); then
    say "work directory kept for inspection: $WORK (outputs in $SHM removed)"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_service NAME: tests/services/svc start in the work directory; sources its env file.
start_service() {
  local s=$1
  say "starting $s"
  SERVICES+=("$s")
  tests/services/svc start "$s" "$WORK" >&2 || die "cannot start $s (tests/services/svc start $s)"
  # shellcheck disable=SC1090
  source "$WORK/$s.env"
}

T_SUITE=${EPOCHREALTIME/./}
if want d; then
  # Debezium waits frozen while the others read (see lib/debezium.bash): no replication timeouts.
  export CDCD_TEST_PG_EXTRA_CONF="wal_sender_timeout = 0"
  export CDCD_TEST_MYSQL_EXTRA_ARGS="--net-write-timeout=7200"
fi
say "scenarios ${ONLY}, $RUNS run(s) each$( ((SMOKE)) && echo ', smoke sizes'); work $WORK, outputs $SHM"
if want a || want e || want f || want d; then start_service postgres; fi
if want b || want e || want d; then start_service mariadb; fi
if want c || want f; then start_service kafka; fi

NOTES=()
note() { # once each
  local n
  for n in "${NOTES[@]}"; do [[ $n == "$*" ]] && return 0; done
  NOTES+=("$*")
}

for ((RUN = 1; RUN <= RUNS; RUN++)); do
  say "==== run $RUN of $RUNS"
  if want a || want d; then pg_stream_run; fi
  if want b || want d; then maria_stream_run; fi
  if want c; then kafka_run; fi
  if want e; then
    pg_snapshot_run
    maria_snapshot_run
  fi
  if want f; then latency_run; fi
done

# --- report -----------------------------------------------------------------------------------------
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo
  echo "### cdcd benchmark suite ($(date -u +%Y-%m-%dT%H:%MZ), $RUNS run(s), scenarios $ONLY$( ((SMOKE)) && echo ', smoke sizes'))"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
    "$(. /etc/os-release && echo "$PRETTY_NAME"), load average at the end $LOADAVG; $("$CDCD" version 2>/dev/null | head -n 1) at $GIT_REV."
  echo
  python3 "$HERE/lib/report.py" "$RESULTS"
  for n in "${NOTES[@]}"; do echo "- $n"; done
  echo
  echo "Suite wall time: $(secs_since "$T_SUITE") s."
} | tee "$WORK/table.md"
