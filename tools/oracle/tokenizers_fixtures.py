"""Writes the golden fixtures of afinar's tokenizers tests from Hugging Face `tokenizers`/`transformers`.

Run: ~/.cache/afinar/venv/bin/python3 tools/oracle/tokenizers_fixtures.py
Output: tests/fixtures/tokenizers/*.json (kept small: the 10,662 rotten_tomatoes texts are stored as
one 64-bit FNV-1a digest each; full ids/offsets only for the first texts and the stress set).

Digest (recomputed by tests/tokenizers/acceptance_test.cpp): FNV-1a 64 over, per token, the
little-endian bytes of int32 id, uint32 start, uint32 end, int32 word_id (-1 for None).
"""
import json
import os
import struct
import sys

from tokenizers import Tokenizer
from transformers import BertTokenizerFast

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared")
OUT = os.path.join(ROOT, "tests", "fixtures", "tokenizers")
TOK = os.path.join(SHARED, "tokenizers")

STRESS = [
    "",
    " ",
    "   \t\n  ",
    "Hello, World!",
    "Café crème brûlée naïve résumé",
    "e\u0301te\u0301 combining marks",
    "İstanbul ΣΊΣΥΦΟΣ Straße ﬁne",
    "中文字符测试，还有日本語のテキスト",
    "한국어 텍스트 ガ",
    "emoji 👩\u200d👩\u200d👧\u200d👦 family 👍🏽 flags 🇫🇷",
    "RTL: שלום עולם and مرحبا بالعالم",
    "zero\u200bwidth\u200dj\ufeffoin\u00a0nbsp\u3000ideo",
    "control\u0085next\u0096dash\x00nul\ufffdrepl\x07bell\x0bvt\x0cff",
    "tabs\tand\nnew\r\nlines",
    "a" * 101,
    "b" * 100,
    "supercalifragilisticexpialidocious" * 4,
    "the [MASK] is [CLS] here[SEP]there [PAD] [UNK]",
    "[mask] lower case specials",
    "punct: $5+3=8 <tag> ^caret `tick` |pipe| ~tilde ¿qué? ¡sí! «quote» — dash … ellipsis",
    "numbers 1,234.56 and 3/4 and 10%",
    "it's a don't-miss, isn't it? 'quoted'",
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ",
    "Ǆ ǅ ǆ ﬀ Ⅻ ½ ² ℌ",
    "\u0300leading combining",
    "x\u0338\u0301\u0327 stacked",
    "𠀀𪜀 CJK ext 丽",
]

_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3


def digest(ids, offsets, word_ids):
    h = _FNV_OFFSET
    for i, (s, e), w in zip(ids, offsets, word_ids):
        for b in struct.pack("<iIIi", i, s, e, -1 if w is None else w):
            h ^= b
            h = (h * _FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def full(e, with_tokens=False):
    d = {
        "ids": e.ids,
        "type_ids": e.type_ids,
        "offsets": [list(o) for o in e.offsets],
        "word_ids": [-1 if w is None else w for w in e.word_ids],
        "sequence_ids": [-1 if s is None else s for s in e.sequence_ids],
        "special_tokens_mask": e.special_tokens_mask,
        "attention_mask": e.attention_mask,
    }
    if with_tokens:
        d["tokens"] = e.tokens
    return d


def load_texts():
    texts = []
    for split in ("train", "validation", "test"):
        with open(os.path.join(SHARED, "data", "rotten_tomatoes", split + ".jsonl"), encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in f]
    return texts


def plain(path):
    tok = Tokenizer.from_file(path)
    tok.no_truncation()
    tok.no_padding()
    return tok


def write(name, obj):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    texts = load_texts()
    assert len(texts) == 10662, len(texts)
    sources = {
        "minilm": os.path.join(TOK, "sentence-transformers__all-MiniLM-L6-v2", "tokenizer.json"),
        "bert_uncased": os.path.join(TOK, "bert-base-uncased", "tokenizer.json"),
    }
    for key, path in sources.items():
        tok = plain(path)
        encs = tok.encode_batch(texts)
        write(f"{key}_digests.json", {"count": len(texts),
                                      "digests": [digest(e.ids, e.offsets, e.word_ids) for e in encs]})
        write(f"{key}_first.json", {"texts": texts[:100], "encodings": [full(e) for e in encs[:100]]})
        write(f"{key}_stress.json", {"texts": STRESS,
                                     "encodings": [full(tok.encode(t), True) for t in STRESS],
                                     "no_special": [full(tok.encode(t, add_special_tokens=False)) for t in STRESS]})

    tok = plain(sources["minilm"])
    pairs = [(texts[i], texts[i + 1]) for i in range(0, 20, 2)] + [("short", STRESS[4]), ("", "x")]
    write("pairs.json", {"pairs": pairs, "encodings": [full(tok.encode(a, b)) for a, b in pairs],
                         "no_special": [full(tok.encode(a, b, add_special_tokens=False)) for a, b in pairs]})

    cases = []
    for strategy in ("longest_first", "only_first", "only_second"):
        for max_length in (8, 12, 20, 40):
            for a, b in pairs[:6]:
                t = plain(sources["minilm"])
                t.enable_truncation(max_length, strategy=strategy)
                try:
                    e = t.encode(a, b)
                except Exception:  # only_* on a too-short sequence is an error in HF too
                    continue
                cases.append({"strategy": strategy, "max_length": max_length, "a": a, "b": b, "enc": full(e)})
    for max_length in (5, 10):
        for a in texts[:5]:
            t = plain(sources["minilm"])
            t.enable_truncation(max_length)
            cases.append({"strategy": "longest_first", "max_length": max_length, "a": a, "b": None,
                          "enc": full(t.encode(a))})
    write("truncation.json", {"cases": cases})

    pad_cases = []
    batch = texts[:6] + [""]
    for side in ("right", "left"):
        for multiple in (None, 8):
            for length in (None, 64):
                t = plain(sources["minilm"])
                t.enable_padding(direction=side, pad_to_multiple_of=multiple, length=length)
                pad_cases.append({"side": side, "multiple_of": multiple, "length": length,
                                  "encs": [full(e) for e in t.encode_batch(batch)]})
    write("padding.json", {"texts": batch, "cases": pad_cases})

    dec = []
    for t in texts[:30] + STRESS:
        ids = tok.encode(t).ids
        dec.append({"ids": ids, "skip": tok.decode(ids, skip_special_tokens=True),
                    "keep": tok.decode(ids, skip_special_tokens=False)})
    write("decode.json", {"cases": dec})

    # bert-base-cased ships only vocab.txt; its Hub tokenizer_config says do_lower_case=false.
    # (transformers 5 ignores BertTokenizerFast(vocab_file=...); from_pretrained reads the folder.)
    cased = BertTokenizerFast.from_pretrained(os.path.join(TOK, "bert-base-cased"), do_lower_case=False)
    sample = texts[:100] + STRESS
    out = []
    for t in sample:
        e = cased(t, return_offsets_mapping=True)
        out.append({"ids": e["input_ids"], "offsets": [list(o) for o in e["offset_mapping"]],
                    "word_ids": [-1 if w is None else w for w in e.word_ids()],
                    "type_ids": e["token_type_ids"]})
    write("bert_cased_vocab.json", {"texts": sample, "encodings": out})
    print("wrote", sorted(os.listdir(OUT)), file=sys.stderr)


if __name__ == "__main__":
    main()
