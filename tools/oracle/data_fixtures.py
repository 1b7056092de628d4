#!/usr/bin/env python3
"""Golden files for tests/data, made by Hugging Face `datasets` (the oracle) and pyarrow.

Writes into tests/fixtures/data/ (small; the rotten_tomatoes rows themselves stay in shared/):
- expected.json          reprs of HF's rotten_tomatoes DatasetDict and Dataset, per-split row
                         counts, first rows and label counts, and reprs of awkward column names
- nested.jsonl           JSON Lines with every inferred type, nulls and missing keys
- nested_expected.json   HF's Arrow schema for nested.jsonl and its rows
- hf.parquet             20 rows (text, label, input_ids list<int32>) written by Dataset.to_parquet
- hf_save_to_disk.arrow  the same rows as save_to_disk writes them (Arrow IPC stream)
- hf_rows.json           those 20 rows as Python sees them
- features_expected.json Features cases: HF's JSON, repr and Arrow schema of each
- transforms_expected.json  numpy permutations, and HF's shuffle / train_test_split / sort /
                         class_encode_column / flatten / unique results on rotten_tomatoes
- hf_saved_dict/         a DatasetDict (ClassLabel, lists, struct, Translation) by save_to_disk

Run: $AFINAR_VENV/bin/python3 tools/oracle/data_fixtures.py --shared ../shared
"""
import argparse, json, pathlib, shutil, tempfile

import datasets

NESTED = [
    {"id": 1, "score": 0.5, "name": "a", "ok": True, "tags": ["x", "y"], "ids": [1, 2, 3],
     "meta": {"lang": "en", "n": 1}},
    {"id": 2, "score": 1, "name": None, "ok": False, "tags": [], "ids": [4],
     "meta": {"lang": "de", "n": None}},
    {"id": 3, "name": "c\u00e9 \"q\" \u2603", "tags": None, "ids": [], "extra": 7},
    {"id": -4, "score": -2.25, "name": "", "ok": None, "tags": ["z"], "ids": [5, 6],
     "meta": None},
]


def hf_json(files: dict, cache: str):
    return datasets.load_dataset("json", data_files=files, cache_dir=cache)


def features_cases():
    from datasets import ClassLabel, Features, LargeList, List, Translation, Value
    cases = {
        "values": Features({d: Value(d) for d in ["bool", "int8", "int16", "int32", "int64", "uint8", "uint64",
                                                  "float16", "float32", "float64", "string", "large_string",
                                                  "binary", "date32", "timestamp[ms]", "timestamp[s, tz=UTC]"]}),
        "class_label": Features({"label": ClassLabel(names=["neg", "pos"]), "n": ClassLabel(num_classes=3)}),
        "lists": Features({"ids": List(Value("int32")), "fixed": List(Value("float32"), length=3),
                           "large": LargeList(Value("int64")), "nested": List(List(Value("string")))}),
        "structs": Features({"s": {"a": Value("float32"), "b": List(Value("string")),
                                   "c": {"d": ClassLabel(names=["x", "y"])}}}),
        "translation": Features({"tr": Translation(languages=["fr", "en"])}),
    }
    out = {}
    for name, f in cases.items():
        out[name] = {"json": f.to_dict(), "repr": repr(f),
                     "schema": f.arrow_schema.to_string(show_schema_metadata=False)}
    return out


def transforms_expected(dd):
    import numpy as np
    train = dd["train"]
    out = {"permutations": {f"{seed}/{n}": np.random.default_rng(seed).permutation(n).tolist()
                            for seed in (0, 42, 2**40 + 7) for n in (1, 2, 10, 300)}}
    out["shuffle_42_first_texts"] = list(train.shuffle(seed=42)["text"])[:5]
    split = train.train_test_split(test_size=0.1, seed=7)
    out["split"] = {s: {"num_rows": split[s].num_rows, "first_texts": list(split[s]["text"])[:3]} for s in split}
    out["split_int"] = {s: split[s].num_rows for s in train.train_test_split(test_size=100, seed=1)}
    srt = dd["validation"].sort("text")
    out["sort_first_texts"] = list(srt["text"])[:3]
    out["sort_desc_last_texts"] = list(dd["validation"].sort("text", reverse=True)["text"])[-3:]
    enc = dd["validation"].class_encode_column("label")
    out["class_encode"] = {"repr": repr(enc.features["label"]), "first": list(enc["label"])[:5]}
    words = datasets.Dataset.from_dict({"w": ["b", "a", "c", "a", None]}).class_encode_column("w")
    out["class_encode_strings"] = {"repr": repr(words.features["w"]), "values": list(words["w"])}
    out["unique_labels"] = list(dd["validation"].unique("label"))
    return out


def saved_dict(path):
    from datasets import ClassLabel, Dataset, DatasetDict, Features, List, Translation, Value
    f = Features({"text": Value("string"), "label": ClassLabel(names=["neg", "pos"]),
                  "ids": List(Value("int32")), "meta": {"lang": Value("string"), "score": Value("float64")},
                  "tr": Translation(languages=["en", "fr"])})
    rows = {"text": ["a", "b\n\"q\"", "cé"], "label": [0, 1, 1], "ids": [[1, 2], [], [3]],
            "meta": [{"lang": "en", "score": 0.5}, {"lang": "de", "score": None}, {"lang": "fr", "score": -1.0}],
            "tr": [{"en": "hi", "fr": "salut"}, {"en": "yes", "fr": "oui"}, {"en": "no", "fr": "non"}]}
    ds = Dataset.from_dict(rows, features=f)
    DatasetDict({"train": ds, "test": ds.select([2])}).save_to_disk(str(path))
    return {"features_repr": repr(ds.features), "rows": ds.to_list()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", required=True, help="the shared/ folder with data/")
    ap.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parents[2] / "tests/fixtures/data"))
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rt = pathlib.Path(args.shared) / "data" / "rotten_tomatoes"
    cache = tempfile.mkdtemp(prefix="afinar_oracle_")
    try:
        dd = hf_json({s: str(rt / f"{s}.jsonl") for s in ("train", "validation", "test")}, cache)
        odd = datasets.Dataset.from_dict({"it's": [1], 'say "hi"': [2], "back\\slash": [3], "tab\there": [4],
                                          "both'\"": [5], "caf\u00e9": [6]})
        expected = {
            "rotten_tomatoes_repr": repr(dd),
            "train_repr": repr(dd["train"]),
            "empty_dict_repr": repr(datasets.DatasetDict()),
            "odd_names_repr": repr(odd),
            "odd_names": odd.column_names,
            "splits": {s: {"num_rows": dd[s].num_rows,
                           "first_rows": dd[s].select(range(3)).to_list(),
                           "positives": sum(dd[s]["label"])} for s in dd},
        }
        (out / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")

        nested_path = out / "nested.jsonl"
        nested_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in NESTED))
        nested = hf_json({"train": str(nested_path)}, cache)["train"]
        (out / "nested_expected.json").write_text(json.dumps({
            "schema": nested.data.schema.to_string(show_schema_metadata=False),
            "rows": nested.to_list(),
        }, indent=1, ensure_ascii=False) + "\n")

        small = dd["train"].select(list(range(10)) + list(range(8520, 8530)))
        small = small.map(lambda r: {"input_ids": [len(w) for w in r["text"].split()]},
                          features=datasets.Features({**small.features,
                                                      "input_ids": datasets.Sequence(datasets.Value("int32"))}))
        small.to_parquet(str(out / "hf.parquet"))
        with tempfile.TemporaryDirectory() as d:
            small.save_to_disk(d)
            shutil.copyfile(pathlib.Path(d) / "data-00000-of-00001.arrow", out / "hf_save_to_disk.arrow")
        # pyarrow's view of the two files, for the readers' schema checks
        import pyarrow.ipc, pyarrow.parquet
        expected["hf.parquet_schema"] = pyarrow.parquet.read_table(out / "hf.parquet").schema.to_string(
            show_schema_metadata=False)
        with pyarrow.memory_map(str(out / "hf_save_to_disk.arrow")) as f:
            expected["hf_save_to_disk.arrow_schema"] = pyarrow.ipc.open_stream(f).read_all().schema.to_string(
                show_schema_metadata=False)
        (out / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
        (out / "hf_rows.json").write_text(json.dumps(small.to_list(), ensure_ascii=False) + "\n")
        (out / "features_expected.json").write_text(json.dumps(features_cases(), indent=1, ensure_ascii=False) + "\n")
        t = transforms_expected(dd)
        shutil.rmtree(out / "hf_saved_dict", ignore_errors=True)
        t["saved_dict"] = saved_dict(out / "hf_saved_dict")
        (out / "transforms_expected.json").write_text(json.dumps(t, indent=1, ensure_ascii=False) + "\n")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"data_fixtures: wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
