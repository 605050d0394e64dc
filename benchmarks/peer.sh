#!/usr/bin/env bash
# Runs a peer's Python script (PyTorch or numpy/OpenBLAS) at its best, and says how:
#   - OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset: this machine's environment pins them (a guard
#     for old OpenBLAS builds), which holds Debian's OpenBLAS 0.3.21 to its Haswell kernel on an
#     AVX-512 CPU; unset, it picks its own (Cooperlake/SkylakeX). Only here: tests and CI keep them.
#   - An allocator that keeps PyTorch's activation buffers instead of returning them to the kernel
#     and faulting them in again every step (very expensive on this VM), as PyTorch's CPU
#     performance guide recommends: jemalloc (Debian's libjemalloc2, preloaded) when it is
#     installed, never handing memory back (dirty and muzzy decay off; the guide's own MALLOC_CONF,
#     with oversize_threshold:1 and a background thread, was slower here: benchmarks/README.md);
#     else glibc tuned (MALLOC_MMAP_THRESHOLD_ 32 MiB,
#     MALLOC_TRIM_THRESHOLD_ 16 GiB), which cannot keep a buffer above 32 MiB (glibc's ceiling
#     for the threshold): VGG's activations at batch 128 are 64 MiB each. ALLOCATOR=glibc picks
#     the tuned glibc; UNTUNED=1 leaves glibc's defaults (a footnote).
# The OpenBLAS kernel and the allocator go to standard error.
#   benchmarks/peer.sh SCRIPT.py [ARGS ...]
set -euo pipefail
python=${PYTHON:-/usr/bin/python3}
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
allocator=${ALLOCATOR:-$([ -f "$jemalloc" ] && echo jemalloc || echo glibc)}
[ "${UNTUNED:-0}" = 1 ] && allocator=untuned
case "$allocator" in
  jemalloc) alloc=(LD_PRELOAD="$jemalloc"
                   MALLOC_CONF="dirty_decay_ms:-1,muzzy_decay_ms:-1") ;;
  glibc) alloc=(MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184) ;;
  untuned) alloc=() ;;
  *) echo "peer.sh: ALLOCATOR must be jemalloc or glibc, got '$allocator'" >&2; exit 2 ;;
esac
clean=(-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u MALLOC_MMAP_THRESHOLD_ -u MALLOC_TRIM_THRESHOLD_ -u MALLOC_CONF -u LD_PRELOAD)
env "${clean[@]}" ${alloc[@]+"${alloc[@]}"} "$python" -c 'import sys, threadpoolctl, numpy
for i in threadpoolctl.threadpool_info():
    if i.get("internal_api") == "openblas":
        print("peer: OpenBLAS %s, kernel %s" % (i.get("version"), i.get("architecture")), file=sys.stderr)' || true
echo "peer: allocator $allocator ${alloc[*]:-(glibc defaults)}" >&2
exec env "${clean[@]}" ${alloc[@]+"${alloc[@]}"} "$python" "$@"
