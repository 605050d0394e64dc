#!/usr/bin/env bash
# Does each CPU of this machine run the same work at the same speed? Times vgg's 32 -> 32
# backward on 64x64 at batch 32 (one thread) on each CPU in turn, Isthmus (a fresh Sampler JVM:
# an 8 s warm-up, then three 3 s samples) and PyTorch (peer.sh's tuned allocator: 5 s warm-up,
# then five 2 s samples), ROUNDS times. Prints ms per call.
#
#   benchmarks/experiments/cpu-speeds.sh [ROUNDS]
#
# On this project's 2-CPU VM (2026-12-04) CPU 0 ran both 10-30% slower than CPU 1 for minutes at
# a time, and then not: benchmarks/README.md, "Two CPUs, two speeds".
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
java=$("$here/run.sh" --java)
line="conv backward 32 32 64 32 3 1 1 1"
torch_script=$(mktemp --suffix=.py)
trap 'rm -f "$torch_script"' EXIT
cat > "$torch_script" <<'PY'
import time, torch
torch.set_num_threads(1)
conv = torch.nn.Conv2d(32, 32, 3, 1, 1)
x = torch.randn(32, 32, 64, 64, requires_grad=True)
y = conv(x)
dy = torch.randn_like(y)
def step():
    torch.autograd.grad(y, (x, conv.weight, conv.bias), dy, retain_graph=True)
t = time.time()
while time.time() - t < 5:
    step()
samples = []
for _ in range(5):
    t, n = time.perf_counter(), 0
    while time.perf_counter() - t < 2:
        step()
        n += 1
    samples.append((time.perf_counter() - t) / n * 1000)
print(" ".join("%.2f" % s for s in samples))
PY
for round in $(seq 1 "${1:-2}"); do
  for cpu in $(seq 0 $(($(nproc) - 1))); do
    ours=$(printf '%s 8\n%s 3\n%s 3\n%s 3\n' "$line" "$line" "$line" "$line" \
      | taskset -c "$cpu" "$java" --add-modules jdk.incubator.vector -XX:+UseSerialGC \
          -cp "$here/target/benchmarks.jar" dev.isthmus.benchmarks.Sampler 2>/dev/null \
      | awk '/^[0-9]/ { if (n++) printf "%.2f ", $1 }')
    theirs=$(taskset -c "$cpu" "$here/peer.sh" "$torch_script" 2>/dev/null)
    echo "round $round, CPU $cpu: Isthmus $ours| PyTorch $theirs"
  done
done
