#!/usr/bin/env python3
"""Golden fixtures for the collators (transformers' data_collator.py, torch CPU generator).

Each case holds the features, the seed set with torch.manual_seed before the call (or the
collator's own seed=), the tokenizer facts the C++ collator takes, and the batch transformers returns.

    ~/.cache/afinar/venv/bin/python3 tools/oracle/collators_fixtures.py
"""
import json, pathlib

import torch
from transformers import (AutoTokenizer, DataCollatorForLanguageModeling, DataCollatorForPermutationLanguageModeling,
                          DataCollatorForSeq2Seq, DataCollatorForTokenClassification, DataCollatorWithFlattening)
from transformers.models.bart.modeling_bart import shift_tokens_right

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
OUT = ROOT / "tests/fixtures/collators"

TEXTS = ["the quick brown fox jumps over the lazy dog near the riverbank",
         "a short one",
         "tokenization of unbelievably long words produces several wordpieces",
         "masked language modeling needs a mask token and some randomness to work well",
         "hello world"]


def tokenizer():
    return AutoTokenizer.from_pretrained(str(SHARED / "tokenizers" / "sentence-transformers__all-MiniLM-L6-v2"))


def facts(tok):
    return {"pad_token_id": tok.pad_token_id, "mask_token_id": tok.mask_token_id, "vocab_size": len(tok),
            "special_token_ids": sorted(tok.all_special_ids)}


def plain(batch):
    return {k: (v.tolist() if isinstance(v, torch.Tensor) else v) for k, v in batch.items()}


def lm_cases(tok):
    feats = [dict(tok(t)) for t in TEXTS]
    with_special = [dict(tok(t, return_special_tokens_mask=True)) for t in TEXTS]
    cases = []
    for kw, fs, seed, calls in (({}, feats, 0, 1), ({}, feats, 1234, 3), ({"pad_to_multiple_of": 8}, feats, 7, 1),
                                ({"mask_replace_prob": 0.5, "random_replace_prob": 0.4}, feats, 3, 2),
                                ({"mask_replace_prob": 0.0, "random_replace_prob": 1.0}, feats, 5, 1),
                                ({"mlm_probability": 0.5}, with_special, 11, 1),
                                ({"seed": 42}, feats, 99, 2),
                                ({"mlm": False}, feats, 0, 1), ({"mlm": False, "pad_to_multiple_of": 8}, feats, 0, 1),
                                ({"padding_side": "left"}, feats, 21, 1)):
        t = tokenizer()
        kw = dict(kw)
        if "padding_side" in kw:
            t.padding_side = kw.pop("padding_side")
            kw_out = {**kw, "padding_side": t.padding_side}
        else:
            kw_out = kw
        collate = DataCollatorForLanguageModeling(t, **kw)
        torch.manual_seed(seed)
        batches = [plain(collate([dict(f) for f in fs])) for _ in range(calls)]
        cases.append({"kwargs": kw_out, "seed": seed, **facts(t), "features": fs, "batches": batches})
    return cases


def wwm_cases(tok):
    # Offsets give transformers its words; the texts have no punctuation glued to words, so the
    # words are exactly the runs of a token followed by its "##" continuations.
    cases = []
    for seed, prob in ((0, 0.15), (5, 0.4), (8, 0.3)):
        fs = [dict(tok(t, return_offsets_mapping=True, padding="max_length", max_length=24)) for t in TEXTS[:4]]
        collate = DataCollatorForLanguageModeling(tok, whole_word_mask=True, mlm_probability=prob)
        torch.manual_seed(seed)
        batch = plain(collate([dict(f) for f in fs]))
        feats = [{k: v for k, v in f.items() if k != "offset_mapping"} for f in fs]
        cases.append({"kwargs": {"mlm_probability": prob}, "seed": seed, **facts(tok), "features": feats,
                      "tokens": [tok.convert_ids_to_tokens(f["input_ids"]) for f in fs], "batch": batch})
    return cases


def token_classification_cases():
    cases = []
    for kw in ({}, {"pad_to_multiple_of": 8}, {"padding": "max_length", "max_length": 24}, {"padding_side": "left"},
               {"label_pad_token_id": -1}):
        tok = tokenizer()
        kw = dict(kw)
        kw_out = dict(kw)
        if "padding_side" in kw:
            tok.padding_side = kw.pop("padding_side")
        feats = []
        for i, t in enumerate(TEXTS):
            enc = tok(t.split(), is_split_into_words=True)
            words = enc.word_ids()
            labels = [-100 if w is None else (w * 3 + i) % 5 for w in words]
            feats.append({**dict(enc), "labels": labels})
        batch = DataCollatorForTokenClassification(tok, **kw)([dict(f) for f in feats])
        cases.append({"kwargs": kw_out, "pad_token_id": tok.pad_token_id, "features": feats, "batch": plain(batch)})
    return cases


class Shifter:
    """Stands in for a model: prepare_decoder_input_ids_from_labels as BART's."""

    def __init__(self, pad, start):
        self.pad, self.start = pad, start

    def prepare_decoder_input_ids_from_labels(self, labels):
        return shift_tokens_right(labels, self.pad, self.start)


def seq2seq_cases():
    cases = []
    sources, targets = TEXTS[:4], [TEXTS[4], TEXTS[1], TEXTS[3], TEXTS[0]]
    for kw in ({}, {"pad_to_multiple_of": 8}, {"padding": "max_length", "max_length": 20}, {"padding_side": "left"},
               {"decoder_start_token_id": 101}):
        tok = tokenizer()
        kw = dict(kw)
        kw_out = dict(kw)
        if "padding_side" in kw:
            tok.padding_side = kw.pop("padding_side")
        model = Shifter(tok.pad_token_id, kw.pop("decoder_start_token_id")) if "decoder_start_token_id" in kw else None
        feats = [{**dict(tok(s)), "labels": tok(t)["input_ids"]} for s, t in zip(sources, targets)]
        batch = DataCollatorForSeq2Seq(tok, model=model, **kw)([dict(f) for f in feats])
        cases.append({"kwargs": kw_out, "pad_token_id": tok.pad_token_id, "features": feats, "batch": plain(batch)})
    return cases


def plm_cases(tok):
    cases = []
    for kw, seed, texts in (({}, 0, TEXTS[:4]), ({"plm_probability": 0.3, "max_span_length": 3}, 17, TEXTS[1:5]),
                            ({"max_span_length": 2}, 4, TEXTS)):
        fs = [dict(tok(t)) for t in texts]
        if max(len(f["input_ids"]) for f in fs) % 2:
            fs[0]["input_ids"] = fs[0]["input_ids"][:-2] + [tok.sep_token_id]
        if max(len(f["input_ids"]) for f in fs) % 2:
            fs = [dict(f, input_ids=f["input_ids"] + [tok.pad_token_id]) for f in fs]
        fs = [{"input_ids": f["input_ids"]} for f in fs]
        collate = DataCollatorForPermutationLanguageModeling(tok, **kw)
        torch.manual_seed(seed)
        batch = plain(collate([dict(f) for f in fs]))
        cases.append({"kwargs": kw, "seed": seed, **facts(tok), "features": fs, "batch": batch})
    return cases


def flattening_cases(tok):
    cases = []
    feats = [dict(tok(t)) for t in TEXTS[:3]]
    with_labels = [{**f, "labels": [x % 7 for x in f["input_ids"]]} for f in feats]
    for kw, fs in (({}, feats), ({}, with_labels), ({"return_seq_idx": True, "return_flash_attn_kwargs": True}, feats),
                   ({"separator_id": -1, "position_ids_start": 2}, with_labels), ({"return_position_ids": False}, feats)):
        batch = DataCollatorWithFlattening(**kw)([dict(f) for f in fs])
        cases.append({"kwargs": kw, "features": fs, "batch": plain(batch)})
    return cases


def main():
    tok = tokenizer()
    out = {"language_modeling": lm_cases(tok), "whole_word_mask": wwm_cases(tok),
           "token_classification": token_classification_cases(), "seq2seq": seq2seq_cases(),
           "permutation_language_modeling": plm_cases(tok), "flattening": flattening_cases(tok)}
    for name, cases in out.items():
        (OUT / f"{name}.json").write_text(json.dumps(cases) + "\n")
    print("wrote", ", ".join(f"{k} ({len(v)})" for k, v in out.items()))


if __name__ == "__main__":
    main()
