"""Writes the fixtures of the pre-tokenized (is_split_into_words) encoding test from HF `tokenizers`.

Run: ~/.cache/afinar/venv/bin/python3 tools/oracle/tokenizers_pretokenized_fixtures.py
Input: the first sentences of ../shared/data/conll2003/train.txt (word lists, as NER feeds them).
Output: tests/fixtures/tokenizers/pretokenized.json — per tokenizer, the full encodings (ids,
offsets, word_ids, tokens) of the first 20 sentences and one digest (see tests/tokenizers/
fixture_util.h) per sentence for the first 2,000, plus 20 truncated (max_length 16) encodings.
Byte-level tokenizers are run with add_prefix_space=True, as transformers requires for
is_split_into_words (the test rewrites tokenizer.json the same way).
"""
import json
import os
import struct

from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared")
OUT = os.path.join(ROOT, "tests", "fixtures", "tokenizers", "pretokenized.json")
TOKENIZERS = ["bert-base-uncased", "roberta-base", "t5-small"]
N_FULL, N_DIGEST = 20, 2000


def sentences(path, limit):
    out, cur = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("-DOCSTART-"):
                if cur:
                    out.append(cur)
                    cur = []
                    if len(out) == limit:
                        break
                continue
            cur.append(line.split(" ")[0])
    return out


def digest(e):
    h = 0xCBF29CE484222325
    for i in range(len(e.ids)):
        w = e.word_ids[i]
        for v in (e.ids[i], e.offsets[i][0], e.offsets[i][1], -1 if w is None else w):
            for b in struct.pack("<i" if v < 0 else "<I", v):
                h ^= b
                h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def full(e):
    return {"ids": e.ids, "offsets": [list(o) for o in e.offsets], "tokens": e.tokens,
            "word_ids": [-1 if w is None else w for w in e.word_ids]}


def load(name):
    j = json.load(open(os.path.join(SHARED, "tokenizers", name, "tokenizer.json"), encoding="utf-8"))
    pre = j.get("pre_tokenizer") or {}
    for p in [pre] + pre.get("pretokenizers", []):
        if p.get("type") == "ByteLevel":
            p["add_prefix_space"] = True
    return Tokenizer.from_str(json.dumps(j))


def main():
    sents = sentences(os.path.join(SHARED, "data", "conll2003", "train.txt"), N_DIGEST)
    out = {"sentences": sents, "tokenizers": {}}
    for name in TOKENIZERS:
        tok = load(name)
        tok.no_truncation()
        tok.no_padding()
        encs = tok.encode_batch(sents, is_pretokenized=True)
        tok.enable_truncation(16)
        trunc = tok.encode_batch(sents[:N_FULL], is_pretokenized=True)
        out["tokenizers"][name] = {"full": [full(e) for e in encs[:N_FULL]],
                                   "digests": [digest(e) for e in encs],
                                   "truncated16": [full(e) for e in trunc]}
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
