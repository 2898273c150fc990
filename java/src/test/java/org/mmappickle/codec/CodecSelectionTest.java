package org.mmappickle.codec;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.ArrayFormat;
import org.mmappickle.DType;
import org.mmappickle.MaskedArray;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.PickleFormatException;
import org.mmappickle.internal.store.EntryEncoder;

/** Choosing a dict's codecs, their order, and what happens when none fits. */
class CodecSelectionTest {
    @TempDir
    Path dir;

    private static MmapDict.Options only(ValueCodec... codecs) {
        return new MmapDict.Options().codecs(List.of(codecs));
    }

    @Test
    void theDefaultsAreTheBuiltInsInPriorityOrder() {
        List<ValueCodec> d = Codecs.inPriorityOrder(Codecs.defaults());
        assertEquals(List.of(Codecs.maskedArrays(), Codecs.arrays(), Codecs.generic()), d.subList(d.size() - 3, d.size()));
        assertTrue(Codecs.discovered().isEmpty(), "no provider on the test class path: " + Codecs.discovered());
    }

    @Test
    void aDictWithOnlyTheGenericCodecReadsArrayEntriesAsInMemoryCopies() throws Exception {
        Path p = dir.resolve("arrays.mmdpickle");
        NDArray small = NDArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        MaskedArray masked = new MaskedArray(NDArray.of(new double[] {1.5, 2.5}), NDArray.of(new boolean[] {false, true}));
        double[] bigData = new double[300_000];   // 2.4 MB: read through a temporary map, not a pread
        bigData[299_999] = 7;
        try (MmapDict m = MmapDict.open(p)) {
            m.put("small", small);
            m.put("masked", masked);
            m.set("original", new long[] {7, 8, 9}, ArrayFormat.ORIGINAL);
            m.put("big", bigData);
            assertTrue(((NDArray) m.get("small")).segment().isNative(), "the default codecs map arrays");
        }
        try (MmapDict m = MmapDict.open(p, only(Codecs.generic()))) {
            NDArray a = (NDArray) m.get("small");
            assertFalse(a.segment().isNative(), "a heap copy, not a view of the file");
            assertEquals(small, a);
            assertNotSame(a, m.get("small"), "copies are not kept: each get is fresh");
            a.setFloat(100f, 0, 0);   // changes the copy only
            MaskedArray ma = (MaskedArray) m.get("masked");
            assertFalse(ma.data().segment().isNative());
            assertEquals(masked, ma);
            NDArray o = (NDArray) m.get("original");
            assertFalse(o.segment().isNative());
            assertArrayEquals(new long[] {7, 8, 9}, o.toLongArray());
            NDArray big = (NDArray) m.get("big");
            assertFalse(big.segment().isNative());
            assertEquals(7.0, big.getDouble(299_999));
            // an array written by a generic-only dict is a generic value, as a nested array is written:
            // numpy.ndarray(shape, dtype, builtins.bytearray(bytes)), which is not the array layout
            m.put("written", NDArray.of(new int[] {4, 5}));
        }
        try (MmapDict m = MmapDict.openReadOnly(p)) {
            assertEquals(1f, ((NDArray) m.get("small")).getFloat(0, 0), "the file was not changed through the copy");
            NDArray w = (NDArray) m.get("written");
            assertFalse(w.segment().isNative(), "the array codec hands it to the generic reader: a copy");
            assertArrayEquals(new int[] {4, 5}, new int[] {w.getInt(0), w.getInt(1)});
        }
    }

    @Test
    void withNoCodecForAValuePutFailsWithoutChangingTheFile() throws Exception {
        // the original's test_notpicklable: mmapdict(f, picklers=[]); m['test'] = 'abc' raises
        Path p = dir.resolve("none.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.put("test", "abc");
        }
        byte[] before = Files.readAllBytes(p);
        try (MmapDict m = MmapDict.open(p, only())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.put("test", "abc"));
            assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.set("n", null));
            assertThrows(IllegalArgumentException.class, () -> m.put("a", new double[] {1}));
            assertThrows(IllegalArgumentException.class, () -> m.allocate("z", DType.FLOAT32, 10));
            assertArrayEquals(before, Files.readAllBytes(p));
            // the original's test_notreadable: here an entry no codec recognises goes to the generic reader
            assertEquals("abc", m.get("test"));
        }
        try (MmapDict m = MmapDict.open(p, only(Codecs.arrays()))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.put("s", List.of(1)));
            assertTrue(e.getMessage().contains("java.util."), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.put("m", new MaskedArray(NDArray.of(new double[] {1}),
                    NDArray.of(new boolean[] {true}))));
            assertArrayEquals(before, Files.readAllBytes(p));
            m.put("a", new double[] {1, 2});   // what it can write
            assertTrue(((NDArray) m.get("a")).segment().isNative());
        }
        byte[] afterArray = Files.readAllBytes(p);
        try (MmapDict m = MmapDict.open(p, only(Codecs.generic()))) {
            // the generic codec accepts everything, and the pickler refuses what it cannot write
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.put("t", new Object()));
            assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
            assertArrayEquals(afterArray, Files.readAllBytes(p));
        }
    }

    @Test
    void anEntryNoCodecReadsIsAFormatErrorWithItsOffset() throws Exception {
        Path p = dir.resolve("bad.mmdpickle");
        long valueOffset;
        try (MmapDict m = MmapDict.open(p)) {
            m.put("k", "0123456789");
            valueOffset = m.entries().get(0).valueOffset();
        }
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.seek(valueOffset);
            f.write(0xFF);   // no pickle opcode
        }
        byte[] before = java.nio.file.Files.readAllBytes(p);
        for (MmapDict.Options o : List.of(new MmapDict.Options(), only(), only(Codecs.arrays()))) {
            // every value is checked when the file is scanned: Python's pickle.load would fail on it too
            PickleFormatException e = assertThrows(PickleFormatException.class, () -> MmapDict.open(p, o).close());
            assertEquals(valueOffset, e.offset(), e.getMessage());
            assertEquals(p, e.file());
        }
        assertArrayEquals(before, java.nio.file.Files.readAllBytes(p), "the file is left as it was");
    }

    /** Writes strings in capitals (a one-piece value), reads only what its marker starts. */
    private static final class ShoutCodec implements ValueCodec {
        private final int priority;

        ShoutCodec(int priority) {
            this.priority = priority;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public boolean recognizes(MemorySegment head, StoredValue value) {
            return false;
        }

        @Override
        public Object read(StoredValue value) {
            throw new AssertionError("never recognises");
        }

        @Override
        public boolean canWrite(Object value) {
            return value instanceof String s && s.length() < 200;
        }

        @Override
        public EncodedValue write(Object value, WriteContext context) {
            byte[] b = ((String) value).toUpperCase().getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[b.length + 2];
            out[0] = (byte) 0x8C;
            out[1] = (byte) b.length;
            System.arraycopy(b, 0, out, 2, b.length);
            return EncodedValue.of(out, 0);
        }
    }

    /** Reads every value as a marker. */
    private static final class EverythingCodec implements ValueCodec {
        private final int priority;

        EverythingCodec(int priority) {
            this.priority = priority;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public boolean recognizes(MemorySegment head, StoredValue value) {
            return true;
        }

        @Override
        public Object read(StoredValue value) {
            return "seen " + value.key() + " (" + value.length() + " bytes)";
        }

        @Override
        public boolean canWrite(Object value) {
            return false;
        }

        @Override
        public EncodedValue write(Object value, WriteContext context) {
            throw new AssertionError();
        }
    }

    @Test
    void codecsAreTriedInDecreasingPriorityForWritingAndReading() throws Exception {
        Path p = dir.resolve("order.mmdpickle");
        List<ValueCodec> high = new ArrayList<>(Codecs.defaults());
        high.add(new ShoutCodec(5));
        try (MmapDict m = MmapDict.open(p, new MmapDict.Options().codecs(high))) {
            m.put("s", "abc");
            assertEquals("ABC", m.get("s"), "written by the higher codec, read by the generic one");
            m.put("n", 12);
            assertEquals(12, ((Number) m.get("n")).intValue());
        }
        List<ValueCodec> low = new ArrayList<>(Codecs.defaults());
        low.add(0, new ShoutCodec(GenericCodec.PRIORITY - 1));
        try (MmapDict m = MmapDict.open(p, new MmapDict.Options().codecs(low))) {
            m.put("s", "abc");
            assertEquals("abc", m.get("s"), "the generic codec comes first");
        }
        try (MmapDict m = MmapDict.open(p, only(new EverythingCodec(-1000), Codecs.generic(), new EverythingCodec(1)))) {
            assertEquals("seen s (5 bytes)", m.get("s"));
        }
        try (MmapDict m = MmapDict.open(p, only(new EverythingCodec(-1000), Codecs.generic()))) {
            assertEquals("abc", m.get("s"));
        }
    }

    /** Counts its encodings; asks for the offset, the memo start, both or neither. */
    private static final class CountingCodec implements ValueCodec {
        final AtomicInteger writes = new AtomicInteger();
        private final boolean askOffset;
        private final boolean askMemo;

        CountingCodec(boolean askOffset, boolean askMemo) {
            this.askOffset = askOffset;
            this.askMemo = askMemo;
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public boolean recognizes(MemorySegment head, StoredValue value) {
            return false;
        }

        @Override
        public Object read(StoredValue value) {
            return null;
        }

        @Override
        public boolean canWrite(Object value) {
            return true;
        }

        @Override
        public EncodedValue write(Object value, WriteContext context) {
            writes.incrementAndGet();
            long o = askOffset ? context.valueOffset() : 0;
            int m = askMemo ? context.memoStart() : 0;
            return EncodedValue.of(new byte[] {0x4E, (byte) o, (byte) m}, 0);   // NONE and two bytes
        }
    }

    @Test
    void aValueIsEncodedAgainUnderTheLockOnlyWhenAGuessItAskedForWasWrong() {
        for (boolean askOffset : new boolean[] {false, true}) {
            for (boolean askMemo : new boolean[] {false, true}) {
                CountingCodec c = new CountingCodec(askOffset, askMemo);
                EntryEncoder.Prepared prepared = EntryEncoder.prepare("v", List.of(c), null, ArrayFormat.OURS, 100, 3);
                assertEquals(1, c.writes.get());
                EncodedValue same = prepared.encoded(100, 3);
                assertEquals(1, c.writes.get(), "the guesses held");
                assertEquals(askOffset ? (byte) 100 : 0, same.structure().get(0)[1]);
                prepared.encoded(164, 3);
                assertEquals(askOffset ? 2 : 1, c.writes.get(), "offset moved; asked: " + askOffset);
                EncodedValue moved = prepared.encoded(100, 9);
                assertEquals(1 + (askOffset ? 1 : 0) + (askMemo ? 1 : 0), c.writes.get(), "memo moved; asked: " + askMemo);
                assertEquals(askMemo ? 9 : 0, moved.structure().get(0)[2]);
            }
        }
    }

    @Test
    void encodedValuesAndTheBuilderKeepTheirShape() {
        assertThrows(IllegalArgumentException.class, () -> new EncodedValue(List.of(), List.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> EncodedValue.of(new byte[0], -1));
        MemorySegment p1 = MemorySegment.ofArray(new byte[10]);
        MemorySegment p2 = MemorySegment.ofArray(new byte[3]);
        EncodedValue v = EncodedValue.builder(1000).bytes((byte) 1, (byte) 2).payload(p1).payload(p2).bytes((byte) 3)
                .build(4);
        assertEquals(3, v.structure().size(), "consecutive payloads get an empty piece between them");
        assertEquals(0, v.structure().get(1).length);
        assertEquals(2, v.payloadOffset(0));
        assertEquals(12, v.payloadOffset(1));
        assertEquals(16, v.length());
        assertEquals(13, v.payloadBytes());
        assertEquals(4, v.memoMax());
        EncodedValue.Builder b = EncodedValue.builder(1000).bytes(new byte[7]);
        assertEquals(1007, b.fileOffset());
        EncodedValue a = b.array(NDArray.of(new double[] {1, 2}), ArrayFormat.OURS).build(0);
        assertEquals(0, (1000 + a.payloadOffset(0)) % 64, "the array's payload is aligned in the file");
    }
}
