#!/usr/bin/env bash
# Isthmus against PyTorch and OpenBLAS with their samples taking turns (vs_peers.py), the peers at
# their best (peer.sh): OpenBLAS picks its own kernel (this machine's environment pins OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE, a guard for old builds: unset here, and only here), and PyTorch runs with
# jemalloc (else glibc tuned) so that it keeps its activation buffers instead of returning them to the
# kernel every step (PyTorch's CPU performance guide recommends jemalloc or tcmalloc for this).
#   benchmarks/vs-peers.sh nets [THREADS ...]     the benchmark networks vs PyTorch
#   benchmarks/vs-peers.sh sgemm [THREADS ...]    SGEMM vs OpenBLAS
#   UNTUNED=1 benchmarks/vs-peers.sh nets 1       PyTorch with glibc's default allocator (a footnote)
#   ALLOCATOR=glibc benchmarks/vs-peers.sh nets 1 PyTorch with glibc tuned instead of jemalloc
#   ISA=avx2 benchmarks/vs-peers.sh nets 1        both sides held to AVX2, as on a CPU without AVX-512
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$here/target/benchmarks.jar" ] || BUILD=1 "$here/run.sh" --java > /dev/null
exec "$here/peer.sh" "$here/vs_peers.py" "$@"   # vs_peers.py starts the Isthmus JVM without the allocator settings
