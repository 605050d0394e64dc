#!/usr/bin/env bash
# Runs a peer's Python script (PyTorch or numpy/OpenBLAS) at its best, and says how:
#   - OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset: this machine's environment pins them (a guard
#     for old OpenBLAS builds), which holds Debian's OpenBLAS 0.3.21 to its Haswell kernel on an
#     AVX-512 CPU; unset, it picks its own (Cooperlake/SkylakeX). Only here: tests and CI keep them.
#   - glibc's allocator tuned (MALLOC_MMAP_THRESHOLD_ 32 MiB, MALLOC_TRIM_THRESHOLD_ 16 GiB), so
#     PyTorch keeps its activation buffers instead of returning them to the kernel and faulting
#     them in again every step (very expensive on this VM; PyTorch's CPU performance guide
#     recommends jemalloc or tcmalloc for the same reason). UNTUNED=1 leaves glibc's defaults.
# The OpenBLAS kernel and the allocator settings go to standard error.
#   benchmarks/peer.sh SCRIPT.py [ARGS ...]
set -euo pipefail
python=${PYTHON:-/usr/bin/python3}
malloc=(MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184)
[ "${UNTUNED:-0}" = 1 ] && malloc=()
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u MALLOC_MMAP_THRESHOLD_ -u MALLOC_TRIM_THRESHOLD_ ${malloc[@]+"${malloc[@]}"} \
  "$python" -c 'import sys, threadpoolctl, numpy
for i in threadpoolctl.threadpool_info():
    if i.get("internal_api") == "openblas":
        print("peer: OpenBLAS %s, kernel %s" % (i.get("version"), i.get("architecture")), file=sys.stderr)' || true
echo "peer: allocator ${malloc[*]:-glibc defaults (UNTUNED=1)}" >&2
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u MALLOC_MMAP_THRESHOLD_ -u MALLOC_TRIM_THRESHOLD_ \
  ${malloc[@]+"${malloc[@]}"} "$python" "$@"
