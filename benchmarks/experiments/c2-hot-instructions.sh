#!/usr/bin/env bash
# Where inside one C2-compiled kernel method the time goes: `perf record` samples of a warm
# Sampler, counted per machine instruction of that method's last C2 compilation (no hsdis needed:
# the JVM prints the code bytes, objdump decodes them). A sample lands on the instruction after
# the one that stalled, so a count under the instruction that follows a load says the load missed.
#   benchmarks/experiments/c2-hot-instructions.sh CLASS::METHOD "SAMPLER LINE" [SECONDS]
#   e.g. benchmarks/experiments/c2-hot-instructions.sh \
#          dev.isthmus.kernels.conv.Winograd4x4Convolution::transformOutputLeft \
#          "conv pooled-forward 32 64 32 64 3 1 1 1" 6
# The line is warmed for 8 s, then sampled for SECONDS (6) on CPU ${CPU:-1}; prints the method's
# share of all samples, then its instructions hottest first (TOP, 40), the whole listing left in
# ${OUT:-/tmp}/c2-hot-METHOD.txt. PRE="LINE;LINE" runs those lines first, 5 s each (to reproduce
# a compile order). JAR=path reads another benchmarks.jar; JAVA_OPTS=-XX:UseAVX=2 the AVX2 path.
# Needs perf (Debian's linux-perf) allowed to record this user's processes.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 2 ] || [ $# -gt 3 ] || [[ "$1" != *::* ]]; then
  echo "usage: $0 CLASS::METHOD \"SAMPLER LINE\" [SECONDS] (got $# arguments${1:+, first '$1'})" >&2; exit 2
fi
method=$1 line=$2 seconds=${3:-6} name=${1##*::} out=${OUT:-/tmp} jar=${JAR:-$here/target/benchmarks.jar}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "SECONDS must be a whole number of seconds, got '$seconds'" >&2; exit 2; }
[ -f "$jar" ] || { echo "no $jar: build it (benchmarks/run.sh builds it when missing)" >&2; exit 2; }
command -v perf >/dev/null || { echo "no perf on PATH (Debian: apt-get install linux-perf)" >&2; exit 2; }
java=$("$here/run.sh" --java)
fifo=$(mktemp -u "$out/c2-hot-XXXXXX.fifo")
mkfifo "$fifo"
trap 'rm -f "$fifo"' EXIT
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
taskset -c "${CPU:-1}" "$java" ${JAVA_OPTS:-} -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,"$method" \
  --add-modules jdk.incubator.vector -Xms4g -Xmx4g -XX:+UseSerialGC -cp "$jar" dev.isthmus.benchmarks.Sampler \
  < "$fifo" > "$out/c2-hot-$name.jvm" 2>&1 &
pid=$!
exec 3> "$fifo"
trap '' PIPE # a JVM that died is reported below, not by a silent SIGPIPE
# PRE="LINE;LINE": lines run first, 5 s each (C2's compile order, and its traps, follow them)
IFS=';' read -ra pre <<< "${PRE:-}"
for before in "${pre[@]}"; do printf '%s 5\n' "$before" >&3 || true; sleep 6; done
printf '%s 8\n' "$line" >&3 || true
sleep 10
if ! kill -0 "$pid" 2>/dev/null; then
  echo "the Sampler JVM stopped; its output ($out/c2-hot-$name.jvm) ends:" >&2
  tail -5 "$out/c2-hot-$name.jvm" >&2; exit 1
fi
printf '%s %s\n' "$line" "$((seconds + 2))" >&3
sleep 1
perf record -q -F 4999 -p "$pid" -o "$out/c2-hot-$name.data" -- sleep "$seconds" 2>/dev/null
exec 3>&-
wait "$pid" || true
perf script -i "$out/c2-hot-$name.data" -F ip 2>/dev/null | sort | uniq -c > "$out/c2-hot-$name.ips"
python3 - "$name" "$out/c2-hot-$name.jvm" "$out/c2-hot-$name.ips" "$out/c2-hot-$name" "${TOP:-40}" <<'PY'
import re, subprocess, sys
name, jvm, ips, base, top = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
blocks, cur, code = [], None, False
for line in open(jvm, errors='replace'):
    if line.startswith('Compiled method'):  # a new compilation: keep C2's whole-method ones of this method
        cur, code = None, False
        if line.startswith('Compiled method (c2)') and '::' + name + ' (' in line and ' % ' not in line:
            cur = {'start': None, 'bytes': bytearray()}
            blocks.append(cur)
        continue
    if cur is None:
        continue
    if line.startswith('[MachCode]'):
        code = True
    elif line.startswith('[Stub Code]') or line.startswith('[Exception'):
        code = False
    elif code and ';' not in line:
        m = re.match(r'\s+0x([0-9a-f]+): ((?:[0-9a-f]{2,4}\s*\|?\s*)+)$', line)
        if m:
            at = int(m.group(1), 16)
            if cur['start'] is None:
                cur['start'] = at
            gap = at - (cur['start'] + len(cur['bytes']))
            cur['bytes'] += b'\x90' * max(0, gap) + bytes.fromhex(m.group(2).replace('|', '').replace(' ', ''))
hits = {}
for line in open(ips):
    count, ip = line.split()
    hits[int(ip, 16)] = int(count)
if not blocks:
    sys.exit(f"no C2 compilation of {name} in {jvm}: is the method hot in that line, its name right?")
def inside(b):
    return sum(c for a, c in hits.items() if b['start'] <= a < b['start'] + len(b['bytes']))
best = max(blocks, key=inside)  # the compilation that ran while perf sampled
open(base + '.bin', 'wb').write(best['bytes'])
listing = subprocess.run(['objdump', '-D', '-b', 'binary', '-mi386:x86-64', '-M', 'intel',
                          f"--adjust-vma={best['start']}", base + '.bin'], capture_output=True, text=True).stdout
rows = []
for line in listing.splitlines():
    m = re.match(r'\s+([0-9a-f]+):\t[^\t]*\t(.*)', line)
    if m:
        at = int(m.group(1), 16)
        rows.append((hits.get(at, 0), at - best['start'], m.group(2).strip()))
with open(base + '.txt', 'w') as f:
    for count, offset, text in rows:
        f.write(f"{count:7d} {offset:6x}  {text}\n")
total, mine = sum(hits.values()), inside(best)
print(f"{name}: {mine} of {total} samples ({100 * mine / max(1, total):.1f}%); hottest instructions (samples, offset):")
for count, offset, text in sorted(rows, reverse=True)[:top]:
    if count:
        print(f"{count:7d} {offset:6x}  {text[:100]}")
PY
