#!/usr/bin/env bash
# Which compiled methods a Sampler line spends its time in: a warm Sampler JVM on one CPU runs the
# line, `perf record` samples it, and `perf report` prints the hottest symbols (the JVM's perf map
# names the JIT's code; a method's share includes what C2 inlined into it).
#   benchmarks/experiments/method-shares.sh JAR "SAMPLER LINE" [SECONDS]
#   e.g. benchmarks/experiments/method-shares.sh benchmarks/target/benchmarks.jar "sgemm 1024 1024 1024 false 1" 8
# env WARM: seconds the line runs before sampling (12), TOP: symbols printed (25), CPU (1),
# JAVA_OPTS (more JVM options, e.g. -XX:UseAVX=2). Needs perf (Debian's linux-perf) allowed to
# record this user's processes. c2-hot-instructions.sh then goes inside one method.
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  sed -n '2,9p' "$0" | cut -c3- >&2
  echo "(got $# arguments)" >&2
  exit 2
fi
[ -f "$1" ] || { echo "JAR '$1' is not a file: build benchmarks/target/benchmarks.jar (benchmarks/run.sh builds it when missing)" >&2; exit 2; }
jar=$1 line=$2 seconds=${3:-8}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "SECONDS must be a whole number of seconds, got '$seconds'" >&2; exit 2; }
command -v perf >/dev/null || { echo "no perf on PATH (Debian: apt-get install linux-perf)" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
java=$("$here/run.sh" --java)
data=$(mktemp --suffix=.perf.data)
trap 'rm -f "$data"' EXIT
coproc S { exec taskset -c "${CPU:-1}" "$java" --add-modules jdk.incubator.vector -Xms4g -Xmx4g -XX:+UseSerialGC \
  -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit ${JAVA_OPTS:-} -cp "$jar" dev.isthmus.benchmarks.Sampler 2>/dev/null; }
read -r ready <&"${S[0]}"; echo "$ready"
echo "$line ${WARM:-12}" >&"${S[1]}"; read -r answer <&"${S[0]}"; echo "warm-up: $answer"
echo "$line $((seconds + 2))" >&"${S[1]}"
sleep 1
perf record -q -F 2000 -e cpu-clock -p "$S_PID" -o "$data" -- sleep "$seconds" 2>/dev/null
read -r answer <&"${S[0]}"; echo "sampled: $answer"
echo "exit" >&"${S[1]}" 2>/dev/null || true
exec {S[1]}>&-
wait "$S_PID" 2>/dev/null || true
perf report -i "$data" --no-children --sort sym --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -"${TOP:-25}"
