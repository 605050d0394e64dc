#!/usr/bin/env python3
"""Isthmus against its peers, their samples taking turns in one run (vs-peers.sh sets the
environment: OpenBLAS free to pick its own kernel, PyTorch's allocator tuned; torch_setup.py
runs PyTorch in channels_last, its inference traced and frozen).

    vs_peers.py nets  [THREADS ...]   training step and inference of the benchmark networks vs PyTorch
    vs_peers.py sgemm [THREADS ...]   SGEMM shapes vs OpenBLAS (numpy)
    vs_peers.py convs [THREADS ...]   every convolution of the benchmark networks, forward, backward and their sum, vs PyTorch

Starts dev.isthmus.benchmarks.Sampler (a warm JVM) and times each workload there and here in
turn: a warm-up of each (Isthmus's until its speed settles), then SAMPLES pairs of samples of about 0.5 s, alternating which goes
first. Prints the environment, then a markdown table of medians and ratios, and writes the raw
samples as JSON to OUT_DIR (benchmarks/target/results).

One-thread rows run both sides on the same CPU (PIN_CPU, by default the last one this process
may use; PIN_CPU=none leaves them free): on a VM whose CPUs run at different speeds, two
processes left free can land on different ones, and the ratio then measures the CPUs. On this
project's 2-CPU VM, CPU 0 ran Isthmus's 32 -> 32 backward 30% slower than CPU 1, and PyTorch's
10-20% slower (benchmarks/README.md, "Two CPUs, two speeds"). Rows on more threads free both
sides again.
"""
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = int(os.environ.get("SAMPLES", "7"))
SECONDS = float(os.environ.get("SAMPLE_SECONDS", "0.5"))
WARMUP = float(os.environ.get("WARMUP_SECONDS", "6"))
ALL_CPUS = sorted(os.sched_getaffinity(0))
PIN_CPU = os.environ.get("PIN_CPU", str(ALL_CPUS[-1]))
if PIN_CPU != "none" and PIN_CPU not in map(str, ALL_CPUS):
    sys.exit(f"vs_peers.py: PIN_CPU must be one of this process's CPUs {ALL_CPUS} or 'none', got '{PIN_CPU}'")


# (name, batch, cin, side, cout, kernel, stride, pad): the convolutions of BenchmarkNets at batch 32
CONV_SHAPES = [("resnet stem", 32, 3, 32, 16, 3, 1, 1), ("resnet 16->16", 32, 16, 32, 16, 3, 1, 1),
               ("resnet 16->32 s2", 32, 16, 32, 32, 3, 2, 1), ("resnet 32->32", 32, 32, 16, 32, 3, 1, 1),
               ("resnet 1x1 s2", 32, 16, 32, 32, 1, 2, 0), ("vgg 3->32", 32, 3, 64, 32, 3, 1, 1),
               ("vgg 32->32", 32, 32, 64, 32, 3, 1, 1), ("vgg 32->64", 32, 32, 32, 64, 3, 1, 1),
               ("vgg 64->64", 32, 64, 32, 64, 3, 1, 1), ("vgg 64->128", 32, 64, 16, 128, 3, 1, 1),
               ("64->64 on 56x56", 32, 64, 56, 64, 3, 1, 1)]
# depthwise (one channel a group), as MobileNetV2's on a 112x112 input and EfficientNet's 5x5:
# not in the benchmark networks; (name, batch, channels, side, channels, kernel, stride, pad)
DEPTHWISE_SHAPES = [("dw 32 on 56x56", 32, 32, 56, 32, 3, 1, 1), ("dw 96 on 56x56 s2", 32, 96, 56, 96, 3, 2, 1),
                    ("dw 144 on 28x28", 32, 144, 28, 144, 3, 1, 1), ("dw 192 on 14x14", 32, 192, 14, 192, 3, 1, 1),
                    ("dw 576 on 7x7", 32, 576, 7, 576, 3, 1, 1), ("dw 5x5 240 on 14x14", 32, 240, 14, 240, 5, 1, 2)]


def pin(pids, threads):
    """Every thread of each process on PIN_CPU for one-thread rows, on all CPUs otherwise
    (threads started later inherit their parent's affinity)."""
    cpus = set(ALL_CPUS) if threads > 1 or PIN_CPU == "none" else {int(PIN_CPU)}
    for pid in pids:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                os.sched_setaffinity(int(tid), cpus)
            except ProcessLookupError:  # a thread that has ended
                pass
    return cpus


def pinned(isthmus, threads):
    cpus = pin([isthmus.proc.pid, os.getpid()], threads)
    print(f"# {threads} thread(s): both sides on CPU(s) {','.join(map(str, sorted(cpus)))}", file=sys.stderr,
          flush=True)


class Isthmus:
    def __init__(self):
        java = subprocess.run([os.path.join(HERE, "run.sh"), "--java"], capture_output=True, text=True,
                              check=True).stdout.strip()
        # the allocator's tuning (peer.sh) is PyTorch's, not the JVM's
        env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "LD_PRELOAD"}
        # ISA=avx2 (peer.sh holds the peers to AVX2): Isthmus on its AVX2 code too
        self.options = ["-XX:UseAVX=2"] if os.environ.get("ISA", "native") == "avx2" else []
        self.proc = subprocess.Popen(
            [java, "--add-modules", "jdk.incubator.vector", "-Xms4g", "-Xmx4g", "-XX:+UseSerialGC", *self.options, "-cp",
             os.path.join(HERE, "target", "benchmarks.jar"), "dev.isthmus.benchmarks.Sampler"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        self.banner = self.proc.stdout.readline().strip() + (f" (JVM {' '.join(self.options)})" if self.options else "")

    def sample(self, command, seconds):
        self.proc.stdin.write(f"{command} {seconds}\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().split()
        if not answer or answer[0] == "error":
            raise RuntimeError(f"Sampler: {command}: {' '.join(answer)}")
        return float(answer[0])


def peer_sample(fn, seconds):
    t0 = time.perf_counter()
    calls = 0
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            return elapsed * 1000 / calls


def warm_up(isthmus, command):
    """WARMUP_SECONDS, then 1 s samples until one is within 3% of the one before, for at most a minute
    more. C2 compiles a network's kernels over many seconds on a pinned CPU (ResNet's training step on
    the Zen 5 VM: 9.5 s for the first step, 23 ms a step only after about 15 s), and a row sampled
    while it still compiles reads slow; no fixed warm-up suits every network and machine."""
    isthmus.sample(command, WARMUP)
    trail = [isthmus.sample(command, 1)]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        trail.append(isthmus.sample(command, 1))
        if trail[-1] > 0.97 * trail[-2]:
            break
    if len(trail) > 2:
        print(f"# {command}: warmed {len(trail)} s past WARMUP_SECONDS: "
              + " ".join(f"{t:.2f}" for t in trail) + " ms", file=sys.stderr, flush=True)


def compare(isthmus, command, peer_fn):
    warm_up(isthmus, command)
    peer_sample(peer_fn, min(WARMUP, 3))
    ours, theirs = [], []
    for s in range(SAMPLES):
        if s % 2 == 0:
            ours.append(isthmus.sample(command, SECONDS))
            theirs.append(peer_sample(peer_fn, SECONDS))
        else:
            theirs.append(peer_sample(peer_fn, SECONDS))
            ours.append(isthmus.sample(command, SECONDS))
    # each row as it is measured, so a long run that fails later still shows what it had
    print(f"# {command}: Isthmus {statistics.median(ours):.3f} ms, peer {statistics.median(theirs):.3f} ms",
          file=sys.stderr, flush=True)
    return ours, theirs


def environment(peer):
    lines = [f"machine: {os.cpu_count()} CPUs; {open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].splitlines()[0].strip()}"]
    lines.append("OPENBLAS_CORETYPE=" + os.environ.get("OPENBLAS_CORETYPE", "(unset)") + ", OPENBLAS_L2_SIZE="
                 + os.environ.get("OPENBLAS_L2_SIZE", "(unset)"))
    lines.append("LD_PRELOAD=" + os.environ.get("LD_PRELOAD", "(unset)") + ", MALLOC_CONF="
                 + os.environ.get("MALLOC_CONF", "(unset)"))
    lines.append("ISA=" + os.environ.get("ISA", "native") + ", ONEDNN_MAX_CPU_ISA=" + os.environ.get("ONEDNN_MAX_CPU_ISA", "(unset)")
                 + ", ATEN_CPU_CAPABILITY=" + os.environ.get("ATEN_CPU_CAPABILITY", "(unset)"))
    lines.append("MALLOC_MMAP_THRESHOLD_=" + os.environ.get("MALLOC_MMAP_THRESHOLD_", "(unset)")
                 + ", MALLOC_TRIM_THRESHOLD_=" + os.environ.get("MALLOC_TRIM_THRESHOLD_", "(unset)"))
    try:
        import threadpoolctl
        for info in threadpoolctl.threadpool_info():
            lines.append(f"{info.get('internal_api')} {info.get('version')}: kernel {info.get('architecture')}, "
                         f"{info.get('num_threads')} threads ({info.get('filepath')})")
    except ImportError:
        lines.append("threadpoolctl missing: apt-get install python3-threadpoolctl")
    lines.append(peer)
    return lines


def main():
    suite = sys.argv[1] if len(sys.argv) > 1 else "nets"
    threads = [int(t) for t in sys.argv[2:]] or [1, os.cpu_count()]
    out_dir = os.environ.get("OUT_DIR", os.path.join(HERE, "target", "results"))
    os.makedirs(out_dir, exist_ok=True)
    import threadpoolctl
    rows, raw = [], []
    if suite == "nets":
        import torch
        sys.path.insert(0, HERE)
        import torch_nets
        import torch_setup
        nets = os.environ.get("NETS", "resnet,vgg,chestxraynet").split(",")
        batches = [int(b) for b in os.environ.get("BATCHES", "32,128").split(",")]
        isthmus = Isthmus()
        print("\n".join(environment(f"PyTorch {torch.__version__}; {torch_setup.describe()}")))
        print(isthmus.banner)
        for t in threads:
            torch.set_num_threads(t)
            pinned(isthmus, t)
            for net in nets:
                for batch in batches:
                    for kind in ("train", "infer"):
                        fn = torch_nets.workload(kind, net, batch)
                        ours, theirs = compare(isthmus, f"{kind} {net} {batch} {t}", fn)
                        rows.append((net, kind, batch, t, ours, theirs))
    elif suite == "sgemm":
        import numpy as np
        shapes = os.environ.get("SHAPES", "256x256x256,512x512x512,1024x1024x1024,2048x2048x2048,"
                                "20x500x64,20x64x500:bt,50x500x16,20x1250x16,50x16x500:bt").split(",")
        isthmus = Isthmus()
        print("\n".join(environment(f"numpy {np.__version__}")))
        print(isthmus.banner)
        for t in threads:
            pinned(isthmus, t)
            with threadpoolctl.threadpool_limits(t):
                for shape in shapes:
                    m, k, n = map(int, shape.replace(":bt", "").split("x"))
                    bt = shape.endswith(":bt")
                    rng = np.random.default_rng(42)
                    a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
                    b = rng.uniform(-1, 1, (n, k)).astype(np.float32).T if bt else rng.uniform(-1, 1, (k, n)).astype(np.float32)
                    c = np.empty((m, n), dtype=np.float32)
                    ours, theirs = compare(isthmus, f"sgemm {m} {k} {n} {1 if bt else 0} {t}",
                                           lambda: np.matmul(a, b, out=c))
                    rows.append((shape, "sgemm", 2.0 * m * n * k, t, ours, theirs))
    elif suite == "convs":
        import torch
        only = os.environ.get("ONLY")
        sys.path.insert(0, HERE)
        import torch_setup  # the layout PyTorch runs in
        isthmus = Isthmus()
        print("\n".join(environment(f"PyTorch {torch.__version__}; layout {torch_setup.LAYOUT} (TORCH_LAYOUT)")))
        print(isthmus.banner)
        for t in threads:
            torch.set_num_threads(t)
            pinned(isthmus, t)
            for name, batch, cin, side, cout, k, s, p in CONV_SHAPES + DEPTHWISE_SHAPES:
                if only and only not in name:
                    continue
                dw = name.startswith("dw ")
                conv, x = torch_setup.laid_out(torch.nn.Conv2d(cin, cout, k, s, p, groups=cin if dw else 1),
                                               torch.randn(batch, cin, side, side))
                x.requires_grad_(True)
                y = conv(x)
                dy = torch.randn_like(y)

                def forward():
                    with torch.no_grad():
                        conv(x)

                def backward():
                    # the data and weight gradients of a stored forward, as Isthmus's backward pass
                    torch.autograd.grad(y, (x, conv.weight, conv.bias), dy, retain_graph=True)

                for kind, fn in (("forward", forward), ("backward", backward)):
                    line = (f"dwconv {kind} {batch} {cin} {side} {k} {s} {p} {t}" if dw
                            else f"conv {kind} {batch} {cin} {side} {cout} {k} {s} {p} {t}")
                    ours, theirs = compare(isthmus, line, fn)
                    rows.append((name, kind, batch, t, ours, theirs))
    else:
        sys.exit(f"unknown suite '{suite}': nets, convs or sgemm")
    isthmus.proc.stdin.close()
    if suite == "convs":
        print("\n| convolution | pass | batch | threads | Isthmus ms | PyTorch ms | ratio |")
        print("|---|---|---|---|---|---|---|")
        forward_ms = {}  # issue 12 asks each shape's forward plus backward: their medians' sums, after both rows
        for name, kind, batch, t, ours, theirs in rows:
            o, p = statistics.median(ours), statistics.median(theirs)
            print(f"| {name} | {kind} | {batch} | {t} | {o:.2f} | {p:.2f} | {p / o:.2f}x |")
            raw.append({"conv": name, "pass": kind, "batch": batch, "threads": t, "isthmus_ms": ours, "peer_ms": theirs})
            if kind == "forward":
                forward_ms[name, batch, t] = (o, p)
            elif (name, batch, t) in forward_ms:
                fo, fp = forward_ms.pop((name, batch, t))
                print(f"| {name} | forward + backward | {batch} | {t} | {fo + o:.2f} | {fp + p:.2f} | "
                      f"{(fp + p) / (fo + o):.2f}x |")
    elif suite == "nets":
        print("\n| net | pass | batch | threads | Isthmus ms | PyTorch ms | Isthmus images/s | PyTorch images/s | ratio |")
        print("|---|---|---|---|---|---|---|---|---|")
        for net, kind, batch, t, ours, theirs in rows:
            o, p = statistics.median(ours), statistics.median(theirs)
            print(f"| {net} | {kind} | {batch} | {t} | {o:.2f} | {p:.2f} | {batch * 1000 / o:.0f} | "
                  f"{batch * 1000 / p:.0f} | {p / o:.2f}x |")
            raw.append({"net": net, "pass": kind, "batch": batch, "threads": t, "isthmus_ms": ours, "peer_ms": theirs})
    else:
        print("\n| m x k x n | threads | Isthmus GFLOP/s | OpenBLAS GFLOP/s | ratio |")
        print("|---|---|---|---|---|")
        for shape, _, flops, t, ours, theirs in rows:
            o, p = statistics.median(ours), statistics.median(theirs)
            print(f"| {shape} | {t} | {flops / o / 1e6:.1f} | {flops / p / 1e6:.1f} | {p / o:.2f}x |")
            raw.append({"shape": shape, "threads": t, "isthmus_ms": ours, "peer_ms": theirs})
    with open(os.path.join(out_dir, f"vs-peers-{suite}.json"), "w") as f:
        json.dump(raw, f, indent=1)


if __name__ == "__main__":
    main()
