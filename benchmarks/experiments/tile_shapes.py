#!/usr/bin/env python3
"""Which register tile suits the SGEMM micro-kernel? Writes TileShapes.java, a copy of Tile8x2's
loop for several tile shapes (rows x vectors of C), and runs it on the JDK 25 that
benchmarks/run.sh finds: each shape over a packed A block (mc x kc, in L2) and B micro-panels
(kc x NR, in L1), best of 40 repetitions, in GFLOP/s. No packing, no C traffic beyond the tile:
the ceiling of the micro-kernel alone.

    benchmarks/experiments/tile_shapes.py [KC ...]     (default 128 256 384)
"""
import sys

import java_source

SHAPES = [(8, 2), (4, 4), (5, 4), (6, 3), (12, 2), (6, 4)]


def kernel(mr, nv):
    name = f"t{mr}x{nv}"
    out = [f"    static void {name}(int kc, int mc, float[] ap, float[] bp, int bOff, float[] c, int cOff, int ldc) {{",
           f"        final int MR = {mr}, NR = {nv} * LN;",
           "        for (int ir = 0; ir < mc; ir += MR) {",
           "            int aOff = ir * kc, at = cOff + ir * ldc;"]
    for i in range(mr):
        out.append("            " + " ".join(f"FloatVector c{i}_{j} = FloatVector.zero(S);" for j in range(nv)))
    out += ["            for (int p = 0; p < kc; p++) {",
            "                int ai = aOff + p * MR, bi = bOff + p * NR;"]
    out += [f"                FloatVector b{j} = FloatVector.fromArray(S, bp, bi + {j} * LN);" for j in range(nv)]
    out.append("                FloatVector av;")
    for i in range(mr):
        out.append(f"                av = FloatVector.broadcast(S, ap[ai + {i}]);")
        out += [f"                c{i}_{j} = av.fma(b{j}, c{i}_{j});" for j in range(nv)]
    out.append("            }")
    for i in range(mr):
        for j in range(nv):
            at = f"at + {i} * ldc + {j} * LN"
            out.append(f"            FloatVector.fromArray(S, c, {at}).add(c{i}_{j}).intoArray(c, {at});")
    out += ["        }", "    }"]
    return "\n".join(out)


def source():
    calls = "\n".join(f'        run("{m}x{n}", kc, {n}, TileShapes::t{m}x{n});' for m, n in SHAPES)
    kernels = "\n".join(kernel(m, n) for m, n in SHAPES)
    return f"""import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

public class TileShapes {{
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int LN = S.length();

    interface Kernel {{ void run(int kc, int mc, float[] ap, float[] bp, int bOff, float[] c, int cOff, int ldc); }}

{kernels}

    static void run(String name, int kc, int vectors, Kernel k) {{
        int mc = 240, nr = vectors * LN, nc = 960 / nr * nr; // 240 rows: a multiple of every tile height
        float[] ap = new float[mc * kc], bp = new float[kc * nc], c = new float[mc * nc];
        java.util.Arrays.fill(ap, 0.001f);
        java.util.Arrays.fill(bp, 0.002f);
        double best = 0;
        for (int rep = 0; rep < 40; rep++) {{
            long t0 = System.nanoTime();
            for (int it = 0; it < 20; it++) {{
                for (int jr = 0; jr < nc; jr += nr) {{
                    k.run(kc, mc, ap, bp, jr * kc, c, jr, nc);
                }}
            }}
            best = Math.max(best, 2.0 * mc * nc * kc * 20 / ((System.nanoTime() - t0) / 1e9) / 1e9);
        }}
        System.out.printf("%-5s kc=%d: %.1f GFLOP/s%n", name, kc, best);
    }}

    public static void main(String[] args) {{
        for (String a : args) {{
            int kc = Integer.parseInt(a);
{calls}
        }}
    }}
}}
"""


def main():
    java_source.run("TileShapes", source(), (sys.argv[1:] or ["128", "256", "384"]))


if __name__ == "__main__":
    main()
