package dev.isthmus.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Laws of writing then reading safetensors files. */
class SafeTensorsProperties {

    private static final String SEED = "20261122";

    @Property(tries = 200, seed = SEED)
    void readingWhatWasWrittenGivesItBack(@ForAll("files") TensorFile file) throws IOException {
        Path path = Files.createTempFile("isthmus-roundtrip", ".safetensors");
        try {
            SafeTensors.write(path, file);
            TensorFile back = SafeTensors.read(path);
            assertEquals(file, back);
            assertEquals(file.names(), back.names(), "file order");
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Property(tries = 200, seed = SEED)
    void headerIsPaddedWithSpacesToEightBytes(@ForAll("files") TensorFile file) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, file);
        byte[] bytes = out.toByteArray();
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header length " + n);
        int end = (int) (8 + n);
        int lastBrace = end - 1;
        while (bytes[lastBrace] == ' ') {
            lastBrace--;
        }
        assertEquals('}', bytes[lastBrace]);
        assertTrue(end - 1 - lastBrace < 8, "at most 7 bytes of padding");
        long dataBytes = file.tensors().values().stream().mapToLong(t -> 4L * t.size()).sum();
        assertEquals(8 + n + dataBytes, bytes.length, "data follows the header, nothing after it");
    }

    @Provide
    Arbitrary<TensorFile> files() {
        Arbitrary<String> names = Arbitraries.strings().withChars("abcxyz._019 \"\\/中é").ofMinLength(1).ofMaxLength(12);
        Arbitrary<List<StoredTensor>> tensors = names.list().uniqueElements().ofMaxSize(6)
                .flatMap(ns -> Combinators.combine(ns.stream().map(this::tensor).toList()).as(list -> list));
        Arbitrary<Map<String, String>> metadata = Arbitraries.maps(names, Arbitraries.strings().alpha().numeric().withChars(" -:{}\"中").ofMaxLength(20)).ofMaxSize(3);
        return Combinators.combine(tensors, metadata).as(TensorFile::of);
    }

    private Arbitrary<StoredTensor> tensor(String name) {
        Arbitrary<int[]> shapes = Arbitraries.integers().between(0, 4).list().ofMaxSize(4)
                .map(dims -> dims.stream().mapToInt(Integer::intValue).toArray());
        return shapes.flatMap(shape -> Arbitraries.floats().withStandardSpecialValues().array(float[].class)
                .ofSize(Arrays.stream(shape).reduce(1, Math::multiplyExact))
                .map(data -> new StoredTensor(name, shape, data)));
    }
}
