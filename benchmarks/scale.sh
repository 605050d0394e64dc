#!/usr/bin/env bash
# Training throughput against thread count: TrainStepBenchmark.trainStep at one batch size for
# each thread count, then torch_chestxraynet.py at the same counts, one after the other; prints
# the table of benchmarks/README.md's "Scale" section (each one's speed-up over its run at the
# fewest threads, and the ratio to PyTorch at each count). A count PyTorch fails at (or no
# PyTorch at all) leaves its columns empty; the Isthmus figures are kept.
#   benchmarks/scale.sh [THREADS ...]     default: 1 2 4 8 ... up to nproc, and nproc itself
# BATCH=16 by default; extra JMH options in JMH_OPTS (e.g. "-wi 4 -i 3" for a quick look).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT_DIR:-$here/target/results}
python=${PYTHON:-/usr/bin/python3}
batch=${BATCH:-16}
if [ $# -gt 0 ]; then
  threads=("$@")
else
  threads=(); n=$(nproc)
  for ((t = 1; t < n; t *= 2)); do threads+=("$t"); done
  threads+=("$n")
fi
for t in "${threads[@]}"; do
  [[ "$t" =~ ^[1-9][0-9]*$ ]] || { echo "scale.sh: thread count '$t' is not a positive integer" >&2; exit 2; }
done
[[ "$batch" =~ ^[1-9][0-9]*$ ]] || { echo "scale.sh: BATCH='$batch' is not a positive integer" >&2; exit 2; }
mapfile -t threads < <(printf '%s\n' "${threads[@]}" | sort -n -u)
list=$(IFS=,; echo "${threads[*]}")
mkdir -p "$out"
# shellcheck disable=SC2086  # JMH_OPTS is a list of options
"$here/run.sh" TrainStepBenchmark.trainStep -p batch="$batch" -p threads="$list" \
  -rf json -rff "$out/scale-jmh.json" ${JMH_OPTS:-}
torch_files=()
for t in "${threads[@]}"; do
  f="$out/scale-torch-$t.json"
  if "$here/peer.sh" "$here/torch_chestxraynet.py" "$t" "$batch" > "$f"; then
    torch_files+=("$f")
  else
    echo "scale.sh: PyTorch failed at $t threads; its columns stay empty" >&2
    rm -f "$f"
  fi
done
"$python" "$here/scale-table.py" "$out/scale-jmh.json" ${torch_files[@]+"${torch_files[@]}"}
