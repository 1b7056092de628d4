#!/usr/bin/env python3
"""Golden fixtures for the Trainer's breadth: optimizers, schedulers, label smoothing, length grouping.

Everything comes from the real libraries: torch.optim.Adagrad and transformers' Adafactor built
the way HF's Trainer builds them (get_optimizer_cls_and_kwargs, two weight-decay groups),
transformers.get_scheduler for every schedule (lr_scheduler_kwargs as HF passes them),
torch's ReduceLROnPlateau with HF's defaults, transformers' LabelSmoother and
get_length_grouped_indices. Run with the dev venv (tools/setup.sh):

    ~/.cache/afinar/venv/bin/python3 tools/oracle/trainer_breadth_fixtures.py

Writes tests/fixtures/train/breadth.json (~60 KB).
"""
import json, os, pathlib, sys, tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch
from transformers import Trainer, TrainingArguments, get_scheduler
from transformers.trainer_pt_utils import LabelSmoother, get_length_grouped_indices

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "train" / "breadth.json"
STEPS = 6


def no_decay(name):  # transformers' get_decay_parameter_names for these names
    return "bias" in name or "LayerNorm" in name


def optimizer_cases(tmp):
    torch.manual_seed(0)
    shapes = {"layer.weight": (4, 3), "layer.bias": (3,), "proj.weight": (2, 3, 5), "LayerNorm.weight": (5,)}
    init = {k: torch.randn(s) for k, s in shapes.items()}
    grads = [{k: torch.randn(s) for k, s in shapes.items()} for _ in range(STEPS)]
    cases = []
    for optim, lr in (("adagrad", 1e-2), ("adafactor", 1e-2), ("sgd", 1e-2)):
        args = TrainingArguments(tmp, optim=optim, learning_rate=lr, weight_decay=0.1, report_to="none")
        cls, kwargs = Trainer.get_optimizer_cls_and_kwargs(args)
        params = {k: v.clone().requires_grad_(True) for k, v in init.items()}
        groups = [
            {"params": [p for n, p in params.items() if not no_decay(n)], "weight_decay": args.weight_decay},
            {"params": [p for n, p in params.items() if no_decay(n)], "weight_decay": 0.0},
        ]
        opt = cls(groups, **kwargs)
        history = []
        for g in grads:
            for n, p in params.items():
                p.grad = g[n].clone()
            opt.step()
            history.append({n: p.detach().flatten().tolist() for n, p in params.items()})
        cases.append({"optim": optim, "learning_rate": lr, "weight_decay": 0.1, "params_after_step": history})
    return {
        "shapes": {k: list(s) for k, s in shapes.items()},
        "init": {k: v.flatten().tolist() for k, v in init.items()},
        "grads": [{k: v.flatten().tolist() for k, v in g.items()} for g in grads],
        "cases": cases,
    }


SCHEDULES = [
    ("linear", 3, 20, None),
    ("cosine", 4, 20, None),
    ("cosine", 2, 20, {"num_cycles": 1.5}),
    ("cosine_with_restarts", 2, 20, {"num_cycles": 3}),
    ("polynomial", 3, 20, None),
    ("polynomial", 2, 20, {"power": 2.0, "lr_end": 1e-4}),
    ("constant", 3, 20, None),
    ("constant_with_warmup", 5, 20, None),
    ("inverse_sqrt", 4, 20, None),
    ("inverse_sqrt", 0, 20, {"timescale": 3}),
    ("cosine_with_min_lr", 3, 20, {"min_lr": 1e-4}),
    ("cosine_with_min_lr", 3, 20, {"min_lr_rate": 0.1, "num_cycles": 0.5}),
    ("cosine_warmup_with_min_lr", 3, 20, {"min_lr_rate": 0.1}),
    ("cosine_warmup_with_min_lr", 4, 20, {"min_lr": 1e-4, "warmup_lr_rate": 0.2}),
    ("warmup_stable_decay", 3, 20, {"num_decay_steps": 6}),
    ("warmup_stable_decay", 4, 20, {"num_decay_steps": 5, "warmup_type": "cosine", "decay_type": "1-sqrt",
                                    "min_lr_ratio": 0.05}),
]


def schedule_cases():
    base_lr, out = 1e-3, []
    for name, warmup, total, kwargs in SCHEDULES:
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
        sched = get_scheduler(name, opt, num_warmup_steps=warmup, num_training_steps=total,
                              scheduler_specific_kwargs=dict(kwargs) if kwargs else None)
        lrs = []
        for _ in range(total + 3):  # the lr each optimizer step uses, a few past the end
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        out.append({"type": name, "base_lr": base_lr, "warmup": warmup, "total": total, "kwargs": kwargs, "lrs": lrs})
    # ReduceLROnPlateau as HF builds it (torch's defaults unless lr_scheduler_kwargs), stepped per evaluation.
    metrics = [1.0, 0.9, 0.95, 0.95, 0.9, 0.91, 0.92, 0.89999, 0.93, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0] * 2
    plateau = []
    for kwargs in (None, {"patience": 2, "factor": 0.5}, {"patience": 1, "cooldown": 2, "threshold": 0.05,
                                                          "mode": "min", "min_lr": 2e-4}):
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
        sched = get_scheduler("reduce_lr_on_plateau", opt, scheduler_specific_kwargs=dict(kwargs) if kwargs else None)
        lrs = []
        for m in metrics:
            sched.step(m)
            lrs.append(opt.param_groups[0]["lr"])
        plateau.append({"base_lr": base_lr, "kwargs": kwargs, "metrics": metrics, "lrs_after": lrs})
    return out, plateau


def label_smoothing_cases():
    torch.manual_seed(1)
    smoother = LabelSmoother(epsilon=0.1)
    logits_tok = torch.randn(2, 5, 4)
    labels_tok = torch.tensor([[0, 3, -100, 2, 1], [-100, -100, 1, 1, 0]])
    logits_seq = torch.randn(3, 2)
    labels_seq = torch.tensor([1, 0, 1])
    return [
        {"logits": logits_tok.tolist(), "labels": labels_tok.tolist(), "epsilon": 0.1,
         "loss": smoother({"logits": logits_tok}, labels_tok).item()},
        {"logits": logits_seq.tolist(), "labels": labels_seq.tolist(), "epsilon": 0.1,
         "loss": smoother({"logits": logits_seq}, labels_seq).item()},
        {"logits": logits_tok.tolist(), "labels": labels_tok.tolist(), "epsilon": 0.1, "shift_labels": True,
         "loss": smoother({"logits": logits_tok}, labels_tok, shift_labels=True).item()},
    ]


def length_grouping_cases():
    torch.manual_seed(2)
    out = []
    for n, bs, seed in ((37, 4, 7), (500, 2, 42), (5, 8, 3)):
        lengths = torch.randint(3, 60, (n,)).tolist()
        g = torch.Generator().manual_seed(seed)
        out.append({"lengths": lengths, "batch_size": bs, "seed": seed,
                    "indices": get_length_grouped_indices(lengths, bs, generator=g)})
    return out


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        opt = optimizer_cases(tmp)
    sched, plateau = schedule_cases()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "optimizers": opt, "schedules": sched, "plateau": plateau,
        "label_smoothing": label_smoothing_cases(), "length_grouped": length_grouping_cases(),
    }) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
