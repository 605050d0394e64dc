#!/usr/bin/env python3
"""PyTorch (CPU) peer for ConvBenchmark: ChestXRayNet's seven convolutions at batch 16.

    torch_layers.py THREADS > torch-layers.json
Times forward (conv2d with bias), backward data (grad input) and backward weights (grad weight
and bias) separately through aten::convolution_backward, the call autograd makes. Prints JSON:
{"threads": T, "all_threads": N, "torch": version, "layout": "channels_last" (torch_setup.py),
"results": {"conv1/forward/T": median_us, ...}}.
"""
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_setup  # noqa: E402  (the layout PyTorch runs in)

LAYERS = {  # Cin, Cout, k, side
    "conv1": (1, 8, 3, 256), "conv2": (8, 8, 3, 128), "conv3": (8, 12, 3, 64), "conv4": (12, 12, 3, 32),
    "conv5": (12, 20, 5, 16), "conv6": (20, 20, 5, 8), "conv7": (20, 50, 5, 4),
}


def median_us(fn, budget=2.0):
    fn()
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-7)
    reps = max(1, int(0.2 / once))
    samples = []
    deadline = time.perf_counter() + budget
    while len(samples) < 5 or (time.perf_counter() < deadline and len(samples) < 15):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        samples.append((time.perf_counter() - t0) / reps)
    samples.sort()
    return samples[len(samples) // 2] * 1e6


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    batch = 16
    out = {"threads": threads, "all_threads": os.cpu_count(), "torch": torch.__version__,
           "layout": torch_setup.LAYOUT, "results": {}}
    with torch.no_grad():
        for name, (cin, cout, k, side) in LAYERS.items():
            pad = k // 2
            x = torch.randn(batch, cin, side, side)
            w = torch.randn(cout, cin, k, k)
            b = torch.randn(cout)
            dy = torch.randn(batch, cout, side, side)
            x, w, dy = torch_setup.laid_out(x, w, dy)
            conv = lambda: torch.nn.functional.conv2d(x, w, b, 1, pad)
            bwd = lambda mask: torch.ops.aten.convolution_backward(
                dy, x, w, [cout], [1, 1], [pad, pad], [1, 1], False, [0, 0], 1, mask)
            out["results"][f"{name}/forward/{threads}"] = median_us(conv)
            out["results"][f"{name}/backwardData/{threads}"] = median_us(lambda: bwd([True, False, False]))
            out["results"][f"{name}/backwardWeights/{threads}"] = median_us(lambda: bwd([False, True, True]))
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
