#!/usr/bin/env bash
# ConvBenchmark and PoolBenchmark, then the same convolutions in PyTorch (Debian's python3-torch),
# one after the other; prints the benchmarks/README.md tables.
#   benchmarks/conv-vs-torch.sh [extra JMH options]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT_DIR:-$here/target/results}
python=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"
"$here/run.sh" 'ConvBenchmark|PoolBenchmark' -rf json -rff "$out/layers-jmh.json" "$@"
"$here/peer.sh" "$here/torch_layers.py" 1 > "$out/torch-layers-1.json"
"$here/peer.sh" "$here/torch_layers.py" "$(nproc)" > "$out/torch-layers-$(nproc).json"
"$python" "$here/conv-table.py" "$out/layers-jmh.json" "$out/torch-layers-1.json" "$out/torch-layers-$(nproc).json"
