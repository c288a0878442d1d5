#!/usr/bin/env bash
# Configures and builds cdcd (Release) into ${BUILD_DIR:-build}.
# Extra arguments are passed to `cmake --build` (e.g. --target cdcd).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" \
  -DCDCD_WERROR="${CDCD_WERROR:-OFF}" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" "$@"
