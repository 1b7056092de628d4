#!/usr/bin/env python3
"""The peer of `afinar train`: the seed notebook's fine-tuning through HF Trainer, with the same
model, data, hyperparameters, seed and thread count. Prints one JSON line of measurements.

    python3 bench/compare_hf/hf_trainer.py --output_dir /tmp/hf --threads 2 [--max_train_samples N]
        [--bf16] [--group_by_length]
"""
import time

T0 = time.time()  # time to first step counts from here, imports included (as afinar's from exec)
import argparse, json, os, resource, sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="sentence-transformers/all-MiniLM-L6-v2")
    ap.add_argument("--data_dir", required=True)
    ap.add_argument("--output_dir", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--max_seq_length", type=int, default=128)
    ap.add_argument("--max_train_samples", type=int, default=-1)
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast (TrainingArguments.bf16)")
    ap.add_argument("--group_by_length", action="store_true", help="length-grouped batches (less padding)")
    a = ap.parse_args()

    import numpy as np
    import torch
    from datasets import load_dataset
    from sklearn.metrics import accuracy_score, f1_score
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer,
                              TrainerCallback, TrainingArguments, set_seed)

    torch.set_num_threads(a.threads)
    files = {s: os.path.join(a.data_dir, f"{s}.jsonl") for s in ("train", "validation", "test")}
    ds = load_dataset("json", data_files=files)
    if a.max_train_samples > 0:
        n = len(ds["train"])
        ds["train"] = ds["train"].select([i * (n // a.max_train_samples) for i in range(a.max_train_samples)])
    tok = AutoTokenizer.from_pretrained(a.model)
    tokenized = ds.map(lambda b: tok(b["text"], truncation=True, max_length=a.max_seq_length), batched=True)
    set_seed(a.seed)
    model = AutoModelForSequenceClassification.from_pretrained(a.model, num_labels=2)

    first = {}

    class FirstStep(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            first.setdefault("t", time.time() - T0)

    args = TrainingArguments(a.output_dir, num_train_epochs=a.epochs, per_device_train_batch_size=a.batch,
                             learning_rate=a.lr, seed=a.seed, report_to="none", save_strategy="no", use_cpu=True,
                             disable_tqdm=True, logging_steps=500, bf16=a.bf16,
                             train_sampling_strategy="group_by_length" if a.group_by_length else "random")
    trainer = Trainer(model, args, train_dataset=tokenized["train"], eval_dataset=tokenized["validation"],
                      data_collator=DataCollatorWithPadding(tok), callbacks=[FirstStep()],
                      compute_metrics=lambda p: {"accuracy": accuracy_score(p.label_ids, p.predictions.argmax(-1)),
                                                 "f1": f1_score(p.label_ids, p.predictions.argmax(-1))})
    out = trainer.train()
    ev = trainer.evaluate()
    pred = trainer.predict(tokenized["test"])
    preds = np.argmax(pred.predictions, axis=-1)
    real_tokens = sum(len(x) for x in tokenized["train"]["input_ids"]) * a.epochs
    non_embedding = sum(p.numel() for n, p in model.named_parameters() if "embeddings" not in n)
    print(json.dumps({
        "train_samples_per_second": out.metrics["train_samples_per_second"],
        "train_real_tokens_per_second": real_tokens / out.metrics["train_runtime"],
        "real_tokens": real_tokens, "non_embedding_params": non_embedding,
        "eval_samples_per_second": ev["eval_samples_per_second"],
        "predict_samples_per_second": pred.metrics["test_samples_per_second"],
        "train_runtime": out.metrics["train_runtime"],
        "time_to_first_step": first.get("t"),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "eval_accuracy": ev["eval_accuracy"], "eval_f1": ev["eval_f1"],
        "test_accuracy": accuracy_score(pred.label_ids, preds), "test_f1": f1_score(pred.label_ids, preds),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
