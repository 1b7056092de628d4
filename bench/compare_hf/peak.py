#!/usr/bin/env python3
"""The matmul peak of this machine through LibTorch's CPU kernels (the library both sides run on),
at the given thread count: the best GFLOP/s of a few GEMM shapes met in MiniLM/BERT training
(tokens × hidden against hidden × 4·hidden, and a square one). Prints one JSON line.

    python3 bench/compare_hf/peak.py --threads 2
"""
import argparse, json, time

import torch


def gflops(m: int, k: int, n: int, dtype: torch.dtype, seconds: float = 1.5) -> float:
    a, b = torch.randn(m, k).to(dtype), torch.randn(k, n).to(dtype)
    for _ in range(3):
        a @ b
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        a @ b
        reps += 1
    return 2.0 * m * k * n * reps / (time.perf_counter() - t0) / 1e9


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    shapes = [(2048, 384, 1536), (2048, 1536, 384), (1024, 1024, 1024)]
    out = {f"{name}_gflops": max(gflops(m, k, n, dt) for m, k, n in shapes)
           for name, dt in (("fp32", torch.float32), ("bf16", torch.bfloat16))}
    with open("/proc/cpuinfo") as f:
        out["cpu"] = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "unknown")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
