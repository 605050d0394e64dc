#!/usr/bin/env python3
"""scale.sh's results into a table: training images/s per thread count, Isthmus and PyTorch,
each one's speed-up over its own run at the fewest threads, and the ratio between them.

    scale-table.py scale-jmh.json scale-torch-1.json scale-torch-2.json ...
"""
import json
import statistics
import sys

median = statistics.median


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
fewest = min(isthmus, default=None)
base_i = base_t = None
if fewest is not None:
    batch, ms = isthmus[fewest]
    base_i = batch * 1000 / ms
    tms = torch.get(fewest, (None, {}))[1].get(batch)
    base_t = batch * 1000 / tms if tms else None  # no PyTorch speed-ups without its own base
for threads in sorted(isthmus):
    batch, ms = isthmus[threads]
    ips = batch * 1000 / ms
    row = f"| {threads} | {ips:.0f} | {ips / base_i:.2f}x |"
    tms = torch.get(threads, (None, {}))[1].get(batch)
    if tms:
        tips = batch * 1000 / tms
        up = f"{tips / base_t:.2f}x" if base_t else ""
        row += f" {tips:.0f} | {up} | {ips / tips:.1f} |"
    else:
        row += " | | |"
    print(row)
