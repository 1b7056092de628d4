"""Writes the golden fixtures of the sharded-save tests (io/safetensors_sharded_test.cpp) from
transformers' save_pretrained(max_shard_size=...).

Run with the dev venv:  $AFINAR_VENV/bin/python3 tools/oracle/sharded_save_fixtures.py
Under tests/fixtures/models/sharded/ it writes, for two tiny checkpoints already in
tests/fixtures/models (tiny_bert_token: BertForTokenClassification; tiny_gpt2_lm: GPT2LMHeadModel,
whose lm_head is tied to the word embeddings) and a few max_shard_size values:
  <model>_<size>.index.json   the model.safetensors.index.json transformers writes, or
                              {"single_file": true} when everything fits in model.safetensors
and one checkpoint as transformers shards it, for the loading test:
  tiny_bert_token_sharded/    config.json + model-0000i-of-0000N.safetensors + index
"""
import json
import pathlib
import shutil
import tempfile

from transformers import AutoModelForCausalLM, AutoModelForTokenClassification

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODELS = ROOT / "tests" / "fixtures" / "models"
OUT = MODELS / "sharded"
# tiny_bert_token holds ~70 KB of float32 weights: 20KB gives several shards with the greedy
# rule, 5KB puts the embeddings (bigger than the limit) in shards of their own, 1MB gives one file.
SIZES = ["20KB", "5KB", "1MB"]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    loaders = {"tiny_bert_token": AutoModelForTokenClassification, "tiny_gpt2_lm": AutoModelForCausalLM}
    for name, auto in loaders.items():
        model = auto.from_pretrained(MODELS / name).eval()
        for size in SIZES:
            with tempfile.TemporaryDirectory() as tmp:
                model.save_pretrained(tmp, max_shard_size=size)
                index = pathlib.Path(tmp) / "model.safetensors.index.json"
                text = index.read_text() if index.exists() else json.dumps({"single_file": True}) + "\n"
            (OUT / f"{name}_{size}.index.json").write_text(text)
    model = AutoModelForTokenClassification.from_pretrained(MODELS / "tiny_bert_token").eval()
    dest = OUT / "tiny_bert_token_sharded"
    shutil.rmtree(dest, ignore_errors=True)
    model.save_pretrained(dest, max_shard_size="20KB")


if __name__ == "__main__":
    main()
