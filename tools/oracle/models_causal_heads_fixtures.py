"""Writes the golden fixtures of the causal-LM heads of the encoder families
(tests/models/modeling_causal_heads_test.cpp) from transformers: BertLMHeadModel,
RobertaForCausalLM and BartForCausalLM.

Run with the dev venv:  $AFINAR_VENV/bin/python3 tools/oracle/models_causal_heads_fixtures.py
For each tiny random checkpoint (hidden 32, 2 layers, 4 heads, vocab 99, intermediate/ffn 16,
16 positions: small enough to check in) it writes under tests/fixtures/models/:
  tiny_<name>/                 config.json + model.safetensors, as transformers' save_pretrained
  tiny_<name>_expected.safetensors
                               a right-padded batch (input_ids, attention_mask), labels = input_ids
                               with -100 at padding, the logits, the loss, and the gradient of
                               every parameter that has one after loss.backward() ("grad.<name>";
                               BartForCausalLM's unused cross-attention weights have none)
BertLMHeadModel and RobertaForCausalLM shift the labels inside (ForCausalLMLoss); BartForCausalLM
does not (plain cross entropy of logits[t] against labels[t]).
"""
import pathlib

import torch
from safetensors.torch import save_file
from transformers import (BartConfig, BartForCausalLM, BertConfig, BertLMHeadModel, RobertaConfig,
                          RobertaForCausalLM)

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "models"
LENGTHS = [9, 6, 3, 8]  # real tokens per row of the (4, 9) batch; the rest is padding


def batch(pad_id, first_id=1):
    g = torch.Generator().manual_seed(1)
    input_ids = torch.randint(first_id, 99, (4, 9), generator=g)
    attention_mask = torch.ones(4, 9, dtype=torch.long)
    for row, length in enumerate(LENGTHS):
        attention_mask[row, length:] = 0
        input_ids[row, length:] = pad_id
    labels = input_ids.masked_fill(attention_mask == 0, -100)
    return {"input_ids": input_ids, "attention_mask": attention_mask}, {"labels": labels}


def write(name, model, inputs, labels):
    """Runs `model` on `inputs` + `labels`, backward on the loss, saves checkpoint and expectations."""
    model.save_pretrained(OUT / name)
    out = model(**inputs, **labels)
    out.loss.backward()
    tensors = dict(inputs)
    tensors.update(labels)
    tensors["loss"] = out.loss.detach().reshape(1)
    tensors["logits"] = out.logits.detach()
    for pname, p in model.named_parameters():
        if p.grad is not None:
            tensors["grad." + pname] = p.grad.detach().clone()
    save_file({k: v.contiguous() for k, v in tensors.items()}, OUT / f"{name}_expected.safetensors")


def bert():
    inputs, labels = batch(pad_id=0)
    torch.manual_seed(40)
    config = BertConfig(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=16, max_position_embeddings=16, type_vocab_size=2,
                        is_decoder=True)
    model = BertLMHeadModel(config).eval()
    with torch.no_grad():  # a non-zero output bias, so that a lost bias shows in the logits
        model.cls.predictions.bias.normal_(0.0, 0.5)
    write("tiny_bert_clm", model, inputs, labels)


def roberta():
    inputs, labels = batch(pad_id=1, first_id=3)
    torch.manual_seed(41)
    config = RobertaConfig(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                           intermediate_size=16, max_position_embeddings=16, type_vocab_size=2,
                           is_decoder=True)
    model = RobertaForCausalLM(config).eval()
    with torch.no_grad():
        model.lm_head.bias.normal_(0.0, 0.5)
    write("tiny_roberta_clm", model, inputs, labels)


def bart():
    inputs, labels = batch(pad_id=1, first_id=3)
    torch.manual_seed(42)
    config = BartConfig(vocab_size=99, d_model=32, encoder_layers=2, decoder_layers=2,
                        encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=16,
                        decoder_ffn_dim=16, max_position_embeddings=16, pad_token_id=1, bos_token_id=0,
                        eos_token_id=2, decoder_start_token_id=2, scale_embedding=True)
    model = BartForCausalLM(config).eval()
    write("tiny_bart_clm", model, inputs, labels)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    bert()
    roberta()
    bart()
    for name in ["tiny_bert_clm", "tiny_roberta_clm", "tiny_bart_clm"]:
        p = OUT / name
        size = sum(f.stat().st_size for f in p.rglob("*"))
        print(f"{p.relative_to(ROOT)}: {size} bytes")
