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


# Java statements that stage a 64-channel 56x56 image laid flat (rows of 57, the 3x3 taps' offsets in
# taps, k of them) and eight channels' packed weights per tap for eight blocks: the direct tile
# experiments' data. Declares cin, stride, rows, plane, k, taps, xp and wp.
STAGED_56X56 = """        int cin = 64, stride = 57, rows = 60, plane = stride * rows, k = cin * 9;
        int[] taps = new int[k];
        for (int ic = 0, t = 0; ic < cin; ic++)
            for (int ky = 0; ky < 3; ky++)
                for (int kx = 0; kx < 3; kx++) taps[t++] = ic * plane + ky * stride + kx;
        float[] xp = new float[cin * plane + 256], wp = new float[k * 8 * 8];
        for (int i = 0; i < xp.length; i++) xp[i] = (i % 13) * 0.01f;
        for (int i = 0; i < wp.length; i++) wp[i] = (i % 5) * 0.1f;
"""
