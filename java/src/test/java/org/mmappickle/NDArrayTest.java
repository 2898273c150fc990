package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.py.PyComplex;

class NDArrayTest {

    private static final DType F64_BE = DType.FLOAT64.withOrder(ByteOrder.BIG_ENDIAN);
    private static final DType I32_BE = DType.INT32.withOrder(ByteOrder.BIG_ENDIAN);

    private static MemorySegment bytes(ByteOrder order, int capacity, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(capacity).order(order);
        fill.accept(b);
        return MemorySegment.ofArray(b.array());
    }

    @Test
    void wrapChecksTheSegmentSize() {
        MemorySegment s = MemorySegment.ofArray(new byte[24]);
        NDArray a = NDArray.wrap(s, DType.FLOAT64, 3);
        assertEquals(3, a.size());
        assertEquals(24, a.byteSize());
        assertEquals(1, a.ndim());
        assertSame(s, a.segment());
        assertThrows(IllegalArgumentException.class, () -> NDArray.wrap(s, DType.FLOAT64, 2));
        assertThrows(IllegalArgumentException.class, () -> NDArray.wrap(s, DType.FLOAT64, 4));
        assertThrows(IllegalArgumentException.class, () -> NDArray.wrap(s, DType.FLOAT64, -3));
        assertThrows(IllegalArgumentException.class, () -> NDArray.wrap(s, DType.FLOAT64, 1L << 62, 1L << 62));
        assertThrows(IllegalArgumentException.class, () -> NDArray.zeros(DType.FLOAT64, Long.MAX_VALUE / 4));
        assertArrayEquals(new long[] {2, 3, 4}, NDArray.wrap(s, DType.UINT8, 2, 3, 4).shape());
        assertArrayEquals(new long[] {12, 4, 1}, NDArray.wrap(s, DType.UINT8, 2, 3, 4).strides());
    }

    @Test
    void zeroDimensionalAndZeroSizeArrays() {
        NDArray scalar = NDArray.zeros(DType.FLOAT64);
        assertEquals(0, scalar.ndim());
        assertEquals(1, scalar.size());
        scalar.setDouble(7.25);
        assertEquals(7.25, scalar.getDouble());
        assertEquals(7.25, scalar.flatDouble(0));
        assertEquals("array(7.25)", scalar.toString());
        assertEquals(scalar, NDArray.of(new double[] {7.25}).reshape());

        NDArray empty = NDArray.zeros(DType.FLOAT32, 0, 3);
        assertEquals(0, empty.size());
        assertEquals(0, empty.byteSize());
        assertArrayEquals(new long[] {12, 4}, empty.strides());
        assertThrows(IndexOutOfBoundsException.class, () -> empty.getFloat(0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> empty.flatFloat(0));
        assertEquals(0, empty.toFloatArray().length);
        empty.copyTo(new float[0]);
        assertEquals("array([], shape=(0, 3), dtype=float32)", empty.toString());
        assertEquals("array([], dtype=float64)", NDArray.of(new double[0]).toString());
        // huge dimensions are fine when another is 0, as long as the others times the item size fit (numpy's rule)
        assertEquals(0, NDArray.zeros(DType.FLOAT64, 0, 1L << 40, 1L << 10).size());
        assertArrayEquals(new long[] {8L << 50, 8L << 10, 8}, NDArray.zeros(DType.FLOAT64, 0, 1L << 40, 1L << 10).strides());
        assertThrows(IllegalArgumentException.class, () -> NDArray.zeros(DType.FLOAT64, 0, 1L << 40, 1L << 20));
        assertThrows(IllegalArgumentException.class, () -> NDArray.zeros(DType.FLOAT64, 1L << 62, 0));
    }

    @Test
    void indexChecks() {
        NDArray a = NDArray.of(new int[] {0, 1, 2, 3, 4, 5}, 2, 3);
        assertEquals(5, a.getInt(1, 2));
        assertEquals(3, a.getInt(1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> a.getInt(2, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> a.getInt(0, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> a.getInt(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> a.getInt(1));
        assertThrows(IllegalArgumentException.class, () -> a.getInt(0, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> a.flatInt(6));
        assertThrows(IndexOutOfBoundsException.class, () -> a.flatInt(-1));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> a.setInt(1, 0, 7));
        assertTrue(e.getMessage().contains("axis 1"), e.getMessage());
    }

    @Test
    void factoriesCopyTheData() {
        double[] d = {1, 2, 3};
        NDArray a = NDArray.of(d);
        d[0] = 99;
        assertEquals(1, a.getDouble(0));
        assertEquals(DType.FLOAT64, a.dtype());
        assertEquals(DType.FLOAT32, NDArray.of(new float[] {1}).dtype());
        assertEquals(DType.INT64, NDArray.of(new long[] {1}).dtype());
        assertEquals(DType.INT32, NDArray.of(new int[] {1}).dtype());
        assertEquals(DType.INT16, NDArray.of(new short[] {1}).dtype());
        assertEquals(DType.INT8, NDArray.of(new byte[] {1}).dtype());
        NDArray b = NDArray.of(new boolean[] {true, false, true, true}, 2, 2);
        assertEquals(DType.BOOL, b.dtype());
        assertTrue(b.getBoolean(1, 1));
        assertFalse(b.getBoolean(0, 1));
        assertThrows(IllegalArgumentException.class, () -> NDArray.of(new double[] {1, 2, 3}, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> NDArray.of(new double[] {1, 2, 3, 4}).reshape(3));
        assertArrayEquals(new long[] {2, 2}, NDArray.of(new double[] {1, 2, 3, 4}).reshape(2, 2).shape());
    }

    @Test
    void bigEndianArraysReadTheSameValues() {
        NDArray be = NDArray.wrap(bytes(ByteOrder.BIG_ENDIAN, 32, b -> b.putDouble(0).putDouble(1).putDouble(2).putDouble(-3.5)), F64_BE, 4);
        assertEquals(-3.5, be.getDouble(3));
        assertEquals(2.0, be.flatDouble(2));
        assertEquals(ByteOrder.BIG_ENDIAN, ((ValueLayout.OfDouble) be.elementLayout()).order());
        be.setDouble(42.5, 1);
        assertEquals(42.5, ByteBuffer.wrap(be.segment().toArray(ValueLayout.JAVA_BYTE)).order(ByteOrder.BIG_ENDIAN).getDouble(8));
        assertArrayEquals(new double[] {0, 42.5, 2, -3.5}, be.toDoubleArray());

        NDArray i = NDArray.wrap(bytes(ByteOrder.BIG_ENDIAN, 12, b -> b.putInt(1).putInt(-1).putInt(256)), I32_BE, 3);
        assertArrayEquals(new int[] {1, -1, 256}, i.toIntArray());
        assertEquals(256L, i.getLong(2));
        assertEquals(256.0, i.getDouble(2));
        int[] out = new int[3];
        i.copyTo(out);
        assertArrayEquals(new int[] {1, -1, 256}, out);
        i.copyFrom(new int[] {7, 8, 9});
        assertEquals(0x09, i.segment().get(ValueLayout.JAVA_BYTE, 11));
        assertEquals(9, i.getInt(2));

        DType u4be = DType.unicode(2, ByteOrder.BIG_ENDIAN);
        NDArray s = NDArray.wrap(bytes(ByteOrder.BIG_ENDIAN, 8, b -> b.putInt('a').putInt(0x2713)), u4be, 1);
        assertEquals("a\u2713", s.getString(0));
    }

    @Test
    void conversionsLikeAstype() {
        NDArray u8 = NDArray.wrap(MemorySegment.ofArray(new byte[] {(byte) 255, 1}), DType.UINT8, 2);
        assertEquals(255, u8.getLong(0));
        assertEquals(255.0, u8.getDouble(0));
        assertEquals((byte) -1, u8.getByte(0));
        assertEquals(255, u8.getInt(0));
        NDArray u64 = NDArray.zeros(DType.UINT64, 1);
        u64.setLong(-1L, 0);
        assertEquals(-1L, u64.getLong(0));
        assertEquals(1.8446744073709552E19, u64.getDouble(0));
        assertEquals(1.8446744E19f, u64.getFloat(0));
        u64.setDouble(1.8446744073709550E19, 0);
        assertEquals("18446744073709549568", Long.toUnsignedString(u64.getLong(0)));
        NDArray f = NDArray.of(new double[] {2.9, -2.9, Double.NaN, 1e300});
        assertEquals(2, f.getLong(0));
        assertEquals(-2, f.getLong(1));
        assertEquals(0, f.getLong(2));
        assertEquals(Long.MAX_VALUE, f.getLong(3));
        assertTrue(f.getBoolean(2));
        assertEquals(2.9f, f.getFloat(0));
        NDArray i = NDArray.zeros(DType.INT8, 1);
        i.setLong(300, 0);
        assertEquals(44, i.getLong(0));
        i.setDouble(-7.9, 0);
        assertEquals(-7, i.getByte(0));
        NDArray b = NDArray.zeros(DType.BOOL, 2);
        b.setDouble(0.5, 0);
        b.setLong(0, 1);
        assertTrue(b.getBoolean(0));
        assertEquals(1, b.getLong(0));
        assertEquals(1.0, b.getDouble(0));
        assertFalse(b.getBoolean(1));
        NDArray h = NDArray.zeros(DType.FLOAT16, 3);
        h.setDouble(0.5, 0);
        h.setFloat(-2f, 1);
        h.setLong(65504, 2);
        assertArrayEquals(new float[] {0.5f, -2f, 65504f}, h.toFloatArray());
        assertEquals(65504, h.getInt(2));
        short[] raw = new short[3];
        h.copyTo(raw);
        assertEquals(Float.floatToFloat16(0.5f), raw[0]);
        NDArray dt = NDArray.zeros(DType.DATETIME64_NS, 1);
        dt.setLong(1704067200000000000L, 0);
        assertEquals(1704067200000000000L, dt.getLong(0));
        assertEquals("array(['2024-01-01T00:00:00.000000000'], dtype='datetime64[ns]')", dt.toString());
    }

    @Test
    void complexElements() {
        NDArray c = NDArray.zeros(DType.COMPLEX64, 2);
        c.setComplex(new PyComplex(1, 2), 0);
        c.setDouble(-3.5, 1);
        assertEquals(new PyComplex(1, 2), c.getComplex(0));
        assertEquals(new PyComplex(-3.5, 0), c.flatComplex(1));
        assertThrows(UnsupportedOperationException.class, () -> c.getDouble(0));
        assertThrows(UnsupportedOperationException.class, () -> c.getLong(0));
        assertTrue(c.getBoolean(0));
        NDArray z = NDArray.zeros(DType.COMPLEX128.withOrder(ByteOrder.BIG_ENDIAN), 1);
        z.setFlatComplex(0, new PyComplex(0.1, 0.2));
        assertEquals(new PyComplex(0.1, 0.2), z.getComplex(0));
        assertEquals(new PyComplex(5, 0), NDArray.of(new int[] {5}).getComplex(0));
        assertThrows(UnsupportedOperationException.class, () -> NDArray.of(new int[] {5}).setComplex(new PyComplex(1, 1), 0));
    }

    @Test
    void stringElements() {
        NDArray u = NDArray.zeros(DType.unicode(2), 3);
        u.setString("ab", 0);
        u.setString("c\u00e9", 1);
        u.setString("\u2713", 2);
        assertEquals("ab", u.getString(0));
        assertEquals("c\u00e9", u.getString(1));
        assertEquals("\u2713", u.getString(2));
        assertThrows(IllegalArgumentException.class, () -> u.setString("abc", 0));
        u.setString("\uD83D\uDE80", 0);   // one code point, two chars
        assertEquals("\uD83D\uDE80", u.getString(0));
        assertEquals(0x1F680, u.segment().get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0));
        assertThrows(UnsupportedOperationException.class, () -> u.getBytes(0));
        assertThrows(UnsupportedOperationException.class, () -> u.getDouble(0));
        assertEquals("array(['\uD83D\uDE80', 'c\u00e9', '\u2713'], dtype='<U2')", u.toString());

        NDArray s = NDArray.wrap(MemorySegment.ofArray("abcd\0\0".getBytes(StandardCharsets.US_ASCII)), DType.bytes(3), 2);
        assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), s.getBytes(0));
        assertArrayEquals("d".getBytes(StandardCharsets.US_ASCII), s.getBytes(1));
        s.setBytes(new byte[] {'x'}, 0);
        assertArrayEquals(new byte[] {'x'}, s.getBytes(0));
        assertEquals(0, s.segment().get(ValueLayout.JAVA_BYTE, 1));
        assertThrows(IllegalArgumentException.class, () -> s.setBytes(new byte[4], 0));
        assertThrows(UnsupportedOperationException.class, () -> s.getString(0));
        assertEquals("array([b'x', b'd'], dtype='|S3')", s.toString());
    }

    @Test
    void readOnlyViewsRefuseEveryWrite() {
        NDArray a = NDArray.of(new double[] {1, 2}).asReadOnly();
        assertTrue(a.isReadOnly());
        assertEquals(2.0, a.getDouble(1));
        List<Executable> writes = List.of(
                () -> a.setDouble(1, 0), () -> a.setFloat(1, 0), () -> a.setLong(1, 0), () -> a.setInt(1, 0),
                () -> a.setShort((short) 1, 0), () -> a.setByte((byte) 1, 0), () -> a.setBoolean(true, 0),
                () -> a.setComplex(new PyComplex(1, 0), 0), () -> a.setFlatDouble(0, 1), () -> a.setFlatFloat(0, 1),
                () -> a.setFlatLong(0, 1), () -> a.setFlatInt(0, 1), () -> a.setFlatShort(0, (short) 1),
                () -> a.setFlatByte(0, (byte) 1), () -> a.setFlatBoolean(0, true),
                () -> a.setFlatComplex(0, new PyComplex(1, 0)), () -> a.copyFrom(new double[2]),
                () -> a.copyFrom(new double[2], 0, 0, 2), () -> a.copyFrom(MemorySegment.ofArray(new byte[16])));
        for (Executable w : writes) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, w);
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
        NDArray u = NDArray.zeros(DType.unicode(1), 1).asReadOnly();
        assertTrue(assertThrows(UnsupportedOperationException.class, () -> u.setString("a", 0)).getMessage().contains("read-only"));
        NDArray s = NDArray.zeros(DType.bytes(1), 1).asReadOnly();
        assertTrue(assertThrows(UnsupportedOperationException.class, () -> s.setBytes(new byte[1], 0)).getMessage().contains("read-only"));
        assertEquals(1.0, a.getDouble(0));
    }

    @Test
    void bulkCopiesCheckKindAndLength() {
        NDArray f = NDArray.zeros(DType.FLOAT32, 2, 3);
        float[] src = {1, 2, 3, 4, 5, 6};
        f.copyFrom(src);
        assertEquals(6f, f.getFloat(1, 2));
        float[] dst = new float[6];
        f.copyTo(dst);
        assertArrayEquals(src, dst);
        float[] part = new float[4];
        f.copyTo(2, part, 1, 3);
        assertArrayEquals(new float[] {0, 3, 4, 5}, part);
        f.copyFrom(new float[] {9, 9}, 0, 4, 2);
        assertArrayEquals(new float[] {1, 2, 3, 4, 9, 9}, f.toFloatArray());
        assertThrows(IndexOutOfBoundsException.class, () -> f.copyTo(5, part, 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> f.copyTo(0, part, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> f.copyTo(new float[5]));
        assertThrows(IllegalArgumentException.class, () -> f.copyFrom(new float[7]));
        assertThrows(UnsupportedOperationException.class, () -> f.copyTo(new double[6]));
        assertThrows(UnsupportedOperationException.class, () -> f.copyTo(new int[6]));
        assertThrows(UnsupportedOperationException.class, () -> NDArray.zeros(DType.INT64, 2).copyTo(new int[2]));
        assertThrows(UnsupportedOperationException.class, () -> NDArray.zeros(DType.COMPLEX64, 2).copyTo(new float[2]));

        NDArray d = NDArray.zeros(F64_BE, 3);
        d.copyFrom(new double[] {1.5, -2, 1e300});
        assertEquals(0x3F, d.segment().get(ValueLayout.JAVA_BYTE, 0));   // big-endian 1.5 = 3FF8...
        assertArrayEquals(new double[] {1.5, -2, 1e300}, d.toDoubleArray());
        MemorySegment raw = MemorySegment.ofArray(new byte[24]);
        d.copyTo(raw);
        assertEquals(-2.0, raw.get(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 8));
        NDArray d2 = NDArray.zeros(F64_BE, 3);
        d2.copyFrom(raw);
        assertEquals(d, d2);
        assertThrows(IllegalArgumentException.class, () -> d.copyTo(MemorySegment.ofArray(new byte[23])));

        long[] l = {Long.MIN_VALUE, -1, 7};
        NDArray li = NDArray.zeros(DType.INT64.withOrder(ByteOrder.BIG_ENDIAN), 3);
        li.copyFrom(l);
        long[] lo = new long[3];
        li.copyTo(lo);
        assertArrayEquals(l, lo);
        assertArrayEquals(l, li.toLongArray());
        NDArray sh = NDArray.zeros(DType.UINT16, 2);
        sh.copyFrom(new short[] {-1, 2});
        assertEquals(65535, sh.getLong(0));
        assertArrayEquals(new short[] {-1, 2}, sh.toShortArray());
        NDArray by = NDArray.zeros(DType.UINT8, 2);
        by.copyFrom(new byte[] {-1, 2});
        assertArrayEquals(new byte[] {-1, 2}, by.toByteArray());
        assertArrayEquals(new long[] {255, 2}, by.toLongArray());
        assertArrayEquals(new double[] {255, 2}, by.toDoubleArray());
        assertArrayEquals(new boolean[] {true, true}, by.toBooleanArray());
        assertArrayEquals(new int[] {255, 2}, by.toIntArray());
    }

    @Test
    void dimensionsBeyondTwoToTheThirtyOne(@TempDir Path dir) throws Exception {
        long n = (1L << 31) + 17;
        try (Arena arena = Arena.ofConfined();
             FileChannel ch = FileChannel.open(dir.resolve("big"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                     StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, n, arena);
            NDArray a = NDArray.wrap(m, DType.UINT8, n);
            assertEquals(n, a.size());
            a.setLong(200, n - 1);
            assertEquals(200, a.getLong(n - 1));
            assertEquals(200, a.flatLong(n - 1));
            byte[] tail = new byte[2];
            a.copyTo(n - 2, tail, 0, 2);
            assertArrayEquals(new byte[] {0, (byte) 200}, tail);
            assertThrows(UnsupportedOperationException.class, a::toByteArray);
            NDArray b = a.reshape(1, n);
            assertEquals(200, b.getLong(0, n - 1));
            assertEquals("array([  0,   0,   0, ...,   0,   0, 200],\n      shape=(2147483665,), dtype=uint8)", a.toString());
        }
    }

    @Test
    void elementLayoutsLetUsersLoopOverTheSegment() {
        NDArray a = NDArray.zeros(DType.FLOAT32.withOrder(ByteOrder.BIG_ENDIAN), 4);
        a.copyFrom(new float[] {1, 2, 3, 4});
        ValueLayout.OfFloat l = (ValueLayout.OfFloat) a.elementLayout();
        assertEquals(1, l.byteAlignment());
        float sum = 0;
        for (long i = 0; i < a.size(); i++) {
            sum += a.segment().get(l, i * a.dtype().itemSize());
        }
        assertEquals(10f, sum);
        assertEquals(ValueLayout.JAVA_BYTE, NDArray.zeros(DType.BOOL, 1).elementLayout());
        assertEquals(4, NDArray.zeros(DType.unicode(3), 1).elementLayout().byteSize());
        assertEquals(8, NDArray.zeros(DType.COMPLEX128, 1).elementLayout().byteSize());
        assertEquals(8, NDArray.zeros(DType.DATETIME64_NS, 1).elementLayout().byteSize());
    }

    @Test
    void equalsComparesDtypeShapeAndBytes() {
        NDArray a = NDArray.of(new double[] {1, 2, 3, 4}, 2, 2);
        NDArray b = NDArray.zeros(DType.FLOAT64, 2, 2);
        b.copyFrom(new double[] {1, 2, 3, 4});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, a.reshape(4));
        assertNotEquals(a, NDArray.of(new long[] {1, 2, 3, 4}, 2, 2));
        b.setDouble(5, 1, 1);
        assertNotEquals(a, b);
        assertEquals(a, a.asReadOnly());
        assertNotEquals(NDArray.of(new double[] {0.0}), NDArray.of(new double[] {-0.0}));
        assertEquals(NDArray.of(new double[] {Double.NaN}), NDArray.of(new double[] {Double.NaN}));
    }

    @Test
    void adviceGoesToTheAdviserOfMappedArrays() throws Exception {
        List<Advice> seen = new ArrayList<>();
        MemorySegment s = Arena.ofAuto().allocate(64);
        NDArray m = NDArray.mapped(s, DType.FLOAT64, new long[] {8}, (region, advice) -> {
            assertEquals(s.address(), region.address());
            assertEquals(s.byteSize(), region.byteSize());
            seen.add(advice);
        });
        m.advise(Advice.WILLNEED);
        m.reshape(2, 4).advise(Advice.SEQUENTIAL);
        m.asReadOnly().advise(Advice.RANDOM);
        assertEquals(List.of(Advice.WILLNEED, Advice.SEQUENTIAL), seen.subList(0, 2));
        assertEquals(3, seen.size());
        NDArray.of(new double[] {1}).advise(Advice.DONTNEED);   // heap: nothing happens
        NDArray.wrap(s, DType.FLOAT64, 8).advise(Advice.HUGEPAGE);
        assertEquals(3, seen.size());
    }

    /** Expected strings are what numpy 2.4 prints for the same arrays. */
    @Test
    void toStringLooksLikeNumpy() {
        assertEquals("array([1., 2., 3.], dtype=float32)", NDArray.of(new float[] {1, 2, 3}).toString());
        assertEquals("array([0.5 , 1.25])", NDArray.of(new double[] {0.5, 1.25}).toString());
        assertEquals("array([1.0e+00, 1.5e+10])", NDArray.of(new double[] {1, 1.5e10}).toString());
        assertEquals("array([ 0.e+000, -0.e+000,  1.e+308,      nan,      inf])",
                NDArray.of(new double[] {0, -0.0, 1e308, Double.NaN, Double.POSITIVE_INFINITY}).toString());
        short[] s = new short[12];
        for (int i = 0; i < 12; i++) {
            s[i] = (short) (i - 6);
        }
        assertEquals("""
                array([[-6, -5, -4, -3],
                       [-2, -1,  0,  1],
                       [ 2,  3,  4,  5]], dtype=int16)""", NDArray.of(s, 3, 4).toString());
        assertEquals("""
                array([[[0, 0],
                        [0, 0],
                        [0, 0]],

                       [[0, 0],
                        [0, 0],
                        [0, 0]]], dtype=uint8)""", NDArray.zeros(DType.UINT8, 2, 3, 2).toString());
        assertEquals("""
                array([[0., 0., 0., ..., 0., 0., 0.],
                       [0., 0., 0., ..., 0., 0., 0.],
                       [0., 0., 0., ..., 0., 0., 0.],
                       ...,
                       [0., 0., 0., ..., 0., 0., 0.],
                       [0., 0., 0., ..., 0., 0., 0.],
                       [0., 0., 0., ..., 0., 0., 0.]], shape=(40, 40))""", NDArray.zeros(DType.FLOAT64, 40, 40).toString());
        assertEquals("array([ True, False])", NDArray.of(new boolean[] {true, false}).toString());
        double[] r = new double[30];
        for (int i = 0; i < 30; i++) {
            r[i] = i * 1.1;
        }
        assertEquals("""
                array([ 0. ,  1.1,  2.2,  3.3,  4.4,  5.5,  6.6,  7.7,  8.8,  9.9, 11. ,
                       12.1, 13.2, 14.3, 15.4, 16.5, 17.6, 18.7, 19.8, 20.9, 22. , 23.1,
                       24.2, 25.3, 26.4, 27.5, 28.6, 29.7, 30.8, 31.9])""", NDArray.of(r).toString());
        NDArray c = NDArray.zeros(DType.COMPLEX64, 2);
        c.setComplex(new PyComplex(1, 2), 0);
        c.setComplex(new PyComplex(0, 3.5), 1);
        assertEquals("array([1.+2.j , 0.+3.5j], dtype=complex64)", c.toString());
        NDArray big = NDArray.of(new int[] {1, -1, 256}).reshape(3);
        assertEquals("array([  1,  -1, 256], dtype=int32)", big.toString());
        NDArray be = NDArray.zeros(F64_BE, 2);
        assertEquals("array([0., 0.], dtype='>f8')", be.toString());
        NDArray h = NDArray.zeros(DType.FLOAT16, 3);
        h.copyFrom(new short[] {Float.floatToFloat16(0.5f), Float.floatToFloat16(-2f), Float.floatToFloat16(65504f)});
        assertEquals("array([ 5.00e-01, -2.00e+00,  6.55e+04], dtype=float16)", h.toString());
        assertEquals("array([1.e-05, 1.e+00])", NDArray.of(new double[] {1e-5, 1}).toString());
        assertEquals("array([0.1, 0.2, 0.3])", NDArray.of(new double[] {0.1, 0.2, 0.30000000000000004}).toString());
        assertEquals("array([1.23456789e+08, 1.00000000e+00])", NDArray.of(new double[] {123456789.0, 1}).toString());
        assertEquals("array([ 1.5,  nan, -inf])", NDArray.of(new double[] {1.5, Double.NaN, Double.NEGATIVE_INFINITY}).toString());
        assertEquals("array([0.1], dtype=float32)", NDArray.of(new float[] {0.1f}).toString());
        assertEquals("array([3.14159265])", NDArray.of(new double[] {3.14159265358979}).toString());
        assertEquals("array([-1.50e-07,  2.25e-07])", NDArray.of(new double[] {-1.5e-7, 2.25e-7}).toString());
        NDArray dt = NDArray.zeros(DType.DATETIME64_NS, 2);
        dt.copyFrom(new long[] {1704067200000000000L, 1000000000L});
        assertEquals("""
                array(['2024-01-01T00:00:00.000000000', '1970-01-01T00:00:01.000000000'],
                      dtype='datetime64[ns]')""", dt.toString());
    }
}
