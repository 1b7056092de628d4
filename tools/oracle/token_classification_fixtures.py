"""Writes the fixture of tests/train/token_classification_test.cpp: run_ner.py's
tokenize_and_align_labels (transformers' examples) on the first CoNLL-2003 sentences.

Run: ~/.cache/afinar/venv/bin/python3 tools/oracle/token_classification_fixtures.py
Labels are the raw tag strings, so the label list is their sorted set (run_ner's get_label_list
path for non-ClassLabel columns). Output: tests/fixtures/train/ner_align.json.
"""
import json
import os

from transformers import BertTokenizerFast

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared")
N = 60


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
            parts = line.split(" ")
            cur.append((parts[0], parts[3]))
    return out


def main():
    sents = sentences(os.path.join(SHARED, "data", "conll2003", "train.txt"), N)
    tokens = [[w for w, _ in s] for s in sents]
    tags = [[t for _, t in s] for s in sents]
    label_list = sorted({t for s in tags for t in s})
    label_to_id = {l: i for i, l in enumerate(label_list)}
    b_to_i_label = []
    for idx, label in enumerate(label_list):
        if label.startswith("B-") and label.replace("B-", "I-") in label_list:
            b_to_i_label.append(label_list.index(label.replace("B-", "I-")))
        else:
            b_to_i_label.append(idx)
    tok = BertTokenizerFast(tokenizer_file=os.path.join(SHARED, "tokenizers", "bert-base-uncased", "tokenizer.json"))
    out = {"tokens": tokens, "ner_tags": tags, "label_list": label_list, "b_to_i_label": b_to_i_label}
    for label_all_tokens in (False, True):
        enc = tok(tokens, padding=False, truncation=True, max_length=24, is_split_into_words=True)
        labels = []
        for i, label in enumerate(tags):
            word_ids = enc.word_ids(batch_index=i)
            previous, ids = None, []
            for w in word_ids:
                if w is None:
                    ids.append(-100)
                elif w != previous:
                    ids.append(label_to_id[label[w]])
                else:
                    ids.append(b_to_i_label[label_to_id[label[w]]] if label_all_tokens else -100)
                previous = w
            labels.append(ids)
        out["input_ids"] = enc["input_ids"]
        out["labels_all" if label_all_tokens else "labels_first"] = labels
    os.makedirs(os.path.join(ROOT, "tests", "fixtures", "train"), exist_ok=True)
    with open(os.path.join(ROOT, "tests", "fixtures", "train", "ner_align.json"), "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
