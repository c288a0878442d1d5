#!/usr/bin/env bash
# The main job on its embedded default: installs the dependencies, builds
# cdcd, and runs `cdcd demo`, which streams generated changes through the
# exactly-once file sink and prints a few of the captured events.
# Extra arguments go to `cdcd demo` (e.g. --events 10000 --dir /tmp/out).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null
./scripts/build.sh --target cdcd >/dev/null
exec "${BUILD_DIR:-build}/cdcd" demo "$@"
