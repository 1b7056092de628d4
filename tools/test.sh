#!/usr/bin/env bash
# The test command of the README: build, then run every test (ctest).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
extra=()
[ "${CI:-}" = "true" ] && extra+=(-DAFINAR_WERROR=ON)
bash "$root/tools/build.sh" "${extra[@]}"
ctest --test-dir "$root/build" --output-on-failure -j"$(nproc)" --timeout 900
