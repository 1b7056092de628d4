#!/usr/bin/env python3
"""Golden fixtures for the question-answering task: run_qa.py's own preprocessing
(prepare_train_features / prepare_validation_features) and utils_qa.py's
postprocess_qa_predictions, on real SQuAD questions with transformers' AutoTokenizer.

transformers' example scripts are not in its pip package, so this script takes the folder that
holds them (examples/pytorch/question-answering/run_qa.py and utils_qa.py of the transformers
repository, saved anywhere outside this checkout, e.g. /tmp/hf_qa):

    ~/.cache/afinar/venv/bin/python3 tools/oracle/qa_fixtures.py /tmp/hf_qa

The two preprocessing functions are nested in run_qa's main(); they are taken out of the file by
name with `ast` and run with the free variables main() gives them (tokenizer, the column names,
pad_on_right, max_seq_length = min(max_seq_length, model_max_length), data_args), through
datasets' Dataset.map(batched=True, remove_columns=column_names) as run_qa runs them.

Examples: 160 questions of ../shared/data/squad/train.jsonl (every 24th line) and 40 of
validation.jsonl (every 10th), then copies of the first 10 with the id suffixed "_noans", a
question with leading whitespace (run_qa strips it) and no answer (SQuAD v2's form).

Writes tests/fixtures/train/qa/:
  examples.json                     the rows (file + line) and the no-answer copies' rule
  <case>.json                       per feature: length, example index, start/end positions, and a
                                    digest (SHA-256, 16 hex digits, of the int32 values) of each of
                                    input_ids, token_type_ids, attention_mask and offset_mapping
                                    (flattened, -1 -1 for None); the first 6 features in full; the
                                    case's settings, the tokenizer's cls/bos ids, the column names
  postprocess/<case>_logits.npy     (2, F, T) float32 seeded start/end logits (normal, sd 2; +5 at
                                    [CLS] for every third example, so that v2 picks some null
                                    answers) for the features of the first 60 examples, padded
                                    with -100 as Trainer's nested_concat pads
  postprocess/<case>.json           postprocess_qa_predictions for several settings (v1, v2 with
                                    thresholds): predictions, null odds, and for two settings
                                    the n-best lists (first 20 examples) and the predictions/null-odds
                                    files' text
"""
import ast
import hashlib
import json
import pathlib
import sys
import tempfile
import types

import datasets
import numpy as np
from transformers import AutoTokenizer

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
OUT = ROOT / "tests/fixtures/train/qa"
NOANS_ROWS = 10
QUESTION_PREFIX = "  \u3000 "
POSTPROCESS_EXAMPLES = 60
NBEST_EXAMPLES = 20

CASES = [
    # name, tokenizer folder, max_seq_length, doc_stride, pad_to_max_length
    ("minilm_384", "sentence-transformers__all-MiniLM-L6-v2", 384, 128, False),
    ("minilm_128", "sentence-transformers__all-MiniLM-L6-v2", 128, 32, True),
    ("roberta_384", "roberta-base", 384, 128, False),
    ("roberta_128", "roberta-base", 128, 32, False),
]
POSTPROCESS_CASES = ["minilm_128", "roberta_128"]
SETTINGS = [
    # version_2_with_negative, n_best_size, max_answer_length, null_score_diff_threshold, with n-best lists
    (False, 20, 30, 0.0, False),
    (True, 20, 30, 0.0, True),
    (True, 20, 30, 1.5, False),
    (False, 5, 8, 0.0, True),
    (True, 5, 8, -0.5, False),
]


def load_functions(folder):
    """run_qa's prepare_* functions (nested in main) and utils_qa's postprocess_qa_predictions."""
    path = folder / "run_qa.py"
    tree = ast.parse(path.read_text(), str(path))
    wanted = {"prepare_train_features", "prepare_validation_features"}
    nodes = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name in wanted}
    missing = wanted - nodes.keys()
    if missing:
        sys.exit(f"{path}: no {', '.join(sorted(missing))}")
    sys.path.insert(0, str(folder))
    import utils_qa  # noqa: E402  (the folder given on the command line)

    return nodes, utils_qa.postprocess_qa_predictions


def bind(nodes, tokenizer, max_seq_length, doc_stride, pad_to_max_length):
    """The prepare_* functions with the variables run_qa's main() defines before them."""
    ns = {
        "tokenizer": tokenizer,
        "question_column_name": "question",
        "context_column_name": "context",
        "answer_column_name": "answers",
        "pad_on_right": tokenizer.padding_side == "right",
        "max_seq_length": min(max_seq_length, tokenizer.model_max_length),
        "data_args": types.SimpleNamespace(doc_stride=doc_stride, pad_to_max_length=pad_to_max_length),
    }
    for name, node in nodes.items():
        exec(compile(ast.Module(body=[node], type_ignores=[]), "run_qa.py", "exec"), ns)
    return ns["prepare_train_features"], ns["prepare_validation_features"]


def example_rows():
    rows, where = [], []
    for file, step, count in (("train.jsonl", 24, 160), ("validation.jsonl", 10, 40)):
        lines = (SHARED / "data/squad" / file).read_text(encoding="utf-8").splitlines()
        for k in range(count):
            rows.append(json.loads(lines[k * step]))
            where.append([file, k * step])
    for r in rows[:NOANS_ROWS]:
        rows.append(dict(r, id=r["id"] + "_noans", question=QUESTION_PREFIX + r["question"],
                         answers={"text": [], "answer_start": []}))
    return rows, where


def digest(values):
    """First 16 hex digits of the SHA-256 of int32 little-endian values (one feature's column)."""
    return hashlib.sha256(np.asarray(values, dtype="<i4").tobytes()).hexdigest()[:16]


def write_case(name, tok_dir, max_len, stride, pad, examples, nodes):
    tokenizer = AutoTokenizer.from_pretrained(str(SHARED / "tokenizers" / tok_dir))
    train_fn, val_fn = bind(nodes, tokenizer, max_len, stride, pad)
    cols = examples.column_names
    train_ds = examples.map(train_fn, batched=True, remove_columns=cols, load_from_cache_file=False)
    val_ds = examples.map(val_fn, batched=True, remove_columns=cols, load_from_cache_file=False)
    train, val = train_ds.to_dict(), val_ds.to_dict()
    # The two share the tokenisation: the windows are checked once.
    assert train["input_ids"] == val["input_ids"], name
    id_to_index = {k: i for i, k in enumerate(examples.to_dict()["id"])}
    offsets = [[x for o in f for x in (o if o is not None else (-1, -1))] for f in val["offset_mapping"]]
    token_columns = [c for c in ("input_ids", "token_type_ids", "attention_mask") if c in val]
    meta = {
        "tokenizer": tok_dir, "max_seq_length": max_len, "doc_stride": stride, "pad_to_max_length": pad,
        "cls_token_id": tokenizer.cls_token_id, "bos_token_id": tokenizer.bos_token_id,
        "padding_side": tokenizer.padding_side, "model_max_length": tokenizer.model_max_length,
        "train_columns": train_ds.column_names, "validation_columns": val_ds.column_names,
        "lengths": [len(f) for f in val["input_ids"]],
        "example_index": [id_to_index[e] for e in val["example_id"]],
        "start_positions": train["start_positions"], "end_positions": train["end_positions"],
        # One digest per feature and column (offset_mapping flattened, -1 -1 for None).
        "digests": {c: [digest(f) for f in val[c]] for c in token_columns},
        "offset_digests": [digest(f) for f in offsets],
        # The first features in full, for readable differences.
        "first": {c: val[c][:6] for c in token_columns} | {"offset_mapping": offsets[:6]},
    }
    (OUT / f"{name}.json").write_text(json.dumps(meta) + "\n")
    print(f"{name}: {len(examples)} examples -> {len(val_ds)} features, "
          f"{sum(meta['lengths'])} tokens, {sum(1 for s in train['start_positions'] if s == 0)} at CLS")
    return val_ds


def write_postprocess(name, examples, features, postprocess, seed):
    n = POSTPROCESS_EXAMPLES
    sub_examples = examples.select(range(n))
    keep = set(sub_examples.to_dict()["id"])
    sub_features = features.select([i for i, e in enumerate(features.to_dict()["example_id"]) if e in keep])
    rng = np.random.default_rng(seed)
    lengths = [len(f) for f in sub_features.to_dict()["input_ids"]]
    t = max(lengths)
    logits = np.full((2, len(lengths), t), -100.0, dtype=np.float32)  # nested_concat's padding index
    example_of = {k: i for i, k in enumerate(sub_examples.to_dict()["id"])}
    for i, (length, e) in enumerate(zip(lengths, sub_features.to_dict()["example_id"])):
        logits[:, i, :length] = rng.normal(0.0, 2.0, size=(2, length)).astype(np.float32)
        if example_of[e] % 3 == 0:  # a strong null answer ([CLS]) for every third example
            logits[:, i, 0] += 5.0
    d = OUT / "postprocess"
    d.mkdir(parents=True, exist_ok=True)
    np.save(d / f"{name}_logits.npy", logits)
    results = []
    for v2, n_best, max_answer, threshold, with_nbest in SETTINGS:
        with tempfile.TemporaryDirectory() as tmp:
            preds = postprocess(sub_examples, sub_features, (logits[0], logits[1]), version_2_with_negative=v2,
                                n_best_size=n_best, max_answer_length=max_answer,
                                null_score_diff_threshold=threshold, output_dir=tmp, prefix="eval")
            files = {p.name: p.read_text(encoding="utf-8") for p in sorted(pathlib.Path(tmp).iterdir())}
        nbest = json.loads(files["eval_nbest_predictions.json"])
        r = {"version_2_with_negative": v2, "n_best_size": n_best, "max_answer_length": max_answer,
             "null_score_diff_threshold": threshold, "predictions": [[k, v] for k, v in preds.items()]}
        if v2:
            r["null_odds"] = json.loads(files["eval_null_odds.json"])
        if with_nbest:
            r["nbest"] = dict(list(nbest.items())[:NBEST_EXAMPLES])
            r["files"] = {k: v for k, v in files.items() if "nbest" not in k}
        else:
            r["nbest_sizes"] = {k: len(v) for k, v in nbest.items()}
        results.append(r)
        print(f"  postprocess {name} v2={v2} n_best={n_best} threshold={threshold}: "
              f"{sum(1 for v in preds.values() if v == '')} empty of {len(preds)}")
    out = {"num_examples": n, "num_features": len(lengths), "settings": results}
    (d / f"{name}.json").write_text(json.dumps(out, ensure_ascii=False) + "\n")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    nodes, postprocess = load_functions(pathlib.Path(sys.argv[1]))
    rows, where = example_rows()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = pathlib.Path(tmp) / "examples.jsonl"
        jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        examples = datasets.load_dataset("json", data_files=str(jsonl), split="train",
                                         cache_dir=str(pathlib.Path(tmp) / "cache"))
        (OUT / "examples.json").write_text(json.dumps(
            {"rows": where, "noans_rows": NOANS_ROWS, "noans_id_suffix": "_noans",
             "noans_question_prefix": QUESTION_PREFIX, "columns": examples.column_names}) + "\n")
        for seed, (name, tok_dir, max_len, stride, pad) in enumerate(CASES):
            features = write_case(name, tok_dir, max_len, stride, pad, examples, nodes)
            if name in POSTPROCESS_CASES:
                write_postprocess(name, examples, features, postprocess, seed)


if __name__ == "__main__":
    main()
