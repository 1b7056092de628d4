"""Which checkpoint-N folders survive transformers' rotate_checkpoints (after each save) and the
end-of-training rule of _finalize_training (save_total_limit 1 with a best checkpoint: only the
best is kept): tests/fixtures/train/checkpoint_rotation.json.

  ~/.cache/afinar/venv/bin/python3 tools/oracle/checkpoint_rotation_fixtures.py
"""
import json
import os
import pathlib
import tempfile

import transformers
from transformers.trainer_utils import rotate_checkpoints, sort_checkpoints

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests/fixtures/train/checkpoint_rotation.json"

cases = []
for steps, limit, best in [
    ([1, 2, 3, 4, 5], 2, None),
    ([1, 2, 3, 4, 5], 2, 2),
    ([1, 2, 3, 4, 5], 1, 2),
    ([1, 2, 3, 4, 5], 1, 5),
    ([1, 2, 3], 3, 1),
    ([10, 20, 100, 200], 1, None),
    ([10, 20, 100, 200], 2, 10),
    ([1, 2, 3, 4, 5], 0, None),
]:
    with tempfile.TemporaryDirectory() as d:
        best_dir = os.path.join(d, f"checkpoint-{best}") if best is not None else None
        for s in steps:  # one save at a time, rotating after each, as the Trainer does
            os.makedirs(os.path.join(d, f"checkpoint-{s}"))
            rotate_checkpoints(d, save_total_limit=limit, best_model_checkpoint=best_dir if best is not None and s >= best else None)
        after_saves = sorted(int(p.split("-")[-1]) for p in sort_checkpoints(d))
        if best_dir is not None and limit == 1:
            for c in sort_checkpoints(d, best_model_checkpoint=best_dir):
                if not os.path.samefile(c, best_dir):
                    import shutil
                    shutil.rmtree(c)
        at_end = sorted(int(p.split("-")[-1]) for p in sort_checkpoints(d))
    cases.append({"steps": steps, "save_total_limit": limit, "best": best, "after_saves": after_saves, "at_end": at_end})

OUT.write_text(json.dumps({"transformers": transformers.__version__, "cases": cases}) + "\n")
print(f"wrote {OUT}: {cases}")
