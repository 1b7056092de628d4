#!/usr/bin/env bash
# rotten_tomatoes train split: load + map(tokenize, batched, bert-base-uncased tokenizer.json) +
# one pass over the result (written out by save_to_disk), afinar vs Python `datasets` with its
# fast tokenizer, same tokenizer.json, same CPUs (taskset), cold runs (fresh caches), the median
# of RUNS (default 5) of each. afinar is timed twice: the whole `afinar datasets tokenize`
# process (startup included), and in-process (afinar_datasets_bench: the same code from its
# first step), which is how the Python side is timed (after its imports).
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

RUNS=${RUNS:-5}
cmake --build "$BUILD" --target afinar afinar_datasets_bench -j2 >/dev/null
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
AFINAR_S=$(for r in $(seq "$RUNS"); do
  rm -rf "$TMP"/*
  # afinar: the whole process (startup included), its map cache in a fresh folder.
  t0=$(date +%s.%N)
  HF_DATASETS_CACHE=$TMP/afinar_cache taskset -c "$CPUS" "$BUILD/afinar" datasets tokenize \
    --tokenizer "$TOK" --input "$DATA" --output_dir "$TMP/afinar_out" >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
done | median)
INPROC_S=$(for r in $(seq "$RUNS"); do
  rm -rf "$TMP"/*
  HF_DATASETS_CACHE=$TMP/afinar_cache taskset -c "$CPUS" "$BUILD/bench/datasets/afinar_datasets_bench" \
    "$DATA" "$TOK" "$TMP/afinar_out"
done | median)
# Python: timed inside the process, after the imports.
PY_S=$(for r in $(seq "$RUNS"); do
  rm -rf "$TMP"/*
  HF_DATASETS_CACHE=$TMP/py_cache RAYON_NUM_THREADS=$THREADS TOKENIZERS_PARALLELISM=true \
    taskset -c "$CPUS" "$PY" "$ROOT/bench/datasets/hf_tokenize.py" "$DATA" "$TOK" "$TMP/py_out"
done | median)

python3 - "$AFINAR_S" "$INPROC_S" "$PY_S" "$THREADS" "$RUNS" <<'PYEOF'
import sys
a, i, p, t, n = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
print(f"rotten_tomatoes train (8530 rows), {t} threads, load + map(tokenize) + save_to_disk, median of {n} cold runs")
print(f"afinar            {a:8.3f} s (whole process)     ratio {p / a:5.1f}x")
print(f"afinar            {i:8.3f} s (in-process)        ratio {p / i:5.1f}x")
print(f"python datasets   {p:8.3f} s (after imports)")
PYEOF
