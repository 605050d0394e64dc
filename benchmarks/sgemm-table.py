#!/usr/bin/env python3
"""Merges a SgemmBenchmark JMH JSON result with OpenBLAS medians into a markdown table.

    sgemm-table.py jmh.json openblas-1.json openblas-N.json [fma-peak.json | peak_gflops_per_core]
The peak is FmaPeakBenchmark's one-thread score (FMA/us) times lanes times 2, or a number.
"""
import json
import sys

jmh = json.load(open(sys.argv[1]))
blas = {}
for path in sys.argv[2:4]:
    d = json.load(open(path))
    blas[d["threads"]] = d["results"]
peak, lanes = 107.0, None
if len(sys.argv) > 4:
    try:
        peak = float(sys.argv[4])
    except ValueError:
        for r in json.load(open(sys.argv[4])):
            if r["benchmark"].endswith("oneThread"):
                lanes = int(r["params"]["lanes"]) if "params" in r and r["params"] and "lanes" in r["params"] else None
                samples = sorted(x for fork in r["primaryMetric"]["rawData"] for x in fork)
                fma_per_us = samples[len(samples) // 2]
                peak = fma_per_us * lanes * 2 / 1000.0

rows = {}
for r in jmh:
    p = r["params"]
    threads = int(p["threads"])
    m, k, n = map(int, p["mkn"].replace(":bt", "").split("x"))
    # median over the measurement iterations of every fork (each iteration: mean time per call, us)
    samples = sorted(x for fork in r["primaryMetric"]["rawData"] for x in fork)
    us = samples[len(samples) // 2]
    rows[(p["mkn"], threads)] = (2.0 * m * n * k / (us * 1e-6) / 1e9)

all_threads = max(blas)
print(f"FMA peak: {peak:.1f} GFLOP/s per core" + (f" ({lanes} lanes)" if lanes else ""))
print()
print("| m x k x n | threads | Isthmus GFLOP/s | OpenBLAS GFLOP/s | Isthmus / OpenBLAS | Isthmus % of FMA peak |")
print("|---|---|---|---|---|---|")
for (shape, threads), gflops in rows.items():
    t = threads if threads else all_threads
    m, k, n = map(int, shape.replace(":bt", "").split("x"))
    ob = 2.0 * m * n * k / blas[t][shape] / 1e9
    print(f"| {shape} | {t} | {gflops:.1f} | {ob:.1f} | {gflops / ob:.2f} | {100 * gflops / (peak * t):.0f}% |")
