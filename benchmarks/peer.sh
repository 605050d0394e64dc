#!/usr/bin/env bash
# Runs a peer's Python script (PyTorch or numpy/OpenBLAS) at its best, and says how:
#   - OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset: this machine's environment pins them (a guard
#     for old OpenBLAS builds), which holds Debian's OpenBLAS 0.3.21 to its Haswell kernel on an
#     AVX-512 CPU; unset, it picks its own (Cooperlake/SkylakeX), or, on a CPU model newer than the
#     build, falls back to Prescott: then the best kernel the CPU's flags allow is named instead.
#     Only here: tests and CI keep them.
#   - An allocator that keeps PyTorch's activation buffers instead of returning them to the kernel
#     and faulting them in again every step (very expensive on this VM), as PyTorch's CPU
#     performance guide recommends: jemalloc (Debian's libjemalloc2, preloaded) when it is
#     installed, never handing memory back (dirty and muzzy decay off; the guide's own MALLOC_CONF,
#     with oversize_threshold:1 and a background thread, was slower here: benchmarks/README.md);
#     else glibc tuned (MALLOC_MMAP_THRESHOLD_ 32 MiB,
#     MALLOC_TRIM_THRESHOLD_ 16 GiB), which cannot keep a buffer above 32 MiB (glibc's ceiling
#     for the threshold): VGG's activations at batch 128 are 64 MiB each. ALLOCATOR=glibc picks
#     the tuned glibc; UNTUNED=1 leaves glibc's defaults (a footnote).
#   - ISA=avx2 holds every peer to AVX2, as on a CPU without AVX-512: OpenBLAS on its Haswell
#     kernel, oneDNN at ONEDNN_MAX_CPU_ISA=AVX2, ATen's kernels at ATEN_CPU_CAPABILITY=avx2
#     (vs_peers.py then starts Isthmus with -XX:UseAVX=2).
# The OpenBLAS kernel, the ISA and the allocator go to standard error.
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
openblas_kernel() {
  env "${clean[@]}" ${coretype[@]+"${coretype[@]}"} "$python" -c 'import threadpoolctl, numpy
blas = [i for i in threadpoolctl.threadpool_info() if i.get("internal_api") == "openblas"]
print("%s %s" % (blas[0].get("version"), blas[0].get("architecture")) if blas else "")' 2>/dev/null || true
}
coretype=()
isa=()
case "${ISA:-native}" in
  native) ;;
  avx2) coretype=(OPENBLAS_CORETYPE=Haswell)
        isa=(ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2)
        echo "peer: ISA avx2: ${coretype[*]} ${isa[*]}" >&2 ;;
  *) echo "peer: ISA must be native or avx2, got '$ISA'" >&2; exit 2 ;;
esac
kernel=$(openblas_kernel)
# OpenBLAS picks its kernel by CPU model; one newer than the build (0.3.21 knows no Emerald Rapids)
# falls back to Prescott's SSE3 kernel, 5x slower than its AVX-512 one there. Then name the best
# kernel the CPU's flags allow, as OpenBLAS's own docs advise for unknown CPUs.
[ ${#isa[@]} -gt 0 ] || case "$kernel" in
  *Prescott*|*Katmai*|*Core2*|*Penryn*|*Nehalem*|*Sandybridge*)
    flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
    case "$flags" in
      *avx512_bf16*) best=Cooperlake ;;
      *avx512f*) best=SkylakeX ;;
      *avx2*) best=Haswell ;;
      *) best="" ;;
    esac
    if [ -n "$best" ]; then
      echo "peer: OpenBLAS picked ${kernel#* } for this CPU model; its flags allow $best: OPENBLAS_CORETYPE=$best" >&2
      coretype=(OPENBLAS_CORETYPE="$best")
      kernel=$(openblas_kernel)
    fi ;;
esac
if [ -n "$kernel" ]; then
  echo "peer: OpenBLAS ${kernel% *}, kernel ${kernel#* }" >&2
else
  echo "peer: OpenBLAS kernel unknown (no OpenBLAS found through numpy and threadpoolctl)" >&2
fi
echo "peer: allocator $allocator ${alloc[*]:-(glibc defaults)}" >&2
exec env "${clean[@]}" ${coretype[@]+"${coretype[@]}"} ${isa[@]+"${isa[@]}"} ${alloc[@]+"${alloc[@]}"} "$python" "$@"
