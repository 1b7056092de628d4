#!/usr/bin/env bash
# Larger than RAM: generates an Arrow file of SIZE_GB (default 8) — rows of a short sentence and a
# 1 KB payload, as tests/cli/datasets_large_test.cpp at 200 MB — then runs
# `afinar datasets tokenize` over it (memory-mapped input, one pass, output written batch by
# batch) and prints the peak RSS (wait4's ru_maxrss) and throughput. Needs ~3 × SIZE_GB of disk.
#   bench/datasets/large.sh [build-dir] [size-GB] [work-dir]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
SIZE_GB=${2:-8}
WORK=${3:-$(mktemp -d)}
PY=${AFINAR_VENV:-/root/.cache/afinar/venv}/bin/python3
TOK=$ROOT/../shared/tokenizers/bert-base-uncased/tokenizer.json
mkdir -p "$WORK"
trap 'rm -rf "$WORK/large.arrow" "$WORK/tok" "$WORK/cache"' EXIT

"$PY" - "$WORK/large.arrow" "$SIZE_GB" <<'PYEOF'
import sys
import pyarrow as pa
path, gb = sys.argv[1], float(sys.argv[2])
words = ["the", "rock", "is", "destined", "to", "be", "century's", "new", "conan", "splash"]
rows = int(gb * (1 << 30) / 1040)
schema = pa.schema([("text", pa.string()), ("payload", pa.string())])
payload = pa.array(["x" * 1000] * 1000)
with pa.OSFile(path, "wb") as f, pa.ipc.new_stream(f, schema) as w:
    for start in range(0, rows, 1000):
        n = min(1000, rows - start)
        text = [" ".join(words[(i * 7 + k * 3) % 10] for k in range(8)) for i in range(start, start + n)]
        w.write_batch(pa.record_batch([pa.array(text), payload.slice(0, n)], schema=schema))
print(f"generated {rows} rows", file=sys.stderr)
PYEOF

"$PY" - "$BUILD/afinar" "$TOK" "$WORK" <<'PYEOF'
import os, subprocess, sys, time
exe, tok, work = sys.argv[1:4]
size = os.path.getsize(f"{work}/large.arrow")
env = dict(os.environ, HF_DATASETS_CACHE=f"{work}/cache")
def run(args):
    t0 = time.perf_counter()
    p = subprocess.Popen([exe, *args], env=env, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    assert status == 0, f"{args} failed: {status}"
    return time.perf_counter() - t0, ru.ru_maxrss / 1024
_, base = run(["datasets", "info", f"{work}/large.arrow"])
secs, peak = run(["datasets", "tokenize", "--tokenizer", tok, "--input", f"{work}/large.arrow",
                  "--output_dir", f"{work}/tok", "--max_length", "32"])
print(f"data {size / 2**30:.2f} GiB; tokenize: {secs:.1f} s, {size / 2**20 / secs:.0f} MB/s, "
      f"peak RSS {peak:.0f} MB (info on the same file: {base:.0f} MB)")
PYEOF
