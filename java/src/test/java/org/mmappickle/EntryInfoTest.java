package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MmapDict#entries()} says what each entry holds, so that tools need no parser of their own. */
class EntryInfoTest {
    @TempDir
    Path dir;

    @Test
    void entriesSayKindLayoutDtypeShapeAndPayloadBytes() throws Exception {
        Path p = dir.resolve("kinds.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.set("text", "hello");
            m.set("ours", NDArray.wrap(java.lang.foreign.MemorySegment.ofArray(new float[6]), DType.FLOAT32, 2, 3));
            m.set("orig", new double[] {1, 2, 3, 4}, ArrayFormat.ORIGINAL);
            m.set("masked", new MaskedArray(NDArray.wrap(java.lang.foreign.MemorySegment.ofArray(new int[4]),
                    DType.INT32, 4), NDArray.wrap(java.lang.foreign.MemorySegment.ofArray(new byte[4]), DType.BOOL, 4)));
            m.set("gone", new double[1000]);
            m.delete("gone");
            m.vacuum();   // the deleted array becomes a bytes filler: a generic value
            List<EntryInfo> es = m.entries();
            EntryInfo text = find(es, "text");
            assertEquals(EntryInfo.Kind.VALUE, text.kind());
            assertNull(text.layout());
            assertNull(text.dtype());
            EntryInfo ours = find(es, "ours");
            assertEquals(EntryInfo.Kind.NDARRAY, ours.kind());
            assertEquals(ArrayFormat.OURS, ours.layout());
            assertEquals(DType.FLOAT32, ours.dtype());
            assertArrayEquals(new long[] {2, 3}, ours.shape());
            assertEquals(24, ours.payloadBytes());
            EntryInfo orig = find(es, "orig");
            assertEquals(ArrayFormat.ORIGINAL, orig.layout());
            assertEquals(DType.FLOAT64, orig.dtype());
            assertEquals(32, orig.payloadBytes());
            EntryInfo masked = find(es, "masked");
            assertEquals(EntryInfo.Kind.MASKED, masked.kind());
            assertEquals(DType.INT32, masked.dtype());
            assertEquals(16 + 4, masked.payloadBytes());
            assertEquals(EntryInfo.Kind.VALUE, find(es, "gone").kind());
        }
    }

    private static EntryInfo find(List<EntryInfo> es, String key) {
        return es.stream().filter(e -> e.key().equals(key)).findFirst().orElseThrow();
    }
}
