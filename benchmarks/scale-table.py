#!/usr/bin/env python3
"""scale.sh's results into a table: training images/s per thread count, Isthmus and PyTorch,
each one's speed-up over its own run at the fewest threads, and the ratio between them.

    scale-table.py scale-jmh.json scale-torch-1.json scale-torch-2.json ...
"""
import json
import sys


def median(values):
    s = sorted(values)
    return s[len(s) // 2]


isthmus = {}  # threads -> (batch, ms per step)
for r in json.load(open(sys.argv[1])):
    if not r["benchmark"].endswith(".trainStep"):
        continue
    p = r["params"]
    isthmus[int(p["threads"])] = (int(p["batch"]), median(x for fork in r["primaryMetric"]["rawData"] for x in fork))
torch = {}  # threads -> (version, {batch: ms})
for path in sys.argv[2:]:
    t = json.load(open(path))
    torch[t["threads"]] = (t["torch"], {int(k.split("/")[1]): v for k, v in t["results"].items()
                                        if k.startswith("trainStep/")})

versions = sorted({v for v, _ in torch.values()})
print(f"PyTorch {', '.join(versions) or '(none)'}; images/s = batch * 1000 / median ms per step")
print()
print("| threads | Isthmus images/s | Isthmus speed-up | PyTorch images/s | PyTorch speed-up | Isthmus / PyTorch |")
print("|---|---|---|---|---|---|")
base_i = base_t = None
for threads in sorted(isthmus):
    batch, ms = isthmus[threads]
    ips = batch * 1000 / ms
    base_i = base_i or ips
    row = f"| {threads} | {ips:.0f} | {ips / base_i:.2f}x |"
    tms = torch.get(threads, (None, {}))[1].get(batch)
    if tms:
        tips = batch * 1000 / tms
        base_t = base_t or tips
        row += f" {tips:.0f} | {tips / base_t:.2f}x | {ips / tips:.1f} |"
    else:
        row += " | | |"
    print(row)
