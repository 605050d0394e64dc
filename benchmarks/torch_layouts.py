#!/usr/bin/env python3
"""PyTorch against itself: each benchmark network's training step and inference pass in the
default layout (NCHW) and in channels_last, inference also traced and frozen, their samples
taking turns. What torch_setup.py's choice rests on. Run it through peer.sh (its allocator):

    taskset -c 1 benchmarks/peer.sh benchmarks/torch_layouts.py [NET,... [BATCH [THREADS]]]
    taskset -c 1 benchmarks/peer.sh benchmarks/torch_layouts.py convs   # vs-peers.sh's convolutions, 1 thread

Prints a markdown table of medians (ms) and each setup's speed against NCHW eager.
"""
import os
import statistics
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_setup  # noqa: E402
from torch_nets import NETS, batch_and_threads  # noqa: E402

SETUPS = {"train": ("nchw", "channels_last"), "infer": ("nchw", "channels_last", "nchw frozen", "channels_last frozen")}


def workload(kind, net, batch, setup):
    cls, shape, classes = NETS[net]
    torch.manual_seed(0)
    layout = torch.channels_last if setup.startswith("channels_last") else torch.contiguous_format
    model, x = torch_setup.laid_out(cls(), torch.randn(batch, *shape), memory_format=layout)
    if kind == "infer":
        return torch_setup.inference(model, x, freeze=setup.endswith("frozen"))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    y = (torch.arange(batch) % 2).float().unsqueeze(1) if classes == 1 else torch.arange(batch) % classes
    loss_fn = nn.BCELoss() if classes == 1 else nn.CrossEntropyLoss()

    def train():
        model.train()
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return train


def sample(fn, seconds):
    calls, t0 = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        if time.perf_counter() - t0 >= seconds:
            return (time.perf_counter() - t0) * 1000 / calls


def convs():
    """vs-peers.sh's convolutions, forward and backward (data and weight gradients), in both layouts."""
    from vs_peers import CONV_SHAPES, DEPTHWISE_SHAPES
    torch.set_num_threads(1)
    print(f"PyTorch {torch.__version__}, 1 thread; 7 samples of 0.4 s each, taking turns")
    print("\n| convolution | pass | nchw | channels_last |")
    print("|---|---|---|---|")
    for name, batch, cin, side, cout, k, stride, pad in CONV_SHAPES + DEPTHWISE_SHAPES:
        passes = []
        for layout in (torch.contiguous_format, torch.channels_last):
            conv, x = torch_setup.laid_out(
                torch.nn.Conv2d(cin, cout, k, stride, pad, groups=cin if name.startswith("dw ") else 1),
                torch.randn(batch, cin, side, side), memory_format=layout)
            x.requires_grad_(True)
            y = conv(x)
            dy = torch.randn_like(y)

            def forward(conv=conv, x=x):
                with torch.no_grad():
                    conv(x)

            def backward(conv=conv, x=x, y=y, dy=dy):
                torch.autograd.grad(y, (x, conv.weight, conv.bias), dy, retain_graph=True)
            passes.append((forward, backward))
        for i, kind in enumerate(("forward", "backward")):
            fns = [p[i] for p in passes]
            for fn in fns:
                sample(fn, 1.0)
            times = [[], []]
            for _ in range(7):
                for j, fn in enumerate(fns):
                    times[j].append(sample(fn, 0.4))
            a, b = statistics.median(times[0]), statistics.median(times[1])
            print(f"| {name} | {kind} | {a:.3f} (1.00x) | {b:.3f} ({a / b:.2f}x) |", flush=True)


def main():
    if sys.argv[1:2] == ["convs"]:
        convs()
        return
    nets = sys.argv[1].split(",") if len(sys.argv) > 1 else list(NETS)
    unknown = [n for n in nets if n not in NETS]
    if unknown:
        sys.exit(f"torch_layouts.py: unknown net(s) {', '.join(unknown)}; known: {', '.join(NETS)}")
    batch, threads = batch_and_threads(sys.argv[2:], "torch_layouts.py")
    torch.set_num_threads(threads)
    print(f"PyTorch {torch.__version__}, batch {batch}, {threads} thread(s); 7 samples of 0.7 s each, taking turns")
    print("\n| net | pass | " + " | ".join(SETUPS["infer"]) + " |")
    print("|---|---|" + "---|" * len(SETUPS["infer"]))
    for net in nets:
        for kind, setups in SETUPS.items():
            fns = {s: workload(kind, net, batch, s) for s in setups}
            for fn in fns.values():
                sample(fn, 3)
            times = {s: [] for s in setups}
            for _ in range(7):
                for s, fn in fns.items():
                    times[s].append(sample(fn, 0.7))
            base = statistics.median(times["nchw"])
            cells = [f"{statistics.median(times[s]):.2f} ({base / statistics.median(times[s]):.2f}x)"
                     if s in times else "" for s in SETUPS["infer"]]
            print(f"| {net} | {kind} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
