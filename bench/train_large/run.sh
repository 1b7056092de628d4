#!/usr/bin/env bash
# `afinar train` (text classification, all-MiniLM-L6-v2, --max_steps 100) on a JSON Lines file of
# SIZE_GB (default 4): rotten_tomatoes' train sentences, each repeated with its words rotated (a
# new text per pass over the 8,530 sentences) and its label. Runs the same command twice under
# /usr/bin/time -v with a datasets cache of its own: the first run prepares the file into the
# cache and tokenises it (Dataset::map), the second is served from both cache files. Prints peak
# RSS, time to the first training step (train_results.json) and total time of each run.
# Needs about 5 × SIZE_GB of disk under WORK.
#   bench/train_large/run.sh [build-dir] [size-GB] [work-dir]      (KEEP=1 keeps the data)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
SIZE_GB=${2:-4}
WORK=${3:-/tmp/afinar_train_large}
SRC=$ROOT/../shared/data/rotten_tomatoes/train.jsonl
mkdir -p "$WORK"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK/big.jsonl" "$WORK/hf_datasets" "$WORK/run1" "$WORK/run2"' EXIT
rm -rf "$WORK/hf_datasets" "$WORK/run1" "$WORK/run2"

if [ ! -s "$WORK/big.jsonl" ] || [ "$(stat -c %s "$WORK/big.jsonl")" -lt $((SIZE_GB << 30)) ]; then
  # {"text": "...", "label": N}: the text's words rotated by the pass number, JSON kept valid
  # (a rotation moves whole words; escapes stay inside their word).
  mawk -v target=$((SIZE_GB << 30)) '
    { n++; text[n] = substr($0, 11, index($0, "\", \"label\": ") - 11); label[n] = substr($0, length($0) - 1, 1) }
    END {
      bytes = 0
      for (pass = 0; bytes < target; pass++)
        for (i = 1; i <= n && bytes < target; i++) {
          k = split(text[i], w, " "); r = pass % k; s = ""
          for (j = 1; j <= k; j++) s = s (j > 1 ? " " : "") w[(j + r - 1) % k + 1]
          line = "{\"text\": \"" s "\", \"label\": " label[i] "}"
          print line; bytes += length(line) + 1
        }
    }' "$SRC" > "$WORK/big.jsonl"
fi
echo "data: $(du -h "$WORK/big.jsonl" | cut -f1), $(wc -l < "$WORK/big.jsonl") rows"

export HF_DATASETS_CACHE=$WORK/hf_datasets
for run in 1 2; do
  /usr/bin/time -v -o "$WORK/time$run.txt" "$BUILD/afinar" train \
    --model_name_or_path sentence-transformers/all-MiniLM-L6-v2 --train_file "$WORK/big.jsonl" --do_train \
    --max_steps 100 --per_device_train_batch_size 16 --output_dir "$WORK/run$run" --disable_tqdm \
    > "$WORK/log$run.txt" 2>&1 || { tail -20 "$WORK/log$run.txt"; exit 1; }
done

echo "| run | peak RSS | time to first step | total time |"
echo "| --- | ---: | ---: | ---: |"
for run in 1 2; do
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f MB", $2 / 1024}' "$WORK/time$run.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time$run.txt")
  first=$(sed -n 's/.*"train_time_to_first_step": *\([0-9.]*\).*/\1/p' "$WORK/run$run/train_results.json")
  echo "| $run | $rss | ${first} s | $wall |"
done
du -sh "$HF_DATASETS_CACHE"/* | sed 's/^/cache: /'
