package dev.isthmus.internal;

import dev.isthmus.nn.ChestXRayNet;
import dev.isthmus.nn.Parameter;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParameterChunksTest {

    @Test
    void chunksCoverEveryFloatOnceInOrder() {
        List<Parameter> params = new ArrayList<>(ChestXRayNet.build().parameters().values());
        ParameterChunks chunks = new ParameterChunks(Parameter.sizes(params));
        assertEquals(42, chunks.count(), "ChestXRayNet's 20 parameters, conv7's 25,000 weights in 13 chunks");
        int c = 0;
        for (int p = 0; p < params.size(); p++) {
            for (int at = 0; at < params.get(p).size(); c++) {
                assertEquals(p, chunks.parameter(c), "chunk " + c);
                assertEquals(at, chunks.from(c), "chunk " + c);
                assertTrue(chunks.length(c) > 0 && chunks.length(c) <= ParameterChunks.CHUNK, "chunk " + c);
                at += chunks.length(c);
                assertTrue(at <= params.get(p).size(), "chunk " + c + " runs past its parameter");
            }
        }
        assertEquals(chunks.count(), c);
        assertEquals(0, new ParameterChunks().count());
    }

    @Test
    void aMissingOrNegativeSizeIsNamed() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> new ParameterChunks((int[]) null));
        assertEquals("sizes", e.getMessage());
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> new ParameterChunks(3, -1));
        assertEquals("parameter sizes must be >= 0, got -1", n.getMessage());
    }
}
