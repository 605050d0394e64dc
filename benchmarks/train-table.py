#!/usr/bin/env python3
"""TrainStepBenchmark JMH JSON plus torch_chestxraynet.py results into the README table.

    train-table.py jmh.json torch-1.json torch-N.json
"""
import json
import sys

jmh = json.load(open(sys.argv[1]))
torch = {}
all_threads = 1
for path in sys.argv[2:]:
    t = json.load(open(path))
    all_threads = max(all_threads, t["threads"])
    for k, v in t["results"].items():
        torch[f"{k}/{t['threads']}"] = v

print("| pass | batch | threads | Isthmus ms | Isthmus images/s | PyTorch ms | PyTorch images/s | Isthmus / PyTorch |")
print("|---|---|---|---|---|---|---|---|")
rows = []
for r in jmh:
    method = r["benchmark"].split(".")[-1]
    p = r["params"]
    batch, threads = int(p["batch"]), int(p["threads"])
    t = threads if threads else all_threads
    s = sorted(x for fork in r["primaryMetric"]["rawData"] for x in fork)
    ms = s[len(s) // 2]
    tms = torch.get(f"{method}/{batch}/{t}")
    rows.append((method, batch, t, ms, tms))
for method, batch, t, ms, tms in sorted(rows, key=lambda r: (r[0] != "trainStep", r[1], r[2])):
    ips = batch * 1000 / ms
    if tms:
        tips = batch * 1000 / tms
        print(f"| {method} | {batch} | {t} | {ms:.1f} | {ips:.0f} | {tms:.1f} | {tips:.0f} | {ips / tips:.2f} |")
    else:
        print(f"| {method} | {batch} | {t} | {ms:.1f} | {ips:.0f} | | | |")
