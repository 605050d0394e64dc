#!/usr/bin/env python3
"""Which register tile suits the SGEMM micro-kernel? Writes TileShapes.java, a copy of Tile8x2's
loop for several tile shapes (rows x vectors of C), and runs it on the JDK 25 that
benchmarks/run.sh finds: each shape over a packed A block (mc x kc, in L2) and B micro-panels
(kc x NR, in L1), best of 40 repetitions, in GFLOP/s. No packing, no C traffic beyond the tile:
the ceiling of the micro-kernel alone.

    [STEPS=4] [SHAPES=8x2,12x2] benchmarks/experiments/tile_shapes.py [KC ...]     (default 128 256 384)

STEPS: steps of k a trip of each loop, written out as Tile8x2.packed's are (1; Tile8x2 takes 4);
SHAPES: rows x vectors of each tile (8x2,4x4,5x4,6x3,12x2,6x4). Runs under -XX:+UseSerialGC, as
the benchmarks' JVMs do.
"""
import os
import sys

import java_source

SHAPES = [tuple(map(int, s.split("x"))) for s in os.environ.get("SHAPES", "8x2,4x4,5x4,6x3,12x2,6x4").split(",")]
STEPS = int(os.environ.get("STEPS", "1"))


def kernel(mr, nv):
    name = f"t{mr}x{nv}"
    out = [f"    static void {name}(int kc, int mc, float[] ap, float[] bp, int bOff, float[] c, int cOff, int ldc) {{",
           f"        final int MR = {mr}, NR = {nv} * LN;",
           "        for (int ir = 0; ir < mc; ir += MR) {",
           "            int aOff = ir * kc, at = cOff + ir * ldc;"]
    for i in range(mr):
        out.append("            " + " ".join(f"FloatVector c{i}_{j} = FloatVector.zero(S);" for j in range(nv)))
    out += ["            for (int p = 0; p + STEPS <= kc; p += STEPS) {", "                FloatVector av;"]
    for t in range(STEPS):
        out.append(f"                int ai{t} = aOff + (p + {t}) * MR, bi{t} = bOff + (p + {t}) * NR;")
        out += [f"                FloatVector b{t}_{j} = FloatVector.fromArray(S, bp, bi{t} + {j} * LN);" for j in range(nv)]
        for i in range(mr):
            out.append(f"                av = FloatVector.broadcast(S, ap[ai{t} + {i}]);")
            out += [f"                c{i}_{j} = av.fma(b{t}_{j}, c{i}_{j});" for j in range(nv)]
    out.append("            }")
    for i in range(mr):
        for j in range(nv):
            at = f"at + {i} * ldc + {j} * LN"
            out.append(f"            FloatVector.fromArray(S, c, {at}).add(c{i}_{j}).intoArray(c, {at});")
    out += ["        }", "    }"]
    return "\n".join(out)


def source():
    calls = "\n".join(f'        run("{m}x{n}", kc, {m}, {n}, TileShapes::t{m}x{n});' for m, n in SHAPES)
    kernels = "\n".join(kernel(m, n) for m, n in SHAPES)
    return f"""import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

public class TileShapes {{
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int LN = S.length(), STEPS = {STEPS};

    interface Kernel {{ void run(int kc, int mc, float[] ap, float[] bp, int bOff, float[] c, int cOff, int ldc); }}

{kernels}

    static void run(String name, int kc, int mr, int vectors, Kernel k) {{
        int mc = 240 / mr * mr, nr = vectors * LN, nc = 960 / nr * nr; // whole tiles
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
    java_source.run("TileShapes", source(), (sys.argv[1:] or ["128", "256", "384"]), ["-XX:+UseSerialGC"])


if __name__ == "__main__":
    main()
