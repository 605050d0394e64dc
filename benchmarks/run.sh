#!/usr/bin/env bash
# Runs the JMH benchmarks on a JDK 25+ (found the way the build finds it), with the Vector API.
#   benchmarks/run.sh [JMH options]       e.g. benchmarks/run.sh SgemmBenchmark -p threads=1
# Builds the library and benchmarks.jar first when the jar is missing or BUILD=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
jdk=${JDK25_HOME:-}
if [ -z "$jdk" ]; then
  for d in /usr/lib/jvm/*/ "$HOME"/.sdkman/candidates/java/*/ "$HOME"/.jdks/*/ ${JAVA_HOME:+"$JAVA_HOME"/}; do
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$d/release" 2>/dev/null || true)
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ -x "$d/bin/java" ]; then jdk=${d%/}; break; fi
  done
fi
[ -n "$jdk" ] || { echo "benchmarks/run.sh: no JDK 25+ found under /usr/lib/jvm, ~/.sdkman or ~/.jdks; set JDK25_HOME" >&2; exit 1; }
if [ ! -f "$here/target/benchmarks.jar" ] || [ "${BUILD:-0}" = 1 ]; then
  (cd "$top" && ./mvnw -q -B install -DskipTests -pl isthmus -am && ./mvnw -q -B -f benchmarks/pom.xml package)
fi
if [ "${1:-}" = --java ]; then  # the JDK 25 java this script runs, for other scripts
  echo "$jdk/bin/java"; exit 0
fi
if [ "${1:-}" = --lanes ]; then  # the preferred vector species' lane count on this machine
  exec "$jdk/bin/java" --add-modules jdk.incubator.vector -cp "$here/target/benchmarks.jar" \
    dev.isthmus.benchmarks.FmaPeakBenchmark 2>/dev/null
fi
exec "$jdk/bin/java" --add-modules jdk.incubator.vector -jar "$here/target/benchmarks.jar" "$@"
