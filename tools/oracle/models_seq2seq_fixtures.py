"""Writes the golden fixtures of the encoder-decoder and generate() tests from transformers.

Run with the dev venv:  $AFINAR_VENV/bin/python3 tools/oracle/models_seq2seq_fixtures.py
Tiny random checkpoints (d_model 32, 2 layers, 4 heads, vocab 99) under tests/fixtures/models/:
  tiny_t5/            T5ForConditionalGeneration, feed_forward_proj "relu", tied lm_head (rescaled)
  tiny_t5_gated/      "gated-gelu", tie_word_embeddings false and its own lm_head.weight (flan-t5 style)
  tiny_bart/          BartForConditionalGeneration (scale_embedding, non-zero final_logits_bias)
  tiny_bart_seq/      BartForSequenceClassification (3 labels, eos pooling)
  <name>_expected.safetensors
      a padded batch (input_ids, attention_mask, labels, decoder_attention_mask when used), the
      logits, the loss, the encoder output, and every parameter's gradient after loss.backward()
  generate_expected.json
      for tiny_t5, tiny_t5_gated, tiny_bart and the causal tiny_gpt2_lm / tiny_llama_lm (written by
      models_heads fixtures of those families): the inputs, generate()'s keyword arguments and the
      tokens transformers returns (greedy and beam search, early_stopping True/False/"never",
      length_penalty != 1, eos lists, min_new_tokens).
"""
import json
import pathlib

import torch
from safetensors.torch import load_file, save_file
from transformers import (AutoModelForCausalLM, BartConfig, BartForConditionalGeneration,
                          BartForSequenceClassification, T5Config, T5ForConditionalGeneration)

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "models"
LENGTHS = [9, 6, 3, 8]  # real tokens per row of the (4, 9) encoder batch
LABEL_LENGTHS = [6, 4, 2, 5]  # real tokens per row of the (4, 6) labels


def batch(pad_id, first_id, eos_id=None):
    g = torch.Generator().manual_seed(1)
    input_ids = torch.randint(first_id, 99, (4, 9), generator=g)
    attention_mask = torch.ones(4, 9, dtype=torch.long)
    for row, length in enumerate(LENGTHS):
        attention_mask[row, length:] = 0
        input_ids[row, length:] = pad_id
        if eos_id is not None:
            input_ids[row, length - 1] = eos_id
    return input_ids, attention_mask


def seq_labels(first_id):
    g = torch.Generator().manual_seed(2)
    labels = torch.randint(first_id, 99, (4, 6), generator=g)
    for row, length in enumerate(LABEL_LENGTHS):
        labels[row, length:] = -100
    return labels


def write(name, model, inputs, labels, with_encoder=True):
    out = model(**inputs, **labels)
    out.loss.backward()
    tensors = dict(inputs)
    tensors.update(labels)
    tensors["loss"] = out.loss.detach().reshape(1)
    tensors["logits"] = out.logits.detach()
    if with_encoder:
        tensors["encoder_last_hidden_state"] = out.encoder_last_hidden_state.detach()
    for pname, p in model.named_parameters():
        tensors["grad." + pname] = p.grad.detach().clone()
    save_file({k: v.contiguous() for k, v in tensors.items()}, OUT / f"{name}_expected.safetensors")
    model.zero_grad()


def t5_config(**kw):
    return T5Config(vocab_size=99, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                    relative_attention_num_buckets=8, relative_attention_max_distance=20,
                    decoder_start_token_id=0, **kw)


def t5_models():
    ids, mask = batch(pad_id=0, first_id=2)
    labels = seq_labels(first_id=2)

    torch.manual_seed(40)
    model = T5ForConditionalGeneration(t5_config()).eval()
    model.save_pretrained(OUT / "tiny_t5")
    # The decoder padding mask is given here (and left out for the gated model).
    write("tiny_t5", model, {"input_ids": ids, "attention_mask": mask,
                             "decoder_attention_mask": (labels != -100).long()}, {"labels": labels})

    # flan-t5 style: gated-gelu, and an lm_head of its own. transformers 5.23 unties it only when
    # the checkpoint holds an lm_head.weight that differs from shared.weight, so write one.
    torch.manual_seed(41)
    model = T5ForConditionalGeneration(t5_config(feed_forward_proj="gated-gelu", tie_word_embeddings=False))
    model.save_pretrained(OUT / "tiny_t5_gated")
    weights = load_file(OUT / "tiny_t5_gated" / "model.safetensors")
    weights["lm_head.weight"] = torch.randn(99, 32, generator=torch.Generator().manual_seed(3))
    save_file(weights, OUT / "tiny_t5_gated" / "model.safetensors", metadata={"format": "pt"})
    cfg = json.loads((OUT / "tiny_t5_gated" / "config.json").read_text())
    cfg["tie_word_embeddings"] = False  # as flan-t5's config.json
    cfg.pop("scale_decoder_outputs", None)
    (OUT / "tiny_t5_gated" / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    model = T5ForConditionalGeneration.from_pretrained(OUT / "tiny_t5_gated").eval()
    assert model.lm_head.weight is not model.shared.weight and not model.config.scale_decoder_outputs
    write("tiny_t5_gated", model, {"input_ids": ids, "attention_mask": mask}, {"labels": labels})


def bart_config(**kw):
    return BartConfig(vocab_size=99, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                      decoder_attention_heads=4, encoder_ffn_dim=37, decoder_ffn_dim=37,
                      max_position_embeddings=32, **kw)


def bart_models():
    ids, mask = batch(pad_id=1, first_id=3, eos_id=2)
    labels = seq_labels(first_id=3)

    torch.manual_seed(50)
    model = BartForConditionalGeneration(bart_config(scale_embedding=True)).eval()
    with torch.no_grad():  # a bias that shows in the logits if it is lost; eos (2) less likely at once
        model.final_logits_bias.normal_(0.0, 0.5)
        model.final_logits_bias[0, 2] = -2.0
    model.save_pretrained(OUT / "tiny_bart")
    write("tiny_bart", model, {"input_ids": ids, "attention_mask": mask,
                               "decoder_attention_mask": (labels != -100).long()}, {"labels": labels})

    torch.manual_seed(51)
    model = BartForSequenceClassification(bart_config(num_labels=3, activation_function="relu")).eval()
    model.save_pretrained(OUT / "tiny_bart_seq")
    write("tiny_bart_seq", model, {"input_ids": ids, "attention_mask": mask},
          {"labels": torch.tensor([0, 2, 1, 2])})


def generation_cases(name, model, inputs, extra_eos, max_length=5):
    """generate() on `inputs` with several settings; returns the JSON rows."""
    base = [
        {"max_new_tokens": 7},
        {"max_new_tokens": 7, "eos_token_id": extra_eos},
        {"max_new_tokens": 6, "eos_token_id": extra_eos, "min_new_tokens": 3},
        {"max_new_tokens": 7, "num_beams": 3, "eos_token_id": extra_eos},
        {"max_new_tokens": 7, "num_beams": 3, "eos_token_id": extra_eos, "early_stopping": True,
         "length_penalty": 0.6},
        {"max_new_tokens": 7, "num_beams": 3, "eos_token_id": extra_eos, "early_stopping": "never",
         "length_penalty": 1.7},
        {"max_new_tokens": 6, "num_beams": 3, "num_return_sequences": 2, "eos_token_id": extra_eos,
         "length_penalty": -0.5},
        {"max_length": max_length, "num_beams": 2},
        {"max_new_tokens": 8, "num_beams": 3, "no_repeat_ngram_size": 2, "eos_token_id": extra_eos},
    ]
    rows = []
    for kw in base:
        with torch.no_grad():
            out = model.generate(**inputs, **kw)
        rows.append({"model": name, "kwargs": kw, "input_ids": inputs["input_ids"].tolist(),
                     "attention_mask": inputs["attention_mask"].tolist(), "output": out.tolist()})
    return rows


def common_token(model, inputs, exclude):
    """A token greedy decoding produces mid-sequence: used as an extra eos so that rows finish early."""
    with torch.no_grad():
        out = model.generate(**inputs, max_new_tokens=8)
    new = [t for t in out[:, -7:-2].flatten().tolist() if t not in exclude]
    return max(set(new), key=new.count)


def generation():
    rows = []
    ids, mask = batch(pad_id=0, first_id=2)
    for name in ["tiny_t5", "tiny_t5_gated"]:
        model = T5ForConditionalGeneration.from_pretrained(OUT / name).eval()
        inputs = {"input_ids": ids, "attention_mask": mask}
        rows += generation_cases(name, model, inputs, [1, common_token(model, inputs, {0, 1})])
    ids, mask = batch(pad_id=1, first_id=3, eos_id=2)
    model = BartForConditionalGeneration.from_pretrained(OUT / "tiny_bart").eval()
    inputs = {"input_ids": ids, "attention_mask": mask}
    rows += generation_cases("tiny_bart", model, inputs, [2, common_token(model, inputs, {0, 1, 2})])
    # Causal models, prompts left-padded (the GPT-2 and Llama checkpoints come from their own oracle).
    for name, pad in [("tiny_gpt2_lm", 0), ("tiny_llama_lm", 0)]:
        if not (OUT / name / "config.json").exists():
            continue
        model = AutoModelForCausalLM.from_pretrained(OUT / name).eval()
        ids, mask = batch(pad_id=pad, first_id=2)
        lids, lmask = torch.full_like(ids, pad), torch.zeros_like(mask)
        for row, length in enumerate(LENGTHS):  # left padding
            lids[row, 9 - length:] = ids[row, :length]
            lmask[row, 9 - length:] = 1
        inputs = {"input_ids": lids, "attention_mask": lmask}
        eos = model.generation_config.eos_token_id
        eos = eos if isinstance(eos, list) else [eos] if eos is not None else []
        rows += generation_cases(name, model, inputs, eos + [common_token(model, inputs, set(eos) | {pad})], max_length=13)
    (OUT / "generate_expected.json").write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    t5_models()
    bart_models()
    generation()
    for p in sorted(list(OUT.glob("tiny_t5*")) + list(OUT.glob("tiny_bart*")) + [OUT / "generate_expected.json"]):
        size = sum(f.stat().st_size for f in p.rglob("*")) if p.is_dir() else p.stat().st_size
        print(f"{p.relative_to(ROOT)}: {size} bytes")
