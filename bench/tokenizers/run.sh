#!/usr/bin/env bash
# Builds afinar's tokenizer bench and runs it beside Python `tokenizers` on the same corpus (all
# rotten_tomatoes texts) with 1 and 2 threads; prints tokens/s of both and their ratio.
#   bench/tokenizers/run.sh [build_dir]   (default build-tok)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
BUILD="${1:-$ROOT/build-tok}"
SHARED="$ROOT/../shared"
PY="${AFINAR_PYTHON:-$AFINAR_VENV/bin/python3}"
OUT="$(mktemp -d)"

if cmake --build "$BUILD" --target afinar_tokenizers_bench -j2 >/dev/null 2>&1; then
  BIN="$BUILD/bench/tokenizers/afinar_tokenizers_bench"
else  # bench/ not added to the build: compile it against the built library
  cmake --build "$BUILD" --target afinar_tokenizers -j2 >/dev/null
  BIN="$OUT/afinar_tokenizers_bench"
  g++ -O3 -DNDEBUG -std=c++20 -I"$ROOT/include" "$ROOT/bench/tokenizers/bench_tokenizers.cpp" -o "$BIN" \
    "$BUILD/libafinar_tokenizers.a" "$BUILD/libafinar_hub.a" "$BUILD/libafinar_core.a" -lutf8proc -lonig -ldl -pthread
fi

"$BIN" "$SHARED" 1 2 | tee "$OUT/afinar.txt"
for t in 1 2; do
  RAYON_NUM_THREADS=$t TOKENIZERS_PARALLELISM=true "$PY" "$ROOT/bench/tokenizers/bench_tokenizers.py" "$SHARED" \
    | tee -a "$OUT/python.txt"
done

"$PY" - "$OUT/afinar.txt" "$OUT/python.txt" <<'PY'
import sys
rows = {}
for path in sys.argv[1:]:
    for line in open(path):
        who, name, threads, tokens, secs, rate = line.split()
        rows[(who, name, threads)] = (int(tokens), float(rate))
names = sorted({k[1] for k in rows}, key=lambda n: list(k[1] for k in rows).index(n))
print()
print(f"{'tokenizer':42} {'thr':>3} {'afinar tok/s':>14} {'python tok/s':>14} {'ratio':>6}  tokens")
for name in names:
    for t in ("1", "2"):
        a, p = rows.get(("afinar", name, t)), rows.get(("python", name, t))
        if not a or not p:
            continue
        same = "" if a[0] == p[0] else f"  (token counts differ: {a[0]} vs {p[0]})"
        print(f"{name:42} {t:>3} {a[1]:>14,.0f} {p[1]:>14,.0f} {a[1] / p[1]:>5.2f}x  {a[0]}{same}")
PY
rm -rf "$OUT"
