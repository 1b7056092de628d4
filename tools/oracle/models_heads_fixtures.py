"""Writes the golden fixtures of the task-head tests (models/*_heads_test.cpp) from transformers.

Run with the dev venv:  $AFINAR_VENV/bin/python3 tools/oracle/models_heads_fixtures.py
For each tiny random checkpoint (hidden 32, 2 layers, 4 heads, vocab 99,
intermediate 16, 16 positions: small enough to check in) it writes under
tests/fixtures/models/:
  tiny_<name>/                 config.json + model.safetensors, as transformers' save_pretrained
  tiny_<name>_expected.safetensors
                               a padded batch (input_ids, attention_mask, token_type_ids), the
                               labels, the outputs (logits or start/end logits), the loss, and every
                               parameter's gradient after loss.backward() ("grad.<name>")
"""
import pathlib

import torch
from safetensors.torch import save_file
from transformers import (BertConfig, BertForMaskedLM, BertForQuestionAnswering,
                          BertForTokenClassification, RobertaConfig, RobertaForSequenceClassification,
                          RobertaForTokenClassification, DistilBertConfig,
                          DistilBertForSequenceClassification, DistilBertForTokenClassification)

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
    token_type_ids[:, 5:] = 1
    return input_ids, attention_mask, token_type_ids


def token_labels(num_labels):
    g = torch.Generator().manual_seed(2)
    labels = torch.randint(0, num_labels, (4, 9), generator=g)
    for row, length in enumerate(LENGTHS):
        labels[row, length:] = -100
    labels[0, 0] = -100  # an ignored real token ([CLS])
    return labels


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


def bert_config(**kw):
    return BertConfig(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                      intermediate_size=16, max_position_embeddings=16, type_vocab_size=2, **kw)


def bert_heads():
    ids, mask, types = batch(pad_id=0)
    inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}

    torch.manual_seed(10)
    model = BertForTokenClassification(bert_config(num_labels=5)).eval()
    write("tiny_bert_token", model, inputs, {"labels": token_labels(5)}, ["logits"])

    torch.manual_seed(11)
    model = BertForMaskedLM(bert_config()).eval()
    with torch.no_grad():  # a non-zero output bias, so that a lost bias shows in the logits
        model.cls.predictions.bias.normal_(0.0, 0.5)
    mlm = torch.full((4, 9), -100, dtype=torch.long)
    mlm[0, 2], mlm[1, 1], mlm[1, 4], mlm[2, 1], mlm[3, 7] = 5, 17, 98, 42, 3
    write("tiny_bert_mlm", model, inputs, {"labels": mlm}, ["logits"])

    torch.manual_seed(12)
    model = BertForQuestionAnswering(bert_config()).eval()
    # Row 3's answer lies past the sequence: clamped to T and then ignored, as in transformers.
    labels = {"start_positions": torch.tensor([1, 2, 0, 30]), "end_positions": torch.tensor([3, 4, 1, 5])}
    write("tiny_bert_qa", model, inputs, labels, ["start_logits", "end_logits"])


def roberta_heads():
    # Padding is id 1; ids start at 3 so that no real token is <s>, <pad> or </s> by chance. The
    # position ids then differ from BERT's: 2, 3, … for real tokens, 1 for padding.
    ids, mask, types = batch(pad_id=1, first_id=3)
    inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}

    def config(**kw):
        return RobertaConfig(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                             intermediate_size=16, max_position_embeddings=16, type_vocab_size=2, **kw)

    torch.manual_seed(20)
    model = RobertaForSequenceClassification(config(num_labels=3)).eval()
    write("tiny_roberta_seq", model, inputs, {"labels": torch.tensor([0, 2, 1, 2])}, ["logits"])

    torch.manual_seed(21)
    model = RobertaForTokenClassification(config(num_labels=5)).eval()
    write("tiny_roberta_token", model, inputs, {"labels": token_labels(5)}, ["logits"])


def distilbert_heads():
    ids, mask, _ = batch(pad_id=0)  # DistilBERT has no token types
    inputs = {"input_ids": ids, "attention_mask": mask}

    def config(**kw):
        return DistilBertConfig(vocab_size=99, dim=32, n_layers=2, n_heads=4, hidden_dim=16,
                                max_position_embeddings=16, **kw)

    torch.manual_seed(30)
    model = DistilBertForSequenceClassification(config(num_labels=3)).eval()
    write("tiny_distilbert_seq", model, inputs, {"labels": torch.tensor([0, 2, 1, 2])}, ["logits"])

    torch.manual_seed(31)
    model = DistilBertForTokenClassification(config(num_labels=5)).eval()
    write("tiny_distilbert_token", model, inputs, {"labels": token_labels(5)}, ["logits"])


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    bert_heads()
    roberta_heads()
    distilbert_heads()
    for p in sorted(OUT.glob("tiny_*")):
        size = sum(f.stat().st_size for f in p.rglob("*")) if p.is_dir() else p.stat().st_size
        print(f"{p.relative_to(ROOT)}: {size} bytes")
