#!/usr/bin/env bash
# The tasks of `afinar train --task ...` end to end on ../shared/data, at full size, with the
# number the task is judged by before and after training:
#   fill-mask        all-MiniLM-L6-v2 (its MLM head is new) on rotten_tomatoes text: perplexity
#   text-generation  a small GPT-2 from scratch (4 layers, 128 wide, gpt2 tokenizer) on
#                    tinyshakespeare: perplexity
#   translation      a small T5 from scratch (2+2 layers, 128 wide, t5-small tokenizer) on
#                    multi30k en→de, 300 steps of 32 pairs (1/3 of an epoch): BLEU of greedy
#                    generate on the first 300 test pairs
#   question-answering  all-MiniLM-L6-v2 (its QA head is new) on ../shared/data/squad (SQuAD v1.1
#                    part, 3,932 / 438 questions), 1 epoch at run_qa's defaults (384 / 128,
#                    batch 12, lr 3e-5): exact match and F1 on validation
#   summarization    a small T5 from scratch on multi30k English → its first clause (text pairs
#                    made here), 300 steps: ROUGE of greedy generate on the first 300 test texts
# The from-scratch models are written by transformers (dev venv) with a fixed seed.
#   bench/tasks/run.sh [--threads 2] [--only mlm|clm|mt|qa|sum] [--work DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/tools/env.sh"
threads=2; only=""; work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$work" ] || { work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; }
mkdir -p "$work"
shared="$root/../shared"; data="$shared/data"
export OMP_NUM_THREADS="$threads" HF_HUB_OFFLINE=1
afinar="${AFINAR_BIN:-$root/build/afinar}"
metric() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

if [ -z "$only" ] || [ "$only" = mlm ]; then
  echo "== fill-mask: all-MiniLM-L6-v2 on rotten_tomatoes (1 epoch, blocks of 128)"
  common=(--task fill-mask --model_name_or_path sentence-transformers/all-MiniLM-L6-v2
          --train_file "$data/rotten_tomatoes/train.jsonl" --validation_file "$data/rotten_tomatoes/validation.jsonl"
          --max_seq_length 128 --per_device_eval_batch_size 16 --seed 42 --use_cpu --save_strategy no)
  "$afinar" train "${common[@]}" --output_dir "$work/mlm0" --do_eval > "$work/mlm0.log"
  /usr/bin/time -f "%e s wall, %M KB peak RSS" "$afinar" train "${common[@]}" --output_dir "$work/mlm" --do_train --do_eval \
    --num_train_epochs 1 --per_device_train_batch_size 16 --learning_rate 5e-5 > "$work/mlm.log" 2> "$work/mlm.time"
  echo "perplexity before $(metric "$work/mlm0/eval_results.json" perplexity) after $(metric "$work/mlm/eval_results.json" perplexity)" \
       "(train_runtime $(metric "$work/mlm/train_results.json" train_runtime) s; $(tail -1 "$work/mlm.time"))"
fi

if [ -z "$only" ] || [ "$only" = clm ]; then
  echo "== text-generation: GPT-2 from scratch on tinyshakespeare (2 epochs, blocks of 128)"
  "$AFINAR_VENV/bin/python3" - "$work/gpt2-small" "$shared/tokenizers/gpt2" <<'PY'
import shutil, sys, torch
from transformers import GPT2Config, GPT2LMHeadModel
torch.manual_seed(0)
GPT2LMHeadModel(GPT2Config(n_embd=128, n_layer=4, n_head=4, n_positions=256)).save_pretrained(sys.argv[1])
for f in ("tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt"):
    shutil.copy(f"{sys.argv[2]}/{f}", sys.argv[1])
PY
  common=(--task text-generation --model_name_or_path "$work/gpt2-small" --train_file "$data/tinyshakespeare/train.txt"
          --validation_file "$data/tinyshakespeare/validation.txt" --block_size 128 --per_device_eval_batch_size 16
          --seed 42 --use_cpu --save_strategy no)
  "$afinar" train "${common[@]}" --output_dir "$work/clm0" --do_eval > "$work/clm0.log"
  /usr/bin/time -f "%e s wall, %M KB peak RSS" "$afinar" train "${common[@]}" --output_dir "$work/clm" --do_train --do_eval \
    --num_train_epochs 2 --per_device_train_batch_size 16 --learning_rate 1e-3 --warmup_ratio 0.05 \
    > "$work/clm.log" 2> "$work/clm.time"
  echo "perplexity before $(metric "$work/clm0/eval_results.json" perplexity) after $(metric "$work/clm/eval_results.json" perplexity)" \
       "(train_runtime $(metric "$work/clm/train_results.json" train_runtime) s; $(tail -1 "$work/clm.time"))"
fi

if [ -z "$only" ] || [ "$only" = mt ]; then
  echo "== translation: T5 from scratch on multi30k en→de (300 steps, greedy generate on 300 test pairs)"
  "$AFINAR_VENV/bin/python3" - "$work/t5-small-scratch" "$shared/tokenizers/t5-small" <<'PY'
import shutil, sys, torch
from transformers import T5Config, T5ForConditionalGeneration
torch.manual_seed(0)
cfg = T5Config(vocab_size=32128, d_model=128, d_kv=32, d_ff=512, num_layers=2, num_decoder_layers=2, num_heads=4,
               decoder_start_token_id=0, pad_token_id=0, eos_token_id=1)
T5ForConditionalGeneration(cfg).save_pretrained(sys.argv[1])
for f in ("tokenizer.json", "tokenizer_config.json", "spiece.model"):
    shutil.copy(f"{sys.argv[2]}/{f}", sys.argv[1])
PY
  common=(--task translation --model_name_or_path "$work/t5-small-scratch" --train_file "$data/multi30k/train.jsonl"
          --test_file "$data/multi30k/test.jsonl" --source_lang en --target_lang de
          --source_prefix "translate English to German: " --max_source_length 64 --max_target_length 64
          --predict_with_generate --num_beams 1 --generation_max_length 48 --per_device_eval_batch_size 32
          --max_predict_samples 300
          --seed 42 --use_cpu --save_strategy no)
  "$afinar" train "${common[@]}" --output_dir "$work/mt0" --do_predict > "$work/mt0.log"
  /usr/bin/time -f "%e s wall, %M KB peak RSS" "$afinar" train "${common[@]}" --output_dir "$work/mt" --do_train --do_predict \
    --max_steps 300 --per_device_train_batch_size 32 --learning_rate 2e-3 --warmup_ratio 0.02 \
    > "$work/mt.log" 2> "$work/mt.time"
  echo "test BLEU before $(metric "$work/mt0/test_results.json" test_bleu) after $(metric "$work/mt/test_results.json" test_bleu)" \
       "(train_runtime $(metric "$work/mt/train_results.json" train_runtime) s; $(tail -1 "$work/mt.time"))"
fi

if [ -z "$only" ] || [ "$only" = qa ]; then
  echo "== question-answering: all-MiniLM-L6-v2 on squad (1 epoch, 384 / 128)"
  common=(--task question-answering --model_name_or_path sentence-transformers/all-MiniLM-L6-v2
          --train_file "$data/squad/train.jsonl" --validation_file "$data/squad/validation.jsonl"
          --max_seq_length 384 --doc_stride 128 --per_device_eval_batch_size 32 --seed 42 --use_cpu --save_strategy no)
  "$afinar" train "${common[@]}" --output_dir "$work/qa0" --do_eval > "$work/qa0.log"
  /usr/bin/time -f "%e s wall, %M KB peak RSS" "$afinar" train "${common[@]}" --output_dir "$work/qa" --do_train --do_eval \
    --num_train_epochs 1 --per_device_train_batch_size 12 --learning_rate 3e-5 > "$work/qa.log" 2> "$work/qa.time"
  echo "exact_match before $(metric "$work/qa0/eval_results.json" eval_exact_match) after $(metric "$work/qa/eval_results.json" eval_exact_match)," \
       "f1 before $(metric "$work/qa0/eval_results.json" eval_f1) after $(metric "$work/qa/eval_results.json" eval_f1)" \
       "(train_runtime $(metric "$work/qa/train_results.json" train_runtime) s; $(tail -1 "$work/qa.time"))"
fi

if [ -z "$only" ] || [ "$only" = sum ]; then
  echo "== summarization: T5 from scratch on multi30k English → its first clause (300 steps)"
  "$AFINAR_VENV/bin/python3" - "$work/t5-sum" "$shared/tokenizers/t5-small" "$data/multi30k" "$work" <<'PY'
import json, re, shutil, sys, torch
from transformers import T5Config, T5ForConditionalGeneration
torch.manual_seed(0)
cfg = T5Config(vocab_size=32128, d_model=128, d_kv=32, d_ff=512, num_layers=2, num_decoder_layers=2, num_heads=4,
               decoder_start_token_id=0, pad_token_id=0, eos_token_id=1)
T5ForConditionalGeneration(cfg).save_pretrained(sys.argv[1])
for f in ("tokenizer.json", "tokenizer_config.json", "spiece.model"):
    shutil.copy(f"{sys.argv[2]}/{f}", sys.argv[1])
# "A man in a blue shirt is standing on a ladder cleaning windows." → its first clause, cut at
# the first " is "/" are "/","/" while "... plus the verb phrase's first word: a short summary.
def first_clause(t):
    m = re.search(r"^(.*?\b(?:is|are)\b \w+)", t)
    return (m.group(1) if m else t.split(",")[0]).strip()
for split in ("train", "test"):
    with open(f"{sys.argv[3]}/{split}.jsonl") as f, open(f"{sys.argv[4]}/sum_{split}.jsonl", "w") as o:
        for line in f:
            en = json.loads(line)["en"]
            o.write(json.dumps({"text": en, "summary": first_clause(en)}) + "\n")
PY
  common=(--task summarization --model_name_or_path "$work/t5-sum" --train_file "$work/sum_train.jsonl"
          --test_file "$work/sum_test.jsonl" --text_column text --summary_column summary --source_prefix "summarize: "
          --max_source_length 64 --max_target_length 32 --predict_with_generate --num_beams 1 --generation_max_length 32
          --per_device_eval_batch_size 32 --max_predict_samples 300 --seed 42 --use_cpu --save_strategy no)
  "$afinar" train "${common[@]}" --output_dir "$work/sum0" --do_predict > "$work/sum0.log"
  /usr/bin/time -f "%e s wall, %M KB peak RSS" "$afinar" train "${common[@]}" --output_dir "$work/sum" --do_train --do_predict \
    --max_steps 300 --per_device_train_batch_size 32 --learning_rate 2e-3 --warmup_ratio 0.02 \
    > "$work/sum.log" 2> "$work/sum.time"
  echo "test rougeL before $(metric "$work/sum0/test_results.json" test_rougeL) after $(metric "$work/sum/test_results.json" test_rougeL)" \
       "(rouge1 $(metric "$work/sum/test_results.json" test_rouge1), rouge2 $(metric "$work/sum/test_results.json" test_rouge2);" \
       "train_runtime $(metric "$work/sum/train_results.json" train_runtime) s; $(tail -1 "$work/sum.time"))"
fi
