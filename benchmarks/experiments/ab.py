#!/usr/bin/env python3
"""A/B of Sampler workloads on a noisy machine: one warm Sampler JVM per variant, all pinned to
the same CPU, their samples taking turns (the order reversed every round), so that a drift in the
machine's speed falls on every variant alike. Prints, per line, each variant's median, its
fastest sample, and the median of its samples' ratios to the first variant's in the same round.

    VARIANTS="name=JAR[:OPTION,OPTION...] ..." benchmarks/experiments/ab.py ROUNDS "LINE" [LINE ...]

LINE is a Sampler command without its seconds (e.g. "conv forward 32 16 32 16 3 1 1 1"); the JVM
options after a jar are split at commas, so an option that holds a comma cannot be passed; a JVM
that does not start is named with its command (run that by hand to see its error);
env S: seconds a sample (0.5), WARM: seconds of warm-up per JVM and line (5), after which each JVM
goes on in 1 s samples until its speed settles (a fresh JVM takes 6-15 s to reach ResNet's training
speed), CPU: the CPU (1),
JAVA: the JDK 25 java (else benchmarks/run.sh --java finds it). Build benchmarks/target/benchmarks.jar
first; copy it aside to compare two builds. C2 compiles differently in each JVM (3-9% apart on
`infer resnet 32 1` for the same jar): to judge a change of a few percent, name each jar twice
(e.g. "a=A.jar b=B.jar a2=A.jar b2=B.jar").
"""
import os
import statistics
import subprocess
import sys
import time

if len(sys.argv) < 3 or "VARIANTS" not in os.environ or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
    sys.exit(__doc__)
rounds = int(sys.argv[1])
lines = sys.argv[2:]
names = [v.split("=", 1)[0] for v in os.environ["VARIANTS"].split()]
if len(set(names)) != len(names):
    sys.exit(f"ab.py: VARIANTS names must differ, got {names}")
HERE = os.path.dirname(os.path.abspath(__file__))
J = os.environ.get("JAVA") or subprocess.run([os.path.join(HERE, "..", "run.sh"), "--java"], capture_output=True,
                                             text=True, check=True).stdout.strip()
SECONDS = os.environ.get("S", "0.5")
WARM = os.environ.get("WARM", "5")
CPU = os.environ.get("CPU", "1")


def start(variant):
    name, rest = variant.split("=", 1)
    jar, _, opts = rest.partition(":")
    cmd = ["taskset", "-c", CPU, J, "--add-modules", "jdk.incubator.vector", "-Xms4g", "-Xmx4g", "-XX:+UseSerialGC"]
    cmd += [o for o in opts.split(",") if o] + ["-cp", jar, "dev.isthmus.benchmarks.Sampler"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         bufsize=1)
    ready = p.stdout.readline()
    if not ready.startswith("ready"):
        sys.exit(f"ab.py: variant {name} did not start: {' '.join(cmd)}")
    return name, p


def ask(name, p, line, seconds):
    p.stdin.write(f"{line} {seconds}\n")
    p.stdin.flush()
    answer = p.stdout.readline()
    try:
        return float(answer.split()[0])
    except (IndexError, ValueError):
        sys.exit(f"ab.py: variant {name} answered {answer.strip()!r} to {line!r}")


def warm(name, p, line):
    """WARM seconds, then 1 s samples until one is within 3% of the one before (at most a minute more):
    the JVMs share one CPU, so one still compiling would slow the others' samples (ResNet's training
    step on the Zen 5 VM took about 15 s to settle, and WARM=20 runs read it 25-114 ms)."""
    ask(name, p, line, WARM)
    previous, deadline = ask(name, p, line, 1), time.monotonic() + 60
    while time.monotonic() < deadline:
        current = ask(name, p, line, 1)
        if current > 0.97 * previous:
            return
        previous = current


procs = [start(v) for v in os.environ["VARIANTS"].split()]
for line in lines:
    for name, p in procs:
        warm(name, p, line)
    times = {name: [] for name, _ in procs}
    for r in range(rounds):
        for name, p in (procs if r % 2 == 0 else procs[::-1]):
            times[name].append(ask(name, p, line, SECONDS))
    base = procs[0][0]
    out = [f"{line}:"]
    for name, _ in procs:
        ratios = [a / b for a, b in zip(times[name], times[base])]
        out.append(f"{name} {statistics.median(times[name]):.3f} (min {min(times[name]):.3f}, "
                   f"x{statistics.median(ratios):.3f} of {base})")
    print("  ".join(out), flush=True)
for _, p in procs:
    p.stdin.close()
    p.wait()
