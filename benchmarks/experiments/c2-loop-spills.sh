#!/usr/bin/env bash
# The machine code C2 made of one kernel method, and for each of its loops with FMAs, how many
# vector moves to and from the stack it holds (spilled accumulators or operands). No hsdis needed:
# the JVM prints the code bytes, objdump (binutils) decodes them.
#   benchmarks/experiments/c2-loop-spills.sh CLASS::METHOD "SAMPLER LINE"
#   e.g. benchmarks/experiments/c2-loop-spills.sh dev.isthmus.kernels.conv.PanamaConv::weightGradientWide \
#          "conv backward 32 16 32 16 3 1 1 1 6"
# A backward branch from a slow path (a trap's call into the runtime) also reads as a loop here: the
# innermost loop with the FMAs is the one to read. The Sampler line runs the kernel long enough for
# C2 to compile it; the full disassembly is left
# in ${OUT:-/tmp}/c2-METHOD.s. JAR=path reads another benchmarks.jar; JAVA_OPTS=-XX:UseAVX=2 the AVX2 path.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ne 2 ] || [[ "$1" != *::* ]]; then
  echo "usage: $0 CLASS::METHOD \"SAMPLER LINE\" (got $# arguments${1:+, first '$1'})" >&2; exit 2
fi
[ -f "${JAR:-$here/target/benchmarks.jar}" ] || { echo "no ${JAR:-$here/target/benchmarks.jar}: build it (benchmarks/run.sh builds it when missing)" >&2; exit 2; }
method=$1 line=$2 name=${1##*::} out=${OUT:-/tmp} jar=${JAR:-$here/target/benchmarks.jar}
java=$("$here/run.sh" --java)
echo "$line" | "$java" ${JAVA_OPTS:-} -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,"$method" \
  --add-modules jdk.incubator.vector -XX:+UseSerialGC -cp "$jar" \
  dev.isthmus.benchmarks.Sampler > "$out/c2-$name.txt" 2>&1
# the last C2 compilation of the whole method (not an on-stack replacement), its code bytes only
awk -v m="::$name (" 'index($0, "Compiled method (c2)") && index($0, m) && !index($0, " % ") {keep = 1; buf = ""; next}
     keep && /^Compiled method/ {keep = 0; last = buf}
     keep && /^  0x[0-9a-f]+: [0-9a-f][0-9a-f]/ {sub(/^  0x[0-9a-f]+: /, ""); buf = buf $0}
     END {if (keep) last = buf; printf "%s", last}' "$out/c2-$name.txt" | tr -d ' |' | xxd -r -p > "$out/c2-$name.bin"
[ -s "$out/c2-$name.bin" ] || { echo "no C2 compilation of $method in $out/c2-$name.txt" >&2; exit 1; }
objdump -D -b binary -mi386:x86-64 -M intel "$out/c2-$name.bin" > "$out/c2-$name.s"
python3 - "$out/c2-$name.s" <<'PY'
import re, sys
code = []
for line in open(sys.argv[1]):
    m = re.match(r'\s+([0-9a-f]+):\t[^\t]*\t(.*)', line)
    if m:
        code.append((int(m.group(1), 16), m.group(2).strip()))
for addr, text in code:
    jump = re.match(r'j\w+\s+0x([0-9a-f]+)', text)
    if jump and int(jump.group(1), 16) < addr:  # a backward branch closes a loop
        body = [t for a, t in code if int(jump.group(1), 16) <= a <= addr]
        fmas = sum('vfmadd' in t for t in body)
        if fmas:
            stack = sum('rsp' in t and ('zmm' in t or 'ymm' in t or 'xmm' in t) for t in body)
            print(f"loop {jump.group(1)}-{addr:x}: {len(body)} instructions, {fmas} FMAs, {stack} vector stack moves")
PY
