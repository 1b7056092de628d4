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
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"data_fixtures: wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
