#!/usr/bin/env bash
# Peak resident memory while training ChestXRayNet (256x256, Adam, BCE): Isthmus (TrainMemory, a
# plain `java` with the JVM's default collector, then with -XX:+UseSerialGC as the main job runs)
# and PyTorch (Debian's python3-torch), each in a fresh process, one after the other, for the
# same batch, steps and threads.
#   benchmarks/memory-vs-torch.sh [steps]      (batches 16 and 64, all threads)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-/usr/bin/python3}
steps=${1:-30}
threads=$(nproc)
"$here/run.sh" --lanes > /dev/null   # builds benchmarks.jar if missing
jar="$here/target/benchmarks.jar"
java_bin=$("$here/run.sh" --java)
echo "| run | batch | threads | steps | peak RSS MiB |"
echo "|---|---|---|---|---|"
row() {
  "$python" -c 'import json, sys; r = json.loads(sys.argv[2]); print("| %s | %d | %d | %d | %.0f |" % (sys.argv[1], r["batch"], r["threads"], r["steps"], r["peak_rss_mib"]))' "$1" "$2"
}
for batch in 16 64; do
  row "Isthmus, java (G1, default heap)" \
    "$("$java_bin" --add-modules jdk.incubator.vector -cp "$jar" dev.isthmus.benchmarks.TrainMemory "$batch" "$steps" "$threads" 2>/dev/null)"
  row "Isthmus, java -XX:+UseSerialGC" \
    "$("$java_bin" --add-modules jdk.incubator.vector -XX:+UseSerialGC -cp "$jar" dev.isthmus.benchmarks.TrainMemory "$batch" "$steps" "$threads" 2>/dev/null)"
  row "PyTorch $("$python" -c 'import torch; print(torch.__version__)')" \
    "$("$here/peer.sh" "$here/torch_chestxraynet.py" --memory "$batch" "$steps" "$threads")"
done
