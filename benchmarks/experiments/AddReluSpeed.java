import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What an Add + ReLU pass costs per value in cache and out of it: the fused pass as it ran
 * (a scalar sum a 4,096-float chunk at a time, then the vector ReLU) and one vector loop, over
 * {@code n} floats per array (three arrays). 32,768 floats stay in L2; 1M do not.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector benchmarks/experiments/AddReluSpeed.java 32768   (then 1048576)
 * </pre>
 */
public class AddReluSpeed {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static void scalarSum(float[] x0, float[] x1, float[] y, int from, int to) {
        for (int i = from; i < to; i++) y[i] = x0[i] + x1[i];
    }
    static void relu(float[] y, int from, int n) {
        FloatVector zero = FloatVector.zero(S);
        int i = from, end = from + n - n % S.length();
        for (; i < end; i += S.length()) { FloatVector v = FloatVector.fromArray(S, y, i); v.blend(zero, v.compare(VectorOperators.LT, zero)).intoArray(y, i); }
        for (; i < from + n; i++) { float v = y[i]; y[i] = v < 0 ? 0 : v; }
    }
    static void current(float[] x0, float[] x1, float[] y, int from, int to) {
        for (int c = from; c < to; c += 4096) { int end = Math.min(to, c + 4096); scalarSum(x0, x1, y, c, end); relu(y, c, end - c); }
    }
    static void vec(float[] x0, float[] x1, float[] y, int from, int to) {
        FloatVector zero = FloatVector.zero(S);
        int i = from, end = to - (to - from) % S.length();
        for (; i < end; i += S.length()) { FloatVector v = FloatVector.fromArray(S, x0, i).add(FloatVector.fromArray(S, x1, i)); v.blend(zero, v.compare(VectorOperators.LT, zero)).intoArray(y, i); }
        for (; i < to; i++) { float v = x0[i] + x1[i]; y[i] = v < 0 ? 0 : v; }
    }
    public static void main(String[] a) {
        int n = Integer.parseInt(a[0]);
        float[] x0 = new float[n], x1 = new float[n], y = new float[n];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < n; i++) { x0[i] = r.nextFloat() - .5f; x1[i] = r.nextFloat() - .5f; }
        for (int rep = 0; rep < 6; rep++) {
            for (int k = 0; k < 2; k++) {
                long t0 = System.nanoTime(); int it = 0;
                while (System.nanoTime() - t0 < 1_000_000_000L) { if (k == 0) current(x0, x1, y, 0, n); else vec(x0, x1, y, 0, n); it++; }
                double ns = (System.nanoTime() - t0) / (double) it / n;
                System.out.printf("%s %.3f ns/elem%n", k == 0 ? "current" : "vector ", ns);
            }
        }
    }
}
