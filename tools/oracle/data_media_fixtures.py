#!/usr/bin/env python3
"""Golden files for tests/data (CoNLL-2003, split slicing, Audio/Image features) and tests/hub
(the dataset card push_to_hub writes), made by Hugging Face `datasets` (the oracle).

Writes into tests/fixtures/data/:
- conll2003_expected.json  HF's conll2003 features (JSON + repr), split sizes, first/last rows,
                           label histograms, and the rows that split specs ("train[:10%]",
                           "test[100:200]", ...) select, from ../shared/data/conll2003
- media/                   tiny png/jpeg/wav/flac/ogg files made here (a few KB)
- media_expected.json      decoded pixels/samples as PIL and soundfile give them
- hf_media_dict/           a DatasetDict with ClassLabel, List, struct, Audio and Image columns
                           saved by datasets.save_to_disk
- ../hub/card_expected.json the README.md that push_to_hub writes for a small DatasetDict

HF 5.2 has no conll2003 script any more; it has the generic "conll" builder. We run that builder
with conll2003's column names and features (the label lists of datasets/conll2003/conll2003.py,
identical to its dataset_infos.json) and add the script's "id" column (the sentence index as a
string), so the rows are those of the old script (both skip -DOCSTART- and emit non-empty
sentences; the script splits on " ", the builder on whitespace: the same on these files).

Run: $AFINAR_VENV/bin/python3 tools/oracle/data_media_fixtures.py --shared ../shared
"""
import argparse, collections, io, json, math, pathlib, shutil, struct, tempfile, wave

import datasets
import numpy as np

POS = ['"', "''", "#", "$", "(", ")", ",", ".", ":", "``", "CC", "CD", "DT", "EX", "FW", "IN", "JJ", "JJR",
       "JJS", "LS", "MD", "NN", "NNP", "NNPS", "NNS", "NN|SYM", "PDT", "POS", "PRP", "PRP$", "RB", "RBR", "RBS",
       "RP", "SYM", "TO", "UH", "VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "WDT", "WP", "WP$", "WRB"]
CHUNK = ["O", "B-ADJP", "I-ADJP", "B-ADVP", "I-ADVP", "B-CONJP", "I-CONJP", "B-INTJ", "I-INTJ", "B-LST", "I-LST",
         "B-NP", "I-NP", "B-PP", "I-PP", "B-PRT", "I-PRT", "B-SBAR", "I-SBAR", "B-UCP", "I-UCP", "B-VP", "I-VP"]
NER = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
SPECS = ["train[:10%]", "test[100:200]", "validation[-5%:]", "train[10%:20%]", "test[:33%]",
         "train[33%:67%](pct1_dropremainder)", "validation[:-3249]", "test[-7:]+validation[:3]", "train[14000:20000]"]


def conll2003(shared: pathlib.Path, cache: str):
    from datasets import ClassLabel, Features, List, Value
    tag_features = Features({"tokens": List(Value("string")), "pos_tags": List(ClassLabel(names=POS)),
                             "chunk_tags": List(ClassLabel(names=CHUNK)), "ner_tags": List(ClassLabel(names=NER))})
    assert (len(POS), len(CHUNK), len(NER)) == (47, 23, 9)
    d = shared / "data/conll2003"
    files = {"train": str(d / "train.txt"), "validation": str(d / "valid.txt"), "test": str(d / "test.txt")}
    kw = dict(data_files=files, column_names=list(tag_features), features=tag_features, cache_dir=cache)

    def with_id(ds):
        return ds.add_column("id", [str(i) for i in range(len(ds))]).select_columns(
            ["id", "tokens", "pos_tags", "chunk_tags", "ner_tags"])

    dd = datasets.load_dataset("conll", **kw)
    dd = datasets.DatasetDict({k: with_id(v) for k, v in dd.items()})
    out = {"features": dd["train"].features.to_dict(), "repr": repr(dd["train"].features), "splits": {}}
    for name, ds in dd.items():
        hist = {c: collections.Counter(t for row in ds[c] for t in row) for c in ("pos_tags", "chunk_tags", "ner_tags")}
        out["splits"][name] = {"num_rows": len(ds), "first": ds[:2], "last": ds[len(ds) - 1],
                               "num_tokens": sum(len(t) for t in ds["tokens"]),
                               "histograms": {c: [h[i] for i in range(max(h) + 1)] for c, h in hist.items()}}
    out["slices"] = {}
    try:
        datasets.load_dataset("conll", split="validation[:-3250]", **kw)
    except ValueError as e:
        out["empty_slice_error"] = str(e)
    for spec in SPECS:
        s = datasets.load_dataset("conll", split=spec, **kw)
        toks = s["tokens"]
        out["slices"][spec] = {"num_rows": len(s), "first_tokens": toks[0] if toks else None,
                               "last_tokens": toks[-1] if toks else None}
    return out


def make_media(d: pathlib.Path):
    """Tiny png/jpeg/wav/flac/ogg files; returns {name: expected decoded values}."""
    from PIL import Image
    import soundfile as sf
    from scipy.signal import resample_poly
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    exp = {}
    yy, xx = np.mgrid[0:16, 0:16]
    smooth = np.stack([xx * 15, yy * 15, (xx + yy) * 7], axis=-1).astype(np.uint8)
    images = {
        "rgb.png": Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8), "RGB"),
        "rgba.png": Image.fromarray(rng.integers(0, 256, (4, 5, 4), dtype=np.uint8), "RGBA"),
        "gray.png": Image.fromarray(rng.integers(0, 256, (3, 7), dtype=np.uint8), "L"),
        "la.png": Image.fromarray(rng.integers(0, 256, (3, 3, 2), dtype=np.uint8), "LA"),
        "rgb.jpg": Image.fromarray(smooth, "RGB"),
        "gray.jpg": Image.fromarray((xx * 16).astype(np.uint8)[:8, :8], "L"),
    }
    pal = Image.fromarray(rng.integers(0, 4, (4, 4), dtype=np.uint8), "P")
    pal.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    images["p.png"] = pal
    for name, im in images.items():
        im.save(d / name, quality=90) if name.endswith(".jpg") else im.save(d / name)
        dec = Image.open(d / name)
        dec.load()
        arr = np.array(dec)
        e = {"mode": dec.mode, "shape": list(arr.shape), "pixels": arr.reshape(-1).tolist()}
        if dec.mode in ("RGB", "RGBA", "L"):
            e["convert"] = {m: np.array(dec.convert(m)).reshape(-1).tolist() for m in ("L", "RGB", "RGBA") if m != dec.mode}
        exp[name] = e
    t16 = np.arange(400) / 16000.0
    mono = (0.5 * np.sin(2 * np.pi * 440 * t16) + 0.1 * rng.standard_normal(400)).clip(-1, 1)
    sf.write(d / "sine16k.wav", mono, 16000, subtype="PCM_16")
    t8 = np.arange(300) / 8000.0
    stereo = np.stack([0.4 * np.sin(2 * np.pi * 300 * t8), 0.3 * np.cos(2 * np.pi * 500 * t8)], axis=1)
    sf.write(d / "stereo8k.flac", stereo, 8000, subtype="PCM_16")
    t22 = np.arange(2205) / 22050.0
    sf.write(d / "tone.ogg", 0.5 * np.sin(2 * np.pi * 660 * t22), 22050, format="OGG", subtype="VORBIS")
    for name, targets in {"sine16k.wav": [8000, 22050], "stereo8k.flac": [16000], "tone.ogg": [16000]}.items():
        x, sr = sf.read(d / name, dtype="float32", always_2d=True)
        x = x.T  # (channels, samples), as torchcodec's get_all_samples
        e = {"sampling_rate": sr, "shape": list(x.shape), "array": x.reshape(-1).tolist(), "resampled": {}}
        for to in targets:
            g = math.gcd(sr, to)
            y = np.stack([resample_poly(c.astype(np.float64), to // g, sr // g) for c in x]).astype(np.float32)
            e["resampled"][str(to)] = {"shape": list(y.shape), "array": y.reshape(-1).tolist()}
        exp[name] = e
    return exp


def media_dict(media: pathlib.Path, path: pathlib.Path):
    """A DatasetDict with ClassLabel, List, struct, Audio and Image columns, saved by HF. The
    rows are built as Arrow (HF's Audio.encode_example needs torchcodec, which is not here)."""
    import hashlib
    import pyarrow as pa
    from datasets import Audio, ClassLabel, Dataset, DatasetDict, Features, Image, List, Value
    f = Features({"label": ClassLabel(names=["cat", "dog"]), "ids": List(Value("int32")),
                  "meta": {"a": Value("string"), "b": List(Value("float32"))},
                  "image": Image(), "audio": Audio(sampling_rate=16000)})
    def media_value(name):
        return {"bytes": (media / name).read_bytes(), "path": name}
    rows = {"label": [0, 1, 1], "ids": [[1, 2], [], [3]],
            "meta": [{"a": "x", "b": [0.5]}, {"a": "y", "b": []}, {"a": None, "b": [1.0, -2.0]}],
            "image": [media_value("rgb.png"), media_value("rgb.jpg"), media_value("p.png")],
            "audio": [media_value("sine16k.wav"), media_value("stereo8k.flac"), media_value("tone.ogg")]}
    table = pa.Table.from_pydict(rows, schema=f.arrow_schema)
    ds = Dataset(table, info=datasets.DatasetInfo(features=f))
    DatasetDict({"train": ds, "test": ds.select([1])}).save_to_disk(str(path))
    back = datasets.load_from_disk(str(path))
    def plain(row):
        return {k: ({"sha256": hashlib.sha256(v["bytes"]).hexdigest(), "path": v["path"]}
                    if k in ("image", "audio") else v) for k, v in row.items()}
    raw = back["train"].cast_column("image", Image(decode=False)).cast_column("audio", Audio(decode=False))
    return {"features": f.to_dict(), "repr": repr(f), "splits": list(back),
            "rows": [plain(r) for r in raw], "yaml": f._to_yaml_list()}


def card_expected(f):
    """The README.md that push_to_hub writes for a DatasetDict (HF's _get_updated_dataset_card on
    an empty repo; the byte sizes are fixed numbers that the C++ test passes the same)."""
    import fsspec
    from fsspec.implementations.dirfs import DirFileSystem
    from datasets import Audio, ClassLabel, Features, Image, List, SplitInfo, Value
    from datasets.arrow_dataset import _get_updated_dataset_card
    splits = [SplitInfo(name="train", num_bytes=1234, num_examples=3, dataset_name=None),
              SplitInfo(name="test", num_bytes=411, num_examples=1, dataset_name=None)]
    with tempfile.TemporaryDirectory() as d:
        fs = DirFileSystem(fs=fsspec.filesystem("file"), path=d)
        card, legacy = _get_updated_dataset_card(fs=fs, config_name="default", splits_info=splits, features=f,
                                                 data_dir="data", set_default=None, uploaded_sizes=[2000, 900],
                                                 deleted_sizes=[], remove_other_splits=True)
    return {"readme": str(card), "splits": [[s.name, s.num_bytes, s.num_examples] for s in splits],
            "uploaded_sizes": [2000, 900], "legacy_infos": legacy}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", required=True, help="the shared/ folder with data/conll2003")
    ap.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parents[2] / "tests/fixtures/data"))
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    with tempfile.TemporaryDirectory() as cache:
        c = conll2003(pathlib.Path(args.shared), cache)
    (out / "conll2003_expected.json").write_text(json.dumps(c, ensure_ascii=False, indent=1) + "\n")
    media = out / "media"
    m = make_media(media)
    shutil.rmtree(out / "hf_media_dict", ignore_errors=True)
    m["hf_media_dict"] = media_dict(media, out / "hf_media_dict")
    (out / "media_expected.json").write_text(json.dumps(m) + "\n")
    hub = out.parent / "hub"
    hub.mkdir(exist_ok=True)
    from datasets import Audio, ClassLabel, Features, Image, List, Translation, Value
    media_f = Features({"text": Value("string"), "label": ClassLabel(names=["neg", "pos"]), "ids": List(Value("int32")),
                        "meta": {"a": Value("string"), "b": List(Value("float32"))},
                        "image": Image(), "audio": Audio(sampling_rate=16000)})
    conll_f = Features({"id": Value("string"), "tokens": List(Value("string")), "pos_tags": List(ClassLabel(names=POS)),
                        "tr": Translation(languages=["en", "fr"]), "big": List(Value("int64"), length=2),
                        "odd": ClassLabel(names=["yes", "1", "a: b", "-", "- x", "#c", "ok-", "null", "", "é"])})
    cards = {"media": {**card_expected(media_f), "features": media_f.to_dict()},
             "conll": {**card_expected(conll_f), "features": conll_f.to_dict()}}
    (hub / "card_expected.json").write_text(json.dumps(cards, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
