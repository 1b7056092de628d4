#!/usr/bin/env bash
# afinar vs HF Trainer, side by side in one run: the seed's fine-tuning (all-MiniLM-L6-v2 on
# rotten_tomatoes, 1 epoch, lr 5e-5, batch 16, max_seq_length 128, seed 42) on the same number of
# CPU threads, after a matmul-peak measurement (peak.py). Prints per side: train samples/s, real
# tokens/s, real-token MFU (6 · non-embedding params · real tokens / time ÷ the measured peak of
# the precision), eval and predict samples/s, time to first step, peak RSS, eval/test accuracy and
# F1, and the afinar/HF ratios.
#
#   bench/compare_hf/run.sh [--threads 2] [--max_train_samples N] [--precision fp32|bf16] [--best]
# (--max_train_samples N: both sides train on the same N rows, evenly strided over the label-sorted file)
#                           [--also_padded] [-- extra afinar train flags]
#
# --precision bf16: both sides with TrainingArguments.bf16 (autocast, fp32 master weights).
# --best: each side at its fastest settings here: HF with group_by_length (its Trainer has no
#   padding-free path for BERT-style models); afinar padding-free (its default) with group_by_length
#   (which also shortens the attention rows: measured faster than either alone).
# --also_padded: afinar a second time with --padding_free false (today's padded rectangles).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/tools/env.sh"
threads=2; max_train=-1; precision=fp32; best=0; also_padded=0; extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --max_train_samples) max_train="$2"; shift 2 ;;
    --precision) precision="$2"; shift 2 ;;
    --best) best=1; shift ;;
    --also_padded) also_padded=1; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$precision" in fp32|bf16) ;; *) echo "--precision must be fp32 or bf16" >&2; exit 2 ;; esac
data="$root/../shared/data/rotten_tomatoes"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=true
py="$AFINAR_VENV/bin/python3"
if [ "$max_train" -gt 0 ]; then
  # The file is sorted by label: both sides train on the same evenly strided subset of it.
  mkdir -p "$work/data"
  "$py" - "$data/train.jsonl" "$work/data/train.jsonl" "$max_train" <<'PY'
import sys
rows = open(sys.argv[1]).readlines()
n = int(sys.argv[3])
open(sys.argv[2], "w").writelines(rows[i * (len(rows) // n)] for i in range(n))
PY
  ln -s "$data/validation.jsonl" "$work/data/validation.jsonl"
  ln -s "$data/test.jsonl" "$work/data/test.jsonl"
  data="$work/data"
  max_train=-1
fi

echo "== matmul peak ($threads threads)"
"$py" "$root/bench/compare_hf/peak.py" --threads "$threads" | tee "$work/peak.json"

hf_flags=(); af_flags=()
if [ "$precision" = bf16 ]; then hf_flags+=(--bf16); af_flags+=(--bf16); fi
if [ "$best" = 1 ]; then hf_flags+=(--group_by_length); af_flags+=(--train_sampling_strategy group_by_length); fi

echo "== HF Trainer (transformers, $threads threads, $precision${best:+, best=$best})"
"$py" "$root/bench/compare_hf/hf_trainer.py" --data_dir "$data" --output_dir "$work/hf" --threads "$threads" \
  --max_train_samples "$max_train" "${hf_flags[@]}" 2>"$work/hf.log" | tail -n 1 >"$work/hf.json" ||
  { cat "$work/hf.log"; exit 1; }
cat "$work/hf.json"

run_afinar() {  # name, extra flags…
  local name="$1"; shift
  echo "== afinar $name ($threads threads, $precision)"
  /usr/bin/time -v "$root/build/afinar" train --model_name_or_path sentence-transformers/all-MiniLM-L6-v2 \
    --train_file "$data/train.jsonl" --validation_file "$data/validation.jsonl" --test_file "$data/test.jsonl" \
    --output_dir "$work/$name" --do_train --do_eval --do_predict --num_train_epochs 1 --learning_rate 5e-5 \
    --per_device_train_batch_size 16 --max_seq_length 128 --seed 42 --save_strategy no --use_cpu \
    --max_train_samples "$max_train" "${af_flags[@]}" "$@" >"$work/$name.log" 2>"$work/$name.time" ||
    { cat "$work/$name.log" "$work/$name.time"; exit 1; }
  tail -n 12 "$work/$name.log"
}
run_afinar afinar ${extra[@]+"${extra[@]}"}
sides=(afinar)
if [ "$also_padded" = 1 ]; then run_afinar afinar_padded --padding_free false ${extra[@]+"${extra[@]}"}; sides+=(afinar_padded); fi

"$py" - "$work" "$precision" "${sides[@]}" <<'PY'
import json, re, sys, pathlib
w, precision, sides = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
peak = json.loads((w / "peak.json").read_text())
hf = json.loads((w / "hf.json").read_text())
flops = 6.0 * hf["non_embedding_params"] * hf["real_tokens"]  # the same model and tokens on both sides
peak_flops = peak[f"{precision}_gflops"] * 1e9

def mfu(tokens_per_s: float) -> float:
    return 6.0 * hf["non_embedding_params"] * tokens_per_s / peak_flops

hf["train_mfu"] = mfu(hf["train_real_tokens_per_second"])
rows = {}
for s in sides:
    res = json.loads((w / s / "all_results.json").read_text())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", (w / f"{s}.time").read_text()).group(1)) / 1024
    tps = hf["real_tokens"] / res["train_runtime"]
    rows[s] = {"train_samples_per_second": res["train_samples_per_second"], "train_real_tokens_per_second": tps,
               "train_mfu": mfu(tps), "eval_samples_per_second": res.get("eval_samples_per_second", float("nan")),
               "predict_samples_per_second": res.get("test_samples_per_second", float("nan")),
               "time_to_first_step": res["train_time_to_first_step"], "peak_rss_mb": rss,
               "eval_accuracy": res["eval_accuracy"], "eval_f1": res["eval_f1"],
               "test_accuracy": res["test_accuracy"], "test_f1": res["test_f1"]}
print(f"\ncpu: {peak['cpu']}; matmul peak fp32 {peak['fp32_gflops']:.1f} GFLOP/s, bf16 {peak['bf16_gflops']:.1f} GFLOP/s; "
      f"real tokens {hf['real_tokens']:.0f}, non-embedding params {hf['non_embedding_params']}")
head = "".join(f"{s:>15}" for s in sides)
print(f"{'measure':<30}{head}{'HF':>12}" + "".join(f"{s + '/HF':>18}" for s in sides))
for k in rows[sides[0]]:
    h = hf[k]
    vals = "".join(f"{rows[s][k]:>15.4f}" for s in sides)
    ratios = "".join(f"{(rows[s][k] / h if h else float('nan')):>18.3f}" for s in sides)
    print(f"{k:<30}{vals}{h:>12.4f}{ratios}")
for s in sides:
    print(f"{s}: test accuracy difference (points): {100 * (rows[s]['test_accuracy'] - hf['test_accuracy']):+.2f}")
PY
