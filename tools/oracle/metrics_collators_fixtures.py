#!/usr/bin/env python3
"""Golden fixtures for metrics (sklearn) and DataCollatorWithPadding (transformers).

    ~/.cache/afinar/venv/bin/python3 tools/oracle/metrics_collators_fixtures.py
"""
import json, pathlib, random

import numpy as np
from sklearn import metrics as skm
from transformers import AutoTokenizer, DataCollatorWithPadding

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def metric_cases():
    rng = random.Random(7)
    cases = []
    for n_labels, n in ((2, 200), (3, 150), (5, 90), (2, 7)):
        refs = [rng.randrange(n_labels) for _ in range(n)]
        preds = [r if rng.random() < 0.7 else rng.randrange(n_labels) for r in refs]
        c = {"num_labels": n_labels, "predictions": preds, "references": refs,
             "accuracy": skm.accuracy_score(refs, preds),
             "matthews_correlation": skm.matthews_corrcoef(refs, preds)}
        avgs = ["micro", "macro", "weighted"] + (["binary"] if n_labels == 2 else [])
        for a in avgs:
            kw = dict(average=a, zero_division=0)
            if a != "binary":
                kw["labels"] = list(range(n_labels))
            c[f"f1_{a}"] = skm.f1_score(refs, preds, **kw)
            c[f"precision_{a}"] = skm.precision_score(refs, preds, **kw)
            c[f"recall_{a}"] = skm.recall_score(refs, preds, **kw)
        cases.append(c)
    return cases


def collator_cases():
    tok = AutoTokenizer.from_pretrained(str(SHARED / "tokenizers" / "sentence-transformers__all-MiniLM-L6-v2"))
    texts = ["a short one", "this sentence is quite a bit longer than the first one", "mid length text here"]
    feats = [dict(tok(t), label=i % 2) for i, t in enumerate(texts)]
    out = []
    for kw in ({}, {"pad_to_multiple_of": 8}, {"padding": "max_length", "max_length": 16}):
        batch = DataCollatorWithPadding(tok, return_tensors="np", **kw)([dict(f) for f in feats])
        out.append({"kwargs": kw, "pad_token_id": tok.pad_token_id,
                    "features": [{k: (v if isinstance(v, list) else v) for k, v in f.items()} for f in feats],
                    "batch": {k: np.asarray(v).tolist() for k, v in batch.items()}})
    left = DataCollatorWithPadding(tok, return_tensors="np")
    tok.padding_side = "left"
    batch = left([dict(f) for f in feats])
    out.append({"kwargs": {"padding_side": "left"}, "pad_token_id": tok.pad_token_id, "features": feats,
                "batch": {k: np.asarray(v).tolist() for k, v in batch.items()}})
    return out


def main():
    (ROOT / "tests/fixtures/metrics/classification.json").write_text(json.dumps(metric_cases(), indent=1) + "\n")
    (ROOT / "tests/fixtures/collators/with_padding.json").write_text(json.dumps(collator_cases(), indent=1) + "\n")
    print("wrote metrics and collator fixtures")


if __name__ == "__main__":
    main()
