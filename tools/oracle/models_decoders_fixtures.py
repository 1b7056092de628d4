"""Writes the golden fixtures of the decoder tests (models/modeling_gpt2_test.cpp,
models/modeling_llama_test.cpp) from transformers.

Run with the dev venv:  $AFINAR_VENV/bin/python3 tools/oracle/models_decoders_fixtures.py
Tiny random checkpoints (hidden 32, 2 layers, 4 heads — 2 key/value heads for the Llama family —,
vocab 99, intermediate 16, 32 positions) under tests/fixtures/models/:
  tiny_<name>/                 config.json + model.safetensors, as transformers' save_pretrained
  tiny_<name>_expected.safetensors
                               a padded batch (rows right- and left-padded), the labels, the outputs
                               (sdpa attention, transformers' default), "eager.<output>" (the same
                               model with attn_implementation="eager"), the loss, and, where
                               `grads`, every parameter's gradient after loss.backward() ("grad.<name>")
"""
import pathlib

import torch
from safetensors.torch import save_file
from transformers import (GPT2Config, GPT2ForQuestionAnswering, GPT2ForSequenceClassification,
                          GPT2ForTokenClassification, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM,
                          LlamaForQuestionAnswering, LlamaForSequenceClassification,
                          LlamaForTokenClassification, MistralConfig, MistralForCausalLM, Qwen2Config,
                          Qwen2ForCausalLM)

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "models"
PAD = 0
# Real tokens per row of the (4, 9) batch; row 2 is left-padded (its real tokens come last), the
# others are right-padded.
LENGTHS = [9, 6, 3, 8]
LEFT_PADDED = {2}


def batch():
    g = torch.Generator().manual_seed(1)
    input_ids = torch.randint(1, 99, (4, 9), generator=g)
    attention_mask = torch.ones(4, 9, dtype=torch.long)
    for row, length in enumerate(LENGTHS):
        pad = slice(0, 9 - length) if row in LEFT_PADDED else slice(length, 9)
        attention_mask[row, pad] = 0
        input_ids[row, pad] = PAD
    return {"input_ids": input_ids, "attention_mask": attention_mask}


def lm_labels(inputs):
    labels = inputs["input_ids"].clone()
    labels[inputs["attention_mask"] == 0] = -100
    labels[0, 4] = -100  # an ignored real token
    return labels


def token_labels(inputs, num_labels):
    g = torch.Generator().manual_seed(2)
    labels = torch.randint(0, num_labels, (4, 9), generator=g)
    labels[inputs["attention_mask"] == 0] = -100
    labels[0, 0] = -100
    return labels


def write(name, model, inputs, labels, outputs, grads=True):
    """Runs `model` on `inputs` + `labels` (sdpa, then eager), saves checkpoint and expectations."""
    model.save_pretrained(OUT / name)
    tensors = dict(inputs)
    tensors.update(labels)
    model.set_attn_implementation("eager")
    with torch.no_grad():
        eager = model(**inputs)
    model.set_attn_implementation("sdpa")
    out = model(**inputs, **labels)
    out.loss.backward()
    tensors["loss"] = out.loss.detach().reshape(1)
    for key in outputs:
        tensors[key] = getattr(out, key).detach()
        tensors["eager." + key] = getattr(eager, key).detach()
    if grads:
        for pname, p in model.named_parameters():
            tensors["grad." + pname] = p.grad.detach().clone()
    save_file({k: v.contiguous() for k, v in tensors.items()}, OUT / f"{name}_expected.safetensors")


def gpt2_config(**kw):
    return GPT2Config(vocab_size=99, n_embd=32, n_layer=2, n_head=4, n_inner=16, n_positions=32,
                      pad_token_id=PAD, bos_token_id=98, eos_token_id=98, **kw)


def gpt2_heads():
    inputs = batch()
    torch.manual_seed(40)
    model = GPT2LMHeadModel(gpt2_config()).eval()
    write("tiny_gpt2_lm", model, inputs, {"labels": lm_labels(inputs)}, ["logits"])

    torch.manual_seed(41)
    model = GPT2ForSequenceClassification(gpt2_config(num_labels=3)).eval()
    write("tiny_gpt2_seq", model, inputs, {"labels": torch.tensor([0, 2, 1, 2])}, ["logits"])

    torch.manual_seed(42)
    model = GPT2ForTokenClassification(gpt2_config(num_labels=5)).eval()
    write("tiny_gpt2_token", model, inputs, {"labels": token_labels(inputs, 5)}, ["logits"])

    torch.manual_seed(43)
    model = GPT2ForQuestionAnswering(gpt2_config()).eval()
    labels = {"start_positions": torch.tensor([1, 2, 7, 30]), "end_positions": torch.tensor([3, 4, 8, 5])}
    write("tiny_gpt2_qa", model, inputs, labels, ["start_logits", "end_logits"])


def llama_kw():
    return dict(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                num_key_value_heads=2, intermediate_size=16, max_position_embeddings=32,
                pad_token_id=PAD, bos_token_id=1, eos_token_id=2)


def llama_heads():
    inputs = batch()
    torch.manual_seed(50)
    model = LlamaForCausalLM(LlamaConfig(**llama_kw())).eval()
    write("tiny_llama_lm", model, inputs, {"labels": lm_labels(inputs)}, ["logits"])

    torch.manual_seed(51)
    model = LlamaForSequenceClassification(LlamaConfig(**llama_kw(), num_labels=3)).eval()
    write("tiny_llama_seq", model, inputs, {"labels": torch.tensor([0, 2, 1, 2])}, ["logits"])

    torch.manual_seed(52)
    model = LlamaForTokenClassification(LlamaConfig(**llama_kw(), num_labels=5)).eval()
    write("tiny_llama_token", model, inputs, {"labels": token_labels(inputs, 5)}, ["logits"])

    torch.manual_seed(53)
    # attention_bias and mlp_bias on, so that every bias path is checked.
    model = LlamaForQuestionAnswering(LlamaConfig(**llama_kw(), attention_bias=True, mlp_bias=True)).eval()
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n.endswith(".bias"):
                p.normal_(0.0, 0.1)
    labels = {"start_positions": torch.tensor([1, 2, 7, 30]), "end_positions": torch.tensor([3, 4, 8, 5])}
    write("tiny_llama_qa", model, inputs, labels, ["start_logits", "end_logits"])


def llama_variants():
    """The other members of the family and RoPE scalings: causal LM, logits and loss (and gradients)."""
    inputs = batch()
    labels = {"labels": lm_labels(inputs)}

    torch.manual_seed(60)
    rope = {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0, "low_freq_factor": 1.0,
            "high_freq_factor": 4.0, "original_max_position_embeddings": 8}
    model = LlamaForCausalLM(LlamaConfig(**llama_kw(), rope_parameters=rope, tie_word_embeddings=True)).eval()
    write("tiny_llama3_rope_lm", model, inputs, labels, ["logits"], grads=False)

    torch.manual_seed(61)
    rope = {"rope_type": "linear", "rope_theta": 10000.0, "factor": 4.0}
    model = LlamaForCausalLM(LlamaConfig(**llama_kw(), rope_parameters=rope)).eval()
    write("tiny_llama_linear_rope_lm", model, inputs, labels, ["logits"], grads=False)

    torch.manual_seed(62)
    # Dynamic NTK: the batch (9 tokens) is longer than max_position_embeddings (6), so the
    # frequencies are recomputed for it.
    kw = llama_kw()
    kw["max_position_embeddings"] = 6
    rope = {"rope_type": "dynamic", "rope_theta": 10000.0, "factor": 2.0}
    model = LlamaForCausalLM(LlamaConfig(**kw, rope_parameters=rope)).eval()
    write("tiny_llama_dynamic_rope_lm", model, inputs, labels, ["logits"], grads=False)

    torch.manual_seed(63)
    model = Qwen2ForCausalLM(Qwen2Config(**llama_kw(), tie_word_embeddings=True)).eval()
    write("tiny_qwen2_lm", model, inputs, labels, ["logits"])

    torch.manual_seed(64)
    # A sliding window (4) shorter than the batch (9 tokens): each token sees itself and 3 before.
    model = MistralForCausalLM(MistralConfig(**llama_kw(), sliding_window=4)).eval()
    write("tiny_mistral_lm", model, inputs, labels, ["logits"])


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    gpt2_heads()
    llama_heads()
    llama_variants()
    total = 0
    for p in sorted(OUT.glob("tiny_*")):
        if not any(k in p.name for k in ("gpt2", "llama", "qwen2", "mistral")):
            continue
        size = sum(f.stat().st_size for f in p.rglob("*")) if p.is_dir() else p.stat().st_size
        total += size
        print(f"{p.relative_to(ROOT)}: {size} bytes")
    print(f"total: {total} bytes")
