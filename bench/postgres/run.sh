#!/usr/bin/env bash
# bench/postgres/run.sh: the first benchmark's command, kept for its users: one large
# PostgreSQL transaction into files against pg_recvlogical reading the same WAL. It is now
# scenario a of the suite (bench/run.sh --only a), which measures the same transaction with the
# same knobs (BENCH_FSYNC, BENCH_FORMAT_YAML, BENCH_BATCH_YAML, BENCH_OUT_DIR, BENCH_KEEP, ...;
# see bench/README.md); its small-transaction shape runs here at a token size.
#
# Usage: [BUILD_DIR=build] [BENCH_ROWS=1000000] [BENCH_RUNS=1] bench/postgres/run.sh [bench/run.sh options]
set -euo pipefail
export BENCH_BIG_ROWS=${BENCH_ROWS:-${BENCH_BIG_ROWS:-1000000}}
export BENCH_SMALL_TXNS=${BENCH_SMALL_TXNS:-1000}
exec "$(dirname "${BASH_SOURCE[0]}")/../run.sh" --only a --runs "${BENCH_RUNS:-1}" "$@"
