"""Writes the golden fixtures of label smoothing (transformers' trainer_pt_utils.LabelSmoother) on
every head kind that takes it, from transformers.

Run with the dev venv:  $AFINAR_VENV/bin/python3 tools/oracle/models_loss_kwargs_fixtures.py
The models are the tiny random transformers checkpoints already under tests/fixtures/models/ (built
by models_fixtures.py, models_heads_fixtures.py, models_decoders_fixtures.py and
models_seq2seq_fixtures.py: vocab 99, hidden 32, 2 layers, 4 heads), on the padded batches of
their <name>_expected.safetensors. For each case tests/fixtures/models/loss_kwargs/<name>.safetensors
holds:
  the inputs (input_ids, attention_mask, [token_type_ids], [decoder_attention_mask], labels),
  loss           LabelSmoother(epsilon=0.1)(outputs, labels, shift_labels=<causal LM>) in eval mode,
  grad.<param>   every parameter's gradient of that loss,
  loss_nib       the same with num_items_in_batch = nib (as the Trainer passes it for gradient
                 accumulation: the items of the whole accumulated batch), and
  nib            that count: this batch's label items (after the shift for causal LMs) + 7.
"""
import pathlib

import torch
import transformers
from safetensors.torch import load_file, save_file
from transformers.trainer_pt_utils import LabelSmoother

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "models"
OUT = FIXTURES / "loss_kwargs"
EPSILON = 0.1

# fixture, transformers Auto class, causal (labels shifted inside), the inputs the model takes
CASES = [
    ("tiny_bert", "AutoModelForSequenceClassification", False, ["input_ids", "attention_mask", "token_type_ids"]),
    ("tiny_bert_token", "AutoModelForTokenClassification", False, ["input_ids", "attention_mask", "token_type_ids"]),
    ("tiny_bert_mlm", "AutoModelForMaskedLM", False, ["input_ids", "attention_mask", "token_type_ids"]),
    ("tiny_gpt2_lm", "AutoModelForCausalLM", True, ["input_ids", "attention_mask"]),
    ("tiny_llama_lm", "AutoModelForCausalLM", True, ["input_ids", "attention_mask"]),
    ("tiny_t5", "AutoModelForSeq2SeqLM", False, ["input_ids", "attention_mask", "decoder_attention_mask"]),
    ("tiny_bart", "AutoModelForSeq2SeqLM", False, ["input_ids", "attention_mask", "decoder_attention_mask"]),
]


def write(name, auto_class, causal, input_names):
    model = getattr(transformers, auto_class).from_pretrained(FIXTURES / name).eval()
    e = load_file(FIXTURES / f"{name}_expected.safetensors")
    inputs = {k: e[k] for k in input_names}
    labels = e["labels"]
    kwargs = dict(inputs)
    if model.config.is_encoder_decoder:  # as DataCollatorForSeq2Seq: decoder inputs from the padded labels
        kwargs["decoder_input_ids"] = model.prepare_decoder_input_ids_from_labels(labels=labels)
    outputs = model(**kwargs)
    smoother = LabelSmoother(epsilon=EPSILON)
    loss = smoother(outputs, labels, shift_labels=causal)
    loss.backward()
    items = labels[..., 1:] if causal else labels
    nib = int(items.ne(-100).sum()) + 7
    with torch.no_grad():
        loss_nib = smoother(model(**kwargs), labels, shift_labels=causal, num_items_in_batch=nib)
    tensors = dict(inputs)
    tensors["labels"] = labels
    tensors["loss"] = loss.detach().reshape(1)
    tensors["loss_nib"] = loss_nib.reshape(1)
    tensors["nib"] = torch.tensor([nib])
    for pname, p in model.named_parameters():
        if p.grad is not None:
            tensors["grad." + pname] = p.grad.detach().clone()
    path = OUT / f"{name}.safetensors"
    save_file({k: v.contiguous() for k, v in tensors.items()}, path)
    print(f"{path.relative_to(ROOT)}: loss {loss.item():.6f}, loss_nib {loss_nib.item():.6f}, nib {nib}, "
          f"{path.stat().st_size} bytes")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    for case in CASES:
        write(*case)
