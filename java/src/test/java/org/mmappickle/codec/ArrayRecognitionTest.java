package org.mmappickle.codec;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.ArrayFormat;
import org.mmappickle.DType;
import org.mmappickle.MaskedArray;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.internal.format.ArrayLayout;

/**
 * Issue 13 item 1: an array value is recognised as one whatever its padding (opcode and length)
 * and however few bytes the head holds, and read as views of the mapped value, never as a heap copy
 * that would drop the writes made through it.
 */
class ArrayRecognitionTest {
    private static final long SEED = Long.getLong("test.seed", System.nanoTime());
    private static final int[] PADDING_OPS = {0x43, 0x42, 0x8E};   // SHORT_BINBYTES, BINBYTES, BINBYTES8

    @TempDir
    Path dir;

    /** The value bytes of one array kind, without padding, and its payloads. */
    private record Unpadded(byte[] bytes, boolean masked, DType dtype, long[] shape) {
    }

    private static Unpadded unpadded(boolean masked, ArrayFormat layout, DType dtype, long[] shape, SplittableRandom r) {
        byte[][] s = (masked ? ArrayLayout.encodeMasked(dtype, shape, layout, 0)
                : ArrayLayout.encode(dtype, shape, layout, 0)).toArray(byte[][]::new);
        long data = dtype.itemSize();
        for (long d : shape) {
            data *= d;
        }
        long[] payloadLengths = masked ? new long[] {data, data / dtype.itemSize()} : new long[] {data};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] first = s[0];
        if (!masked && first.length > 0 && first[0] == 0x42) {   // drop the aligning padding: the test adds its own
            int p = MemorySegment.ofArray(first).get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 1);
            first = java.util.Arrays.copyOfRange(first, 5 + p + 1, first.length);
        }
        out.writeBytes(first);
        for (int i = 0; i < payloadLengths.length; i++) {
            byte[] payload = new byte[(int) payloadLengths[i]];
            if (i == 1) {
                for (int k = 0; k < payload.length; k++) {
                    payload[k] = (byte) r.nextInt(2);
                }
            } else {
                r.nextBytes(payload);
            }
            out.writeBytes(payload);
            out.writeBytes(s[i + 1]);
        }
        return new Unpadded(out.toByteArray(), masked, dtype, shape);
    }

    private static byte[] padding(int op, int p) {
        int lengthBytes = op == 0x43 ? 1 : op == 0x42 ? 4 : 8;
        byte[] b = new byte[1 + lengthBytes + p + 1];
        b[0] = (byte) op;
        for (int i = 0; i < lengthBytes; i++) {
            b[1 + i] = (byte) ((long) p >>> (8 * i));
        }
        b[b.length - 1] = 0x30;
        return b;
    }

    /** A value as the dict gives it to codecs when it is over 1 MiB: only HEAD_BYTES in memory. */
    private static final class ShortHeadValue extends StoredValue {
        private final MemorySegment all;
        private MemorySegment mapped;

        ShortHeadValue(byte[] bytes) {
            this.all = MemorySegment.ofArray(bytes);
        }

        @Override
        public String key() {
            return "k";
        }

        @Override
        public Path file() {
            return null;
        }

        @Override
        public long offset() {
            return 0;
        }

        @Override
        public long length() {
            return all.byteSize();
        }

        @Override
        public boolean writable() {
            return true;
        }

        @Override
        public MemorySegment head() {
            return all.asSlice(0, Math.min(all.byteSize(), HEAD_BYTES));
        }

        @Override
        public MemorySegment bytes() {
            return all;
        }

        @Override
        public MemorySegment map() {
            if (mapped == null) {
                mapped = Arena.ofAuto().allocate(all.byteSize(), 64);
                mapped.copyFrom(all);
            }
            return mapped;
        }

        @Override
        public NDArray.Adviser adviser() {
            return null;
        }
    }

    private static boolean inside(MemorySegment part, MemorySegment whole) {
        return part.address() >= whole.address() && part.address() + part.byteSize() <= whole.address() + whole.byteSize();
    }

    @Test
    void everyPaddingOfEveryArrayKindIsRecognisedAndReadAsAView() throws IOException {
        SplittableRandom r = new SplittableRandom(SEED);
        TreeSet<Integer> lengths = new TreeSet<>();
        for (int p = 0; p <= 300; p++) {
            lengths.add(p);
        }
        for (int p = 4000; p <= 4200; p++) {
            lengths.add(p);
        }
        for (int i = 0; i < 100; i++) {
            lengths.add(r.nextInt(70_000));
        }
        DType[] dtypes = {DType.FLOAT64, DType.INT32, DType.UINT8, DType.BOOL};
        int checked = 0;
        for (boolean masked : new boolean[] {false, true}) {
            for (ArrayFormat layout : ArrayFormat.values()) {
                for (int op : PADDING_OPS) {
                    for (int p : lengths) {
                        if (op == 0x43 && p > 255) {
                            continue;
                        }
                        DType dtype = dtypes[r.nextInt(dtypes.length)];
                        long[] shape = r.nextBoolean() ? new long[] {1 + r.nextInt(5)} : new long[] {1 + r.nextInt(3), 1 + r.nextInt(3)};
                        Unpadded u = unpadded(masked, layout, dtype, shape, r);
                        ByteArrayOutputStream value = new ByteArrayOutputStream();
                        value.writeBytes(padding(op, p));
                        value.writeBytes(u.bytes());
                        ShortHeadValue v = new ShortHeadValue(value.toByteArray());
                        String what = "seed " + SEED + ": " + (masked ? "masked " : "") + layout + " padding op 0x"
                                + Integer.toHexString(op) + " of " + p + " bytes";
                        ValueCodec codec = masked ? Codecs.maskedArrays() : Codecs.arrays();
                        assertTrue(codec.recognizes(v.head(), v), what);
                        ValueCodec other = masked ? Codecs.arrays() : Codecs.maskedArrays();
                        assertFalse(other.recognizes(v.head(), v), what + " (the other codec)");
                        Object read = codec.read(v);
                        NDArray data = masked ? ((MaskedArray) read).data() : (NDArray) read;
                        assertTrue(inside(data.segment(), v.map()), what + ": a view of the mapped value, not a copy");
                        assertEquals(dtype, data.dtype(), what);
                        assertArrayEquals(shape, data.shape(), what);
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > 4000, "cases checked: " + checked);
    }

    @Test
    void bytesThatOnlyLookPaddedAreNotArrays() {
        // padding whose declared length runs past the value, or which is not followed by POP
        SplittableRandom r = new SplittableRandom(SEED);
        for (int i = 0; i < 500; i++) {
            Unpadded u = unpadded(false, ArrayFormat.OURS, DType.FLOAT64, new long[] {3}, r);
            byte[] pad = padding(0x42, r.nextInt(200));
            byte[] value = new byte[pad.length + u.bytes().length];
            System.arraycopy(pad, 0, value, 0, pad.length);
            System.arraycopy(u.bytes(), 0, value, pad.length, u.bytes().length);
            if (r.nextBoolean()) {
                value[pad.length - 1] = 0x4E;   // NONE instead of POP
            } else {
                MemorySegment.ofArray(value).set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 1,
                        value.length + r.nextInt(1000));
            }
            ShortHeadValue v = new ShortHeadValue(value);
            assertFalse(Codecs.arrays().recognizes(v.head(), v), "seed " + SEED + " case " + i);
        }
    }

    /** The case end to end: a string value before a large array puts 43-57 bytes of padding before it. */
    @Test
    void largeArraysAfterAnyPaddingAreMappedAndKeepTheirWrites() throws IOException {
        Path probe = dir.resolve("probe.mmdpickle");
        int base = 3931;
        int p0 = writeAndPadding(probe, base);
        List<Integer> targets = new ArrayList<>();
        for (int p = 0; p <= 80; p++) {
            targets.add(p);
        }
        SplittableRandom r = new SplittableRandom(SEED);
        for (int i = 0; i < 20; i++) {
            targets.add(r.nextInt(4090));
        }
        for (int target : targets) {
            int length = base + Math.floorMod(p0 - target, 4096);
            Path f = dir.resolve("f" + target + ".mmdpickle");
            int p = writeAndPadding(f, length);
            String what = "seed " + SEED + ": a " + length + "-character string, padding " + p;
            assertEquals(target, p, what);
            try (MmapDict m = MmapDict.open(f)) {
                NDArray a = (NDArray) m.get("a");
                assertTrue(a.segment().isNative(), what + ": get returns a view of the file");
                a.setFlatDouble(7, 42.5);
                a.setFlatDouble(a.size() - 1, -1.25);
            }
            try (MmapDict m = MmapDict.openReadOnly(f)) {
                NDArray a = (NDArray) m.get("a");
                assertTrue(a.segment().isNative(), what);
                assertEquals(42.5, a.flatDouble(7), what + ": the write reached the file");
                assertEquals(-1.25, a.flatDouble(a.size() - 1), what);
            }
            Files.delete(f);
        }
    }

    /** Writes a string of the length, then a 1.1 MiB allocated array; returns the array's padding length. */
    private static int writeAndPadding(Path f, int stringLength) throws IOException {
        try (MmapDict m = MmapDict.open(f)) {
            m.put("s", "x".repeat(stringLength));
            NDArray a = m.allocate("a", DType.FLOAT64, 140_000);
            assertTrue(a.segment().isNative(), "allocate returns a view of the file");
        }
        byte[] b = Files.readAllBytes(f);
        MemorySegment s = MemorySegment.ofArray(b);
        ValueLayout.OfLong u64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        long o2 = 24 + 9 + s.get(u64, 25);
        int k = b[(int) o2 + 10] & 0xFF;
        int value = (int) o2 + 11 + k;
        assertEquals(0x42, b[value] & 0xFF, "the large array starts with BINBYTES padding");
        return s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), value + 1);
    }
}
