#!/usr/bin/env bash
# afinar vs HF Trainer, side by side in one run: the seed's fine-tuning (all-MiniLM-L6-v2 on
# rotten_tomatoes, 1 epoch, lr 5e-5, batch 16, max_seq_length 128, seed 42, fp32) on the same
# number of CPU threads. Prints samples/s, time to first step, peak RSS, eval/test accuracy and
# F1 of each, and the afinar/HF ratios.
#
#   bench/compare_hf/run.sh [--threads 2] [--max_train_samples N]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/tools/env.sh"
threads=2; max_train=-1
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --max_train_samples) max_train="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
data="$root/../shared/data/rotten_tomatoes"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=true

echo "== HF Trainer (transformers, $threads threads)"
"$AFINAR_VENV/bin/python3" "$root/bench/compare_hf/hf_trainer.py" --data_dir "$data" --output_dir "$work/hf" \
  --threads "$threads" --max_train_samples "$max_train" 2>"$work/hf.log" | tail -n 1 >"$work/hf.json" || { cat "$work/hf.log"; exit 1; }
cat "$work/hf.json"

echo "== afinar ($threads threads)"
/usr/bin/time -v "$root/build/afinar" train --model_name_or_path sentence-transformers/all-MiniLM-L6-v2 \
  --train_file "$data/train.jsonl" --validation_file "$data/validation.jsonl" --test_file "$data/test.jsonl" \
  --output_dir "$work/afinar" --do_train --do_eval --do_predict --num_train_epochs 1 --learning_rate 5e-5 \
  --per_device_train_batch_size 16 --max_seq_length 128 --seed 42 --save_strategy no --use_cpu \
  --max_train_samples "$max_train" >"$work/afinar.log" 2>"$work/time.log" || { cat "$work/afinar.log" "$work/time.log"; exit 1; }
tail -n 30 "$work/afinar.log"

"$AFINAR_VENV/bin/python3" - "$work" <<'PY'
import json, re, sys, pathlib
w = pathlib.Path(sys.argv[1])
hf = json.loads((w / "hf.json").read_text())
res = json.loads((w / "afinar" / "all_results.json").read_text())
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", (w / "time.log").read_text()).group(1)) / 1024
af = {"train_samples_per_second": res["train_samples_per_second"], "time_to_first_step": res["train_time_to_first_step"],
      "peak_rss_mb": rss, "eval_accuracy": res["eval_accuracy"], "eval_f1": res["eval_f1"],
      "test_accuracy": res["test_accuracy"], "test_f1": res["test_f1"]}
print(f"\n{'measure':<26}{'afinar':>12}{'HF':>12}{'afinar/HF':>12}")
for k in af:
    a, h = af[k], hf[k]
    print(f"{k:<26}{a:>12.4f}{h:>12.4f}{(a / h if h else float('nan')):>12.3f}")
print(f"test accuracy difference (points): {100 * (af['test_accuracy'] - hf['test_accuracy']):+.2f}")
PY
