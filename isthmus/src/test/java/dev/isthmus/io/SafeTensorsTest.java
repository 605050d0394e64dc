package dev.isthmus.io;

import static dev.isthmus.io.RawFiles.littleEndian;
import static dev.isthmus.io.RawFiles.littleEndianShorts;
import static dev.isthmus.io.RawFiles.safetensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafeTensorsTest {

    @TempDir
    Path dir;

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(SafeTensorsTest.class.getResource("/fixtures/chestxraynet-torch/" + name).toURI());
    }

    // --- the PyTorch fixtures ---

    @Test
    void readsPyTorchWeights() throws Exception {
        TensorFile f = SafeTensors.read(fixture("weights.safetensors"));
        assertEquals(20, f.tensors().size());
        assertEquals(Map.of("format", "pt", "seed", "1"), f.metadata());
        assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight"), f.names().subList(0, 3), "file order");
        StoredTensor conv1 = f.requireTensor("conv1.weight", 8, 1, 3, 3);
        assertEquals(72, conv1.size());
        assertArrayEquals(new float[] {0.3435088098049164f, -0.2942521572113037f, -0.1292409896850586f},
                Arrays.copyOf(conv1.data(), 3));
        f.requireTensor("conv7.weight", 50, 20, 5, 5);
        f.requireTensor("fc1.weight", 128, 50);
        assertEquals(-0.008458703756332397f, f.requireTensor("fc3.bias", 1).data()[0]);
    }

    @Test
    void readsPyTorchCase() throws Exception {
        TensorFile f = SafeTensors.read(fixture("case.safetensors"));
        f.requireTensor("input", 2, 1, 256, 256);
        f.requireTensor("output", 2, 1);
        f.requireTensor("loss", 1);
        f.requireTensor("grad.conv7.weight", 50, 20, 5, 5);
        assertEquals("BCELoss mean", f.metadata().get("loss"));
    }

    @Test
    void rewritingPyTorchWeightsKeepsTheirDataBytes() throws Exception {
        Path original = fixture("weights.safetensors");
        TensorFile f = SafeTensors.read(original);
        Path copy = dir.resolve("copy.safetensors");
        SafeTensors.write(copy, f);
        assertEquals(f, SafeTensors.read(copy));
        assertArrayEquals(dataRegion(Files.readAllBytes(original)), dataRegion(Files.readAllBytes(copy)));
    }

    private static byte[] dataRegion(byte[] file) {
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return Arrays.copyOfRange(file, (int) (8 + n), file.length);
    }

    // --- dtypes ---

    @Test
    void widensF16() throws IOException {
        // 1, -2, 0.5, 65504 (largest), +inf, 2^-24 (smallest subnormal)
        Path p = file("f16", safetensors("{\"h\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,12]}}",
                littleEndianShorts(0x3C00, 0xC000, 0x3800, 0x7BFF, 0x7C00, 0x0001)));
        assertArrayEquals(new float[] {1f, -2f, 0.5f, 65504f, Float.POSITIVE_INFINITY, 0x1p-24f},
                SafeTensors.read(p).requireTensor("h", 2, 3).data());
    }

    @Test
    void widensBF16() throws IOException {
        Path p = file("bf16", safetensors("{\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}",
                littleEndianShorts(0x3F80, 0xC020, 0x4049, 0xFF80)));
        assertArrayEquals(new float[] {1f, -2.5f, 3.140625f, Float.NEGATIVE_INFINITY},
                SafeTensors.read(p).requireTensor("b", 4).data());
    }

    @Test
    void roundsF64() throws IOException {
        Path p = file("f64", safetensors("{\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"e\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[8,24]}}", littleEndian(0.1, 1e300, -3.5)));
        TensorFile f = SafeTensors.read(p);
        assertArrayEquals(new float[] {0.1f}, f.requireTensor("d", new int[0]).data());
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, -3.5f}, f.requireTensor("e", 2).data());
    }

    @Test
    void mixedDtypesInOneFile() throws IOException {
        byte[] data = new byte[4 + 2];
        System.arraycopy(littleEndian(7f), 0, data, 0, 4);
        System.arraycopy(littleEndianShorts(0x3C00), 0, data, 4, 2);
        Path p = file("mixed", safetensors("{\"__metadata__\":{\"k\":\"v\"},\"f\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[0,4]},\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[4,6]}}   ", data));
        TensorFile f = SafeTensors.read(p);
        assertEquals(7f, f.requireTensor("f", 1).data()[0]);
        assertEquals(1f, f.requireTensor("h", 1).data()[0]);
        assertEquals(Map.of("k", "v"), f.metadata());
    }

    @Test
    void otherDtypesAreNamedInTheError() throws IOException {
        Path p = file("u64", safetensors("{\"step\":{\"dtype\":\"U64\",\"shape\":[],\"data_offsets\":[0,8]}}", new byte[8]));
        assertMessage(p, "tensor 'step'", "U64", "F32", "I64");
    }

    /** PyTorch's integer buffers (batch norm's counter is I64) read as float32, sign and all. */
    @Test
    void readsIntegerDtypes() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + 8 + 4 + 2 + 1 + 1 + 2).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(1L << 40).putLong(-3).putInt(-70000).putShort((short) -2).put((byte) -5).put((byte) 200)
                .put((byte) 0).put((byte) 1);
        Path p = file("ints", safetensors("{\"l\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[16,20]},"
                + "\"s\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[20,22]},"
                + "\"b\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[22,23]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[23,24]},"
                + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[24,26]}}", b.array()));
        TensorFile f = SafeTensors.read(p);
        assertArrayEquals(new float[] {1L << 40, -3}, f.requireTensor("l", 2).data());
        assertArrayEquals(new float[] {-70000}, f.requireTensor("i", new int[0]).data());
        assertArrayEquals(new float[] {-2}, f.requireTensor("s", 1).data());
        assertArrayEquals(new float[] {-5}, f.requireTensor("b", 1).data());
        assertArrayEquals(new float[] {200}, f.requireTensor("u", 1).data());
        assertArrayEquals(new float[] {0, 1}, f.requireTensor("m", 2).data());
    }

    // --- corrupt files ---

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7})
    void fileShorterThanTheLength(int size) throws IOException {
        assertMessage(file("short", new byte[size]), size + " bytes", "too short");
    }

    @Test
    void truncatedAnywhereIsAnError() throws Exception {
        byte[] whole = Files.readAllBytes(fixture("weights.safetensors"));
        int headerEnd = 8 + 1712;
        for (int cut : new int[] {0, 3, 8, 9, 100, headerEnd - 1, headerEnd, headerEnd + 1, headerEnd + 288, whole.length - 1}) {
            Path p = file("cut-" + cut, Arrays.copyOf(whole, cut));
            SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(p));
            assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
            if (cut >= headerEnd) {
                assertTrue(e.getMessage().contains("tensor 'fc3.bias'") && e.getMessage().contains("past the data region"),
                        e.getMessage());
            } else if (cut >= 8) {
                assertTrue(e.getMessage().contains("header length 1712 runs past the end of the file"), e.getMessage());
            }
        }
    }

    @Test
    void trailingBytesAreRejected() throws Exception {
        byte[] whole = Files.readAllBytes(fixture("weights.safetensors"));
        assertMessage(file("longer", Arrays.copyOf(whole, whole.length + 4)), "the last 4 bytes belong to no tensor");
    }

    @ParameterizedTest
    @ValueSource(longs = {100_000_001L, 1L << 40, -1L})
    void absurdHeaderLength(long n) throws IOException {
        assertMessage(file("huge", safetensors(n, "{}", new byte[0])), "over the limit");
    }

    @Test
    void invalidJson() throws IOException {
        assertMessage(file("json", safetensors("{\"a\":{\"dtype\":\"F32\",", new byte[0])), "not valid JSON");
        assertMessage(file("array", safetensors("[1, 2]", new byte[0])), "not a JSON object");
        assertMessage(file("two", safetensors("{} {}", new byte[0])), "content after its JSON object");
        assertMessage(file("empty", safetensors("", new byte[0])), "not a JSON object");
        assertMessage(file("entry", safetensors("{\"a\": 3}", new byte[0])), "tensor 'a'", "expected an object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dtype", "shape", "data_offsets"})
    void missingField(String field) throws IOException {
        String entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}".replace("\"" + field + "\"", "\"x\"");
        assertMessage(file("missing", safetensors("{\"w\":" + entry + "}", new byte[4])), "tensor 'w'",
                "missing \"" + field + "\"");
    }

    @Test
    void malformedFields() throws IOException {
        assertMessage(tensorFile("{\"dtype\":\"F32\",\"shape\":[-1,2],\"data_offsets\":[0,4]}", 4), "tensor 'w'", "[-1,2]");
        assertMessage(tensorFile("{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}", 4), "tensor 'w'", "shape");
        assertMessage(tensorFile("{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}", 4), "tensor 'w'", "shape");
        assertMessage(tensorFile("{\"dtype\":3,\"shape\":[1],\"data_offsets\":[0,4]}", 4), "tensor 'w'", "dtype");
        assertMessage(tensorFile("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}", 4), "tensor 'w'", "[begin, end]");
        assertMessage(tensorFile("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}", 4), "tensor 'w'", ">= 0");
        assertMessage(tensorFile("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}", 4), "tensor 'w'",
                "end before they begin");
        assertMessage(tensorFile("{\"dtype\":\"F32\",\"shape\":[1],\"dtype\":\"F16\",\"data_offsets\":[0,4]}", 4),
                "not valid JSON", "'w'", "dtype");
    }

    @Test
    void byteLengthMustMatchTheShape() throws IOException {
        assertMessage(tensorFile("{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}", 8), "tensor 'w'",
                "span 8 bytes", "[3]", "3 * 4 = 12");
        assertMessage(tensorFile("{\"dtype\":\"F32\",\"shape\":[65536,65536,65536],\"data_offsets\":[0,8]}", 8),
                "tensor 'w'", "more than a Java array");
    }

    @Test
    void offsetsMustTileTheDataRegion() throws IOException {
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        assertMessage(twoTensors(a, "[4,12]", 12), "tensor 'b'", "overlap tensor 'a'");
        assertMessage(twoTensors(a, "[0,8]", 8), "overlap");
        assertMessage(twoTensors(a, "[12,20]", 20), "bytes [8, 12) belong to no tensor", "tensor 'b'");
        assertMessage(twoTensors(a, "[8,16]", 12), "tensor 'b'", "[8, 16]", "past the data region, which is 12 bytes");
        assertMessage(twoTensors(a, "[8,16]", 20), "last 4 bytes belong to no tensor");
        // a zero-size tensor may sit between others, not inside one
        Path ok = file("zero", safetensors("{" + a + ",\"z\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[8,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", new byte[16]));
        assertEquals(List.of("a", "z", "b"), SafeTensors.read(ok).names());
        assertMessage(file("inside", safetensors("{" + a + ",\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}",
                new byte[8])), "tensor 'z'", "overlap tensor 'a'");
    }

    @Test
    void duplicateNames() throws IOException {
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        assertMessage(file("dup", safetensors("{" + a + "," + a + "}", new byte[4])), "duplicate tensor name 'a'");
        assertMessage(file("dupmeta", safetensors("{\"__metadata__\":{},\"__metadata__\":{}}", new byte[0])),
                "duplicate metadata");
    }

    @Test
    void metadataMustBeStrings() throws IOException {
        assertMessage(file("meta", safetensors("{\"__metadata__\":{\"epoch\":3}}", new byte[0])), "'epoch'", "string");
        assertMessage(file("meta2", safetensors("{\"__metadata__\":[]}", new byte[0])), "object of strings");
    }

    @Test
    void emptyFileRoundTrips() throws IOException {
        Path p = dir.resolve("empty.safetensors");
        TensorFile empty = TensorFile.builder().build();
        SafeTensors.write(p, empty);
        assertEquals(16, Files.size(p), "8-byte length and \"{}\" padded to 8");
        assertEquals(empty, SafeTensors.read(p));
    }

    // --- TensorFile ---

    @Test
    void requireTensorNamesWhatIsWrong() throws IOException {
        TensorFile f = SafeTensors.read(tensorFile("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> f.requireTensor("conv1.weight"));
        assertEquals("no tensor 'conv1.weight'; the file holds 1 tensors: [w]", missing.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> f.requireTensor("w", 1, 1));
        assertEquals("tensor 'w' has shape [1], expected [1, 1]", shape.getMessage());
    }

    @Test
    void longNameListsAreCut() {
        TensorFile.Builder b = TensorFile.builder();
        for (int i = 0; i < 45; i++) {
            b.add("t" + i, new int[0], new float[1]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.build().requireTensor("x"));
        assertTrue(e.getMessage().endsWith("t38, t39, ... (5 more)]"), e.getMessage());
    }

    @Test
    void builderRejectsDuplicateAndReservedNames() {
        TensorFile.Builder b = TensorFile.builder().add("a", new int[] {1}, new float[1]);
        assertThrows(IllegalArgumentException.class, () -> b.add("a", new int[0], new float[1]));
        assertThrows(IllegalArgumentException.class, () -> b.add("__metadata__", new int[0], new float[1]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.add("c", new int[] {2, 3}, new float[5]));
        assertEquals("tensor 'c': shape [2, 3] holds 6 values, but data has 5", e.getMessage());
    }

    // --- helpers ---

    private Path file(String name, byte[] bytes) throws IOException {
        return RawFiles.write(dir, name + ".safetensors", bytes);
    }

    private Path tensorFile(String entry, int dataBytes) throws IOException {
        return file("w", safetensors("{\"w\":" + entry + "}", new byte[dataBytes]));
    }

    private Path twoTensors(String a, String bOffsets, int dataBytes) throws IOException {
        return file("two", safetensors("{" + a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + bOffsets + "}}",
                new byte[dataBytes]));
    }

    private static void assertMessage(Path p, String... parts) {
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
        }
    }
}
