#!/usr/bin/env python3
"""One PyTorch workload of torch_nets.py timed alone, one thread: two warm-up calls, then the
median of five. For checking a peer's setup (allocator, OpenBLAS kernel) quickly, through peer.sh:

    ALLOCATOR=glibc benchmarks/peer.sh benchmarks/torch_step.py train chestxraynet 32
"""
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_nets  # noqa: E402

if len(sys.argv) != 4 or sys.argv[1] not in ("train", "infer") or sys.argv[2] not in torch_nets.NETS:
    sys.exit("usage: torch_step.py train|infer NET BATCH (NET: " + ", ".join(torch_nets.NETS) + ")")
torch.set_num_threads(1)
fn = torch_nets.workload(sys.argv[1], sys.argv[2], int(sys.argv[3]))
for _ in range(2):
    fn()
times = []
for _ in range(5):
    t0 = time.perf_counter()
    fn()
    times.append((time.perf_counter() - t0) * 1000)
print(f"{sys.argv[1]} {sys.argv[2]} batch {sys.argv[3]}, 1 thread: median {statistics.median(times):.1f} ms")
