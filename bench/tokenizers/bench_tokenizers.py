"""Tokens per second of Python `tokenizers` encode_batch over all rotten_tomatoes texts, per
tokenizer, for one thread count (RAYON_NUM_THREADS, set by run.sh before the process starts).

Output lines as bench_tokenizers.cpp: "python <name> <threads> <tokens> <seconds> <tokens/s>".
"""
import json
import os
import sys
import time

from tokenizers import Tokenizer
from transformers import BertTokenizerFast

NAMES = ["bert-base-uncased", "bert-base-cased", "distilbert-base-uncased",
         "sentence-transformers__all-MiniLM-L6-v2", "gpt2", "roberta-base", "t5-small",
         "openai__clip-vit-base-patch32", "microsoft__phi-2", "microsoft__Phi-3.5-mini-instruct",
         "tiiuae__falcon-7b"]


def main():
    shared = sys.argv[1]
    threads = os.environ.get("RAYON_NUM_THREADS", "?")
    texts = []
    for split in ("train", "validation", "test"):
        with open(os.path.join(shared, "data", "rotten_tomatoes", split + ".jsonl"), encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in f]
    for name in NAMES:
        path = os.path.join(shared, "tokenizers", name)
        if os.path.exists(os.path.join(path, "tokenizer.json")):
            tok = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
        else:  # vocab.txt only
            tok = BertTokenizerFast.from_pretrained(path, do_lower_case=False).backend_tokenizer
        tok.no_truncation()
        tok.no_padding()
        best, tokens = 1e30, 0  # best of 3, as the C++ side
        for _ in range(3):
            start = time.perf_counter()
            encs = tok.encode_batch(texts)
            best = min(best, time.perf_counter() - start)
            tokens = sum(len(e.ids) for e in encs)
        print(f"python {name} {threads} {tokens} {best:.4f} {tokens / best:.0f}", flush=True)


if __name__ == "__main__":
    main()
