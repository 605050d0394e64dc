#!/usr/bin/env python3
"""Where PyTorch's training step goes, op by op (torch.profiler, self CPU time per step), to set
beside Isthmus's LayerProfile. Run it through peer.sh, so PyTorch runs at its best:
    benchmarks/peer.sh benchmarks/torch_profile.py resnet 32 1      # net, batch, threads
"""
import sys
import time

import torch

import torch_nets


def main():
    if len(sys.argv) > 4:
        sys.exit(f"usage: torch_profile.py [NET [BATCH [THREADS]]], got {len(sys.argv) - 1} arguments")
    net = sys.argv[1] if len(sys.argv) > 1 else "resnet"
    if net not in torch_nets.NETS:
        sys.exit(f"torch_profile.py: unknown net '{net}'; known: {', '.join(sorted(torch_nets.NETS))}")
    batch, threads = torch_nets.batch_and_threads(sys.argv[2:], "torch_profile.py")
    steps = 20
    torch.set_num_threads(threads)
    step = torch_nets.workload("train", net, batch)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 5:  # warm-up
        step()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 3:
        step()
        n += 1
    print(f"{net} training step, batch {batch}, {threads} threads: {(time.perf_counter() - t0) * 1000 / n:.2f} ms"
          " (unprofiled)")
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    print("| op | self CPU ms per step | calls per step |")
    print("|---|---|---|")
    for e in sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)[:15]:
        print(f"| {e.key} | {e.self_cpu_time_total / steps / 1000:.3f} | {e.count // steps} |")


if __name__ == "__main__":
    main()
