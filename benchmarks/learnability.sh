#!/usr/bin/env bash
# Does the main job learn on every seed? Runs `isthmus train` on the generated chest X-rays for each
# seed and each initialisation, with every other setting at the main job's default, then a logistic
# regression on the same splits, and prints the table of epochs to leave ln 2 and test accuracy.
# Takes minutes (a run is about 10 s on a quiet 2-core machine): a benchmark, not a test.
#   benchmarks/learnability.sh                          # seeds 0..9, --init he and --init pytorch
#   SEEDS="0 1 2" INITS=he benchmarks/learnability.sh   # fewer
#   TORCH_SEEDS="0 1 2" benchmarks/learnability.sh      # also PyTorch itself on those seeds' splits
# Environment: SEEDS, INITS, EPOCHS (10), TORCH_SEEDS (none), OUT_DIR (benchmarks/target/learnability),
# PYTHON (/usr/bin/python3, with torch, numpy and PIL for TORCH_SEEDS).
# Builds the command line with `./mvnw package` (nothing is installed); the images go to
# OUT_DIR/cache, the run folders to OUT_DIR/runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=${OUT_DIR:-$here/target/learnability}
seeds=${SEEDS:-0 1 2 3 4 5 6 7 8 9}
inits=${INITS:-he pytorch}
epochs=${EPOCHS:-10}
torch_seeds=${TORCH_SEEDS:-}
python=${PYTHON:-/usr/bin/python3}

jdk=${JDK25_HOME:-}
if [ -z "$jdk" ]; then
  for d in /usr/lib/jvm/*/ "$HOME"/.sdkman/candidates/java/*/ "$HOME"/.jdks/*/ ${JAVA_HOME:+"$JAVA_HOME"/}; do
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$d/release" 2>/dev/null || true)
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ -x "$d/bin/java" ]; then jdk=${d%/}; break; fi
  done
fi
[ -n "$jdk" ] || { echo "learnability.sh: no JDK 25+ found under /usr/lib/jvm, ~/.sdkman or ~/.jdks; set JDK25_HOME" >&2; exit 1; }
java="$jdk/bin/java --add-modules jdk.incubator.vector -XX:+UseSerialGC"

(cd "$top" && ./mvnw -q -B -ntp -pl isthmus-cli -am package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime)
jar=$(ls "$top"/isthmus-cli/target/isthmus-cli-*.jar | grep -v -e sources -e javadoc | head -1)
cp="$jar:$(cat "$top/isthmus-cli/target/classpath.txt")"

mkdir -p "$out/runs"
rm -f "$out"/runs/*.log "$out"/torch-*.json "$out/logistic.jsonl"
{ echo "commit $(git -C "$top" rev-parse --short HEAD)$(git -C "$top" diff --quiet HEAD -- . || echo ' (uncommitted changes)')";
  echo "date $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, JDK $("$jdk/bin/java" -version 2>&1 | head -1)"; } > "$out/about.txt"
for init in $inits; do
  for seed in $seeds; do
    run="$out/runs/$init-seed$seed"
    rm -rf "$run"
    echo "train --seed $seed --init $init" >&2
    $java -cp "$cp" dev.isthmus.cli.IsthmusCli train --seed "$seed" --init "${init^^}" --epochs "$epochs" \
      --cache "$out/cache" --output "$run" > "$run.log" 2>&1 || { echo "failed: see $run.log" >&2; exit 1; }
  done
done
echo "logistic regression on the same splits" >&2
# shellcheck disable=SC2086
$java -cp "$cp" "$here/LogisticBaseline.java" "$out/cache" "$out/logistic" $seeds 2>/dev/null > "$out/logistic.jsonl"
for seed in $torch_seeds; do
  echo "PyTorch, seed $seed" >&2
  [ -f "$out/logistic/split-$seed.tsv" ] || $java -cp "$cp" "$here/LogisticBaseline.java" "$out/cache" "$out/logistic" "$seed" > /dev/null 2>&1
  (cd "$here" && "$python" torch_learnability.py "$out/logistic/split-$seed.tsv" "$seed" "$epochs") > "$out/torch-$seed.json"
done
"$python" "$here/learnability-table.py" "$out"
