#!/usr/bin/env bash
# Setup (idempotent) + configure + build into ./build. Extra args go to cmake's configure step.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/tools/env.sh"
bash "$root/tools/setup.sh"
cmake -S "$root" -B "$root/build" -G Ninja -DAFINAR_PYTHON="$AFINAR_VENV/bin/python3" "$@" >/dev/null
cmake --build "$root/build" -j"$(nproc)"
