#!/usr/bin/env python3
"""PyTorch (CPU) peer for TrainStepBenchmark: ChestXRayNet, input 1x256x256, BCE, Adam 1e-3.

    torch_chestxraynet.py THREADS [BATCH ...] > torch-train.json
    torch_chestxraynet.py --memory BATCH STEPS THREADS
Times one training step (zero_grad, forward, BCELoss, backward, Adam step) and one inference
pass (eval mode, no_grad). Prints JSON: {"threads": T, "torch": version, "setup": how PyTorch ran,
"results": {"trainStep/16": median_ms, "inference/16": median_ms, ...}}. Batch 1's inference
is the single-image latency. With --memory, trains STEPS steps in this fresh process and prints
its peak resident memory (VmHWM), as TrainMemory does for Isthmus. PyTorch runs as
torch_setup.py says (channels_last; inference traced and frozen).
"""
import json
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_setup  # noqa: E402


class ChestXRayNet(nn.Module):
    """The seeds' PyTorch version of the lesson's network."""

    def __init__(self, dropout=0.6):
        super().__init__()
        chans = [1, 8, 8, 12, 12, 20, 20, 50]
        ks = [3, 3, 3, 3, 5, 5, 5]
        for i in range(7):
            setattr(self, f"conv{i + 1}", nn.Conv2d(chans[i], chans[i + 1], ks[i], padding=ks[i] // 2))
        self.pool = nn.MaxPool2d(2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Linear(50, 128)
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(128, 32)
        self.fc3 = nn.Linear(32, 1)

    def forward(self, x):
        for i in range(6):
            x = self.pool(torch.relu(getattr(self, f"conv{i + 1}")(x)))
        x = torch.relu(self.conv7(x))
        x = torch.flatten(self.gap(x), 1)
        x = self.drop(torch.relu(self.fc1(x)))
        x = torch.relu(self.fc2(x))
        return torch.sigmoid(self.fc3(x))


def median_ms(fn, budget=6.0):
    for _ in range(3):
        fn()
    samples = []
    deadline = time.perf_counter() + budget
    while len(samples) < 5 or (time.perf_counter() < deadline and len(samples) < 25):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return samples[len(samples) // 2]


def peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def memory(batch, steps, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torch_setup.laid_out(ChestXRayNet())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    x = torch_setup.laid_out(torch.randn(batch, 1, 256, 256))
    y = (torch.arange(batch) % 2).float().unsqueeze(1)
    model.train()
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    json.dump({"framework": "pytorch " + torch.__version__, "batch": batch, "steps": steps, "threads": threads,
               "loss": round(loss.item(), 4), "peak_rss_mib": round(peak_rss_mib(), 1)}, sys.stdout)
    print()


def main():
    if sys.argv[1:2] == ["--memory"]:
        memory(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    batches = [int(b) for b in sys.argv[2:]] or [1, 16, 64]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torch_setup.laid_out(ChestXRayNet())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    out = {"threads": threads, "torch": torch.__version__, "setup": torch_setup.describe(), "results": {}}
    for batch in batches:
        x = torch_setup.laid_out(torch.randn(batch, 1, 256, 256))
        y = (torch.arange(batch) % 2).float().unsqueeze(1)

        def step():
            model.train()
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()

        out["results"][f"trainStep/{batch}"] = median_ms(step)
        out["results"][f"inference/{batch}"] = median_ms(torch_setup.inference(model, x))
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
