"""Writes the golden fixtures of the T5/BART classification and question-answering heads from transformers.

Run with the dev venv:  $AFINAR_VENV/bin/python3 tools/oracle/models_seq2seq_heads_fixtures.py
Tiny random checkpoints (d_model 32, 2 layers, 4 heads, vocab 99, as models_seq2seq_fixtures.py)
under tests/fixtures/models/:
  tiny_t5_seq/     T5ForSequenceClassification (3 labels, pooled at the last eos of the decoder output;
                   decoder_input_ids = shift_right(input_ids))
  tiny_t5_token/   T5ForTokenClassification (5 labels, encoder only)
  tiny_t5_qa/      T5ForQuestionAnswering (qa_outputs on the decoder output)
  tiny_bart_qa/    BartForQuestionAnswering (qa_outputs on the decoder output)
  <name>_expected.safetensors
      the padded batch (input_ids, attention_mask, labels or start/end_positions), the logits
      (start_logits/end_logits for QA), the loss and every parameter's gradient after loss.backward()
"""
import pathlib

import torch
from safetensors.torch import save_file
from transformers import (BartConfig, BartForQuestionAnswering, T5Config, T5ForQuestionAnswering,
                          T5ForSequenceClassification, T5ForTokenClassification)

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "models"
LENGTHS = [9, 6, 3, 8]  # real tokens per row of the (4, 9) batch
# Answer spans; 9 (= seq_len) in the last row is outside the sequence: clamped and ignored by the loss.
START = [1, 3, 0, 9]
END = [4, 5, 2, 9]


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


def token_labels(mask, num_labels):
    g = torch.Generator().manual_seed(3)
    labels = torch.randint(0, num_labels, mask.shape, generator=g)
    return labels.masked_fill(mask == 0, -100)


def write(name, model, inputs, labels):
    out = model(**inputs, **labels)
    out.loss.backward()
    tensors = dict(inputs)
    tensors.update(labels)
    tensors["loss"] = out.loss.detach().reshape(1)
    if getattr(out, "start_logits", None) is not None:
        tensors["start_logits"] = out.start_logits.detach()
        tensors["end_logits"] = out.end_logits.detach()
    else:
        tensors["logits"] = out.logits.detach()
    if getattr(out, "encoder_last_hidden_state", None) is not None:
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
    # eos (1) closes every row: T5ForSequenceClassification pools the decoder state there.
    ids, mask = batch(pad_id=0, first_id=2, eos_id=1)
    positions = {"start_positions": torch.tensor(START), "end_positions": torch.tensor(END)}

    torch.manual_seed(60)
    model = T5ForSequenceClassification(t5_config(num_labels=3)).eval()
    model.save_pretrained(OUT / "tiny_t5_seq")
    write("tiny_t5_seq", model, {"input_ids": ids, "attention_mask": mask}, {"labels": torch.tensor([0, 2, 1, 2])})

    torch.manual_seed(61)
    model = T5ForTokenClassification(t5_config(num_labels=5, feed_forward_proj="gated-gelu")).eval()
    model.save_pretrained(OUT / "tiny_t5_token")
    write("tiny_t5_token", model, {"input_ids": ids, "attention_mask": mask}, {"labels": token_labels(mask, 5)})

    torch.manual_seed(62)
    model = T5ForQuestionAnswering(t5_config()).eval()
    model.save_pretrained(OUT / "tiny_t5_qa")
    write("tiny_t5_qa", model, {"input_ids": ids, "attention_mask": mask}, positions)


def bart_config(**kw):
    return BartConfig(vocab_size=99, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                      decoder_attention_heads=4, encoder_ffn_dim=37, decoder_ffn_dim=37,
                      max_position_embeddings=32, **kw)


def bart_models():
    ids, mask = batch(pad_id=1, first_id=3, eos_id=2)
    torch.manual_seed(63)
    model = BartForQuestionAnswering(bart_config(scale_embedding=True)).eval()
    model.save_pretrained(OUT / "tiny_bart_qa")
    write("tiny_bart_qa", model, {"input_ids": ids, "attention_mask": mask},
          {"start_positions": torch.tensor(START), "end_positions": torch.tensor(END)})


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    t5_models()
    bart_models()
    for name in ["tiny_t5_seq", "tiny_t5_token", "tiny_t5_qa", "tiny_bart_qa"]:
        for p in [OUT / name, OUT / f"{name}_expected.safetensors"]:
            size = sum(f.stat().st_size for f in p.rglob("*")) if p.is_dir() else p.stat().st_size
            print(f"{p.relative_to(ROOT)}: {size} bytes")
