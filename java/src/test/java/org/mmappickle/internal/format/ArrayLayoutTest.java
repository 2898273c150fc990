package org.mmappickle.internal.format;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.ArrayFormat;
import org.mmappickle.DType;
import org.mmappickle.MaskedArray;
import org.mmappickle.NDArray;
import org.mmappickle.PickleFormatException;
import org.mmappickle.internal.format.ArrayLayout.ArrayHeader;
import org.mmappickle.internal.format.ArrayLayout.Parsed;
import org.mmappickle.py.PyComplex;
import org.mmappickle.testing.Python;
import org.mmappickle.testsupport.TestData;

class ArrayLayoutTest {

    private static final Path FILE = Path.of("test.mmdpickle");

    // ------------------------------------------------------------------------------------------ golden files

    /** The golden vectors written by mmappickle 1.0.1 (in the repository's test resources). */
    static Path vectors() {
        return TestData.vectors();
    }

    /** One entry of a golden file, cut out by the test itself (docs/format.md "Entries"). */
    record GoldenEntry(String key, long valueOffset, MemorySegment value) {
    }

    static List<GoldenEntry> entries(MemorySegment file) {
        ValueLayout.OfLong u64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        List<GoldenEntry> out = new ArrayList<>();
        long o = 24;
        long end = file.byteSize() - 11;
        while (o < end) {
            assertEquals((byte) 0x95, file.get(ValueLayout.JAVA_BYTE, o), "FRAME at " + o);
            long f = file.get(u64, o + 1);
            assertEquals((byte) 0x8C, file.get(ValueLayout.JAVA_BYTE, o + 9), "SHORT_BINUNICODE at " + (o + 9));
            int k = file.get(ValueLayout.JAVA_BYTE, o + 10) & 0xFF;
            String key = new String(file.asSlice(o + 11, k).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            long d = f - 2 - k - 8;
            long v = o + 11 + k;
            long after = v + d;
            assertEquals((byte) 0x4A, file.get(ValueLayout.JAVA_BYTE, after), key);
            assertEquals((byte) 0x30, file.get(ValueLayout.JAVA_BYTE, after + 5), key);
            byte valid = file.get(ValueLayout.JAVA_BYTE, after + 6);
            assertTrue(valid == (byte) 0x88 || valid == 0x30, key);
            assertEquals((byte) 0x30, file.get(ValueLayout.JAVA_BYTE, after + 7), key);
            if (valid == (byte) 0x88) {
                out.add(new GoldenEntry(key, v, file.asSlice(v, d)));
            }
            o += 9 + f;
        }
        assertEquals(end, o);
        return out;
    }

    private static Object manifest() throws Exception {
        return ArrayTestJson.parse(Files.readString(vectors().resolve("manifest.json")));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private static long[] shapeOf(Map<String, Object> nd) {
        return list(nd.get("shape")).stream().mapToLong(x -> ((BigInteger) x).longValueExact()).toArray();
    }

    private static NDArray view(MemorySegment value, ArrayHeader h) {
        return NDArray.wrap(value.asSlice(h.payloadOffset(), h.payloadLength()), h.dtype(), h.shape());
    }

    private static String sha256(MemorySegment s) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(s.asByteBuffer());
        return HexFormat.of().formatHex(md.digest());
    }

    private static double taggedDouble(Object o) {
        if (o instanceof Map<?, ?> m) {
            return switch ((String) m.get("$float")) {
                case "nan" -> Double.NaN;
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> throw new AssertionError(o);
            };
        }
        return o instanceof BigInteger b ? b.doubleValue() : (Double) o;
    }

    /** Compares an {@code $ndarray} tagged value with an array view: dtype.str, shape, and data or sha256. */
    static void assertTagged(Map<String, Object> nd, NDArray a, String ctx) throws Exception {
        assertEquals(nd.get("dtype"), a.dtype().typeStr(), ctx + " dtype");
        assertArrayEquals(shapeOf(nd), a.shape(), ctx + " shape");
        if (nd.containsKey("sha256")) {
            assertEquals(nd.get("sha256"), sha256(a.segment()), ctx + " sha256");
            return;
        }
        List<Object> data = list(nd.get("data"));
        assertEquals(a.size(), data.size(), ctx + " size");
        for (int i = 0; i < data.size(); i++) {
            Object want = data.get(i);
            String at = ctx + "[" + i + "]";
            switch (a.dtype().kind()) {
                case BOOL -> assertEquals(want, a.flatBoolean(i), at);
                case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, DATETIME64, TIMEDELTA64 ->
                        assertEquals(((BigInteger) want).longValueExact(), a.flatLong(i), at);
                case UINT64 -> assertEquals(want.toString(), Long.toUnsignedString(a.flatLong(i)), at);
                case FLOAT16, FLOAT32, FLOAT64 -> assertEquals(taggedDouble(want), a.flatDouble(i), at);
                case COMPLEX64, COMPLEX128 -> {
                    PyComplex c = a.flatComplex(i);
                    assertEquals(taggedDouble(list(want).get(0)), c.real(), at);
                    assertEquals(taggedDouble(list(want).get(1)), c.imag(), at);
                }
                case BYTES -> {
                    long[] idx = unravel(i, a.shape());
                    assertArrayEquals(Base64.getDecoder().decode((String) map(want).get("$bytes")), a.getBytes(idx), at);
                }
                case UNICODE -> assertEquals(want, a.getString(unravel(i, a.shape())), at);
            }
        }
    }

    private static long[] unravel(long flat, long[] shape) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    /**
     * An encoder's structural pieces with the lengths of the payloads between them (computed here
     * from the dtype and shape, independently of the encoder).
     */
    private record Encoded(byte[][] structure, long[] payloadLengths) {
        long totalLength() {
            long n = 0;
            for (byte[] s : structure) {
                n += s.length;
            }
            for (long p : payloadLengths) {
                n += p;
            }
            return n;
        }

        long payloadOffset(int i) {
            long n = 0;
            for (int k = 0; k <= i; k++) {
                n += structure[k].length + (k < i ? payloadLengths[k] : 0);
            }
            return n;
        }
    }

    private static long bytesOf(DType dtype, long[] shape) {
        long n = dtype.itemSize();
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    private static Encoded encode(DType dtype, long[] shape, ArrayFormat layout, long offset) {
        return new Encoded(ArrayLayout.encode(dtype, shape, layout, offset).toArray(byte[][]::new),
                new long[] {bytesOf(dtype, shape)});
    }

    private static Encoded encodeMasked(DType dtype, long[] shape, ArrayFormat layout, long offset) {
        return new Encoded(ArrayLayout.encodeMasked(dtype, shape, layout, offset).toArray(byte[][]::new),
                new long[] {bytesOf(dtype, shape), bytesOf(DType.BOOL, shape)});
    }

    /** Rebuilds a value from the encoder's structure and the value's own payload bytes, and compares. */
    private static void assertReencodes(Encoded e, Parsed p, MemorySegment value, String key) {
        assertEquals(value.byteSize(), e.totalLength(), key + " length");
        ArrayHeader[] headers = p.masked() ? new ArrayHeader[] {p.data(), p.mask()} : new ArrayHeader[] {p.data()};
        assertEquals(headers.length + 1, e.structure().length, key);
        long at = 0;
        for (int i = 0; i < e.structure().length; i++) {
            byte[] s = e.structure()[i];
            assertArrayEquals(value.asSlice(at, s.length).toArray(ValueLayout.JAVA_BYTE), s, key + " structure " + i);
            at += s.length;
            if (i < headers.length) {
                assertEquals(headers[i].payloadOffset(), at, key + " payload " + i);
                assertEquals(e.payloadOffset(i), at, key + " payloadOffset(" + i + ")");
                assertEquals(headers[i].payloadLength(), e.payloadLengths()[i], key);
                at += e.payloadLengths()[i];
            }
        }
        assertEquals(value.byteSize(), at, key);
    }

    @Test
    void parsesEveryGoldenArrayAndReencodesItByteForByte() throws Exception {
        Object manifest = manifest();
        MemorySegment file = MemorySegment.ofArray(Files.readAllBytes(vectors().resolve("arrays.mmdpickle")));
        Map<String, Object> keys = map(ArrayTestJson.at(manifest, "files", "arrays.mmdpickle", "keys"));
        List<GoldenEntry> entries = entries(file);
        assertEquals(keys.keySet(), new java.util.LinkedHashSet<>(entries.stream().map(GoldenEntry::key).toList()));
        for (GoldenEntry g : entries) {
            Parsed p = ArrayLayout.parse(g.value(), FILE, g.valueOffset());
            assertNotNull(p, g.key());
            assertEquals(ArrayFormat.ORIGINAL, p.layout(), g.key());
            assertFalse(p.masked(), g.key());
            assertTagged(map(map(keys.get(g.key())).get("$ndarray")), view(g.value(), p.data()), g.key());
            for (long offset : new long[] {0, g.valueOffset(), 12345}) {
                assertReencodes(encode(p.data().dtype(), p.data().shape(), ArrayFormat.ORIGINAL, offset), p, g.value(), g.key());
            }
        }
        assertTrue(keys.containsKey("scalar_0d") && keys.containsKey("ones_8d") && keys.containsKey("empty_stub"));
    }

    @Test
    void parsesEveryGoldenMaskedArrayAndReencodesItByteForByte() throws Exception {
        Object manifest = manifest();
        MemorySegment file = MemorySegment.ofArray(Files.readAllBytes(vectors().resolve("masked.mmdpickle")));
        Map<String, Object> keys = map(ArrayTestJson.at(manifest, "files", "masked.mmdpickle", "keys"));
        List<GoldenEntry> entries = entries(file);
        assertEquals(keys.size(), entries.size());
        for (GoldenEntry g : entries) {
            Parsed p = ArrayLayout.parse(g.value(), FILE, g.valueOffset());
            assertNotNull(p, g.key());
            assertEquals(ArrayFormat.ORIGINAL, p.layout(), g.key());
            assertTrue(p.masked(), g.key());
            Map<String, Object> m = map(map(keys.get(g.key())).get("$masked"));
            NDArray data = view(g.value(), p.data());
            NDArray mask = view(g.value(), p.mask());
            assertTagged(map(map(m.get("data")).get("$ndarray")), data, g.key() + ".data");
            assertTagged(map(map(m.get("mask")).get("$ndarray")), mask, g.key() + ".mask");
            new MaskedArray(data, mask);
            assertReencodes(encodeMasked(p.data().dtype(), p.data().shape(), ArrayFormat.ORIGINAL, g.valueOffset()),
                    p, g.value(), g.key());
        }
    }

    // ------------------------------------------------------------------------------------------ our layout

    private static final long[][] SHAPES = {{}, {0}, {1}, {3}, {2, 3}, {0, 3}, {3, 0}, {2, 1, 3}, {1, 2, 1, 2}, {1, 1, 1, 1, 1, 2},
            {300}, {70000}, {256, 256}, {1L << 31, 0}};
    private static final DType[] DTYPES = {DType.BOOL, DType.INT8, DType.UINT16, DType.FLOAT32, DType.FLOAT64,
            DType.COMPLEX128, DType.FLOAT64.withOrder(ByteOrder.BIG_ENDIAN), DType.unicode(3), DType.bytes(5),
            DType.DATETIME64_NS};

    private static MemorySegment assemble(Encoded e) {
        byte[] b = new byte[Math.toIntExact(e.totalLength())];
        int at = 0;
        for (int i = 0; i < e.structure().length; i++) {
            System.arraycopy(e.structure()[i], 0, b, at, e.structure()[i].length);
            at += e.structure()[i].length;
            if (i < e.payloadLengths().length) {
                for (long k = 0; k < e.payloadLengths()[i]; k++) {
                    b[at++] = (byte) (k * 7 + i);
                }
            }
        }
        return MemorySegment.ofArray(b);
    }

    private static void assertAligned(long fileOffset, long payloadLength) {
        if (payloadLength > 0) {
            long align = payloadLength >= 65536 ? 4096 : 64;
            assertEquals(0, fileOffset % align, "payload of " + payloadLength + " bytes at " + fileOffset);
        }
    }

    @Test
    void oursRoundTripsWithAlignedPayloads() {
        Random r = new Random(42);
        for (DType d : DTYPES) {
            for (long[] shape : SHAPES) {
                long bytes = d.itemSize();
                for (long x : shape) {
                    bytes *= x;
                }
                if (bytes > 1 << 22) {
                    continue;
                }
                for (int t = 0; t < 5; t++) {
                    long offset = t == 0 ? 0 : t == 1 ? 4096 - 17 : r.nextLong(1L << 40);
                    Encoded e = encode(d, shape, ArrayFormat.OURS, offset);
                    MemorySegment v = assemble(e);
                    Parsed p = ArrayLayout.parse(v, FILE, offset);
                    assertNotNull(p);
                    assertEquals(ArrayFormat.OURS, p.layout());
                    assertFalse(p.masked());
                    assertEquals(new ArrayHeader(d, shape, e.payloadOffset(0), e.payloadLengths()[0]), p.data());
                    assertEquals(bytes, p.data().payloadLength());
                    assertAligned(offset + p.data().payloadOffset(), bytes);

                    Encoded m = encodeMasked(d, shape, ArrayFormat.OURS, offset);
                    MemorySegment mv = assemble(m);
                    Parsed mp = ArrayLayout.parse(mv, FILE, offset);
                    assertTrue(mp.masked());
                    assertEquals(ArrayFormat.OURS, mp.layout());
                    assertEquals(new ArrayHeader(d, shape, m.payloadOffset(0), bytes), mp.data());
                    assertEquals(new ArrayHeader(DType.BOOL, shape, m.payloadOffset(1), bytes / d.itemSize()), mp.mask());
                    assertAligned(offset + mp.data().payloadOffset(), bytes);
                    assertAligned(offset + mp.mask().payloadOffset(), bytes / d.itemSize());

                    Encoded o = encode(d, shape, ArrayFormat.ORIGINAL, offset);
                    Parsed op = ArrayLayout.parse(assemble(o), FILE, offset);
                    assertEquals(ArrayFormat.ORIGINAL, op.layout());
                    assertEquals(new ArrayHeader(d, shape, o.payloadOffset(0), bytes), op.data());
                    Parsed omp = ArrayLayout.parse(assemble(encodeMasked(d, shape, ArrayFormat.ORIGINAL, offset)), FILE, offset);
                    assertTrue(omp.masked());
                    assertEquals(ArrayFormat.ORIGINAL, omp.layout());
                }
            }
        }
    }

    @Test
    void oursStartsAsFormatMdSays() {
        Encoded e = encode(DType.FLOAT64, new long[] {3}, ArrayFormat.OURS, 0);
        byte[] s0 = e.structure()[0];
        String text = new String(s0, StandardCharsets.ISO_8859_1);
        assertEquals(0x42, s0[0], "padding first");
        int g = text.indexOf("\u008c\u0005numpy\u008c\u0007ndarray\u0093");
        assertTrue(g > 0, text);
        assertEquals(0x30, s0[g - 1]);
        assertEquals("\u008c\u0005numpy\u008c\u0007ndarray\u0093K\u0003\u0085\u008c\u0007float64\u0096\u0018\0\0\0\0\0\0\0",
                text.substring(g));
        assertArrayEquals(new byte[] {(byte) 0x87, 0x52}, e.structure()[1]);
        assertEquals(64, s0.length);
        Encoded m = encodeMasked(DType.FLOAT64, new long[] {3}, ArrayFormat.OURS, 0);
        assertTrue(new String(m.structure()[0], StandardCharsets.ISO_8859_1).startsWith("\u008c\u0008numpy.ma\u008c\u000bMaskedArray\u0093"));
        assertArrayEquals(new byte[] {(byte) 0x87, 0x52, (byte) 0x86, 0x52}, m.structure()[2]);
    }

    @Test
    void shapesArePickledAsPythonPicklesInts() {
        assertArrayEquals(new byte[] {0x29}, ArrayLayout.shapeBytes(new long[0]));
        assertArrayEquals(new byte[] {0x4B, (byte) 255, (byte) 0x85}, ArrayLayout.shapeBytes(new long[] {255}));
        assertArrayEquals(new byte[] {0x4D, 0, 1, (byte) 0x85}, ArrayLayout.shapeBytes(new long[] {256}));
        assertArrayEquals(new byte[] {0x4A, 0, 0, 1, 0, (byte) 0x85}, ArrayLayout.shapeBytes(new long[] {65536}));
        assertArrayEquals(new byte[] {0x4A, -1, -1, -1, 0x7F, (byte) 0x85}, ArrayLayout.shapeBytes(new long[] {Integer.MAX_VALUE}));
        assertArrayEquals(new byte[] {(byte) 0x8A, 5, 0, 0, 0, (byte) 0x80, 0, (byte) 0x85}, ArrayLayout.shapeBytes(new long[] {1L << 31}));
        assertArrayEquals(new byte[] {(byte) 0x8A, 6, 0, 0, 0, 0, 0, 1, (byte) 0x85}, ArrayLayout.shapeBytes(new long[] {1L << 40}));
        assertArrayEquals(new byte[] {(byte) 0x8A, 8, -1, -1, -1, -1, -1, -1, -1, 0x7F, (byte) 0x85},
                ArrayLayout.shapeBytes(new long[] {Long.MAX_VALUE}));
        assertArrayEquals(new byte[] {0x4B, 1, 0x4B, 2, (byte) 0x86}, ArrayLayout.shapeBytes(new long[] {1, 2}));
        assertArrayEquals(new byte[] {0x4B, 1, 0x4B, 2, 0x4B, 3, (byte) 0x87}, ArrayLayout.shapeBytes(new long[] {1, 2, 3}));
        assertArrayEquals(new byte[] {0x28, 0x4B, 1, 0x4B, 2, 0x4B, 3, 0x4B, 4, 0x74}, ArrayLayout.shapeBytes(new long[] {1, 2, 3, 4}));
    }

    @Test
    void encodeRejectsImpossibleArrays() {
        assertThrows(IllegalArgumentException.class, () -> ArrayLayout.encode(DType.FLOAT64, new long[] {-1}, ArrayFormat.OURS, 0));
        assertThrows(IllegalArgumentException.class, () -> ArrayLayout.encode(DType.FLOAT64, new long[] {1L << 62}, ArrayFormat.OURS, 0));
        assertThrows(IllegalArgumentException.class, () -> ArrayLayout.encode(DType.FLOAT64, new long[65], ArrayFormat.OURS, 0));
        assertThrows(IllegalArgumentException.class, () -> ArrayLayout.encode(DType.FLOAT64, new long[] {1}, ArrayFormat.OURS, -1));
    }

    // ------------------------------------------------------------------------------------------ accepted variants

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private static byte[] cat(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof byte[] b) {
                out.writeBytes(b);
            } else if (p instanceof String s) {
                byte[] u = s.getBytes(StandardCharsets.UTF_8);
                out.write(0x8C);
                out.write(u.length);
                out.writeBytes(u);
            } else {
                throw new IllegalArgumentException(String.valueOf(p));
            }
        }
        return out.toByteArray();
    }

    private static final byte[] GLOBAL_NDARRAY = cat("numpy", "ndarray", bytes(0x93));
    private static final byte[] GLOBAL_ORIGINAL = cat("numpy.core.fromnumeric", "reshape", bytes(0x93),
            "numpy.core.multiarray", "fromstring", bytes(0x93));

    private static Parsed parse(byte[] v) {
        return ArrayLayout.parse(MemorySegment.ofArray(v), FILE, 1000);
    }

    private static byte[] u64(long n) {
        byte[] b = new byte[8];
        MemorySegment.ofArray(b).set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, n);
        return b;
    }

    @Test
    void acceptsEveryPayloadOpcodeInBothLayouts() {
        byte[] data = {1, 2, 3, 4};
        List<byte[]> payloads = List.of(cat(bytes(0x8E), u64(4), data), cat(bytes(0x43, 4), data),
                cat(bytes(0x42, 4, 0, 0, 0), data), cat(bytes(0x96), u64(4), data));
        for (byte[] payload : payloads) {
            Parsed ours = parse(cat(GLOBAL_NDARRAY, bytes(0x4B, 4, 0x85), "uint8", payload, bytes(0x87, 0x52)));
            assertEquals(ArrayFormat.OURS, ours.layout());
            assertEquals(4, ours.data().payloadLength());
            assertEquals(GLOBAL_NDARRAY.length + 3 + 7 + payload.length - 4, ours.data().payloadOffset());
            Parsed orig = parse(cat(GLOBAL_ORIGINAL, payload, "int16", bytes(0x86, 0x52, 0x4B, 2, 0x85, 0x86, 0x52)));
            assertEquals(ArrayFormat.ORIGINAL, orig.layout());
            assertEquals(DType.INT16, orig.data().dtype());
            assertArrayEquals(new long[] {2}, orig.data().shape());
            assertEquals(GLOBAL_ORIGINAL.length + payload.length - 4, orig.data().payloadOffset());
        }
    }

    @Test
    void acceptsEveryShapeForm() {
        byte[] empty = cat(bytes(0x96), u64(0));
        record Case(byte[] shape, long[] want) {
        }
        List<Case> cases = List.of(
                new Case(bytes(0x29), new long[0]),
                new Case(bytes(0x28, 0x74), new long[0]),
                new Case(bytes(0x4B, 0, 0x85), new long[] {0}),
                new Case(bytes(0x4D, 0, 1, 0x4B, 0, 0x86), new long[] {256, 0}),
                new Case(bytes(0x4A, 0, 0, 0, 1, 0x4B, 0, 0x86), new long[] {1 << 24, 0}),
                new Case(bytes(0x8A, 5, 0, 0, 0, 0x80, 0, 0x4B, 0, 0x86), new long[] {1L << 31, 0}),
                new Case(bytes(0x8A, 8, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x4B, 0, 0x86), new long[] {1L << 59, 0}),
                new Case(bytes(0x8A, 0, 0x85), new long[] {0}),
                new Case(bytes(0x28, 0x4B, 0, 0x74), new long[] {0}),
                new Case(bytes(0x28, 0x4B, 1, 0x4B, 2, 0x4B, 0, 0x4B, 4, 0x4B, 5, 0x74), new long[] {1, 2, 0, 4, 5}));
        for (Case c : cases) {
            Parsed p = parse(cat(GLOBAL_NDARRAY, c.shape(), "float64", c.want().length == 0 ? cat(bytes(0x96), u64(8), new byte[8]) : empty,
                    bytes(0x87, 0x52)));
            assertArrayEquals(c.want(), p.data().shape(), HexFormat.of().formatHex(c.shape()));
        }
    }

    @Test
    void acceptsPaddingBeforeEachArray() {
        byte[] arr = cat(GLOBAL_NDARRAY, bytes(0x4B, 2, 0x85), "bool", bytes(0x96), u64(2), bytes(1, 0), bytes(0x87, 0x52));
        for (byte[] pad : List.of(bytes(0x42, 3, 0, 0, 0, 9, 9, 9, 0x30), bytes(0x43, 0, 0x30), cat(bytes(0x8E), u64(1), bytes(0, 0x30)))) {
            Parsed p = parse(cat(pad, arr));
            assertEquals(ArrayFormat.OURS, p.layout());
            assertEquals(pad.length + arr.length - 4, p.data().payloadOffset());
            Parsed m = parse(cat("numpy.ma", "MaskedArray", bytes(0x93), pad, arr, pad, arr, bytes(0x86, 0x52)));
            assertTrue(m.masked());
            Parsed m2 = parse(cat(pad, "numpy.ma", "MaskedArray", bytes(0x93), arr, arr, bytes(0x86, 0x52)));
            assertTrue(m2.masked());
        }
    }

    @Test
    void returnsNullForGenericValues() {
        List<byte[]> generic = List.of(
                new byte[0], bytes(0x4B, 5), bytes(0x88), bytes(0x43, 3, 'a', 'b', 'c'), bytes(0x42, 1, 0, 0, 0, 'a'),
                bytes(0x43, 1, 'a', 0x30), bytes(0x43, 200, 'a'),
                GLOBAL_NDARRAY,                                                     // the class numpy.ndarray itself
                cat(GLOBAL_NDARRAY, bytes(0x94)),
                cat(GLOBAL_NDARRAY, "float64", bytes(0x86)),                        // a tuple (ndarray, 'float64')
                cat(GLOBAL_ORIGINAL, bytes(0x86)),                                  // a tuple (reshape, fromstring)
                cat("numpy.core.fromnumeric", "reshape", bytes(0x93)),
                cat("numpy.ma", "MaskedArray", bytes(0x93)),
                cat("numpy.ma", "MaskedArray", bytes(0x93, 0x29, 0x52)),
                cat("numpy.ma.core", "MaskedArray", bytes(0x93), GLOBAL_NDARRAY),
                cat("numpy", "dtype", bytes(0x93)),
                cat(bytes(0x43, 1, 'a', 0x30), bytes(0x4B, 1)));
        for (byte[] v : generic) {
            assertNull(parse(v), HexFormat.of().formatHex(v));
        }
    }

    // ------------------------------------------------------------------------------------------ malformed values

    private static PickleFormatException malformed(byte[] v) {
        return assertThrows(PickleFormatException.class, () -> parse(v), HexFormat.of().formatHex(v));
    }

    @Test
    void malformedArraysThrowWithTheFileOffset() {
        byte[] payload8 = cat(bytes(0x96), u64(8), new byte[8]);
        // payload length does not match the shape
        PickleFormatException e = malformed(cat(GLOBAL_NDARRAY, bytes(0x4B, 2, 0x85), "float64", payload8, bytes(0x87, 0x52)));
        assertEquals(FILE, e.file());
        assertEquals(1000 + GLOBAL_NDARRAY.length + 3 + 9, e.offset());
        // declared payload length beyond the value
        e = malformed(cat(GLOBAL_NDARRAY, bytes(0x4B, 1, 0x85), "float64", bytes(0x96), u64(100), new byte[8], bytes(0x87, 0x52)));
        assertEquals(1000 + GLOBAL_NDARRAY.length + 3 + 9, e.offset());
        malformed(cat(GLOBAL_NDARRAY, bytes(0x4B, 1, 0x85), "float64", bytes(0x96), u64(-1), new byte[8], bytes(0x87, 0x52)));
        malformed(cat(GLOBAL_NDARRAY, bytes(0x4B, 1, 0x85), "float64", bytes(0x96), u64(Long.MAX_VALUE), bytes(0x87, 0x52)));
        // unknown dtype string
        e = malformed(cat(GLOBAL_NDARRAY, bytes(0x4B, 1, 0x85), "object", payload8, bytes(0x87, 0x52)));
        assertEquals(1000 + GLOBAL_NDARRAY.length + 3, e.offset());
        assertTrue(e.getMessage().contains("object"), e.getMessage());
        // negative dimensions, oversized LONG1, wrong tuple opcodes
        malformed(cat(GLOBAL_NDARRAY, bytes(0x4A, -1, -1, -1, -1, 0x85), "float64", payload8, bytes(0x87, 0x52)));
        malformed(cat(GLOBAL_NDARRAY, bytes(0x8A, 1, 0xFF, 0x85), "float64", payload8, bytes(0x87, 0x52)));
        malformed(cat(GLOBAL_NDARRAY, bytes(0x8A, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x85), "float64", payload8, bytes(0x87, 0x52)));
        malformed(cat(GLOBAL_NDARRAY, bytes(0x4B, 1, 0x86), "float64", payload8, bytes(0x87, 0x52)));
        malformed(cat(GLOBAL_NDARRAY, bytes(0x28, 0x4B, 1, 0x85), "float64", payload8, bytes(0x87, 0x52)));
        malformed(cat(GLOBAL_NDARRAY, bytes(0x4B, 1, 0x74), "float64", payload8, bytes(0x87, 0x52)));
        // sizes that overflow, also when another dimension is 0 (numpy refuses those too)
        malformed(cat(GLOBAL_NDARRAY, bytes(0x8A, 8, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x4B, 4, 0x86), "float64", payload8, bytes(0x87, 0x52)));
        malformed(cat(GLOBAL_NDARRAY, bytes(0x8A, 8, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x4B, 0, 0x86), "float64", payload8, bytes(0x87, 0x52)));
        // too many dimensions: 65 ones
        byte[] ones = new byte[65 * 2];
        for (int i = 0; i < 65; i++) {
            ones[2 * i] = 0x4B;
            ones[2 * i + 1] = 1;
        }
        malformed(cat(GLOBAL_NDARRAY, bytes(0x28), ones, bytes(0x74), "float64", payload8, bytes(0x87, 0x52)));
        // trailing bytes, missing REDUCE, truncated
        malformed(cat(GLOBAL_NDARRAY, bytes(0x4B, 1, 0x85), "float64", payload8, bytes(0x87, 0x52, 0x30)));
        malformed(cat(GLOBAL_NDARRAY, bytes(0x4B, 1, 0x85), "float64", payload8, bytes(0x87)));
        malformed(cat(GLOBAL_NDARRAY, bytes(0x4B, 1, 0x85), "float64", payload8, bytes(0x86, 0x52)));
        // masked: the mask must be bool of the data's shape
        byte[] f = cat(GLOBAL_NDARRAY, bytes(0x4B, 1, 0x85), "float64", payload8, bytes(0x87, 0x52));
        malformed(cat("numpy.ma", "MaskedArray", bytes(0x93), f, f, bytes(0x86, 0x52)));
        malformed(cat("numpy.ma", "MaskedArray", bytes(0x93), f,
                cat(GLOBAL_NDARRAY, bytes(0x4B, 2, 0x85), "bool", bytes(0x96), u64(2), bytes(0, 0), bytes(0x87, 0x52)), bytes(0x86, 0x52)));
        malformed(cat("numpy.ma", "MaskedArray", bytes(0x93), f, bytes(0x86, 0x52)));
        // original layout: dtype missing, shape after wrong opcode
        malformed(cat(GLOBAL_ORIGINAL, payload8, bytes(0x86, 0x52, 0x4B, 1, 0x85, 0x86, 0x52)));
        malformed(cat(GLOBAL_ORIGINAL, payload8, "float64", bytes(0x86, 0x52, 0x4B, 1, 0x85, 0x87, 0x52)));
    }

    /** Every prefix and thousands of mutations of valid values either parse, are generic, or throw the format exception. */
    @Test
    void truncatedAndMutatedValuesNeverThrowAnythingElse() {
        List<byte[]> valid = new ArrayList<>();
        for (ArrayFormat l : ArrayFormat.values()) {
            for (long off : new long[] {0, 37}) {
                valid.add(assemble(encode(DType.FLOAT32, new long[] {2, 3}, l, off)).toArray(ValueLayout.JAVA_BYTE));
                valid.add(assemble(encodeMasked(DType.INT16, new long[] {5}, l, off)).toArray(ValueLayout.JAVA_BYTE));
                valid.add(assemble(encode(DType.unicode(2), new long[] {1, 1, 1, 2}, l, off)).toArray(ValueLayout.JAVA_BYTE));
                valid.add(assemble(encode(DType.FLOAT64, new long[0], l, off)).toArray(ValueLayout.JAVA_BYTE));
            }
        }
        Random r = new Random(7);
        for (byte[] v : valid) {
            assertNotNull(parse(v));
            for (int n = 0; n < v.length; n++) {
                byte[] cut = java.util.Arrays.copyOf(v, n);
                try {
                    parse(cut);
                } catch (PickleFormatException expected) {
                    // fine
                }
            }
            for (int t = 0; t < 3000; t++) {
                byte[] m = v.clone();
                int k = 1 + r.nextInt(3);
                for (int j = 0; j < k; j++) {
                    m[r.nextInt(m.length)] = (byte) (r.nextBoolean() ? r.nextInt(256) : (m[r.nextInt(m.length)] + r.nextInt(3) - 1));
                }
                try {
                    Parsed p = parse(m);
                    if (p != null) {
                        assertTrue(p.data().payloadOffset() + p.data().payloadLength() <= m.length);
                    }
                } catch (PickleFormatException expected) {
                    // fine
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------ one grammar

    /** A value behind a source that counts what it is asked for. */
    private static final class CountingSource implements ArrayLayout.Source<RuntimeException> {
        private final MemorySegment value;
        int reads;
        long bytes;

        CountingSource(MemorySegment value) {
            this.value = value;
        }

        @Override
        public MemorySegment bytes(long position, int length) {
            reads++;
            MemorySegment b = ArrayLayout.Source.of(value).bytes(position, length);
            bytes += b.byteSize();
            return b;
        }
    }

    private static byte[] padded(int op, int p, byte[] value) {
        int lengthBytes = op == 0x43 ? 1 : op == 0x42 ? 4 : 8;
        byte[] b = new byte[1 + lengthBytes + p + 1 + value.length];
        b[0] = (byte) op;
        for (int i = 0; i < lengthBytes; i++) {
            b[1 + i] = (byte) ((long) p >>> (8 * i));
        }
        b[lengthBytes + p + 1] = 0x30;
        System.arraycopy(value, 0, b, lengthBytes + p + 2, value.length);
        return b;
    }

    /**
     * Sniffing agrees with reading on every value the mutation test makes (a kind other than NONE
     * exactly when the value is not {@code NotAnArray}), and reading gives results, never
     * exceptions, where {@link ArrayLayout#parse} throws.
     */
    @Test
    void sniffAgreesWithReadAndReadReturnsResults() {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        List<byte[]> valid = new ArrayList<>();
        for (ArrayFormat l : ArrayFormat.values()) {
            valid.add(assemble(encode(DType.FLOAT32, new long[] {2, 3}, l, 37)).toArray(ValueLayout.JAVA_BYTE));
            valid.add(assemble(encodeMasked(DType.INT16, new long[] {5}, l, 0)).toArray(ValueLayout.JAVA_BYTE));
        }
        int malformed = 0;
        for (byte[] v : valid) {
            for (int t = 0; t < 2000; t++) {
                byte[] m = v.clone();
                for (int j = 0, k = 1 + r.nextInt(3); j < k; j++) {
                    m[r.nextInt(m.length)] = (byte) r.nextInt(256);
                }
                if (r.nextInt(4) == 0) {
                    m = java.util.Arrays.copyOf(m, r.nextInt(m.length + 1));
                }
                MemorySegment seg = MemorySegment.ofArray(m);
                ArrayLayout.Kind kind = ArrayLayout.sniff(ArrayLayout.Source.of(seg), m.length);
                ArrayLayout.Reading reading = ArrayLayout.read(seg, FILE, 100);
                String what = "seed " + seed + " value " + HexFormat.of().formatHex(m);
                assertEquals(kind == ArrayLayout.Kind.NONE, reading instanceof ArrayLayout.NotAnArray, what);
                switch (reading) {
                    case Parsed p -> {
                        assertEquals(kind == ArrayLayout.Kind.MASKED_ARRAY, p.masked(), what);
                        assertEquals(p, ArrayLayout.parse(seg, FILE, 100), what);
                    }
                    case ArrayLayout.NotAnArray n -> assertNull(ArrayLayout.parse(seg, FILE, 100), what);
                    case ArrayLayout.Malformed f -> {
                        malformed++;
                        assertTrue(f.error().offset() >= 100, what);
                        assertSame(PickleFormatException.class,
                                assertThrows(PickleFormatException.class, () -> ArrayLayout.parse(seg, FILE, 100)).getClass());
                    }
                }
            }
        }
        assertTrue(malformed > 0, "the mutations made malformed arrays (seed " + seed + ")");
    }

    /** A value behind a long padding is sniffed from a few small reads, not from all its bytes. */
    @Test
    void sniffingReadsAFewBytesWhateverThePadding() {
        byte[] array = assemble(encode(DType.FLOAT64, new long[] {3}, ArrayFormat.ORIGINAL, 0)).toArray(ValueLayout.JAVA_BYTE);
        byte[] masked = assemble(encodeMasked(DType.FLOAT64, new long[] {3}, ArrayFormat.OURS, 0)).toArray(ValueLayout.JAVA_BYTE);
        for (int op : new int[] {0x43, 0x42, 0x8E}) {
            int p = op == 0x43 ? 200 : 1 << 20;
            CountingSource a = new CountingSource(MemorySegment.ofArray(padded(op, p, array)));
            assertEquals(ArrayLayout.Kind.ARRAY, ArrayLayout.sniff(a, a.value.byteSize()));
            CountingSource m = new CountingSource(MemorySegment.ofArray(padded(op, p, masked)));
            assertEquals(ArrayLayout.Kind.MASKED_ARRAY, ArrayLayout.sniff(m, m.value.byteSize()));
            assertTrue(a.reads <= 3 && a.bytes <= 200, a.reads + " reads, " + a.bytes + " bytes");
            assertTrue(m.reads <= 6 && m.bytes <= 300, m.reads + " reads, " + m.bytes + " bytes");
            // the padding's POP missing: not an array, still from a few bytes
            byte[] noPop = padded(op, p, array);
            noPop[noPop.length - array.length - 1] = 0x4E;
            CountingSource n = new CountingSource(MemorySegment.ofArray(noPop));
            assertEquals(ArrayLayout.Kind.NONE, ArrayLayout.sniff(n, n.value.byteSize()));
            assertTrue(n.bytes <= 20, n.bytes + " bytes");
        }
        assertEquals(ArrayLayout.Kind.NONE, ArrayLayout.sniff(ArrayLayout.Source.of(MemorySegment.ofArray(new byte[0])), 0));
    }

    /** Arrays among other bytes are found with their ends; other bytes are no array; a cut one is malformed. */
    @Test
    void arrayAtFindsArraysInsideALargerValue() {
        // the value starts at file offset 1000 and the array 3 bytes into it
        byte[] ours = assemble(encode(DType.INT16, new long[] {2, 2}, ArrayFormat.OURS, 1003)).toArray(ValueLayout.JAVA_BYTE);
        byte[] original = assemble(encode(DType.FLOAT32, new long[] {5}, ArrayFormat.ORIGINAL, 0)).toArray(ValueLayout.JAVA_BYTE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x80, 4, 0x28});   // PROTO 4, MARK: a list of the two arrays follows
        out.writeBytes(ours);
        out.writeBytes(original);
        out.write(0x6C);   // LIST
        MemorySegment v = MemorySegment.ofArray(out.toByteArray());
        ArrayLayout.Located first = ArrayLayout.arrayAt(v, 3, FILE, 1000);
        assertNotNull(first);
        assertEquals(3 + ours.length, first.end());
        assertArrayEquals(new long[] {2, 2}, first.array().shape());
        assertEquals(DType.INT16, first.array().dtype());
        assertEquals(0, Math.floorMod(1000 + first.array().payloadOffset(), 64), "the payload where the encoder aligned it");
        ArrayLayout.Located second = ArrayLayout.arrayAt(v, first.end(), FILE, 1000);
        assertNotNull(second);
        assertEquals(v.byteSize() - 1, second.end());
        assertEquals(DType.FLOAT32, second.array().dtype());
        assertEquals(20, second.array().payloadLength());
        assertNull(ArrayLayout.arrayAt(v, 0, FILE, 1000), "PROTO is no array");
        assertNull(ArrayLayout.arrayAt(v, v.byteSize() - 1, FILE, 1000), "LIST is no array");
        assertNull(ArrayLayout.arrayAt(v, v.byteSize(), FILE, 1000), "the end is no array");
        MemorySegment cut = v.asSlice(0, 3 + ours.length - 3);
        PickleFormatException e = assertThrows(PickleFormatException.class, () -> ArrayLayout.arrayAt(cut, 3, FILE, 1000));
        assertTrue(e.offset() >= 1003, e.getMessage());
    }

    // ------------------------------------------------------------------------------------------ Python reads our layout

    /** One array to write in our layout and the values it holds. */
    record PyCase(String key, DType dtype, long[] shape, boolean masked) {
    }

    private static List<PyCase> pythonCases() {
        List<PyCase> cases = new ArrayList<>();
        DType[] all = {DType.BOOL, DType.INT8, DType.INT16, DType.INT32, DType.INT64, DType.UINT8, DType.UINT16, DType.UINT32,
                DType.UINT64, DType.FLOAT16, DType.FLOAT32, DType.FLOAT64, DType.COMPLEX64, DType.COMPLEX128,
                DType.FLOAT64.withOrder(ByteOrder.BIG_ENDIAN), DType.INT32.withOrder(ByteOrder.BIG_ENDIAN),
                DType.COMPLEX64.withOrder(ByteOrder.BIG_ENDIAN), DType.unicode(3), DType.unicode(2, ByteOrder.BIG_ENDIAN),
                DType.bytes(3), DType.DATETIME64_NS, DType.parse(">M8[us]"), DType.timedelta64(DType.TimeUnit.SECOND),
                DType.datetime64(DType.TimeUnit.DAY)};
        for (DType d : all) {
            cases.add(new PyCase("a_" + d.typeStr(), d, new long[] {2, 3}, false));
        }
        cases.add(new PyCase("scalar_0d", DType.FLOAT64, new long[0], false));
        cases.add(new PyCase("scalar_0d_u", DType.unicode(4), new long[0], false));
        cases.add(new PyCase("zero_size", DType.FLOAT32, new long[] {0, 3}, false));
        cases.add(new PyCase("zero_size_1d", DType.INT64, new long[] {0}, false));
        cases.add(new PyCase("zero_size_big_dim", DType.UINT8, new long[] {1L << 31, 0}, false));
        cases.add(new PyCase("rank_8", DType.UINT8, new long[] {1, 2, 1, 2, 1, 2, 1, 2}, false));
        cases.add(new PyCase("long_1d", DType.INT16, new long[] {70000}, false));
        cases.add(new PyCase("page_aligned", DType.FLOAT32, new long[] {128, 200}, false));
        cases.add(new PyCase("masked_f64", DType.FLOAT64, new long[] {2, 3}, true));
        cases.add(new PyCase("masked_0d", DType.INT32, new long[0], true));
        cases.add(new PyCase("masked_empty", DType.FLOAT32, new long[] {0}, true));
        cases.add(new PyCase("masked_u", DType.unicode(2), new long[] {3}, true));
        cases.add(new PyCase("masked_big", DType.FLOAT64, new long[] {9000}, true));
        return cases;
    }

    private static final String[] STRINGS = {"", "a", "\u00e9\u2713", "\uD83D\uDE80xy", "abc", "z"};
    private static final byte[][] BYTE_STRINGS = {{}, {'a'}, {'x', 'y', 'z'}, {'a', 0, 'b'}, {(byte) 0xFF, ' '}};

    /** Fills an array with values that depend on the flat index and the dtype. */
    static void fill(NDArray a) {
        for (long i = 0; i < a.size(); i++) {
            long[] idx = unravel(i, a.shape());
            switch (a.dtype().kind()) {
                case BOOL -> a.setFlatBoolean(i, i % 3 == 0);
                case INT8, INT16, INT32, INT64 -> a.setFlatLong(i, (i * 37 - 50) * 1001);   // narrowing wraps, as numpy's astype
                case UINT8, UINT16, UINT32 -> a.setFlatLong(i, i * 53 + 7);
                case UINT64 -> a.setFlatLong(i, -1 - i * 1000);
                case FLOAT16, FLOAT32 -> a.setFlatDouble(i, i * 0.5 - 1.25);
                case FLOAT64 -> a.setFlatDouble(i, i == 1 ? Double.NaN : i == 2 ? Double.NEGATIVE_INFINITY : i * 0.1 - 3);
                case COMPLEX64, COMPLEX128 -> a.setFlatComplex(i, new PyComplex(i + 0.5, -i));
                case BYTES -> a.setBytes(BYTE_STRINGS[(int) (i % BYTE_STRINGS.length)], idx);
                case UNICODE -> {
                    String s = STRINGS[(int) (i % STRINGS.length)];
                    int max = a.dtype().stringLength();
                    a.setString(s.codePointCount(0, s.length()) <= max ? s : s.substring(0, s.offsetByCodePoints(0, max)), idx);
                }
                case DATETIME64 -> a.setFlatLong(i, i * 1_000_000_007L - 5);
                case TIMEDELTA64 -> a.setFlatLong(i, i - 2);
            }
        }
    }

    /** Writes {@code PROTO 4, MARK, (key, value)..., DICT, STOP} with every value in our layout; returns the arrays. */
    private static Map<String, Object> writeOurs(Path file, List<PyCase> cases) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(0x80, 4, 0x28));
        Map<String, Object> written = new LinkedHashMap<>();
        for (PyCase c : cases) {
            out.writeBytes(cat(c.key()));
            long valueOffset = out.size();
            Encoded e = c.masked() ? encodeMasked(c.dtype(), c.shape(), ArrayFormat.OURS, valueOffset)
                    : encode(c.dtype(), c.shape(), ArrayFormat.OURS, valueOffset);
            MemorySegment v = MemorySegment.ofArray(new byte[Math.toIntExact(e.totalLength())]);
            long at = 0;
            for (int i = 0; i < e.structure().length; i++) {
                MemorySegment.copy(MemorySegment.ofArray(e.structure()[i]), 0, v, at, e.structure()[i].length);
                at += e.structure()[i].length;
                if (i < e.payloadLengths().length) {
                    at += e.payloadLengths()[i];
                }
            }
            Parsed p = ArrayLayout.parse(v, file, valueOffset);
            assertNotNull(p, c.key());
            NDArray data = view(v, p.data());
            fill(data);
            assertAligned(valueOffset + p.data().payloadOffset(), p.data().payloadLength());
            if (c.masked()) {
                NDArray mask = view(v, p.mask());
                for (long i = 0; i < mask.size(); i++) {
                    mask.setFlatBoolean(i, i % 2 == 1);
                }
                assertAligned(valueOffset + p.mask().payloadOffset(), p.mask().payloadLength());
                written.put(c.key(), new MaskedArray(data, mask));
            } else {
                written.put(c.key(), data);
            }
            out.writeBytes(v.toArray(ValueLayout.JAVA_BYTE));
        }
        out.writeBytes(bytes(0x64, 0x2E));
        Files.write(file, out.toByteArray());
        return written;
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out: " + cmd);
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private static final String WRITABLE_CHECK = """
            import pickle, sys, numpy
            d = pickle.load(open(sys.argv[1], 'rb'))
            for k, v in d.items():
                masked = isinstance(v, numpy.ma.MaskedArray)
                base = v.data if masked else v
                ok = type(v) in (numpy.ndarray, numpy.ma.MaskedArray) and base.flags.writeable
                if masked:
                    ok = ok and numpy.ma.getmaskarray(v).flags.writeable
                print(k, 'masked' if masked else 'plain', 'writeable' if ok else 'READONLY')
            """;

    private static void assertPythonReads(String python, Path file, Map<String, Object> written) throws Exception {
        Path tool = TestData.python().resolve("pickle_to_json.py");
        Run r = run(List.of(python, "-W", "error::DeprecationWarning", tool.toString(), file.toString()));
        assertEquals(0, r.exit(), python + ": " + r.err());
        Map<String, Object> keys = map(ArrayTestJson.at(ArrayTestJson.parse(r.out()), "keys"));
        assertEquals(written.keySet(), keys.keySet());
        for (var w : written.entrySet()) {
            Map<String, Object> t = map(keys.get(w.getKey()));
            if (w.getValue() instanceof MaskedArray m) {
                Map<String, Object> mt = map(t.get("$masked"));
                assertNotNull(mt, w.getKey() + ": " + t);
                assertTagged(map(map(mt.get("data")).get("$ndarray")), m.data(), python + " " + w.getKey() + ".data");
                assertTagged(map(map(mt.get("mask")).get("$ndarray")), m.mask(), python + " " + w.getKey() + ".mask");
            } else {
                assertTagged(map(t.get("$ndarray")), (NDArray) w.getValue(), python + " " + w.getKey());
            }
        }
        Run wr = run(List.of(python, "-W", "error::DeprecationWarning", "-c", WRITABLE_CHECK, file.toString()));
        assertEquals(0, wr.exit(), python + ": " + wr.err());
        List<String> lines = wr.out().strip().lines().toList();
        assertEquals(written.size(), lines.size(), wr.out());
        for (String line : lines) {
            String[] f = line.split(" ");
            assertEquals("writeable", f[2], python + ": " + line);
            assertEquals(written.get(f[0]) instanceof MaskedArray ? "masked" : "plain", f[1], python + ": " + line);
        }
    }

    @Test
    void plainPickleLoadsOurLayoutWithNumpy2(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ours.pkl");
        Map<String, Object> written = writeOurs(file, pythonCases());
        assertPythonReads(Python.executable(), file, written);
    }

    @Test
    void plainPickleLoadsOurLayoutWithNumpy126(@TempDir Path dir) throws Exception {
        String python = System.getProperty("mmappickle.python126");
        if (python == null || python.isBlank()) {
            String reason = "numpy 1.26 check skipped: set -Dmmappickle.python126=/path/to/python with numpy 1.26 "
                    + "(python3 -m venv /tmp/np126 && /tmp/np126/bin/pip install --no-index --find-links /opt/pypi/files numpy==1.26.4)";
            System.out.println(reason);
            Assumptions.abort(reason);
        }
        Run v = run(List.of(python, "-c", "import numpy; print(numpy.__version__)"));
        assertEquals(0, v.exit(), v.err());
        assertTrue(v.out().startsWith("1."), "not numpy 1.x: " + v.out());
        Path file = dir.resolve("ours126.pkl");
        Map<String, Object> written = writeOurs(file, pythonCases());
        assertPythonReads(python, file, written);
    }
}
