"""Writes the fixture of tests/train/language_modeling_test.cpp: run_clm.py's and run_mlm.py's
preprocessing (transformers' examples: tokenize_function + group_texts through datasets' map) on
the first 2,500 lines of tinyshakespeare's train.txt.

Run: ~/.cache/afinar/venv/bin/python3 tools/oracle/language_modeling_fixtures.py
Output: tests/fixtures/train/lm_blocks.json: the lines used, and per case the number of blocks,
the first two blocks and a checksum (sum of (i+1)*id over the flattened blocks, mod 2^61-1).
"""
import json
import os
from itertools import chain

from datasets import Dataset
from transformers import BertTokenizerFast, GPT2TokenizerFast

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared")
N_LINES = 2500


def checksum(blocks):
    s, i = 0, 0
    for b in blocks:
        for t in b:
            i += 1
            s = (s + i * t) % (2**61 - 1)
    return s


def group(block_size):
    def group_texts(examples):
        concatenated = {k: list(chain(*examples[k])) for k in examples.keys()}
        total = len(concatenated[list(examples.keys())[0]])
        total = (total // block_size) * block_size
        return {k: [t[i:i + block_size] for i in range(0, total, block_size)] for k, t in concatenated.items()}
    return group_texts


def main():
    with open(os.path.join(SHARED, "data", "tinyshakespeare", "train.txt"), encoding="utf-8") as f:
        lines = f.read().splitlines()[:N_LINES]
    ds = Dataset.from_dict({"text": lines})
    out = {"lines": lines}
    gpt2 = GPT2TokenizerFast(tokenizer_file=os.path.join(SHARED, "tokenizers", "gpt2", "tokenizer.json"))
    clm = ds.map(lambda e: gpt2(e["text"]), batched=True, remove_columns=["text"])
    clm = clm.map(group(64), batched=True)
    out["clm_gpt2_64"] = {"n": len(clm), "first": clm["input_ids"][:2], "checksum": checksum(clm["input_ids"])}
    bert = BertTokenizerFast(tokenizer_file=os.path.join(SHARED, "tokenizers", "bert-base-uncased", "tokenizer.json"))
    mlm = ds.map(lambda e: bert(e["text"], return_special_tokens_mask=True), batched=True, remove_columns=["text"])
    mlm = mlm.map(group(128), batched=True)
    out["mlm_bert_128"] = {"n": len(mlm), "first": mlm["input_ids"][:2], "checksum": checksum(mlm["input_ids"]),
                           "special_checksum": checksum(mlm["special_tokens_mask"])}
    kept = [l for l in lines if len(l) > 0 and not l.isspace()]
    lbl = bert(kept, truncation=True, max_length=16, return_special_tokens_mask=True)
    out["mlm_line_by_line_16"] = {"n": len(lbl["input_ids"]), "first": lbl["input_ids"][:2],
                                  "checksum": checksum(lbl["input_ids"])}
    with open(os.path.join(ROOT, "tests", "fixtures", "train", "lm_blocks.json"), "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
