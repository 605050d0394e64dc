#!/usr/bin/env bash
# One warm Sampler JVM on one CPU runs Sampler lines in order and prints each line's ms per call
# beside it: how a kernel's speed moves over a JVM's first seconds, or how one workload runs after
# another (inference after training, as `isthmus train`'s validation runs it).
#   benchmarks/experiments/sampler-lines.sh JAR "LINE SECONDS;LINE SECONDS;..."
#   e.g. benchmarks/experiments/sampler-lines.sh benchmarks/target/benchmarks.jar \
#          "train resnet 32 1 25;train resnet 32 1 3;train resnet 32 1 3"
# env CPU (1), JAVA_OPTS (more JVM options, e.g. -XX:UseAVX=2).
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
set -euo pipefail
if [ $# -ne 2 ] || [ ! -f "$1" ]; then
  sed -n '2,8p' "$0" | cut -c3- >&2
  exit 2
fi
here=$(cd "$(dirname "$0")/.." && pwd)
java=$("$here/run.sh" --java)
IFS=';' read -ra lines <<< "$2"
printf '%s\n' "${lines[@]}" \
  | taskset -c "${CPU:-1}" "$java" --add-modules jdk.incubator.vector -Xms4g -Xmx4g -XX:+UseSerialGC ${JAVA_OPTS:-} \
      -cp "$1" dev.isthmus.benchmarks.Sampler 2>/dev/null \
  | paste - <(printf '%s\n' "(banner)" "${lines[@]}")
