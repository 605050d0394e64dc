package dev.isthmus.kernels;

import dev.isthmus.kernels.conv.ConvSupport;
import dev.isthmus.kernels.conv.ScalarConv;
import dev.isthmus.kernels.elementwise.ElementwiseSupport;
import dev.isthmus.kernels.elementwise.ScalarElementwise;
import dev.isthmus.kernels.gemm.GemmSupport;
import dev.isthmus.kernels.gemm.ScalarGemm;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Chooses the kernel implementation once, at class initialisation, and logs the choice once: the
 * three narrow supports (SGEMM, convolution, element-wise), all Panama or all scalar.
 *
 * <p>Panama when the module {@code jdk.incubator.vector} is in the boot layer, the JIT compiles
 * with C2 and the preferred vector species is at least 256 bits wide; scalar otherwise, or when
 * {@code -Disthmus.simd=false}. The Panama classes are loaded by name only after those checks
 * pass, so a JVM without the module never touches a Vector API type. The public kernel classes
 * hand the chosen supports to the algorithms they build; nothing below them asks this class.
 */
final class KernelProvider {

    /** {@code -Disthmus.simd=false} forces the scalar kernels. */
    static final String SIMD_PROPERTY = "isthmus.simd";
    /** Test hook: {@code -Disthmus.vectorBitSize=128|256|512} forces the vector width. */
    static final String VECTOR_BITS_PROPERTY = dev.isthmus.kernels.runtime.Vectors.VECTOR_BITS_PROPERTY;

    static final String VECTOR_MODULE = "jdk.incubator.vector";
    static final int MIN_VECTOR_BITS = 256;

    private static final System.Logger LOG = System.getLogger("dev.isthmus.kernels");

    private KernelProvider() {}

    /** The kernels every public class uses. */
    static KernelBackend get() {
        return Holder.CHOSEN.kernels;
    }

    static GemmSupport gemm() {
        return Holder.CHOSEN.kernels.gemm();
    }

    static ConvSupport conv() {
        return Holder.CHOSEN.kernels.conv();
    }

    static ElementwiseSupport elementwise() {
        return Holder.CHOSEN.kernels.elementwise();
    }

    static KernelSelection selection() {
        return Holder.CHOSEN.selection;
    }

    /** The scalar implementation, always available. */
    static KernelBackend scalar() {
        return new KernelBackend("scalar", ScalarGemm.INSTANCE, ScalarConv.INSTANCE, ScalarElementwise.INSTANCE);
    }

    /**
     * A new Panama implementation at the preferred (or forced) width, ignoring the minimum width;
     * tests use it to exercise the vector code whatever was chosen.
     *
     * @throws UnsupportedOperationException if the vector module is absent or will not load
     */
    static KernelBackend panama() {
        if (!vectorModulePresent()) {
            throw new UnsupportedOperationException(VECTOR_MODULE + " is not in the boot layer");
        }
        return new KernelBackend("panama", load(GemmSupport.class, "dev.isthmus.kernels.gemm.PanamaGemm"),
                load(ConvSupport.class, "dev.isthmus.kernels.conv.PanamaConv"),
                load(ElementwiseSupport.class, "dev.isthmus.kernels.elementwise.PanamaElementwise"));
    }

    private static <T> T load(Class<T> support, String className) {
        try {
            return support.cast(Class.forName(className).getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            throw new UnsupportedOperationException("the Panama kernels failed to load (" + className + "): " + e, e);
        }
    }

    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    private record Chosen(KernelBackend kernels, KernelSelection selection) {}

    private static final class Holder {
        static final Chosen CHOSEN = choose();
    }

    private static Chosen choose() {
        if ("false".equalsIgnoreCase(System.getProperty(SIMD_PROPERTY, "").strip())) {
            return scalarBecause(Level.INFO, "-D" + SIMD_PROPERTY + "=false was given");
        }
        if (!vectorModulePresent()) {
            return scalarBecause(Level.WARNING, "the module " + VECTOR_MODULE + " is not in the boot layer;"
                    + " add '--add-modules " + VECTOR_MODULE + "' to the java command line for the"
                    + " vectorised kernels (several times faster)");
        }
        String noC2 = c2Missing();
        if (noC2 != null) {
            return scalarBecause(Level.WARNING, noC2 + "; the Vector API is only fast when C2 compiles it");
        }
        KernelBackend panama;
        try {
            panama = panama();
        } catch (UnsupportedOperationException e) {
            return scalarBecause(Level.WARNING, e.getMessage());
        }
        boolean forced = System.getProperty(VECTOR_BITS_PROPERTY) != null;
        if (panama.vectorBitSize() < MIN_VECTOR_BITS && !forced) {
            return scalarBecause(Level.INFO, "the preferred vector width is " + panama.vectorBitSize()
                    + " bits, below the " + MIN_VECTOR_BITS + " bits the vector kernels need to beat scalar code");
        }
        String reason = forced
                ? "vector width forced by -D" + VECTOR_BITS_PROPERTY
                : "the CPU's preferred vector species is " + panama.vectorBitSize() + " bits";
        var selection = new KernelSelection("panama", panama.vectorBitSize(), reason);
        LOG.log(Level.INFO, "Isthmus kernels: " + selection);
        String hint = stripMiningHint();
        if (hint != null) {
            LOG.log(Level.INFO, "Isthmus kernels: " + hint);
        }
        return new Chosen(panama, selection);
    }

    private static Chosen scalarBecause(Level level, String reason) {
        var selection = new KernelSelection("scalar", 0, reason);
        LOG.log(level, "Isthmus kernels: " + selection);
        return new Chosen(scalar(), selection);
    }

    /** {@link #stripMiningHint(List, List)} for this JVM, or null when it cannot tell. */
    private static String stripMiningHint() {
        try {
            List<String> collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .map(bean -> bean.getName()).toList();
            return stripMiningHint(collectors, ManagementFactory.getRuntimeMXBean().getInputArguments());
        } catch (LinkageError | RuntimeException e) {
            return null; // java.management absent or restricted
        }
    }

    /**
     * A hint when C2 strip-mines the kernels' loops (a safepoint check every thousand iterations),
     * which G1, ZGC and Shenandoah turn on: the kernels ran 6-9% slower with it (a ResNet-style
     * training step 44.0 ms under G1, 40.2 with it off, 41.0 under the serial collector;
     * benchmarks/README.md). Null where the collector leaves it off or the command line turned it off.
     *
     * @param collectors the garbage collectors' MXBean names
     * @param args       the JVM's command-line options
     */
    static String stripMiningHint(List<String> collectors, List<String> args) {
        boolean on = collectors.stream().anyMatch(name -> name.startsWith("G1 ") || name.startsWith("ZGC")
                || name.startsWith("Shenandoah"));
        for (String arg : args) {
            if (arg.equals("-XX:-UseCountedLoopSafepoints") || arg.equals("-XX:LoopStripMiningIter=0")) {
                on = false;
            } else if (arg.equals("-XX:+UseCountedLoopSafepoints") || arg.startsWith("-XX:LoopStripMiningIter=")) {
                on = true;
            }
        }
        if (!on) {
            return null;
        }
        return "C2 strip-mines loops under this collector (a safepoint check every 1,000 iterations), which"
                + " slowed the kernels 6-9% in our measurements; -XX:+UseSerialGC turns it off (and suits training:"
                + " nothing is allocated per step), or, where the collector must stay,"
                + " -XX:LoopStripMiningIter=0 -XX:-UseCountedLoopSafepoints";
    }

    /** Why C2 will not compile vector code, or null when it will (or when we cannot tell). */
    private static String c2Missing() {
        try {
            List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
            for (String arg : args) {
                if (arg.equals("-Xint")) {
                    return "the JVM runs interpreted (-Xint)";
                }
                if (arg.startsWith("-XX:TieredStopAtLevel=") && !arg.endsWith("=4")) {
                    return "the JIT stops before C2 (" + arg + ")";
                }
            }
        } catch (LinkageError | RuntimeException e) {
            // java.management absent or restricted: assume C2 is on, as it is by default.
        }
        return null;
    }
}
