"""Golden batches of accelerate's BatchSamplerShard (what HF Trainer's dataloader deals to each
process) for afinar's BatchSampler: tests/fixtures/train/sampler_shards.json.

Each case: n rows in order (a SequentialSampler), per-device batch size, drop_last, number of
processes; for every process the list of batches its dataloader yields (split_batches=False,
even_batches=True, accelerate's defaults under HF Trainer).

  ~/.cache/afinar/venv/bin/python3 tools/oracle/sampler_fixtures.py
"""
import json
import pathlib

import accelerate
from accelerate.data_loader import BatchSamplerShard
from torch.utils.data import BatchSampler, SequentialSampler

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests/fixtures/train/sampler_shards.json"

cases = []
for n, bs, drop_last, world in [
    (10, 3, False, 2),  # 4 batches, the last short: completed from the start
    (10, 3, True, 2),   # 3 batches: the odd one dropped
    (11, 2, False, 3),  # 6 batches, the last short
    (7, 4, False, 4),   # fewer batches than processes: cycled
    (16, 4, False, 2),  # exact
    (5, 8, False, 2),   # less than one batch
    (23, 5, False, 3),
    (23, 5, True, 3),
]:
    shards = []
    for rank in range(world):
        bsampler = BatchSampler(SequentialSampler(range(n)), batch_size=bs, drop_last=drop_last)
        shard = BatchSamplerShard(bsampler, num_processes=world, process_index=rank, split_batches=False,
                                  even_batches=True)
        shards.append([list(b) for b in shard])
        assert len(shards[-1]) == len(shard), (n, bs, drop_last, world, rank)
    cases.append({"n": n, "batch_size": bs, "drop_last": drop_last, "num_replicas": world, "shards": shards})

OUT.write_text(json.dumps({"accelerate": accelerate.__version__, "cases": cases}) + "\n")
print(f"wrote {OUT} ({len(cases)} cases)")
