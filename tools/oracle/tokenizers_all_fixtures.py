"""Golden fixtures of afinar's tokenizers for every tokenizer in ../shared/tokenizers, from Python
`tokenizers` 0.23.3 (and transformers for the vocab.txt-only bert-base-cased).

Run: ~/.cache/afinar/venv/bin/python3 tools/oracle/tokenizers_all_fixtures.py
Output: tests/fixtures/tokenizers/all/<key>.json per tokenizer, and all/pairs_<key>.json for the
truncation/stride/overflow pairs of three tokenizers.

The corpus (recomputed by tests/tokenizers/corpus.h, same order): rotten_tomatoes texts
(train, validation, test), conll2003 sentences (train, valid, test; tokens joined by spaces),
multi30k "en" then "de" (train, validation, test), every line of tinyshakespeare/input.txt.

Digests (recomputed by tests/tokenizers/corpus.h): over the bytes of, per text, per token the
little-endian int32 id, uint32 start, uint32 end, int32 word_id (-1 for None), then the UTF-8 bytes
of decode(ids, skip_special_tokens=True) and one 0xFF byte; the 64-bit digest is
crc32(bytes) << 32 | adler32(bytes) (zlib's, fast here and short in C++). To keep the files small,
one digest covers a block of BLOCK consecutive texts.
"""
import json
import os
import sys
import zlib

import numpy as np

from tokenizers import Tokenizer
from transformers import BertTokenizerFast

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tokenizers_fixtures import STRESS  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared")
OUT = os.path.join(ROOT, "tests", "fixtures", "tokenizers", "all")
TOK = os.path.join(SHARED, "tokenizers")
BLOCK = 16
FULL = 24  # texts compared in full per tokenizer (plus the stress set)

EXTRA_STRESS = [
    "  leading and trailing  ",
    "multiple   spaces\t\ttabs",
    "<|endoftext|> special in text <s></s> <pad> <unk> <mask>",
    "digits 1234567890 and 12 345 6789",
    "code: def f(x):\n    return x**2  # comment",
    "byte fallback: \U0001F600 \u2603 \u00e9\u00e8 \u0101",
    "ALLCAPS and MiXeD cAsE",
    "\u2581 metaspace char \u2581\u2581 doubled",
    "weird   \u3000 \u2028 spaces\u00a0\u00a0here",
]

TOKENIZERS = {
    "bert_base_uncased": "bert-base-uncased/tokenizer.json",
    "bert_base_cased": None,  # vocab.txt only
    "distilbert_base_uncased": "distilbert-base-uncased/tokenizer.json",
    "minilm": "sentence-transformers__all-MiniLM-L6-v2/tokenizer.json",
    "gpt2": "gpt2/tokenizer.json",
    "roberta_base": "roberta-base/tokenizer.json",
    "t5_small": "t5-small/tokenizer.json",
    "clip": "openai__clip-vit-base-patch32/tokenizer.json",
    "phi2": "microsoft__phi-2/tokenizer.json",
    "phi35": "microsoft__Phi-3.5-mini-instruct/tokenizer.json",
    "falcon": "tiiuae__falcon-7b/tokenizer.json",
}

def digest(data):
    return "%016x" % ((zlib.crc32(data) << 32) | zlib.adler32(data))


def text_bytes(ids, offsets, word_ids, decoded):
    a = np.empty((len(ids), 4), dtype="<i8")
    if len(ids):
        a[:, 0] = ids
        a[:, 1:3] = offsets
        a[:, 3] = [-1 if w is None else w for w in word_ids]
    return a.astype("<u4").tobytes() + decoded.encode("utf-8") + b"\xff"


def corpus():
    texts = []
    for split in ("train", "validation", "test"):
        with open(os.path.join(SHARED, "data", "rotten_tomatoes", split + ".jsonl"), encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in f]
    for split in ("train", "valid", "test"):
        words = []
        with open(os.path.join(SHARED, "data", "conll2003", split + ".txt"), encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line.strip():
                    if words:
                        texts.append(" ".join(words))
                    words = []
                elif not line.startswith("-DOCSTART-"):
                    words.append(line.split(" ")[0])
        if words:
            texts.append(" ".join(words))
    for lang in ("en", "de"):
        for split in ("train", "validation", "test"):
            with open(os.path.join(SHARED, "data", "multi30k", split + ".jsonl"), encoding="utf-8") as f:
                texts += [json.loads(line)[lang] for line in f]
    with open(os.path.join(SHARED, "data", "tinyshakespeare", "input.txt"), encoding="utf-8") as f:
        texts += f.read().split("\n")
    return texts


def load(key):
    if TOKENIZERS[key] is None:
        fast = BertTokenizerFast.from_pretrained(os.path.join(TOK, "bert-base-cased"), do_lower_case=False)
        tok = fast.backend_tokenizer
    else:
        tok = Tokenizer.from_file(os.path.join(TOK, TOKENIZERS[key]))
    tok.no_truncation()
    tok.no_padding()
    return tok


def full(e, tok):
    return {
        "ids": e.ids,
        "type_ids": e.type_ids,
        "tokens": e.tokens,
        "offsets": [list(o) for o in e.offsets],
        "word_ids": [-1 if w is None else w for w in e.word_ids],
        "special_tokens_mask": e.special_tokens_mask,
        "attention_mask": e.attention_mask,
        "decode_skip": tok.decode(e.ids, skip_special_tokens=True),
        "decode_keep": tok.decode(e.ids, skip_special_tokens=False),
    }


def write(name, obj):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def flatten(e):
    """The encoding then its overflowing ones, depth first (HF nests them for pairs)."""
    out = [e]
    for o in e.overflowing:
        out += flatten(o)
    return out


def pair_cases(key, texts):
    cases = []
    strategies = ("longest_first", "only_first", "only_second")
    for k in range(1000):
        a, b = texts[(7 * k) % 10662], texts[(7 * k + 3) % 10662]
        max_length = (12, 16, 24, 40)[k % 4]
        stride = (0, 1, 3, 5)[(k // 4) % 4]
        strategy = strategies[(k // 16) % 3]
        direction = ("right", "left")[(k // 48) % 2]
        single = k % 10 == 9
        tok = load(key)
        tok.enable_truncation(max_length, stride=stride, strategy=strategy, direction=direction)
        case = {"a": a, "b": None if single else b, "max_length": max_length, "stride": stride,
                "strategy": strategy, "direction": direction}
        try:
            e = tok.encode(a) if single else tok.encode(a, b)
        except BaseException as ex:  # noqa: B036 (a Rust panic is a BaseException); HF refuses (sequence too short, stride too large): so must we
            case["error"] = str(ex)[:200]
            cases.append(case)
            continue
        parts = flatten(e)
        data = b"".join(text_bytes(p.ids, p.offsets, p.word_ids, "") + bytes(p.type_ids) for p in parts)
        case["count"] = len(parts)
        case["digest"] = digest(data)
        if k < 24:
            case["full"] = [{"ids": p.ids, "type_ids": p.type_ids, "offsets": [list(o) for o in p.offsets],
                             "word_ids": [-1 if w is None else w for w in p.word_ids]} for p in parts]
        cases.append(case)
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    texts = corpus()
    print("corpus", len(texts), file=sys.stderr)
    stress = STRESS + EXTRA_STRESS
    only = sys.argv[1:]  # tokenizer keys to redo, or "pairs" for the pair fixtures only
    for key in TOKENIZERS:
        if only and key not in only:
            continue
        tok = load(key)
        encs = tok.encode_batch(texts)
        decoded = tok.decode_batch([e.ids for e in encs], skip_special_tokens=True)
        blocks = []
        for start in range(0, len(texts), BLOCK):
            blocks.append(digest(b"".join(text_bytes(e.ids, e.offsets, e.word_ids, d)
                                          for e, d in zip(encs[start:start + BLOCK], decoded[start:start + BLOCK]))))
        sample = [i * (len(texts) // FULL) for i in range(FULL)]
        write(f"{key}.json", {
            "count": len(texts), "block": BLOCK, "digests": blocks,
            "full_index": sample,
            "full": [full(encs[i], tok) for i in sample],
            "stress": stress,
            "stress_full": [full(tok.encode(t), tok) for t in stress],
            "stress_plain": [full(tok.encode(t, add_special_tokens=False), tok) for t in stress],
        })
        print("wrote", key, file=sys.stderr)
    for key in ("minilm", "gpt2", "t5_small"):
        if only and key not in only and "pairs" not in only:
            continue
        write(f"pairs_{key}.json", {"cases": pair_cases(key, texts)})
        print("wrote pairs", key, file=sys.stderr)


if __name__ == "__main__":
    main()
