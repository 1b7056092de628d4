"""Python `datasets` side of bench/datasets/run.sh: load + map(tokenize, batched) + one pass
(save_to_disk), timed after the imports; prints the seconds."""
import sys
import time

import datasets
from transformers import PreTrainedTokenizerFast

data, tok_file, out = sys.argv[1:4]
datasets.disable_progress_bars()
t0 = time.perf_counter()
tok = PreTrainedTokenizerFast(tokenizer_file=tok_file)
ds = datasets.load_dataset("json", data_files={"train": data})["train"]
ds = ds.map(lambda b: tok(b["text"]), batched=True)
ds.save_to_disk(out)
print(time.perf_counter() - t0)
