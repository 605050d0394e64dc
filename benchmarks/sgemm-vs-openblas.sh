#!/usr/bin/env bash
# Measures SgemmBenchmark and the same shapes through OpenBLAS (numpy) in one run, one after the
# other, and prints the benchmarks/README.md table. Needs: apt-get install python3-numpy libopenblas0-pthread
#   benchmarks/sgemm-vs-openblas.sh [extra JMH options]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT_DIR:-$here/target/results}
# Debian's numpy links libopenblas0-pthread; a pip numpy in PATH would bring its own OpenBLAS.
python=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"
lanes=$("$here/run.sh" --lanes)
"$here/run.sh" FmaPeakBenchmark -p lanes="$lanes" -rf json -rff "$out/fma-peak.json"
"$here/run.sh" SgemmBenchmark -rf json -rff "$out/sgemm-jmh.json" "$@"
OPENBLAS_NUM_THREADS=1 "$here/peer.sh" "$here/openblas_sgemm.py" > "$out/openblas-1.json"
OPENBLAS_NUM_THREADS=$(nproc) "$here/peer.sh" "$here/openblas_sgemm.py" > "$out/openblas-$(nproc).json"
"$python" "$here/sgemm-table.py" "$out/sgemm-jmh.json" "$out/openblas-1.json" "$out/openblas-$(nproc).json" "$out/fma-peak.json"
