#!/usr/bin/env python3
"""Would a wider register tile speed up the direct convolution? Writes DirectTiles.java, a copy of
PanamaConv.tile8's loop (eight output channels by two vectors, one broadcast weight per channel
and tap) and the same loop eight channels by three vectors (24 accumulators), and runs both on
the JDK 25 that benchmarks/run.sh finds, over a staged 64-channel 56x56 image laid flat (rows of
57) and a 3x3 kernel's taps: every column block of the image for eight blocks of channels, best
of 10 passes, in GFLOP/s. No bias, ReLU or stores: the ceiling of the tile alone. Pass
`inner` to run the channel blocks innermost (PanamaConv.channelsInnermost's order).

    benchmarks/experiments/direct_tiles.py [inner]
"""
import sys

import java_source


def tile(nv):
    acc = [f"a{o}{v}" for o in range(8) for v in range(nv)]
    out = [f"    static float tile8x{nv}(int k, int[] taps, float[] xp, int base, float[] wp, int wi) {{",
           "        FloatVector " + ", ".join(f"{a} = FloatVector.zero(S)" for a in acc) + ";",
           "        for (int t = 0; t < k; t++, wi += 8) {",
           "            int at = base + taps[t];"]
    out += [f"            FloatVector x{v} = FloatVector.fromArray(S, xp, at + {v} * L);" for v in range(nv)]
    for o in range(8):
        out.append(f"            FloatVector w{o} = FloatVector.broadcast(S, wp[wi + {o}]);")
        out += [f"            a{o}{v} = x{v}.fma(w{o}, a{o}{v});" for v in range(nv)]
    out += ["        }",
            "        return " + acc[0] + "".join(f".add({a})" for a in acc[1:]) + ".reduceLanes(VectorOperators.ADD);",
            "    }"]
    return "\n".join(out)


def source():
    return f"""import jdk.incubator.vector.*;

public class DirectTiles {{
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int L = S.length();

{tile(2)}

{tile(3)}

    public static void main(String[] args) {{
        boolean inner = args.length > 0 && args[0].equals("inner");
{java_source.STAGED_56X56}        int positions = 56 * stride;
        float sink = 0;
        for (int round = 0; round < 4; round++) {{
            StringBuilder line = new StringBuilder();
            for (int nv = 2; nv <= 3; nv++) {{
                int block = nv * L;
                long best = Long.MAX_VALUE;
                for (int rep = 0; rep < 10; rep++) {{
                    long t0 = System.nanoTime();
                    if (inner) {{
                        for (int c = 0; c + block <= positions; c += block) {{
                            for (int ob = 0; ob < 8; ob++) {{
                                sink += nv == 2 ? tile8x2(k, taps, xp, c, wp, ob * k * 8)
                                        : tile8x3(k, taps, xp, c, wp, ob * k * 8);
                            }}
                        }}
                    }} else {{
                        for (int ob = 0; ob < 8; ob++) {{
                            for (int c = 0; c + block <= positions; c += block) {{
                                sink += nv == 2 ? tile8x2(k, taps, xp, c, wp, ob * k * 8)
                                        : tile8x3(k, taps, xp, c, wp, ob * k * 8);
                            }}
                        }}
                    }}
                    best = Math.min(best, System.nanoTime() - t0);
                }}
                long flops = 2L * 8 * 8 * k * (positions / block) * block;
                line.append(String.format("8x%d: %.0f GFLOP/s   ", nv, flops / (double) best));
            }}
            if (round > 0) System.out.println(line.toString().strip()); // round 0 is C2's warm-up
        }}
        if (sink == 42) System.out.println();
    }}
}}
"""


def main():
    java_source.run("DirectTiles", source(), sys.argv[1:])


if __name__ == "__main__":
    main()
