#!/usr/bin/env bash
# The unit tests under AddressSanitizer and UndefinedBehaviorSanitizer
# (clang): every test binary that needs no server, plus the decoder unit tests
# of the PostgreSQL and MySQL binaries (their live tests skip here unless
# CDCD_TEST_SERVICES_DIR points at running test services, see
# tests/services/svc), and the end-to-end tests that need no server, which
# run this build's cdcd. Any leak, invalid access or undefined behaviour fails.
# With services, the live end-to-end binaries run the same way, e.g.
#   CDCD_TEST_SERVICES_DIR=/tmp/svcs scripts/sanitize.sh e2e_postgres_tests
# Built in ${FUZZ_BUILD_DIR:-build-fuzz}, which scripts/fuzz.sh shares: the
# same flags, so each object is compiled once for both.
# With --thread: ThreadSanitizer instead, on the tests of the threaded parts
# (pipeline, event queue, coordinator and chunk workers in cdc_tests; the
# daemon; the file sink; the generator source) and the end-to-end tests that
# need no server, which run this build's cdcd (HTTP, reloads, kills, replay,
# hot standby), built in ${TSAN_BUILD_DIR:-build-tsan}. Any data race or lock-order
# inversion fails.
#   scripts/sanitize.sh            # all of them
#   scripts/sanitize.sh cdc_tests  # one binary
#   scripts/sanitize.sh --thread [BINARY...]
set -euo pipefail
cd "$(dirname "$0")/.."
THREAD=0
if [[ ${1:-} == --thread ]]; then
  THREAD=1
  shift
fi
BINARIES=("$@")
if ((THREAD)); then
  BUILD=${TSAN_BUILD_DIR:-build-tsan}
  NAME="TSan"
  FLAG=-DCDCD_TSAN=ON
  # e2e/e2e_tests runs the cdcd binary of this build (TSan too) through
  # kills, reloads, replays and a standby takeover.
  [ ${#BINARIES[@]} -gt 0 ] || BINARIES=(cdc_tests daemon_tests sinks_file_tests
    sources_generator_tests e2e/e2e_tests)
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:history_size=4
else
  BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
  NAME="ASan + UBSan"
  FLAG=-DCDCD_FUZZ=ON
  [ ${#BINARIES[@]} -gt 0 ] || BINARIES=(cdc_tests cdc_format_tests config_tests daemon_tests
    sinks_file_tests sources_generator_tests sources_mysql_tests sources_postgres_tests
    e2e/e2e_tests)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=None "$FLAG" \
  >/dev/null
TARGETS=(cdcd)
for b in "${BINARIES[@]}"; do TARGETS+=("$(basename "$b")"); done
cmake --build "$BUILD" -j"$(nproc)" --target "${TARGETS[@]}"

# Live tests skip without services here; they must not fail for it.
unset CDCD_REQUIRE_SERVICES
failed=()
for b in "${BINARIES[@]}"; do
  echo "sanitize: $b"
  log="$BUILD/$(basename "$b").log"
  if ! "$BUILD/tests/$b" --gtest_brief=1 >"$log" 2>&1; then
    failed+=("$b")
    tail -60 "$log"
  else
    grep -E "^\[  (PASSED|SKIPPED) " "$log" || true
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "sanitize: FAILED: ${failed[*]} (logs in $BUILD/<binary>.log)"
  exit 1
fi
echo "sanitize: every binary passed under $NAME"
