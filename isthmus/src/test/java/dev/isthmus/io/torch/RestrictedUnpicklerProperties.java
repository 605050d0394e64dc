package dev.isthmus.io.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.ZipFile;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A damaged pickle can only fail as a {@link TorchFormatException}: whatever byte is changed or
 * wherever the pickle is cut, the reader returns a value or refuses with its one-line message,
 * never another exception (and never runs anything; it has nothing to run).
 */
class RestrictedUnpicklerProperties {

    private static final String SEED = "20261202";

    private static byte[] pickle() throws Exception {
        Path file = Path.of(RestrictedUnpicklerProperties.class.getResource("/fixtures/torch-bn/checkpoint.pt").toURI());
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.getInputStream(zip.getEntry("checkpoint/data.pkl")).readAllBytes();
        }
    }

    @Property(tries = 500, seed = SEED)
    void anyChangedByteReadsOrFailsAsAFormatError(@ForAll @IntRange(min = 0, max = 100_000) int position,
                                                 @ForAll byte value) throws Exception {
        byte[] p = pickle();
        p[position % p.length] = value;
        assertReadsOrRefuses(p);
    }

    @Property(tries = 200, seed = SEED)
    void anyCutFailsAsAFormatError(@ForAll @IntRange(min = 0, max = 100_000) int length) throws Exception {
        byte[] p = pickle();
        byte[] cut = Arrays.copyOf(p, length % p.length);
        try {
            RestrictedUnpickler.load("cut.pkl", cut);
            throw new AssertionError("a pickle cut at " + cut.length + " of " + p.length + " bytes was read");
        } catch (TorchFormatException expected) {
            assertEquals(1, expected.getMessage().lines().count(), expected.getMessage());
        }
    }

    @Property(tries = 1, seed = SEED)
    void theWholePickleReadsAsACheckpoint() throws Exception {
        Object root = RestrictedUnpickler.load("checkpoint.pkl", pickle());
        assertEquals(3L, ((Map<?, ?>) root).get("epoch"));
    }

    private static void assertReadsOrRefuses(byte[] p) {
        try {
            RestrictedUnpickler.load("damaged.pkl", p);
        } catch (TorchFormatException e) {
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }
}
