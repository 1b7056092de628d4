#!/usr/bin/env bash
# rotten_tomatoes train split: load + map(tokenize, batched, bert-base-uncased tokenizer.json) +
# one pass over the result (written out by save_to_disk), afinar vs Python `datasets` with its
# fast tokenizer, same tokenizer.json, same CPUs (taskset), one cold run each (fresh caches).
#   bench/datasets/run.sh [build-dir] [threads]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
THREADS=${2:-$(nproc)}
PY=${AFINAR_VENV:-/root/.cache/afinar/venv}/bin/python3
DATA=$ROOT/../shared/data/rotten_tomatoes/train.jsonl
TOK=$ROOT/../shared/tokenizers/bert-base-uncased/tokenizer.json
CPUS=0-$((THREADS - 1))
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# afinar: the whole process (startup included), its map cache in a fresh folder.
t0=$(date +%s.%N)
HF_DATASETS_CACHE=$TMP/afinar_cache taskset -c "$CPUS" "$BUILD/afinar" datasets tokenize \
  --tokenizer "$TOK" --input "$DATA" --output_dir "$TMP/afinar_out" >/dev/null
t1=$(date +%s.%N)
AFINAR_S=$(echo "$t1 - $t0" | bc -l)

# Python: timed inside the process, after the imports (to its advantage).
PY_S=$(HF_DATASETS_CACHE=$TMP/py_cache RAYON_NUM_THREADS=$THREADS TOKENIZERS_PARALLELISM=true \
  taskset -c "$CPUS" "$PY" "$ROOT/bench/datasets/hf_tokenize.py" "$DATA" "$TOK" "$TMP/py_out")

python3 - "$AFINAR_S" "$PY_S" "$THREADS" <<'PYEOF'
import sys
a, p, t = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
print(f"rotten_tomatoes train (8530 rows), {t} threads, load + map(tokenize) + save_to_disk")
print(f"afinar            {a:8.3f} s (whole process)")
print(f"python datasets   {p:8.3f} s (after imports)")
print(f"ratio             {p / a:8.1f}x")
PYEOF
