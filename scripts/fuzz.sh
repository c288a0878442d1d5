#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang with ASan + UBSan) in
# ${FUZZ_BUILD_DIR:-build-fuzz} and runs each for SECONDS (default 30) from
# its seed corpus: the committed seeds in tests/fuzz/corpus, the fixture
# binlogs, the example configs. Exits non-zero when a target crashes, leaks
# or trips a sanitizer; the input that did it is kept as
# ${FUZZ_BUILD_DIR}/crashes/<target>-crash-*: fix it, add a unit test, and
# commit the input to tests/fuzz/corpus/<target>/regression-* so every run
# tries it first.
#   scripts/fuzz.sh            # every target, 30 s each
#   scripts/fuzz.sh 600 binlog # one target, 10 minutes
#   scripts/fuzz.sh 0 config   # replay its seeds and regression inputs only
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-30}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(pgoutput binlog json_binary config file_sink_recovery)
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}

CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=None -DCDCD_FUZZ=ON \
  >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target "${TARGETS[@]/%/_fuzz}"

seeds() {  # the seed files of target $1, one per line
  case "$1" in
    binlog)
      find tests/fixtures ../shared/fixtures -type f \( -name '*bin*' -o -name '*.binlog*' \) \
        ! -name '*.gz' ! -name '*.txt' ! -name '*.json' ! -path '*oracle*' 2>/dev/null || true ;;
    config) ls config/examples/*.yaml docker/pipelines.yaml ;;
  esac
  # The committed seeds, among them every input that once crashed a target.
  if [ -d "tests/fuzz/corpus/$1" ]; then find "tests/fuzz/corpus/$1" -type f; fi
}

export UBSAN_OPTIONS=print_stacktrace=1
failed=()
mkdir -p "$BUILD/crashes"
for t in "${TARGETS[@]}"; do
  corpus="$BUILD/corpus/$t"
  mkdir -p "$corpus"
  seeds "$t" | while read -r f; do cp "$f" "$corpus/$(basename "$(dirname "$f")")_$(basename "$f")"; done
  echo "fuzz: $t for ${SECONDS_EACH}s from $(ls "$corpus" | wc -l) inputs"
  # Allocations above 256 MiB are reported (bounded memory is a promise too).
  # 0 seconds: only replay the seeds and regression inputs.
  if [ "$SECONDS_EACH" = 0 ]; then limit=(-runs=0); else limit=(-max_total_time="$SECONDS_EACH"); fi
  if ! "$BUILD/tests/fuzz/${t}_fuzz" "$corpus" "${limit[@]}" \
      -rss_limit_mb=2048 -malloc_limit_mb=256 -max_len=1048576 -timeout=10 \
      -artifact_prefix="$BUILD/crashes/$t-" -print_final_stats=1 >"$BUILD/$t.log" 2>&1; then
    failed+=("$t")
    tail -40 "$BUILD/$t.log"
  else
    grep -E "stat::number_of_executed_units|cov:" "$BUILD/$t.log" | tail -2 || true
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $BUILD/crashes)"
  exit 1
fi
echo "fuzz: every target ran ${SECONDS_EACH}s clean"
