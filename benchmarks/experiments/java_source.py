"""Runs a generated single-file Java program on the JDK 25 that benchmarks/run.sh finds, with the
Vector API module: the experiments that write a kernel's loop in several shapes share this."""
import os
import subprocess
import tempfile


def run(class_name, source, args, jvm_options=()):
    here = os.path.dirname(os.path.abspath(__file__))
    java = subprocess.run([os.path.join(here, "..", "run.sh"), "--java"], check=True, capture_output=True,
                          text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, class_name + ".java")
        with open(path, "w") as f:
            f.write(source)
        subprocess.run([java, *jvm_options, "--add-modules", "jdk.incubator.vector", path] + args, check=True,
                       stderr=subprocess.DEVNULL)
