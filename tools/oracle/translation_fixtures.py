"""Writes the fixture of tests/train/translation_test.cpp: run_translation.py's preprocess_function
(transformers' examples) with the t5-small tokenizer on the first 40 multi30k train pairs.

Run: ~/.cache/afinar/venv/bin/python3 tools/oracle/translation_fixtures.py
Output: tests/fixtures/train/translation.json (input_ids, attention_mask, labels; dynamic padding,
and padded to max length with pads → -100).
"""
import json
import os

from transformers import T5TokenizerFast

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared")
PREFIX = "translate English to German: "


def main():
    rows = [json.loads(l) for l in open(os.path.join(SHARED, "data", "multi30k", "train.jsonl"), encoding="utf-8")][:40]
    tok = T5TokenizerFast(tokenizer_file=os.path.join(SHARED, "tokenizers", "t5-small", "tokenizer.json"))
    out = {"rows": rows, "prefix": PREFIX}
    for padding in (False, "max_length"):
        inputs = [PREFIX + r["en"] for r in rows]
        targets = [r["de"] for r in rows]
        m = tok(inputs, max_length=24, padding=padding, truncation=True)
        labels = tok(text_target=targets, max_length=20, padding=padding, truncation=True)
        if padding == "max_length":
            labels["input_ids"] = [[(l if l != tok.pad_token_id else -100) for l in label] for label in labels["input_ids"]]
        out["padded" if padding else "dynamic"] = {"input_ids": m["input_ids"], "attention_mask": m["attention_mask"],
                                                   "labels": labels["input_ids"]}
    with open(os.path.join(ROOT, "tests", "fixtures", "train", "translation.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
