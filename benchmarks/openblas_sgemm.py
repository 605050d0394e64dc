#!/usr/bin/env python3
"""OpenBLAS SGEMM through numpy (`a @ b` on float32), the peer for SgemmBenchmark.

Run once per thread count: OPENBLAS_NUM_THREADS must be set before numpy loads.
    OPENBLAS_NUM_THREADS=1 python3 openblas_sgemm.py > openblas-1.json
Prints JSON: {"threads": T, "config": "...", "results": {"mxkxn": median_seconds, ...}}.
"""
import json
import os
import sys
import time

import numpy as np

SHAPES = ["256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048",
          "20x500x64", "20x64x500:bt", "50x500x16", "20x1250x16", "50x16x500:bt"]


def median_seconds(m, k, n, trans_b=False, budget=3.0):
    rng = np.random.default_rng(42)
    a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, k)).astype(np.float32).T if trans_b else rng.uniform(-1, 1, (k, n)).astype(np.float32)
    c = np.empty((m, n), dtype=np.float32)
    np.matmul(a, b, out=c)
    t0 = time.perf_counter()
    np.matmul(a, b, out=c)
    once = max(time.perf_counter() - t0, 1e-7)
    reps = max(1, int(0.2 / once))  # each sample about 0.2 s, like a JMH iteration
    samples = []
    deadline = time.perf_counter() + budget
    while len(samples) < 5 or (time.perf_counter() < deadline and len(samples) < 15):
        t0 = time.perf_counter()
        for _ in range(reps):
            np.matmul(a, b, out=c)
        samples.append((time.perf_counter() - t0) / reps)
    samples.sort()
    return samples[len(samples) // 2]


def main():
    shapes = sys.argv[1:] or SHAPES
    config = np.__config__.get_info("openblas_info") if hasattr(np.__config__, "get_info") else {}
    out = {"threads": int(os.environ.get("OPENBLAS_NUM_THREADS", "0")), "numpy": np.__version__,
           "config": str(config.get("libraries", "")), "results": {}}
    for s in shapes:
        m, k, n = map(int, s.replace(":bt", "").split("x"))
        out["results"][s] = median_seconds(m, k, n, s.endswith(":bt"))
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
