#!/usr/bin/env python3
"""Turns ConvBenchmark / PoolBenchmark JMH JSON results into the benchmarks/README.md tables.

    conv-table.py results.json [torch-1.json torch-N.json ...]
Medians over the measurement iterations. Convolutions in GFLOP/s (2 * MACs per pass), pooling
in GB/s of the arrays each pass touches. torch.json (from torch_layers.py) adds PyTorch's
time for the same pass beside each convolution row (one file per thread count).
"""
import json
import sys

LAYERS = {  # Cin, Cout, k, side
    "conv1": (1, 8, 3, 256), "conv2": (8, 8, 3, 128), "conv3": (8, 12, 3, 64), "conv4": (12, 12, 3, 32),
    "conv5": (12, 20, 5, 16), "conv6": (20, 20, 5, 8), "conv7": (20, 50, 5, 4),
}

results = json.load(open(sys.argv[1]))
torch = None
for path in sys.argv[2:]:
    t = json.load(open(path))
    if torch is None:
        torch = t
    else:
        torch["results"].update(t["results"])


def median_us(r):
    s = sorted(x for fork in r["primaryMetric"]["rawData"] for x in fork)
    return s[len(s) // 2]


conv = {}
pool = {}
for r in results:
    bench = r["benchmark"].split(".")
    cls, method = bench[-2], bench[-1]
    p = r["params"]
    threads = int(p["threads"])
    if cls == "ConvBenchmark":
        conv[(p["layer"], method, threads)] = (median_us(r), int(p["batch"]))
    elif cls == "PoolBenchmark":
        pool[(p["shape"], method, threads)] = (median_us(r), int(p["batch"]))

if conv:
    head = "| layer | pass | threads | Isthmus ms | Isthmus GFLOP/s |"
    if torch:
        head += " PyTorch ms | Isthmus / PyTorch speed |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for (layer, method, threads), (us, batch) in sorted(conv.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] == 0)):
        cin, cout, k, side = LAYERS[layer]
        flops = 2.0 * batch * cout * cin * k * k * side * side
        t = threads if threads else "all"
        row = f"| {layer} | {method} | {t} | {us / 1000:.3f} | {flops / (us * 1e-6) / 1e9:.1f} |"
        if torch:
            key = f"{layer}/{method}/{threads if threads else torch['all_threads']}"
            tus = torch["results"].get(key)
            row += f" {tus / 1000:.3f} | {tus / us:.2f} |" if tus else " | |"
        print(row)
    print()
if pool:
    print("| input (C x side) | pass | threads | ms | GB/s |")
    print("|---|---|---|---|---|")
    for (shape, method, threads), (us, batch) in sorted(pool.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] == 0)):
        c, side = map(int, shape.split("x"))
        n_in = batch * c * side * side
        n_out = n_in // 4
        # forward: x read, y + argmax written; backward: dy + argmax read, dx written
        nbytes = 4 * (n_in + 2 * n_out)
        t = threads if threads else "all"
        print(f"| {shape} | {method} | {t} | {us / 1000:.3f} | {nbytes / (us * 1e-6) / 1e9:.1f} |")
