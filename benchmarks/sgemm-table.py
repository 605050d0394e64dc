#!/usr/bin/env python3
"""Merges a SgemmBenchmark JMH JSON result with OpenBLAS medians into a markdown table.

    sgemm-table.py jmh.json openblas-1.json openblas-2.json [peak_gflops_per_core]
"""
import json
import sys

jmh = json.load(open(sys.argv[1]))
blas = {}
for path in sys.argv[2:4]:
    d = json.load(open(path))
    blas[d["threads"]] = d["results"]
peak = float(sys.argv[4]) if len(sys.argv) > 4 else 107.0

rows = {}
for r in jmh:
    p = r["params"]
    threads = int(p["threads"])
    m, k, n = map(int, p["mkn"].split("x"))
    # median over the measurement iterations of every fork (each iteration: mean time per call, us)
    samples = sorted(x for fork in r["primaryMetric"]["rawData"] for x in fork)
    us = samples[len(samples) // 2]
    rows[(p["mkn"], threads)] = (2.0 * m * n * k / (us * 1e-6) / 1e9)

all_threads = max(blas)
print("| m x k x n | threads | Isthmus GFLOP/s | OpenBLAS GFLOP/s | Isthmus / OpenBLAS | Isthmus % of FMA peak |")
print("|---|---|---|---|---|---|")
for (shape, threads), gflops in rows.items():
    t = threads if threads else all_threads
    m, k, n = map(int, shape.split("x"))
    ob = 2.0 * m * n * k / blas[t][shape] / 1e9
    print(f"| {shape} | {t} | {gflops:.1f} | {ob:.1f} | {gflops / ob:.2f} | {100 * gflops / (peak * t):.0f}% |")
