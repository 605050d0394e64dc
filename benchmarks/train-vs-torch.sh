#!/usr/bin/env bash
# TrainStepBenchmark, then the same network, batches and optimizer in PyTorch (Debian's
# python3-torch), one after the other; prints the benchmarks/README.md table.
#   benchmarks/train-vs-torch.sh [extra JMH options, e.g. -prof gc]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT_DIR:-$here/target/results}
python=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"
"$here/run.sh" TrainStepBenchmark -rf json -rff "$out/train-jmh.json" "$@"
"$here/peer.sh" "$here/torch_chestxraynet.py" 1 > "$out/torch-train-1.json"
"$here/peer.sh" "$here/torch_chestxraynet.py" "$(nproc)" > "$out/torch-train-$(nproc).json"
"$python" "$here/train-table.py" "$out/train-jmh.json" "$out/torch-train-1.json" "$out/torch-train-$(nproc).json"
