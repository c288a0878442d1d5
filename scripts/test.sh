#!/usr/bin/env bash
# The whole test suite, from a clean clone on Debian 12: installs the
# dependencies, builds with warnings as errors, and runs ctest. ctest starts
# the real servers the tests need (PostgreSQL, MariaDB, Kafka) itself, in
# temp dirs on loopback ports, and stops them afterwards.
# Extra arguments go to ctest (e.g. -R pipeline, -L e2e).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
CDCD_WERROR=ON ./scripts/build.sh
cd "${BUILD_DIR:-build}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# Without arguments: everything but the chaos suite, which starts its own
# servers and runs on its own (./scripts/test.sh -L chaos -j1).
[ $# -gt 0 ] || set -- -LE chaos
ctest --output-on-failure --timeout 900 -j"$(nproc)" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || exit "$status"
# Where every server must be there (CI), a skip is a failure unless
# tests/expected-skips.txt lists it with its reason.
if [ "${CDCD_REQUIRE_SERVICES:-0}" = 1 ]; then
  python3 ../scripts/check-skips.py "$log" ../tests/expected-skips.txt
fi
