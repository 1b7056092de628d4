#!/usr/bin/env python3
"""Golden fixture for the Trainer: HF Trainer's first 20 steps on rotten_tomatoes with MiniLM.

The classification head is given (written into the fixture) and dropout is 0, so the run is
deterministic; afinar's Trainer must see the same batches in the same order and log the same
losses. Run with the dev venv (tools/setup.sh):

    ~/.cache/afinar/venv/bin/python3 tools/oracle/trainer_fixtures.py

Writes tests/fixtures/train/minilm_rt_20steps.json.
"""
import json, os, pathlib, sys, tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch
from datasets import load_dataset
from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding,
                          Trainer, TrainingArguments, set_seed)

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
OUT = ROOT / "tests" / "fixtures" / "train" / "minilm_rt_20steps.json"
MODEL = "sentence-transformers/all-MiniLM-L6-v2"
SEED, STEPS, BATCH, LR, MAXLEN = 42, 20, 8, 5e-5, 128


def main() -> int:
    torch.set_num_threads(2)
    data = load_dataset("json", data_files={"train": str(SHARED / "data/rotten_tomatoes/train.jsonl")})["train"]
    data = data.add_column("idx", list(range(len(data))))
    tok = AutoTokenizer.from_pretrained(MODEL)
    data = data.map(lambda b: tok(b["text"], truncation=True, max_length=MAXLEN), batched=True)

    set_seed(SEED)
    model = AutoModelForSequenceClassification.from_pretrained(
        MODEL, num_labels=2, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    head = {"weight": model.classifier.weight.detach().tolist(), "bias": model.classifier.bias.detach().tolist()}

    seen = []
    pad = DataCollatorWithPadding(tok)

    def collate(rows):
        seen.extend(r["idx"] for r in rows)
        rows = [{k: r[k] for k in ("input_ids", "token_type_ids", "attention_mask", "label")} for r in rows]
        return pad(rows)

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(out, per_device_train_batch_size=BATCH, max_steps=STEPS, logging_steps=1,
                                 learning_rate=LR, seed=SEED, report_to="none", save_strategy="no",
                                 use_cpu=True, remove_unused_columns=False, disable_tqdm=True)
        trainer = Trainer(model=model, args=args, train_dataset=data, data_collator=collate)
        trainer.train()
        logs = [h for h in trainer.state.log_history if "loss" in h]

    # The order HF saw is randperm(n) from a generator seeded with seed + epoch (accelerate's
    # SeedableRandomSampler); check that, so the C++ side can reproduce it with torch::randperm.
    g = torch.Generator().manual_seed(SEED)
    perm = torch.randperm(len(data), generator=g).tolist()
    assert seen[: STEPS * BATCH] == perm[: STEPS * BATCH], "sampler order is not randperm(seed)"

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "model": MODEL, "seed": SEED, "max_steps": STEPS, "per_device_train_batch_size": BATCH,
        "learning_rate": LR, "max_seq_length": MAXLEN, "optim": getattr(args.optim, "value", str(args.optim)),
        "order": seen[: STEPS * BATCH], "head": head,
        "log_history": [{k: h[k] for k in ("step", "loss", "grad_norm", "learning_rate", "epoch")} for h in logs],
    }, indent=1) + "\n")
    print(f"wrote {OUT}: {len(logs)} logged steps, first loss {logs[0]['loss']:.6f}, optim {args.optim}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
