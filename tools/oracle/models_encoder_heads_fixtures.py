"""Writes the golden fixtures of the encoder-family heads test (models/modeling_encoder_heads_test.cpp)
from transformers: the masked-LM and question-answering heads of RoBERTa and DistilBERT.

Run with the dev venv:  $AFINAR_VENV/bin/python3 tools/oracle/models_encoder_heads_fixtures.py
Same tiny random checkpoints as tools/oracle/models_heads_fixtures.py (hidden 32, 2 layers,
4 heads, vocab 99, intermediate 16, 16 positions). It writes under tests/fixtures/models/:
  tiny_<name>/                 config.json + model.safetensors, as transformers' save_pretrained
  tiny_<name>_expected.safetensors
                               a padded batch (input_ids, attention_mask[, token_type_ids]), the
                               labels, the outputs (logits or start/end logits), the loss, and every
                               parameter's gradient after loss.backward() ("grad.<name>")
The decoder of the MLM heads is tied to the word embeddings: its gradient is in
"grad.<base>.embeddings.word_embeddings.weight" (one parameter, as named_parameters() lists it).
"""
import pathlib

import torch
from safetensors.torch import save_file
from transformers import (DistilBertConfig, DistilBertForMaskedLM, DistilBertForQuestionAnswering,
                          RobertaConfig, RobertaForMaskedLM, RobertaForQuestionAnswering)

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
    token_type_ids = torch.zeros(4, 9, dtype=torch.long)
    return input_ids, attention_mask, token_type_ids


def mlm_labels():
    mlm = torch.full((4, 9), -100, dtype=torch.long)
    mlm[0, 2], mlm[1, 1], mlm[1, 4], mlm[2, 1], mlm[3, 7] = 5, 17, 98, 42, 3
    return {"labels": mlm}


def qa_labels():
    # Row 3's answer lies past the sequence: clamped to T and then ignored, as in transformers.
    return {"start_positions": torch.tensor([1, 2, 0, 30]), "end_positions": torch.tensor([3, 4, 1, 5])}


def write(name, model, inputs, labels, outputs):
    """Runs `model` on `inputs` + `labels`, backward on the loss, saves checkpoint and expectations."""
    model.save_pretrained(OUT / name)
    out = model(**inputs, **labels)
    out.loss.backward()
    tensors = dict(inputs)
    tensors.update(labels)
    tensors["loss"] = out.loss.detach().reshape(1)
    for key in outputs:
        tensors[key] = getattr(out, key).detach()
    for pname, p in model.named_parameters():
        tensors["grad." + pname] = p.grad.detach().clone()
    save_file({k: v.contiguous() for k, v in tensors.items()}, OUT / f"{name}_expected.safetensors")


def roberta_heads():
    # Padding is id 1; ids start at 3 so that no real token is <s>, <pad> or </s> by chance.
    ids, mask, types = batch(pad_id=1, first_id=3)
    inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}

    def config(**kw):
        # hidden_act relu: RobertaLMHead applies gelu whatever hidden_act says, so a head that
        # read hidden_act would show in the logits.
        return RobertaConfig(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                             intermediate_size=16, max_position_embeddings=16, type_vocab_size=2, **kw)

    torch.manual_seed(40)
    model = RobertaForMaskedLM(config(hidden_act="relu")).eval()
    with torch.no_grad():  # a non-zero output bias, so that a lost bias shows in the logits
        model.lm_head.bias.normal_(0.0, 0.5)
    write("tiny_roberta_mlm", model, inputs, mlm_labels(), ["logits"])

    torch.manual_seed(41)
    model = RobertaForQuestionAnswering(config()).eval()
    write("tiny_roberta_qa", model, inputs, qa_labels(), ["start_logits", "end_logits"])


def distilbert_heads():
    ids, mask, _ = batch(pad_id=0)  # DistilBERT has no token types
    inputs = {"input_ids": ids, "attention_mask": mask}

    def config(**kw):
        return DistilBertConfig(vocab_size=99, dim=32, n_layers=2, n_heads=4, hidden_dim=16,
                                max_position_embeddings=16, **kw)

    torch.manual_seed(50)
    # activation gelu_new: the MLM head's activation is config.activation (unlike RoBERTa's).
    model = DistilBertForMaskedLM(config(activation="gelu_new")).eval()
    with torch.no_grad():
        model.vocab_projector.bias.normal_(0.0, 0.5)
    write("tiny_distilbert_mlm", model, inputs, mlm_labels(), ["logits"])

    torch.manual_seed(51)
    model = DistilBertForQuestionAnswering(config()).eval()
    write("tiny_distilbert_qa", model, inputs, qa_labels(), ["start_logits", "end_logits"])


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    roberta_heads()
    distilbert_heads()
    for name in ["tiny_roberta_mlm", "tiny_roberta_qa", "tiny_distilbert_mlm", "tiny_distilbert_qa"]:
        for p in [OUT / name, OUT / f"{name}_expected.safetensors"]:
            size = sum(f.stat().st_size for f in p.rglob("*")) if p.is_dir() else p.stat().st_size
            print(f"{p.relative_to(ROOT)}: {size} bytes")
