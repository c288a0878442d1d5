#!/usr/bin/env bash
# Configures and builds cdcd (Release) into ${BUILD_DIR:-build}.
# Extra arguments are passed to `cmake --build` (e.g. --target cdcd).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
# CDCD_WERROR is passed only when set, so a later build in the same tree
# (e.g. the demo after the tests) keeps the cached flags instead of
# recompiling everything with different ones.
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" \
  ${CDCD_WERROR:+-DCDCD_WERROR="$CDCD_WERROR"} >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" "$@"
