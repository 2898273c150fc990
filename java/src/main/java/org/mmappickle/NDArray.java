package org.mmappickle;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteOrder;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.mmappickle.py.PyComplex;

/**
 * A numpy array: a view of the bytes of a {@link MemorySegment} as a C-ordered array of a
 * {@link DType} with a shape. The segment may be on the heap, off-heap or a mapping of a file;
 * the view never owns it, so an array read from a file stays usable only while the file is open.
 *
 * <p>Shapes have any rank (0-d arrays have shape {@code []} and one element; zero-size arrays have
 * a 0 dimension) and dimensions are {@code long}. Elements are read and written by index
 * ({@link #getDouble(long...)}, {@link #setDouble(double, long...)}), by flat C-order index
 * ({@link #flatDouble(long)}), in bulk to and from Java arrays ({@link #copyTo(double[])}), or
 * directly through {@link #segment()} with {@link #elementLayout()}. Byte order is handled on every
 * access: a big-endian array reads the same values as a little-endian one.
 *
 * <p>Getters convert like numpy's {@code astype}: {@code getDouble} works on integer arrays,
 * {@code getLong} on a float array truncates toward zero (Java's {@code (long)} cast: NaN gives 0,
 * out-of-range values saturate), narrower integer getters keep the low bits of {@code getLong},
 * unsigned values come back as the same bits ({@code getLong} on {@code uint64} may be negative:
 * use {@link Long#toUnsignedString(long)}), booleans read as 0 and 1, datetime64 and timedelta64
 * read as their int64 count. Complex arrays give {@link PyComplex} through {@link #getComplex(long...)}
 * (the real getters refuse them, as numpy refuses to drop an imaginary part silently); {@code U}
 * arrays give strings through {@link #getString(long...)} and {@code S} arrays bytes through
 * {@link #getBytes(long...)}. A conversion a dtype does not support throws
 * {@link UnsupportedOperationException} naming the dtype.
 *
 * <p>A view of a read-only segment ({@link #isReadOnly()}) throws {@link UnsupportedOperationException}
 * on every write. Instances are not thread-safe for concurrent writes of the same elements, like the
 * memory they view.
 */
public final class NDArray {

    /**
     * Passes access hints for a mapped array to the kernel; supplied by the file that mapped the array.
     */
    @FunctionalInterface
    public interface Adviser {
        /**
         * Applies the advice to the region (a mapped segment).
         *
         * @throws IOException when the kernel refuses the advice
         */
        void advise(MemorySegment region, Advice advice) throws IOException;
    }

    // Only little-endian layouts are constants: big-endian access reverses bytes, so every access site sees one
    // constant layout that the JIT folds, instead of a choice between two.
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;

    /** The largest Java array the JVM reliably allocates. */
    private static final int MAX_JAVA_ARRAY = Integer.MAX_VALUE - 8;

    private final MemorySegment segment;
    private final DType dtype;
    private final DType.Kind kind;
    private final boolean big;
    private final int itemSize;
    private final long[] shape;
    private final long[] strides;
    private final long size;
    private final boolean readOnly;
    private final Adviser adviser;

    private NDArray(MemorySegment segment, DType dtype, long[] shape, Adviser adviser) {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        this.dtype = dtype;
        this.kind = dtype.kind();
        this.big = dtype.hasByteOrder() && dtype.order() == ByteOrder.BIG_ENDIAN;
        this.itemSize = dtype.itemSize();
        this.shape = shape.clone();
        this.strides = new long[shape.length];
        long n = 1;
        long stride = itemSize;
        try {
            for (int d = shape.length - 1; d >= 0; d--) {
                long dim = shape[d];
                if (dim < 0) {
                    throw new IllegalArgumentException("negative dimension " + dim + " in shape " + Arrays.toString(shape));
                }
                strides[d] = stride;
                // as numpy does, a 0 dimension counts as 1 in the strides of the axes before it
                stride = Math.multiplyExact(stride, Math.max(dim, 1));
                n = Math.multiplyExact(n, dim);
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("array too large: shape " + Arrays.toString(shape) + " of " + dtype, e);
        }
        this.size = n;
        long bytes = n * itemSize;
        if (segment.byteSize() != bytes) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "segment of %d bytes does not hold shape %s of %s (%d bytes)",
                    segment.byteSize(), Arrays.toString(shape), dtype, bytes));
        }
        this.segment = segment;
        this.readOnly = segment.isReadOnly();
        this.adviser = adviser;
    }

    // ---------------------------------------------------------------------------------------- factories

    /**
     * Returns a view of the segment as an array; the segment must hold exactly {@code itemSize * product(shape)}
     * bytes in C order. No shape means a 0-d array (one element).
     *
     * @throws IllegalArgumentException if the sizes do not match, a dimension is negative or the size overflows
     */
    public static NDArray wrap(MemorySegment segment, DType dtype, long... shape) {
        return new NDArray(segment, dtype, shape, null);
    }

    /**
     * Returns a view of a mapped segment whose {@link #advise(Advice)} passes hints through the adviser; used by
     * the file that mapped the segment.
     */
    public static NDArray mapped(MemorySegment segment, DType dtype, long[] shape, Adviser adviser) {
        return new NDArray(segment, dtype, shape, adviser);
    }

    /**
     * Returns a new zero-filled off-heap array of any size, freed when it is no longer reachable
     * ({@link Arena#ofAuto()}). No shape means a 0-d array.
     */
    public static NDArray zeros(DType dtype, long... shape) {
        long bytes = byteSizeOf(dtype, shape);
        // 64-byte alignment lets vectorised loops over the segment start aligned
        return new NDArray(Arena.ofAuto().allocate(bytes, 64), dtype, shape, null);
    }

    private static long byteSizeOf(DType dtype, long[] shape) {
        long n = dtype.itemSize();
        try {
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("negative dimension " + d + " in shape " + Arrays.toString(shape));
                }
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("array too large: shape " + Arrays.toString(shape) + " of " + dtype, e);
        }
        return n;
    }

    private static long[] shapeFor(int length, long[] shape) {
        return shape.length == 0 ? new long[] {length} : shape;
    }

    /** Returns a float64 array holding a copy of the data, of the given shape (1-D when no shape is given). */
    public static NDArray of(double[] data, long... shape) {
        return new NDArray(MemorySegment.ofArray(data.clone()), DType.FLOAT64, shapeFor(data.length, shape), null);
    }

    /** Returns a float32 array holding a copy of the data, of the given shape (1-D when no shape is given). */
    public static NDArray of(float[] data, long... shape) {
        return new NDArray(MemorySegment.ofArray(data.clone()), DType.FLOAT32, shapeFor(data.length, shape), null);
    }

    /** Returns an int64 array holding a copy of the data, of the given shape (1-D when no shape is given). */
    public static NDArray of(long[] data, long... shape) {
        return new NDArray(MemorySegment.ofArray(data.clone()), DType.INT64, shapeFor(data.length, shape), null);
    }

    /** Returns an int32 array holding a copy of the data, of the given shape (1-D when no shape is given). */
    public static NDArray of(int[] data, long... shape) {
        return new NDArray(MemorySegment.ofArray(data.clone()), DType.INT32, shapeFor(data.length, shape), null);
    }

    /** Returns an int16 array holding a copy of the data, of the given shape (1-D when no shape is given). */
    public static NDArray of(short[] data, long... shape) {
        return new NDArray(MemorySegment.ofArray(data.clone()), DType.INT16, shapeFor(data.length, shape), null);
    }

    /** Returns an int8 array holding a copy of the data, of the given shape (1-D when no shape is given). */
    public static NDArray of(byte[] data, long... shape) {
        return new NDArray(MemorySegment.ofArray(data.clone()), DType.INT8, shapeFor(data.length, shape), null);
    }

    /** Returns a bool array holding a copy of the data, of the given shape (1-D when no shape is given). */
    public static NDArray of(boolean[] data, long... shape) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = data[i] ? (byte) 1 : 0;
        }
        return new NDArray(MemorySegment.ofArray(b), DType.BOOL, shapeFor(data.length, shape), null);
    }

    /**
     * Returns a view of the same bytes with another shape of the same size ({@code reshape()} with no
     * dimensions gives a 0-d array of a one-element array).
     */
    public NDArray reshape(long... newShape) {
        return new NDArray(segment, dtype, newShape, adviser);
    }

    /** Returns a read-only view of the same bytes. */
    public NDArray asReadOnly() {
        return readOnly ? this : new NDArray(segment.asReadOnly(), dtype, shape, adviser);
    }

    // ---------------------------------------------------------------------------------------- properties

    /** Returns the segment holding the elements in C order ({@link #byteSize()} bytes). */
    public MemorySegment segment() {
        return segment;
    }

    /** Returns the dtype. */
    public DType dtype() {
        return dtype;
    }

    /** Returns a copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** Returns the length of one axis. */
    public long shape(int axis) {
        return shape[axis];
    }

    /** Returns a copy of the C-order strides in bytes, as numpy's {@code strides}. */
    public long[] strides() {
        return strides.clone();
    }

    /** Returns the number of dimensions (0 for a 0-d array). */
    public int ndim() {
        return shape.length;
    }

    /** Returns the number of elements (1 for a 0-d array, 0 when a dimension is 0). */
    public long size() {
        return size;
    }

    /** Returns the number of bytes of the elements: {@code size() * dtype().itemSize()}. */
    public long byteSize() {
        return segment.byteSize();
    }

    /** Returns whether the view refuses writes (its segment is read-only). */
    public boolean isReadOnly() {
        return readOnly;
    }

    /**
     * Returns the layout of one element in the array's byte order, unaligned, for loops over {@link #segment()}:
     * element {@code i} is at byte offset {@code i * dtype().itemSize()}. For complex dtypes it is the layout of
     * one part (the real part at the element's offset, the imaginary part right after); for {@code U} one UTF-32
     * code point, for {@code S} one byte; for bool, int8 and uint8 {@code JAVA_BYTE}; for float16 the raw half
     * bits as a short ({@link Float#float16ToFloat(short)}).
     */
    public ValueLayout elementLayout() {
        ByteOrder o = dtype.order();
        return switch (kind) {
            case BOOL, INT8, UINT8, BYTES -> ValueLayout.JAVA_BYTE;
            case INT16, UINT16, FLOAT16 -> ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(o);
            case INT32, UINT32, UNICODE -> ValueLayout.JAVA_INT_UNALIGNED.withOrder(o);
            case INT64, UINT64, DATETIME64, TIMEDELTA64 -> ValueLayout.JAVA_LONG_UNALIGNED.withOrder(o);
            case FLOAT32, COMPLEX64 -> ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(o);
            case FLOAT64, COMPLEX128 -> ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(o);
        };
    }

    /**
     * Passes an access hint for the array's pages to the kernel when the array is mapped from a file; does nothing
     * for arrays in memory and for empty arrays.
     *
     * @throws IOException when the kernel refuses the advice
     */
    public void advise(Advice advice) throws IOException {
        Objects.requireNonNull(advice, "advice");
        if (adviser != null && segment.byteSize() > 0) {
            adviser.advise(segment, advice);
        }
    }

    // ---------------------------------------------------------------------------------------- offsets and raw access

    private long offset(long[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%d indices for an array of %d dimensions (shape %s)", index.length, shape.length, Arrays.toString(shape)));
        }
        long off = 0;
        for (int d = 0; d < index.length; d++) {
            long i = index[d];
            if (i < 0 || i >= shape[d]) {
                throw new IndexOutOfBoundsException(String.format(Locale.ROOT,
                        "index %d is out of bounds for axis %d with size %d", i, d, shape[d]));
            }
            off += i * strides[d];
        }
        return off;
    }

    private long flatOffset(long i) {
        return Objects.checkIndex(i, size) * itemSize;
    }

    private byte rawByte(long off) {
        try {
            return segment.get(I8, off);
        } catch (InternalError fault) {
            throw new MappedAccessException("read", off, fault);
        }
    }

    private short rawShort(long off) {
        try {
            short v = segment.get(I16, off);
            return big ? Short.reverseBytes(v) : v;
        } catch (InternalError fault) {
            throw new MappedAccessException("read", off, fault);
        }
    }

    private int rawInt(long off) {
        try {
            int v = segment.get(I32, off);
            return big ? Integer.reverseBytes(v) : v;
        } catch (InternalError fault) {
            throw new MappedAccessException("read", off, fault);
        }
    }

    private long rawLong(long off) {
        try {
            long v = segment.get(I64, off);
            return big ? Long.reverseBytes(v) : v;
        } catch (InternalError fault) {
            throw new MappedAccessException("read", off, fault);
        }
    }

    private float rawFloat(long off) {
        try {
            return big ? Float.intBitsToFloat(Integer.reverseBytes(segment.get(I32, off))) : segment.get(F32, off);
        } catch (InternalError fault) {
            throw new MappedAccessException("read", off, fault);
        }
    }

    private double rawDouble(long off) {
        try {
            return big ? Double.longBitsToDouble(Long.reverseBytes(segment.get(I64, off))) : segment.get(F64, off);
        } catch (InternalError fault) {
            throw new MappedAccessException("read", off, fault);
        }
    }

    private void putRawByte(long off, byte v) {
        try {
            segment.set(I8, off, v);
        } catch (InternalError fault) {
            throw new MappedAccessException("write", off, fault);
        }
    }

    private void putRawShort(long off, short v) {
        try {
            segment.set(I16, off, big ? Short.reverseBytes(v) : v);
        } catch (InternalError fault) {
            throw new MappedAccessException("write", off, fault);
        }
    }

    private void putRawInt(long off, int v) {
        try {
            segment.set(I32, off, big ? Integer.reverseBytes(v) : v);
        } catch (InternalError fault) {
            throw new MappedAccessException("write", off, fault);
        }
    }

    private void putRawLong(long off, long v) {
        try {
            segment.set(I64, off, big ? Long.reverseBytes(v) : v);
        } catch (InternalError fault) {
            throw new MappedAccessException("write", off, fault);
        }
    }

    private void putRawFloat(long off, float v) {
        try {
            if (big) {
                segment.set(I32, off, Integer.reverseBytes(Float.floatToRawIntBits(v)));
            } else {
                segment.set(F32, off, v);
            }
        } catch (InternalError fault) {
            throw new MappedAccessException("write", off, fault);
        }
    }

    private void putRawDouble(long off, double v) {
        try {
            if (big) {
                segment.set(I64, off, Long.reverseBytes(Double.doubleToRawLongBits(v)));
            } else {
                segment.set(F64, off, v);
            }
        } catch (InternalError fault) {
            throw new MappedAccessException("write", off, fault);
        }
    }

    private UnsupportedOperationException unsupported(String op) {
        return new UnsupportedOperationException(op + " is not defined for an array of dtype " + dtype.pythonStr());
    }

    private void checkWritable(String op) {
        if (readOnly) {
            throw new UnsupportedOperationException(op + ": this NDArray is a read-only view (dtype " + dtype.pythonStr()
                    + ", shape " + Arrays.toString(shape) + "); it cannot be written");
        }
    }

    private static double unsignedToDouble(long v) {
        // halve (keeping the low bit so that rounding stays correct), convert, double back
        return v >= 0 ? (double) v : (double) ((v >>> 1) | (v & 1)) * 2.0;
    }

    private static float unsignedToFloat(long v) {
        return v >= 0 ? (float) v : (float) ((v >>> 1) | (v & 1)) * 2.0f;
    }

    private static long doubleToUnsigned(double v) {
        return v >= 0x1p63 ? (long) (v - 0x1p63) ^ Long.MIN_VALUE : (long) v;
    }

    // ---------------------------------------------------------------------------------------- element conversions

    private long longAt(long off, String op) {
        return switch (kind) {
            case BOOL -> rawByte(off) != 0 ? 1 : 0;
            case INT8 -> rawByte(off);
            case UINT8 -> rawByte(off) & 0xFFL;
            case INT16 -> rawShort(off);
            case UINT16 -> rawShort(off) & 0xFFFFL;
            case INT32 -> rawInt(off);
            case UINT32 -> rawInt(off) & 0xFFFF_FFFFL;
            case INT64, UINT64, DATETIME64, TIMEDELTA64 -> rawLong(off);
            case FLOAT16 -> (long) Float.float16ToFloat(rawShort(off));
            case FLOAT32 -> (long) rawFloat(off);
            case FLOAT64 -> (long) rawDouble(off);
            case COMPLEX64, COMPLEX128, BYTES, UNICODE -> throw unsupported(op);
        };
    }

    private double doubleAt(long off, String op) {
        return switch (kind) {
            case FLOAT64 -> rawDouble(off);
            case FLOAT32 -> rawFloat(off);
            case FLOAT16 -> Float.float16ToFloat(rawShort(off));
            case UINT64 -> unsignedToDouble(rawLong(off));
            case COMPLEX64, COMPLEX128, BYTES, UNICODE -> throw unsupported(op);
            default -> longAt(off, op);
        };
    }

    private float floatAt(long off, String op) {
        return switch (kind) {
            case FLOAT32 -> rawFloat(off);
            case FLOAT16 -> Float.float16ToFloat(rawShort(off));
            case FLOAT64 -> (float) rawDouble(off);
            case UINT64 -> unsignedToFloat(rawLong(off));
            case COMPLEX64, COMPLEX128, BYTES, UNICODE -> throw unsupported(op);
            default -> longAt(off, op);
        };
    }

    private boolean booleanAt(long off, String op) {
        return switch (kind) {
            case BOOL, INT8, UINT8 -> rawByte(off) != 0;
            case FLOAT16, FLOAT32, FLOAT64 -> doubleAt(off, op) != 0;   // NaN is true, as in numpy
            case COMPLEX64 -> rawFloat(off) != 0 || rawFloat(off + 4) != 0;
            case COMPLEX128 -> rawDouble(off) != 0 || rawDouble(off + 8) != 0;
            case BYTES, UNICODE -> throw unsupported(op);
            default -> longAt(off, op) != 0;
        };
    }

    private PyComplex complexAt(long off, String op) {
        return switch (kind) {
            case COMPLEX64 -> new PyComplex(rawFloat(off), rawFloat(off + 4));
            case COMPLEX128 -> new PyComplex(rawDouble(off), rawDouble(off + 8));
            default -> new PyComplex(doubleAt(off, op), 0.0);
        };
    }

    private void putLong(long off, long v, String op) {
        switch (kind) {
            case BOOL -> putRawByte(off, v != 0 ? (byte) 1 : 0);
            case INT8, UINT8 -> putRawByte(off, (byte) v);
            case INT16, UINT16 -> putRawShort(off, (short) v);
            case INT32, UINT32 -> putRawInt(off, (int) v);
            case INT64, UINT64, DATETIME64, TIMEDELTA64 -> putRawLong(off, v);
            case FLOAT16 -> putRawShort(off, Float.floatToFloat16((float) v));
            case FLOAT32 -> putRawFloat(off, (float) v);
            case FLOAT64 -> putRawDouble(off, (double) v);
            case COMPLEX64 -> {
                putRawFloat(off, (float) v);
                putRawFloat(off + 4, 0f);
            }
            case COMPLEX128 -> {
                putRawDouble(off, (double) v);
                putRawDouble(off + 8, 0.0);
            }
            case BYTES, UNICODE -> throw unsupported(op);
        }
    }

    private void putDouble(long off, double v, String op) {
        switch (kind) {
            case FLOAT64 -> putRawDouble(off, v);
            case FLOAT32 -> putRawFloat(off, (float) v);
            case FLOAT16 -> putRawShort(off, Float.floatToFloat16((float) v));
            case COMPLEX64 -> {
                putRawFloat(off, (float) v);
                putRawFloat(off + 4, 0f);
            }
            case COMPLEX128 -> {
                putRawDouble(off, v);
                putRawDouble(off + 8, 0.0);
            }
            case BOOL -> putRawByte(off, v != 0 ? (byte) 1 : 0);
            case UINT64 -> putRawLong(off, doubleToUnsigned(v));
            case BYTES, UNICODE -> throw unsupported(op);
            default -> putLong(off, (long) v, op);
        }
    }

    private void putFloat(long off, float v, String op) {
        switch (kind) {
            case FLOAT32 -> putRawFloat(off, v);
            case FLOAT16 -> putRawShort(off, Float.floatToFloat16(v));
            default -> putDouble(off, v, op);
        }
    }

    private void putComplex(long off, PyComplex v, String op) {
        Objects.requireNonNull(v, "value");
        switch (kind) {
            case COMPLEX64 -> {
                putRawFloat(off, (float) v.real());
                putRawFloat(off + 4, (float) v.imag());
            }
            case COMPLEX128 -> {
                putRawDouble(off, v.real());
                putRawDouble(off + 8, v.imag());
            }
            default -> throw unsupported(op);
        }
    }

    // ---------------------------------------------------------------------------------------- getters by index

    /** Returns the element as a double (integers converted, uint64 as unsigned). */
    public double getDouble(long... index) {
        return doubleAt(offset(index), "getDouble");
    }

    /** Returns the element as a float (float64 and integers rounded to float). */
    public float getFloat(long... index) {
        return floatAt(offset(index), "getFloat");
    }

    /** Returns the element as a long (floats truncated toward zero; uint64 as the same bits; datetime64 as its count). */
    public long getLong(long... index) {
        return longAt(offset(index), "getLong");
    }

    /** Returns the element as an int: the low 32 bits of {@link #getLong(long...)}. */
    public int getInt(long... index) {
        return (int) longAt(offset(index), "getInt");
    }

    /** Returns the element as a short: the low 16 bits of {@link #getLong(long...)}. */
    public short getShort(long... index) {
        return (short) longAt(offset(index), "getShort");
    }

    /** Returns the element as a byte: the low 8 bits of {@link #getLong(long...)}. */
    public byte getByte(long... index) {
        return (byte) longAt(offset(index), "getByte");
    }

    /** Returns whether the element is non-zero (for bool arrays: the element itself; NaN counts as true). */
    public boolean getBoolean(long... index) {
        return booleanAt(offset(index), "getBoolean");
    }

    /** Returns the element as a complex number (real elements with imaginary part 0). */
    public PyComplex getComplex(long... index) {
        return complexAt(offset(index), "getComplex");
    }

    /**
     * Returns the element of a {@code U} array, without trailing NUL code points (as numpy returns it). Code units
     * that are not Unicode code points read as U+FFFD.
     */
    public String getString(long... index) {
        if (kind != DType.Kind.UNICODE) {
            throw unsupported(kind == DType.Kind.BYTES ? "getString (use getBytes for S arrays)" : "getString");
        }
        return stringAt(offset(index));
    }

    /** Returns the element of an {@code S} array, without trailing NUL bytes (as numpy returns it). */
    public byte[] getBytes(long... index) {
        if (kind != DType.Kind.BYTES) {
            throw unsupported(kind == DType.Kind.UNICODE ? "getBytes (use getString for U arrays)" : "getBytes");
        }
        return bytesAt(offset(index));
    }

    // ---------------------------------------------------------------------------------------- setters by index

    /**
     * Sets the element from a double, converted to the dtype like numpy's {@code astype}: rounded for float32 and
     * float16, truncated toward zero and then narrowed (keeping the low bits) for integers, non-zero for bool,
     * imaginary part 0 for complex.
     */
    public void setDouble(double value, long... index) {
        checkWritable("setDouble");
        putDouble(offset(index), value, "setDouble");
    }

    /** Sets the element from a float, converted as {@link #setDouble(double, long...)}. */
    public void setFloat(float value, long... index) {
        checkWritable("setFloat");
        putFloat(offset(index), value, "setFloat");
    }

    /** Sets the element from a long: integers keep its low bits (uint64 takes the bits as they are), floats round it. */
    public void setLong(long value, long... index) {
        checkWritable("setLong");
        putLong(offset(index), value, "setLong");
    }

    /** Sets the element from an int, as {@link #setLong(long, long...)}. */
    public void setInt(int value, long... index) {
        checkWritable("setInt");
        putLong(offset(index), value, "setInt");
    }

    /** Sets the element from a short, as {@link #setLong(long, long...)}. */
    public void setShort(short value, long... index) {
        checkWritable("setShort");
        putLong(offset(index), value, "setShort");
    }

    /** Sets the element from a byte, as {@link #setLong(long, long...)}. */
    public void setByte(byte value, long... index) {
        checkWritable("setByte");
        putLong(offset(index), value, "setByte");
    }

    /** Sets the element to 1 or 0. */
    public void setBoolean(boolean value, long... index) {
        checkWritable("setBoolean");
        putLong(offset(index), value ? 1 : 0, "setBoolean");
    }

    /** Sets an element of a complex array (complex64 rounds both parts to float). */
    public void setComplex(PyComplex value, long... index) {
        checkWritable("setComplex");
        putComplex(offset(index), value, "setComplex");
    }

    /**
     * Sets an element of a {@code U} array, padding with NULs.
     *
     * @throws IllegalArgumentException if the string has more code points than the dtype's length (numpy would cut
     *     it silently)
     */
    public void setString(String value, long... index) {
        checkWritable("setString");
        if (kind != DType.Kind.UNICODE) {
            throw unsupported("setString");
        }
        long off = offset(index);
        int n = itemSize / 4;
        int count = value.codePointCount(0, value.length());
        if (count > n) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "string of %d code points does not fit dtype %s", count, dtype.pythonStr()));
        }
        int i = 0;
        for (int p = 0; p < value.length(); ) {
            int cp = value.codePointAt(p);
            putRawInt(off + 4L * i++, cp);
            p += Character.charCount(cp);
        }
        segment.asSlice(off + 4L * i, 4L * (n - i)).fill((byte) 0);
    }

    /**
     * Sets an element of an {@code S} array, padding with NULs.
     *
     * @throws IllegalArgumentException if the bytes are longer than the dtype's length
     */
    public void setBytes(byte[] value, long... index) {
        checkWritable("setBytes");
        if (kind != DType.Kind.BYTES) {
            throw unsupported("setBytes");
        }
        long off = offset(index);
        if (value.length > itemSize) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%d bytes do not fit dtype %s", value.length, dtype.pythonStr()));
        }
        MemorySegment.copy(value, 0, segment, I8, off, value.length);
        segment.asSlice(off + value.length, itemSize - value.length).fill((byte) 0);
    }

    // ---------------------------------------------------------------------------------------- flat access

    /** Returns element {@code i} in C order as a double, converted as {@link #getDouble(long...)}. */
    public double flatDouble(long i) {
        return doubleAt(flatOffset(i), "flatDouble");
    }

    /** Returns element {@code i} in C order as a float, converted as {@link #getFloat(long...)}. */
    public float flatFloat(long i) {
        return floatAt(flatOffset(i), "flatFloat");
    }

    /** Returns element {@code i} in C order as a long, converted as {@link #getLong(long...)}. */
    public long flatLong(long i) {
        return longAt(flatOffset(i), "flatLong");
    }

    /** Returns element {@code i} in C order as an int, converted as {@link #getInt(long...)}. */
    public int flatInt(long i) {
        return (int) longAt(flatOffset(i), "flatInt");
    }

    /** Returns element {@code i} in C order as a short, converted as {@link #getShort(long...)}. */
    public short flatShort(long i) {
        return (short) longAt(flatOffset(i), "flatShort");
    }

    /** Returns element {@code i} in C order as a byte, converted as {@link #getByte(long...)}. */
    public byte flatByte(long i) {
        return (byte) longAt(flatOffset(i), "flatByte");
    }

    /** Returns element {@code i} in C order as a boolean, converted as {@link #getBoolean(long...)}. */
    public boolean flatBoolean(long i) {
        return booleanAt(flatOffset(i), "flatBoolean");
    }

    /** Returns element {@code i} in C order as a complex number, as {@link #getComplex(long...)}. */
    public PyComplex flatComplex(long i) {
        return complexAt(flatOffset(i), "flatComplex");
    }

    /** Sets element {@code i} in C order from a double, converted as {@link #setDouble(double, long...)}. */
    public void setFlatDouble(long i, double value) {
        checkWritable("setFlatDouble");
        putDouble(flatOffset(i), value, "setFlatDouble");
    }

    /** Sets element {@code i} in C order from a float, converted as {@link #setFloat(float, long...)}. */
    public void setFlatFloat(long i, float value) {
        checkWritable("setFlatFloat");
        putFloat(flatOffset(i), value, "setFlatFloat");
    }

    /** Sets element {@code i} in C order from a long, converted as {@link #setLong(long, long...)}. */
    public void setFlatLong(long i, long value) {
        checkWritable("setFlatLong");
        putLong(flatOffset(i), value, "setFlatLong");
    }

    /** Sets element {@code i} in C order from an int, converted as {@link #setLong(long, long...)}. */
    public void setFlatInt(long i, int value) {
        checkWritable("setFlatInt");
        putLong(flatOffset(i), value, "setFlatInt");
    }

    /** Sets element {@code i} in C order from a short, converted as {@link #setLong(long, long...)}. */
    public void setFlatShort(long i, short value) {
        checkWritable("setFlatShort");
        putLong(flatOffset(i), value, "setFlatShort");
    }

    /** Sets element {@code i} in C order from a byte, converted as {@link #setLong(long, long...)}. */
    public void setFlatByte(long i, byte value) {
        checkWritable("setFlatByte");
        putLong(flatOffset(i), value, "setFlatByte");
    }

    /** Sets element {@code i} in C order to 1 or 0. */
    public void setFlatBoolean(long i, boolean value) {
        checkWritable("setFlatBoolean");
        putLong(flatOffset(i), value ? 1 : 0, "setFlatBoolean");
    }

    /** Sets element {@code i} in C order of a complex array. */
    public void setFlatComplex(long i, PyComplex value) {
        checkWritable("setFlatComplex");
        putComplex(flatOffset(i), value, "setFlatComplex");
    }

    // ---------------------------------------------------------------------------------------- bulk copies

    private ValueLayout bulkLayout(String op, Class<?> carrier) {
        boolean ok = switch (kind) {
            case BOOL, INT8, UINT8 -> carrier == byte.class;
            case INT16, UINT16, FLOAT16 -> carrier == short.class;
            case INT32, UINT32 -> carrier == int.class;
            case INT64, UINT64, DATETIME64, TIMEDELTA64 -> carrier == long.class;
            case FLOAT32 -> carrier == float.class;
            case FLOAT64 -> carrier == double.class;
            default -> false;
        };
        if (!ok) {
            throw new UnsupportedOperationException(op + ": an array of dtype " + dtype.pythonStr()
                    + " does not copy to or from " + carrier.getName() + "[] (the element sizes or kinds differ)");
        }
        return elementLayout();
    }

    private void copyOut(String op, Class<?> carrier, long srcIndex, Object dst, int dstIndex, int count) {
        ValueLayout layout = bulkLayout(op, carrier);
        Objects.checkFromIndexSize(srcIndex, count, size);
        // one copy; the JDK swaps bytes itself when the layout's order is not the array's (native) order
        MemorySegment.copy(segment, layout, srcIndex * itemSize, dst, dstIndex, count);
    }

    private void copyIn(String op, Class<?> carrier, Object src, int srcIndex, long dstIndex, int count) {
        checkWritable(op);
        ValueLayout layout = bulkLayout(op, carrier);
        Objects.checkFromIndexSize(dstIndex, count, size);
        MemorySegment.copy(src, srcIndex, segment, layout, dstIndex * itemSize, count);
    }

    private int wholeLength(String op, int arrayLength) {
        if (arrayLength != size) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: Java array of length %d for an array of %d elements (use the ranged form for parts)", op, arrayLength, size));
        }
        return arrayLength;
    }

    /** Copies all elements of a float64 array into {@code dst}, whose length must be {@link #size()}. */
    public void copyTo(double[] dst) {
        copyOut("copyTo", double.class, 0, dst, 0, wholeLength("copyTo", dst.length));
    }

    /** Copies {@code count} elements of a float64 array, from flat index {@code srcIndex}, into {@code dst} at {@code dstIndex}. */
    public void copyTo(long srcIndex, double[] dst, int dstIndex, int count) {
        copyOut("copyTo", double.class, srcIndex, dst, dstIndex, count);
    }

    /** Copies {@code src}, whose length must be {@link #size()}, into all elements of a float64 array. */
    public void copyFrom(double[] src) {
        copyIn("copyFrom", double.class, src, 0, 0, wholeLength("copyFrom", src.length));
    }

    /** Copies {@code count} values of {@code src} from {@code srcIndex} into a float64 array from flat index {@code dstIndex}. */
    public void copyFrom(double[] src, int srcIndex, long dstIndex, int count) {
        copyIn("copyFrom", double.class, src, srcIndex, dstIndex, count);
    }

    /** Copies all elements of a float32 array into {@code dst}, whose length must be {@link #size()}. */
    public void copyTo(float[] dst) {
        copyOut("copyTo", float.class, 0, dst, 0, wholeLength("copyTo", dst.length));
    }

    /** Copies {@code count} elements of a float32 array, from flat index {@code srcIndex}, into {@code dst} at {@code dstIndex}. */
    public void copyTo(long srcIndex, float[] dst, int dstIndex, int count) {
        copyOut("copyTo", float.class, srcIndex, dst, dstIndex, count);
    }

    /** Copies {@code src}, whose length must be {@link #size()}, into all elements of a float32 array. */
    public void copyFrom(float[] src) {
        copyIn("copyFrom", float.class, src, 0, 0, wholeLength("copyFrom", src.length));
    }

    /** Copies {@code count} values of {@code src} from {@code srcIndex} into a float32 array from flat index {@code dstIndex}. */
    public void copyFrom(float[] src, int srcIndex, long dstIndex, int count) {
        copyIn("copyFrom", float.class, src, srcIndex, dstIndex, count);
    }

    /** Copies all elements of an int64, uint64 (same bits), datetime64 or timedelta64 array into {@code dst} of length {@link #size()}. */
    public void copyTo(long[] dst) {
        copyOut("copyTo", long.class, 0, dst, 0, wholeLength("copyTo", dst.length));
    }

    /** Copies {@code count} elements of an 8-byte integer or time array, from flat index {@code srcIndex}, into {@code dst} at {@code dstIndex}. */
    public void copyTo(long srcIndex, long[] dst, int dstIndex, int count) {
        copyOut("copyTo", long.class, srcIndex, dst, dstIndex, count);
    }

    /** Copies {@code src}, whose length must be {@link #size()}, into all elements of an 8-byte integer or time array. */
    public void copyFrom(long[] src) {
        copyIn("copyFrom", long.class, src, 0, 0, wholeLength("copyFrom", src.length));
    }

    /** Copies {@code count} values of {@code src} from {@code srcIndex} into an 8-byte integer or time array from flat index {@code dstIndex}. */
    public void copyFrom(long[] src, int srcIndex, long dstIndex, int count) {
        copyIn("copyFrom", long.class, src, srcIndex, dstIndex, count);
    }

    /** Copies all elements of an int32 or uint32 (same bits) array into {@code dst}, whose length must be {@link #size()}. */
    public void copyTo(int[] dst) {
        copyOut("copyTo", int.class, 0, dst, 0, wholeLength("copyTo", dst.length));
    }

    /** Copies {@code count} elements of an int32 or uint32 array, from flat index {@code srcIndex}, into {@code dst} at {@code dstIndex}. */
    public void copyTo(long srcIndex, int[] dst, int dstIndex, int count) {
        copyOut("copyTo", int.class, srcIndex, dst, dstIndex, count);
    }

    /** Copies {@code src}, whose length must be {@link #size()}, into all elements of an int32 or uint32 array. */
    public void copyFrom(int[] src) {
        copyIn("copyFrom", int.class, src, 0, 0, wholeLength("copyFrom", src.length));
    }

    /** Copies {@code count} values of {@code src} from {@code srcIndex} into an int32 or uint32 array from flat index {@code dstIndex}. */
    public void copyFrom(int[] src, int srcIndex, long dstIndex, int count) {
        copyIn("copyFrom", int.class, src, srcIndex, dstIndex, count);
    }

    /**
     * Copies all elements of an int16, uint16 (same bits) or float16 (raw half-precision bits, see
     * {@link Float#float16ToFloat(short)}) array into {@code dst}, whose length must be {@link #size()}.
     */
    public void copyTo(short[] dst) {
        copyOut("copyTo", short.class, 0, dst, 0, wholeLength("copyTo", dst.length));
    }

    /** Copies {@code count} elements of a 2-byte array (as {@link #copyTo(short[])}), from flat index {@code srcIndex}, into {@code dst} at {@code dstIndex}. */
    public void copyTo(long srcIndex, short[] dst, int dstIndex, int count) {
        copyOut("copyTo", short.class, srcIndex, dst, dstIndex, count);
    }

    /** Copies {@code src}, whose length must be {@link #size()}, into all elements of an int16, uint16 or float16 (raw bits) array. */
    public void copyFrom(short[] src) {
        copyIn("copyFrom", short.class, src, 0, 0, wholeLength("copyFrom", src.length));
    }

    /** Copies {@code count} values of {@code src} from {@code srcIndex} into a 2-byte array from flat index {@code dstIndex}. */
    public void copyFrom(short[] src, int srcIndex, long dstIndex, int count) {
        copyIn("copyFrom", short.class, src, srcIndex, dstIndex, count);
    }

    /** Copies all elements of an int8, uint8 (same bits) or bool (raw bytes) array into {@code dst}, whose length must be {@link #size()}. */
    public void copyTo(byte[] dst) {
        copyOut("copyTo", byte.class, 0, dst, 0, wholeLength("copyTo", dst.length));
    }

    /** Copies {@code count} elements of a 1-byte array, from flat index {@code srcIndex}, into {@code dst} at {@code dstIndex}. */
    public void copyTo(long srcIndex, byte[] dst, int dstIndex, int count) {
        copyOut("copyTo", byte.class, srcIndex, dst, dstIndex, count);
    }

    /** Copies {@code src}, whose length must be {@link #size()}, into all elements of an int8, uint8 or bool (raw bytes) array. */
    public void copyFrom(byte[] src) {
        copyIn("copyFrom", byte.class, src, 0, 0, wholeLength("copyFrom", src.length));
    }

    /** Copies {@code count} values of {@code src} from {@code srcIndex} into a 1-byte array from flat index {@code dstIndex}. */
    public void copyFrom(byte[] src, int srcIndex, long dstIndex, int count) {
        copyIn("copyFrom", byte.class, src, srcIndex, dstIndex, count);
    }

    /** Copies the array's raw bytes (C order, the array's byte order) into {@code dst}, which must be {@link #byteSize()} long. */
    public void copyTo(MemorySegment dst) {
        if (dst.byteSize() != byteSize()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "copyTo: segment of %d bytes for an array of %d bytes", dst.byteSize(), byteSize()));
        }
        MemorySegment.copy(segment, 0, dst, 0, byteSize());
    }

    /** Copies raw bytes (C order, the array's byte order) from {@code src}, which must be {@link #byteSize()} long, into the array. */
    public void copyFrom(MemorySegment src) {
        checkWritable("copyFrom");
        if (src.byteSize() != byteSize()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "copyFrom: segment of %d bytes for an array of %d bytes", src.byteSize(), byteSize()));
        }
        MemorySegment.copy(src, 0, segment, 0, byteSize());
    }

    private int javaLength(String op) {
        if (size > MAX_JAVA_ARRAY) {
            throw new UnsupportedOperationException(String.format(Locale.ROOT,
                    "%s: %d elements do not fit a Java array (use the ranged copyTo or segment())", op, size));
        }
        return (int) size;
    }

    /** Returns the elements in C order as doubles: one bulk copy for float64, converted as {@link #getDouble(long...)} otherwise. */
    public double[] toDoubleArray() {
        double[] a = new double[javaLength("toDoubleArray")];
        if (kind == DType.Kind.FLOAT64) {
            copyTo(a);
        } else {
            for (int i = 0; i < a.length; i++) {
                a[i] = doubleAt((long) i * itemSize, "toDoubleArray");
            }
        }
        return a;
    }

    /** Returns the elements in C order as floats: one bulk copy for float32, converted as {@link #getFloat(long...)} otherwise. */
    public float[] toFloatArray() {
        float[] a = new float[javaLength("toFloatArray")];
        if (kind == DType.Kind.FLOAT32) {
            copyTo(a);
        } else {
            for (int i = 0; i < a.length; i++) {
                a[i] = floatAt((long) i * itemSize, "toFloatArray");
            }
        }
        return a;
    }

    /** Returns the elements in C order as longs: one bulk copy for 8-byte integers and times, converted as {@link #getLong(long...)} otherwise. */
    public long[] toLongArray() {
        long[] a = new long[javaLength("toLongArray")];
        if (itemSize == 8 && (kind.isInteger() || kind.isTime())) {
            copyTo(a);
        } else {
            for (int i = 0; i < a.length; i++) {
                a[i] = longAt((long) i * itemSize, "toLongArray");
            }
        }
        return a;
    }

    /** Returns the elements in C order as ints: one bulk copy for int32 and uint32, converted as {@link #getInt(long...)} otherwise. */
    public int[] toIntArray() {
        int[] a = new int[javaLength("toIntArray")];
        if (kind == DType.Kind.INT32 || kind == DType.Kind.UINT32) {
            copyTo(a);
        } else {
            for (int i = 0; i < a.length; i++) {
                a[i] = (int) longAt((long) i * itemSize, "toIntArray");
            }
        }
        return a;
    }

    /** Returns the elements in C order as shorts: one bulk copy for int16 and uint16, converted as {@link #getShort(long...)} otherwise (float16 by value). */
    public short[] toShortArray() {
        short[] a = new short[javaLength("toShortArray")];
        if (kind == DType.Kind.INT16 || kind == DType.Kind.UINT16) {
            copyTo(a);
        } else {
            for (int i = 0; i < a.length; i++) {
                a[i] = (short) longAt((long) i * itemSize, "toShortArray");
            }
        }
        return a;
    }

    /** Returns the elements in C order as bytes: one bulk copy for int8 and uint8, converted as {@link #getByte(long...)} otherwise. */
    public byte[] toByteArray() {
        byte[] a = new byte[javaLength("toByteArray")];
        if (kind == DType.Kind.INT8 || kind == DType.Kind.UINT8) {
            copyTo(a);
        } else {
            for (int i = 0; i < a.length; i++) {
                a[i] = (byte) longAt((long) i * itemSize, "toByteArray");
            }
        }
        return a;
    }

    /** Returns the elements in C order as booleans, converted as {@link #getBoolean(long...)}. */
    public boolean[] toBooleanArray() {
        boolean[] a = new boolean[javaLength("toBooleanArray")];
        for (int i = 0; i < a.length; i++) {
            a[i] = booleanAt((long) i * itemSize, "toBooleanArray");
        }
        return a;
    }

    // ---------------------------------------------------------------------------------------- Object

    /**
     * Returns whether the other object is an NDArray with the same dtype, the same shape and the same bytes (so
     * NaNs with the same bits are equal, and {@code 0.0} differs from {@code -0.0}).
     */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        return o instanceof NDArray a && dtype.equals(a.dtype) && Arrays.equals(shape, a.shape)
                && MemorySegment.mismatch(segment, 0, segment.byteSize(), a.segment, 0, a.segment.byteSize()) < 0;
    }

    /**
     * Returns a hash of the dtype, the shape and the first bytes (at most 4096, so that hashing a large mapped array
     * does not read it all). Like a {@code List}'s, it changes when the elements change.
     */
    @Override
    public int hashCode() {
        int h = dtype.hashCode() * 31 + Arrays.hashCode(shape);
        long n = Math.min(segment.byteSize(), 4096);
        for (long i = 0; i < n; i++) {
            h = h * 31 + segment.get(I8, i);
        }
        return h;
    }

    /**
     * Returns a summary like numpy's {@code repr}: {@code array([1., 2., 3.], dtype=float32)}, nested brackets for
     * more dimensions, the middle of each axis elided with {@code ...} when there are more than 1000 elements.
     * The number formatting is close to numpy's but not identical.
     */
    @Override
    public String toString() {
        String prefix = "array(";
        Repr r = new Repr(this, null);
        if (!r.printable()) {
            return "array(<" + size + " elements>, shape=" + shapeTuple(shape) + ", dtype=" + dtypeRepr(dtype) + ")";
        }
        String body = prefix + r.body(prefix.length());
        List<String> extras = new ArrayList<>(2);
        if (size == 0 ? shape.length != 1 : r.summarized()) {
            extras.add("shape=" + shapeTuple(shape));
        }
        if (size == 0 || !isTypeless(dtype)) {
            extras.add("dtype=" + dtypeRepr(dtype));
        }
        if (extras.isEmpty()) {
            return body + ")";
        }
        String extra = String.join(", ", extras) + ")";
        // as numpy does: the extras go on their own line when they would make the last line too long
        int lastLine = body.length() + 1 - (body.lastIndexOf('\n') + 1);
        String spacer = lastLine + extra.length() + 1 > Repr.LINE_WIDTH ? "\n" + " ".repeat(prefix.length()) : " ";
        return body + "," + spacer + extra;
    }

    static String shapeTuple(long[] shape) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            b.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** The dtypes numpy's repr leaves out ({@code float64}, {@code int64}, {@code complex128}, {@code bool}). */
    static boolean isTypeless(DType d) {
        return d.isNativeOrder() && switch (d.kind()) {
            case FLOAT64, INT64, COMPLEX128, BOOL -> true;
            default -> false;
        };
    }

    /** numpy writes a dtype's name bare when it is an identifier ({@code float32}), quoted otherwise ({@code '<U2'}). */
    static String dtypeRepr(DType d) {
        String s = d.pythonStr();
        return s.matches("[a-z][a-z0-9]*") ? s : "'" + s + "'";
    }

    /** Formats an array (optionally masked) as numpy's repr does, without the {@code array(} wrapper. */
    static String formatBody(NDArray a, NDArray mask, int indent) {
        return new Repr(a, mask).body(indent);
    }

    /** numpy's array printing, approximated: edge items, uniform float formatting, 75-column lines. */
    private static final class Repr {
        private static final int LINE_WIDTH = 75;
        private static final int EDGE = 3;
        private static final long THRESHOLD = 1000;
        private static final long MAX_SHOWN = 100_000;

        private final NDArray a;
        private final NDArray mask;
        private final boolean summarize;
        private final long shown;
        private String[] words;
        private int next;

        Repr(NDArray a, NDArray mask) {
            this.a = a;
            this.mask = mask;
            this.summarize = a.size > THRESHOLD;
            long n = 1;
            for (long d : a.shape) {
                n *= shownLength(d);   // cannot overflow: each factor is at most its dimension
            }
            this.shown = a.size == 0 ? 0 : n;
        }

        boolean printable() {
            return shown <= MAX_SHOWN;
        }

        boolean summarized() {
            return summarize;
        }

        private long shownLength(long d) {
            return summarize && d > 2 * EDGE ? 2 * EDGE : d;
        }

        String body(int indent) {
            if (a.size == 0) {
                return "[]";
            }
            if (!printable()) {
                return "[...]";
            }
            long[] flat = new long[(int) shown];
            int[] count = {0};
            collect(0, 0, flat, count);
            words = formatElements(flat);
            next = 0;
            if (a.shape.length == 0) {
                return words[0];
            }
            return layout(0, " ".repeat(indent));
        }

        private void collect(int axis, long base, long[] out, int[] count) {
            if (axis == a.shape.length) {
                out[count[0]++] = base;
                return;
            }
            long n = a.shape[axis];
            long stride = a.strides[axis] / a.itemSize;
            boolean elide = summarize && n > 2 * EDGE;
            for (long i = 0; i < n; i++) {
                if (elide && i == EDGE) {
                    i = n - EDGE;
                }
                collect(axis + 1, base + i * stride, out, count);
            }
        }

        private String layout(int axis, String indent) {
            long n = a.shape[axis];
            boolean elide = summarize && n > 2 * EDGE;
            StringBuilder b = new StringBuilder("[");
            if (axis == a.shape.length - 1) {
                int col = indent.length() + 1;
                boolean first = true;
                for (long i = 0; i < n; i++) {
                    String word;
                    if (elide && i == EDGE) {
                        word = "...";
                        i = n - EDGE - 1;
                    } else {
                        word = words[next++];
                    }
                    String token = i == n - 1 ? word : word + ",";
                    // keep room for the closing brackets of this and the enclosing axes
                    int reserve = i == n - 1 ? axis + 1 : 0;
                    if (!first && col + 1 + token.length() + reserve > LINE_WIDTH) {
                        b.append('\n').append(indent).append(' ');
                        col = indent.length() + 1;
                    } else if (!first) {
                        b.append(' ');
                        col++;
                    }
                    b.append(token);
                    col += token.length();
                    first = false;
                }
            } else {
                String sep = ",\n" + "\n".repeat(a.shape.length - axis - 2) + indent + " ";
                for (long i = 0; i < n; i++) {
                    if (i > 0) {
                        b.append(sep);
                    }
                    if (elide && i == EDGE) {
                        b.append("...");
                        i = n - EDGE - 1;
                    } else {
                        b.append(layout(axis + 1, indent + " "));
                    }
                }
            }
            return b.append(']').toString();
        }

        private boolean masked(long flat) {
            return mask != null && mask.flatBoolean(flat);
        }

        private String[] formatElements(long[] flat) {
            int n = flat.length;
            String[] out = new String[n];
            DType.Kind k = a.kind;
            switch (k) {
                case BOOL -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = a.flatBoolean(flat[i]) ? "True" : "False";
                    }
                    padLeft(out, flat);
                }
                case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Long.toString(a.flatLong(flat[i]));
                    }
                    padLeft(out, flat);
                }
                case UINT64 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Long.toUnsignedString(a.flatLong(flat[i]));
                    }
                    padLeft(out, flat);
                }
                case TIMEDELTA64 -> {
                    for (int i = 0; i < n; i++) {
                        long v = a.flatLong(flat[i]);
                        out[i] = v == Long.MIN_VALUE ? "'NaT'" : Long.toString(v);
                    }
                    padLeft(out, flat);
                }
                case DATETIME64 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = "'" + datetimeString(a.flatLong(flat[i]), a.dtype) + "'";
                    }
                }
                case FLOAT16, FLOAT32, FLOAT64 -> {
                    double[] v = new double[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = a.flatDouble(flat[i]);
                    }
                    FloatFormat f = new FloatFormat(v, unmasked(flat), k, false);
                    for (int i = 0; i < n; i++) {
                        out[i] = f.format(v[i], true);
                    }
                    padLeft(out, flat);
                }
                case COMPLEX64, COMPLEX128 -> {
                    double[] re = new double[n];
                    double[] im = new double[n];
                    for (int i = 0; i < n; i++) {
                        PyComplex c = a.flatComplex(flat[i]);
                        re[i] = c.real();
                        im[i] = c.imag();
                    }
                    DType.Kind part = k == DType.Kind.COMPLEX64 ? DType.Kind.FLOAT32 : DType.Kind.FLOAT64;
                    boolean[] use = unmasked(flat);
                    FloatFormat fr = new FloatFormat(re, use, part, false);
                    FloatFormat fi = new FloatFormat(im, use, part, true);
                    for (int i = 0; i < n; i++) {
                        out[i] = fr.format(re[i], true) + fi.format(im[i], false) + "j";
                    }
                    int w = 0;
                    for (String s : out) {
                        w = Math.max(w, s.length());
                    }
                    for (int i = 0; i < n; i++) {
                        out[i] = out[i] + " ".repeat(w - out[i].length());
                    }
                }
                case BYTES -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = bytesRepr(a.bytesAt(flat[i] * a.itemSize));
                    }
                }
                case UNICODE -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = strRepr(a.stringAt(flat[i] * a.itemSize));
                    }
                }
            }
            if (mask != null) {
                for (int i = 0; i < n; i++) {
                    if (masked(flat[i])) {
                        out[i] = "--";
                    }
                }
            }
            return out;
        }

        private boolean[] unmasked(long[] flat) {
            boolean[] use = new boolean[flat.length];
            for (int i = 0; i < flat.length; i++) {
                use[i] = !masked(flat[i]);
            }
            return use;
        }

        private void padLeft(String[] out, long[] flat) {
            int w = 0;
            for (int i = 0; i < out.length; i++) {
                if (!masked(flat[i])) {
                    w = Math.max(w, out[i].length());
                }
            }
            for (int i = 0; i < out.length; i++) {
                if (out[i].length() < w) {
                    out[i] = " ".repeat(w - out[i].length()) + out[i];
                }
            }
        }
    }

    private String stringAt(long off) {
        int end = itemSize / 4;
        while (end > 0 && rawInt(off + 4L * (end - 1)) == 0) {
            end--;
        }
        StringBuilder b = new StringBuilder(end);
        for (int i = 0; i < end; i++) {
            int cp = rawInt(off + 4L * i);
            if (Character.isValidCodePoint(cp)) {
                b.appendCodePoint(cp);
            } else {
                b.append('\uFFFD');
            }
        }
        return b.toString();
    }

    private byte[] bytesAt(long off) {
        int end = itemSize;
        while (end > 0 && rawByte(off + end - 1) == 0) {
            end--;
        }
        return segment.asSlice(off, end).toArray(I8);
    }

    /**
     * numpy's float formatting in its default mode ("maxprec", 8 digits), approximated: one format for all shown
     * values, positional unless the values span too many magnitudes.
     */
    private static final class FloatFormat {
        private static final int PRECISION = 8;

        private final DType.Kind kind;
        private final boolean sign;
        private final boolean exp;
        private int intWidth;
        private int fracWidth;
        private int expDigits = 2;
        private int width;

        FloatFormat(double[] values, boolean[] use, DType.Kind kind, boolean sign) {
            this.kind = kind;
            this.sign = sign;
            double max = 0;
            double min = Double.POSITIVE_INFINITY;
            for (int i = 0; i < values.length; i++) {
                double v = Math.abs(values[i]);
                if (use[i] && Double.isFinite(v) && v != 0) {
                    max = Math.max(max, v);
                    min = Math.min(min, v);
                }
            }
            exp = max != 0 && (max >= 1e8 || min < 1e-4 || max / min > 1e3);
            for (int i = 0; i < values.length; i++) {
                if (!use[i] || !Double.isFinite(values[i])) {
                    continue;
                }
                if (exp) {
                    String[] p = expParts(values[i]);
                    fracWidth = Math.max(fracWidth, p[1].length());
                    expDigits = Math.max(expDigits, p[2].length());
                } else {
                    String[] p = positionalParts(values[i]);
                    intWidth = Math.max(intWidth, p[0].length());
                    fracWidth = Math.max(fracWidth, p[1].length());
                }
            }
            for (int i = 0; i < values.length; i++) {
                if (use[i]) {
                    width = Math.max(width, core(values[i], true).length());
                }
            }
        }

        private BigDecimal shortest(double v) {
            return switch (kind) {
                case FLOAT32 -> new BigDecimal(Float.toString((float) v));
                case FLOAT16 -> shortestHalf((float) v);
                default -> new BigDecimal(Double.toString(v));
            };
        }

        private static BigDecimal shortestHalf(float v) {
            short bits = Float.floatToFloat16(v);
            BigDecimal exact = new BigDecimal(v);
            for (int digits = 1; digits < 10; digits++) {
                BigDecimal r = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
                if (Float.floatToFloat16(r.floatValue()) == bits) {
                    return r;
                }
            }
            return exact;
        }

        /** [sign and integer digits, fraction digits]. */
        private String[] positionalParts(double v) {
            BigDecimal d = shortest(v);
            if (d.scale() > PRECISION) {
                d = d.setScale(PRECISION, RoundingMode.HALF_EVEN);
            }
            d = d.stripTrailingZeros();
            if (d.scale() < 0) {
                d = d.setScale(0);
            }
            String s = d.abs().toPlainString();
            int dot = s.indexOf('.');
            String ip = dot < 0 ? s : s.substring(0, dot);
            String fp = dot < 0 ? "" : s.substring(dot + 1);
            boolean neg = v < 0 || (v == 0 && 1 / v < 0);
            return new String[] {(neg ? "-" : sign ? "+" : "") + ip, fp};
        }

        /** [sign and leading digit, fraction digits, exponent digits, exponent sign]. */
        private String[] expParts(double v) {
            boolean neg = v < 0 || (v == 0 && 1 / v < 0);
            if (v == 0) {
                return new String[] {(neg ? "-" : sign ? "+" : "") + "0", "", "0", "+"};
            }
            BigDecimal d = shortest(Math.abs(v)).round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN)).stripTrailingZeros();
            String digits = d.unscaledValue().toString();
            int e = digits.length() - 1 - d.scale();
            return new String[] {(neg ? "-" : sign ? "+" : "") + digits.charAt(0), digits.substring(1),
                    Integer.toString(Math.abs(e)), e < 0 ? "-" : "+"};
        }

        /** Formats a value; with {@code pad}, aligned to the width of all values (integer part right, fraction left). */
        String format(double v, boolean pad) {
            String s = core(v, pad);
            return pad && s.length() < width ? " ".repeat(width - s.length()) + s : s;
        }

        private String core(double v, boolean pad) {
            String s;
            if (Double.isNaN(v)) {
                s = sign ? "+nan" : "nan";
            } else if (Double.isInfinite(v)) {
                s = v > 0 ? (sign ? "+inf" : "inf") : "-inf";
            } else if (exp) {
                String[] p = expParts(v);
                String e = "0".repeat(Math.max(0, expDigits - p[2].length())) + p[2];
                s = p[0] + "." + p[1] + "0".repeat(fracWidth - p[1].length()) + "e" + p[3] + e;
            } else {
                String[] p = positionalParts(v);
                s = (pad ? " ".repeat(Math.max(0, intWidth - p[0].length())) : "") + p[0] + "." + p[1]
                        + (pad ? " ".repeat(fracWidth - p[1].length()) : "");
            }
            return s;
        }
    }

    static String datetimeString(long v, DType dt) {
        if (v == Long.MIN_VALUE) {
            return "NaT";
        }
        DType.TimeUnit u = dt.timeUnit();
        try {
            long t = Math.multiplyExact(v, dt.timeUnitCount());
            return switch (u) {
                case GENERIC -> Long.toString(v);
                case YEAR -> String.format(Locale.ROOT, "%04d", Math.addExact(1970, t));
                case MONTH -> String.format(Locale.ROOT, "%04d-%02d", Math.floorDiv(t, 12) + 1970, Math.floorMod(t, 12) + 1);
                case WEEK -> LocalDate.ofEpochDay(Math.multiplyExact(t, 7)).toString();
                case DAY -> LocalDate.ofEpochDay(t).toString();
                case HOUR -> dateTime(Math.multiplyExact(t, 3600)).substring(0, 13);
                case MINUTE -> dateTime(Math.multiplyExact(t, 60)).substring(0, 16);
                case SECOND -> dateTime(t);
                case MILLISECOND -> withFraction(t, 3);
                case MICROSECOND -> withFraction(t, 6);
                case NANOSECOND -> withFraction(t, 9);
                case PICOSECOND -> withFraction(t, 12);
                case FEMTOSECOND -> withFraction(t, 15);
                case ATTOSECOND -> withFraction(t, 18);
            };
        } catch (ArithmeticException | DateTimeException e) {
            return Long.toString(v);
        }
    }

    private static String withFraction(long t, int digits) {
        long scale = 1;
        for (int i = 0; i < digits; i++) {
            scale *= 10;
        }
        String frac = Long.toString(Math.floorMod(t, scale));
        return dateTime(Math.floorDiv(t, scale)) + "." + "0".repeat(digits - frac.length()) + frac;
    }

    private static String dateTime(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        return String.format(Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d", t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
    }

    private static String bytesRepr(byte[] b) {
        StringBuilder s = new StringBuilder("b'");
        for (byte x : b) {
            int c = x & 0xFF;
            switch (c) {
                case '\\' -> s.append("\\\\");
                case '\'' -> s.append("\\'");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        s.append((char) c);
                    } else {
                        s.append(String.format(Locale.ROOT, "\\x%02x", c));
                    }
                }
            }
        }
        return s.append('\'').toString();
    }

    private static String strRepr(String v) {
        StringBuilder s = new StringBuilder("'");
        v.codePoints().forEach(c -> {
            switch (c) {
                case '\\' -> s.append("\\\\");
                case '\'' -> s.append("\\'");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        s.append(String.format(Locale.ROOT, "\\x%02x", c));
                    } else {
                        s.appendCodePoint(c);
                    }
                }
            }
        });
        return s.append('\'').toString();
    }
}
