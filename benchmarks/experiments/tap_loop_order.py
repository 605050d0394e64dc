#!/usr/bin/env python3
"""Does the direct tile's tap loop escape C2's loop strip mining (on under G1) if it needs fewer
general registers? Writes TapLoopOrder.java, PanamaConv.tile8's loop (8 channels by 2 vectors)
four ways, and runs it on the JDK 25 that benchmarks/run.sh finds, over a staged 64-channel
56x56 image laid flat: the loop as it was before 7a7e65b ("cur"), the weights' index computed
from the tap ("wiFromT"), counting down to 0 so that the limit needs no register ("down", what
7a7e65b does, with the weights stored last tap first), and counting up from -k to 0 ("neg").
GFLOP/s, best of 10 passes, two rounds. JVM options go first:

    benchmarks/experiments/tap_loop_order.py -XX:+UseG1GC
    benchmarks/experiments/tap_loop_order.py -XX:+UseSerialGC
"""
import sys

import java_source

VARIANTS = [("cur", "for (int t = 0; t < k; t++, wi += 8)", None, "taps[t]"),
            ("wiFromT", "for (int t = 0; t < k; t++)", "wi + (t << 3)", "taps[t]"),
            ("down", "for (int t = k - 1; t >= 0; t--)", "wi + (t << 3)", "taps[t]"),
            ("neg", "for (int t = -k; t < 0; t++)", "wi + ((k + t) << 3)", "taps[k + t]")]


def tile(name, loop, weight_index, tap):
    acc = [f"a{o}{v}" for o in range(8) for v in range(2)]
    out = [f"    static float {name}(int k, int[] taps, float[] xp, int base, float[] wp, int wi) {{",
           "        FloatVector " + ", ".join(f"{a} = FloatVector.zero(S)" for a in acc) + ";",
           f"        {loop} {{",
           f"            int at = base + {tap};",
           f"            int wq = {weight_index or 'wi'};",
           "            FloatVector x0 = FloatVector.fromArray(S, xp, at);",
           "            FloatVector x1 = FloatVector.fromArray(S, xp, at + L);"]
    for o in range(8):
        out.append(f"            FloatVector w{o} = FloatVector.broadcast(S, wp[wq + {o}]);")
        out += [f"            a{o}{v} = x{v}.fma(w{o}, a{o}{v});" for v in range(2)]
    out += ["        }",
            "        return " + acc[0] + "".join(f".add({a})" for a in acc[1:]) + ".reduceLanes(VectorOperators.ADD);",
            "    }"]
    return "\n".join(out)


def source():
    calls = "\n".join(f"                            case {i} -> {n}(k, taps, xp, c, wp, w);"
                      for i, (n, _, _, _) in enumerate(VARIANTS[:-1]))
    last = VARIANTS[-1][0]
    names = ", ".join(f'"{n}"' for n, _, _, _ in VARIANTS)
    return f"""import jdk.incubator.vector.*;

public class TapLoopOrder {{
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int L = S.length();

{chr(10).join(tile(*v) for v in VARIANTS)}

    public static void main(String[] args) {{
{java_source.STAGED_56X56}        int positions = 56 * stride, block = 2 * L;
        String[] names = {{{names}}};
        float sink = 0;
        for (int round = 0; round < 3; round++) {{
            StringBuilder line = new StringBuilder();
            for (int v = 0; v < names.length; v++) {{
                long best = Long.MAX_VALUE;
                for (int rep = 0; rep < 10; rep++) {{
                    long t0 = System.nanoTime();
                    for (int ob = 0; ob < 8; ob++) {{
                        for (int c = 0; c + block <= positions; c += block) {{
                            int w = ob * k * 8;
                            sink += switch (v) {{
{calls}
                                default -> {last}(k, taps, xp, c, wp, w);
                            }};
                        }}
                    }}
                    best = Math.min(best, System.nanoTime() - t0);
                }}
                line.append(String.format("%s %.0f   ", names[v], 2.0 * 8 * 8 * k * (positions / block) * block / best));
            }}
            if (round > 0) System.out.println(line.toString().strip()); // round 0 is C2's warm-up
        }}
        if (sink == 42) System.out.println();
    }}
}}
"""


def main():
    options = [a for a in sys.argv[1:] if a.startswith("-")]
    java_source.run("TapLoopOrder", source(), [], options)


if __name__ == "__main__":
    main()
