package org.mmappickle;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * The bulk copies of {@link NDArray}: elements to and from Java arrays and raw segments, and the converting
 * {@code toXxxArray} methods. Only the API layer: the copies are {@link ArrayCopies}'s. Not public: its public methods
 * are documented, and called, as NDArray's own (see {@link ArrayElementAccess}).
 */
abstract sealed class ArrayBulkAccess extends ArrayElementAccess permits NDArray {
    /** The largest Java array the JVM reliably allocates. */
    private static final int MAX_JAVA_ARRAY = Integer.MAX_VALUE - 8;

    ArrayBulkAccess() {
    }

    private int wholeLength(String op, int arrayLength) {
        long size = array().size();
        if (arrayLength != size) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: Java array of length %d for an array of"
                    + " %d elements (use the ranged form for parts)", op, arrayLength, size));
        }
        return arrayLength;
    }

    /**
     * Copies all elements of a float64 array into {@code dst}, whose length must be {@link NDArray#size()}.
     *
     * @param dst receives the elements in C order
     * @throws IllegalArgumentException if {@code dst.length} is not {@link NDArray#size()} (the ranged form copies part
     *     of the array)
     * @throws UnsupportedOperationException if the dtype is not float64: bulk copies move bits and never convert
     *     ({@link #toDoubleArray()} converts)
     */
    public void copyTo(double[] dst) {
        ArrayCopies.copyOut(array(), "copyTo", double.class, 0, dst, 0, wholeLength("copyTo", dst.length));
    }

    /**
     * Copies {@code count} elements of a float64 array, from flat index {@code srcIndex}, into {@code dst} at
     * {@code dstIndex}.
     *
     * @param srcIndex the flat C-order index of the first element copied
     * @param dst receives the elements
     * @param dstIndex the position in {@code dst} of the first element
     * @param count the number of elements to copy
     * @throws IndexOutOfBoundsException if {@code count} is negative, or the elements from {@code srcIndex} or the
     *     positions from {@code dstIndex} run past the end of the array or of {@code dst}
     * @throws UnsupportedOperationException if the dtype is not float64 (bulk copies move bits and never convert)
     */
    public void copyTo(long srcIndex, double[] dst, int dstIndex, int count) {
        ArrayCopies.copyOut(array(), "copyTo", double.class, srcIndex, dst, dstIndex, count);
    }

    /**
     * Copies {@code src}, whose length must be {@link NDArray#size()}, into all elements of a float64 array.
     *
     * @param src the values for the elements, in C order
     * @throws IllegalArgumentException if {@code src.length} is not {@link NDArray#size()} (the ranged form copies part
     *     of the array)
     * @throws UnsupportedOperationException if the view is read-only, or the dtype is not float64 (bulk copies move
     *     bits and never convert)
     */
    public void copyFrom(double[] src) {
        ArrayCopies.copyIn(array(), "copyFrom", double.class, src, 0, 0, wholeLength("copyFrom", src.length));
    }

    /**
     * Copies {@code count} values of {@code src} from {@code srcIndex} into a float64 array from flat index
     * {@code dstIndex}.
     *
     * @param src the values to store
     * @param srcIndex the position in {@code src} of the first value
     * @param dstIndex the flat C-order index of the first element written
     * @param count the number of elements to copy
     * @throws IndexOutOfBoundsException if {@code count} is negative, or the positions from {@code srcIndex} or the
     *     elements from {@code dstIndex} run past the end of {@code src} or of the array
     * @throws UnsupportedOperationException if the view is read-only, or the dtype is not float64 (bulk copies move
     *     bits and never convert)
     */
    public void copyFrom(double[] src, int srcIndex, long dstIndex, int count) {
        ArrayCopies.copyIn(array(), "copyFrom", double.class, src, srcIndex, dstIndex, count);
    }

    /**
     * Copies all elements of a float32 array into {@code dst}, whose length must be {@link NDArray#size()}.
     *
     * @param dst receives the elements in C order
     * @throws IllegalArgumentException if {@code dst.length} is not {@link NDArray#size()} (the ranged form copies part
     *     of the array)
     * @throws UnsupportedOperationException if the dtype is not float32: bulk copies move bits and never convert
     *     ({@link #toFloatArray()} converts)
     */
    public void copyTo(float[] dst) {
        ArrayCopies.copyOut(array(), "copyTo", float.class, 0, dst, 0, wholeLength("copyTo", dst.length));
    }

    /**
     * Copies {@code count} elements of a float32 array, from flat index {@code srcIndex}, into {@code dst} at
     * {@code dstIndex}.
     *
     * @param srcIndex the flat C-order index of the first element copied
     * @param dst receives the elements
     * @param dstIndex the position in {@code dst} of the first element
     * @param count the number of elements to copy
     * @throws IndexOutOfBoundsException if {@code count} is negative, or the elements from {@code srcIndex} or the
     *     positions from {@code dstIndex} run past the end of the array or of {@code dst}
     * @throws UnsupportedOperationException if the dtype is not float32 (bulk copies move bits and never convert)
     */
    public void copyTo(long srcIndex, float[] dst, int dstIndex, int count) {
        ArrayCopies.copyOut(array(), "copyTo", float.class, srcIndex, dst, dstIndex, count);
    }

    /**
     * Copies {@code src}, whose length must be {@link NDArray#size()}, into all elements of a float32 array.
     *
     * @param src the values for the elements, in C order
     * @throws IllegalArgumentException if {@code src.length} is not {@link NDArray#size()} (the ranged form copies part
     *     of the array)
     * @throws UnsupportedOperationException if the view is read-only, or the dtype is not float32 (bulk copies move
     *     bits and never convert)
     */
    public void copyFrom(float[] src) {
        ArrayCopies.copyIn(array(), "copyFrom", float.class, src, 0, 0, wholeLength("copyFrom", src.length));
    }

    /**
     * Copies {@code count} values of {@code src} from {@code srcIndex} into a float32 array from flat index
     * {@code dstIndex}.
     *
     * @param src the values to store
     * @param srcIndex the position in {@code src} of the first value
     * @param dstIndex the flat C-order index of the first element written
     * @param count the number of elements to copy
     * @throws IndexOutOfBoundsException if {@code count} is negative, or the positions from {@code srcIndex} or the
     *     elements from {@code dstIndex} run past the end of {@code src} or of the array
     * @throws UnsupportedOperationException if the view is read-only, or the dtype is not float32 (bulk copies move
     *     bits and never convert)
     */
    public void copyFrom(float[] src, int srcIndex, long dstIndex, int count) {
        ArrayCopies.copyIn(array(), "copyFrom", float.class, src, srcIndex, dstIndex, count);
    }

    /**
     * Copies all elements of an int64, uint64 (same bits), datetime64 or timedelta64 array into {@code dst} of length
     * {@link NDArray#size()}.
     *
     * @param dst receives the elements in C order
     * @throws IllegalArgumentException if {@code dst.length} is not {@link NDArray#size()} (the ranged form copies part
     *     of the array)
     * @throws UnsupportedOperationException if the dtype is not int64, uint64, datetime64 or timedelta64: bulk copies
     *     move bits and never convert ({@link #toLongArray()} converts)
     */
    public void copyTo(long[] dst) {
        ArrayCopies.copyOut(array(), "copyTo", long.class, 0, dst, 0, wholeLength("copyTo", dst.length));
    }

    /**
     * Copies {@code count} elements of an 8-byte integer or time array, from flat index {@code srcIndex}, into
     * {@code dst} at {@code dstIndex}.
     *
     * @param srcIndex the flat C-order index of the first element copied
     * @param dst receives the elements
     * @param dstIndex the position in {@code dst} of the first element
     * @param count the number of elements to copy
     * @throws IndexOutOfBoundsException if {@code count} is negative, or the elements from {@code srcIndex} or the
     *     positions from {@code dstIndex} run past the end of the array or of {@code dst}
     * @throws UnsupportedOperationException if the dtype is not int64, uint64, datetime64 or timedelta64 (bulk copies
     *     move bits and never convert)
     */
    public void copyTo(long srcIndex, long[] dst, int dstIndex, int count) {
        ArrayCopies.copyOut(array(), "copyTo", long.class, srcIndex, dst, dstIndex, count);
    }

    /**
     * Copies {@code src}, whose length must be {@link NDArray#size()}, into all elements of an 8-byte integer or time
     * array.
     *
     * @param src the values for the elements, in C order
     * @throws IllegalArgumentException if {@code src.length} is not {@link NDArray#size()} (the ranged form copies part
     *     of the array)
     * @throws UnsupportedOperationException if the view is read-only, or the dtype is not int64, uint64, datetime64
     *     or timedelta64 (bulk copies move bits and never convert)
     */
    public void copyFrom(long[] src) {
        ArrayCopies.copyIn(array(), "copyFrom", long.class, src, 0, 0, wholeLength("copyFrom", src.length));
    }

    /**
     * Copies {@code count} values of {@code src} from {@code srcIndex} into an 8-byte integer or time array from flat
     * index {@code dstIndex}.
     *
     * @param src the values to store
     * @param srcIndex the position in {@code src} of the first value
     * @param dstIndex the flat C-order index of the first element written
     * @param count the number of elements to copy
     * @throws IndexOutOfBoundsException if {@code count} is negative, or the positions from {@code srcIndex} or the
     *     elements from {@code dstIndex} run past the end of {@code src} or of the array
     * @throws UnsupportedOperationException if the view is read-only, or the dtype is not int64, uint64, datetime64
     *     or timedelta64 (bulk copies move bits and never convert)
     */
    public void copyFrom(long[] src, int srcIndex, long dstIndex, int count) {
        ArrayCopies.copyIn(array(), "copyFrom", long.class, src, srcIndex, dstIndex, count);
    }

    /**
     * Copies all elements of an int32 or uint32 (same bits) array into {@code dst}, whose length must be
     * {@link NDArray#size()}.
     *
     * @param dst receives the elements in C order
     * @throws IllegalArgumentException if {@code dst.length} is not {@link NDArray#size()} (the ranged form copies part
     *     of the array)
     * @throws UnsupportedOperationException if the dtype is not int32 or uint32: bulk copies move bits and never
     *     convert ({@link #toIntArray()} converts)
     */
    public void copyTo(int[] dst) {
        ArrayCopies.copyOut(array(), "copyTo", int.class, 0, dst, 0, wholeLength("copyTo", dst.length));
    }

    /**
     * Copies {@code count} elements of an int32 or uint32 array, from flat index {@code srcIndex}, into {@code dst}
     * at {@code dstIndex}.
     *
     * @param srcIndex the flat C-order index of the first element copied
     * @param dst receives the elements
     * @param dstIndex the position in {@code dst} of the first element
     * @param count the number of elements to copy
     * @throws IndexOutOfBoundsException if {@code count} is negative, or the elements from {@code srcIndex} or the
     *     positions from {@code dstIndex} run past the end of the array or of {@code dst}
     * @throws UnsupportedOperationException if the dtype is not int32 or uint32 (bulk copies move bits and never
     *     convert)
     */
    public void copyTo(long srcIndex, int[] dst, int dstIndex, int count) {
        ArrayCopies.copyOut(array(), "copyTo", int.class, srcIndex, dst, dstIndex, count);
    }

    /**
     * Copies {@code src}, whose length must be {@link NDArray#size()}, into all elements of an int32 or uint32 array.
     *
     * @param src the values for the elements, in C order
     * @throws IllegalArgumentException if {@code src.length} is not {@link NDArray#size()} (the ranged form copies part
     *     of the array)
     * @throws UnsupportedOperationException if the view is read-only, or the dtype is not int32 or uint32 (bulk
     *     copies move bits and never convert)
     */
    public void copyFrom(int[] src) {
        ArrayCopies.copyIn(array(), "copyFrom", int.class, src, 0, 0, wholeLength("copyFrom", src.length));
    }

    /**
     * Copies {@code count} values of {@code src} from {@code srcIndex} into an int32 or uint32 array from flat index
     * {@code dstIndex}.
     *
     * @param src the values to store
     * @param srcIndex the position in {@code src} of the first value
     * @param dstIndex the flat C-order index of the first element written
     * @param count the number of elements to copy
     * @throws IndexOutOfBoundsException if {@code count} is negative, or the positions from {@code srcIndex} or the
     *     elements from {@code dstIndex} run past the end of {@code src} or of the array
     * @throws UnsupportedOperationException if the view is read-only, or the dtype is not int32 or uint32 (bulk
     *     copies move bits and never convert)
     */
    public void copyFrom(int[] src, int srcIndex, long dstIndex, int count) {
        ArrayCopies.copyIn(array(), "copyFrom", int.class, src, srcIndex, dstIndex, count);
    }

    /**
     * Copies all elements of an int16, uint16 (same bits) or float16 (raw half-precision bits, see
     * {@link Float#float16ToFloat(short)}) array into {@code dst}, whose length must be {@link NDArray#size()}.
     *
     * @param dst receives the elements in C order
     * @throws IllegalArgumentException if {@code dst.length} is not {@link NDArray#size()} (the ranged form copies part
     *     of the array)
     * @throws UnsupportedOperationException if the dtype is not int16, uint16 or float16: bulk copies move bits and
     *     never convert ({@link #toShortArray()} converts)
     */
    public void copyTo(short[] dst) {
        ArrayCopies.copyOut(array(), "copyTo", short.class, 0, dst, 0, wholeLength("copyTo", dst.length));
    }

    /**
     * Copies {@code count} elements of a 2-byte array (as {@link NDArray##copyTo(short[]) copyTo(short[])}), from flat
     * index {@code srcIndex}, into {@code dst} at {@code dstIndex}.
     *
     * @param srcIndex the flat C-order index of the first element copied
     * @param dst receives the elements
     * @param dstIndex the position in {@code dst} of the first element
     * @param count the number of elements to copy
     * @throws IndexOutOfBoundsException if {@code count} is negative, or the elements from {@code srcIndex} or the
     *     positions from {@code dstIndex} run past the end of the array or of {@code dst}
     * @throws UnsupportedOperationException if the dtype is not int16, uint16 or float16 (bulk copies move bits and
     *     never convert)
     */
    public void copyTo(long srcIndex, short[] dst, int dstIndex, int count) {
        ArrayCopies.copyOut(array(), "copyTo", short.class, srcIndex, dst, dstIndex, count);
    }

    /**
     * Copies {@code src}, whose length must be {@link NDArray#size()}, into all elements of an int16, uint16 or float16
     * (raw bits) array.
     *
     * @param src the values for the elements, in C order
     * @throws IllegalArgumentException if {@code src.length} is not {@link NDArray#size()} (the ranged form copies part
     *     of the array)
     * @throws UnsupportedOperationException if the view is read-only, or the dtype is not int16, uint16 or float16
     *     (bulk copies move bits and never convert)
     */
    public void copyFrom(short[] src) {
        ArrayCopies.copyIn(array(), "copyFrom", short.class, src, 0, 0, wholeLength("copyFrom", src.length));
    }

    /**
     * Copies {@code count} values of {@code src} from {@code srcIndex} into a 2-byte array from flat index
     * {@code dstIndex}.
     *
     * @param src the values to store
     * @param srcIndex the position in {@code src} of the first value
     * @param dstIndex the flat C-order index of the first element written
     * @param count the number of elements to copy
     * @throws IndexOutOfBoundsException if {@code count} is negative, or the positions from {@code srcIndex} or the
     *     elements from {@code dstIndex} run past the end of {@code src} or of the array
     * @throws UnsupportedOperationException if the view is read-only, or the dtype is not int16, uint16 or float16
     *     (bulk copies move bits and never convert)
     */
    public void copyFrom(short[] src, int srcIndex, long dstIndex, int count) {
        ArrayCopies.copyIn(array(), "copyFrom", short.class, src, srcIndex, dstIndex, count);
    }

    /**
     * Copies all elements of an int8, uint8 (same bits) or bool (raw bytes) array into {@code dst}, whose length must
     * be {@link NDArray#size()}.
     *
     * @param dst receives the elements in C order
     * @throws IllegalArgumentException if {@code dst.length} is not {@link NDArray#size()} (the ranged form copies part
     *     of the array)
     * @throws UnsupportedOperationException if the dtype is not bool, int8 or uint8: bulk copies move bits and never
     *     convert ({@link #toByteArray()} converts)
     */
    public void copyTo(byte[] dst) {
        ArrayCopies.copyOut(array(), "copyTo", byte.class, 0, dst, 0, wholeLength("copyTo", dst.length));
    }

    /**
     * Copies {@code count} elements of a 1-byte array, from flat index {@code srcIndex}, into {@code dst} at
     * {@code dstIndex}.
     *
     * @param srcIndex the flat C-order index of the first element copied
     * @param dst receives the elements
     * @param dstIndex the position in {@code dst} of the first element
     * @param count the number of elements to copy
     * @throws IndexOutOfBoundsException if {@code count} is negative, or the elements from {@code srcIndex} or the
     *     positions from {@code dstIndex} run past the end of the array or of {@code dst}
     * @throws UnsupportedOperationException if the dtype is not bool, int8 or uint8 (bulk copies move bits and never
     *     convert)
     */
    public void copyTo(long srcIndex, byte[] dst, int dstIndex, int count) {
        ArrayCopies.copyOut(array(), "copyTo", byte.class, srcIndex, dst, dstIndex, count);
    }

    /**
     * Copies {@code src}, whose length must be {@link NDArray#size()}, into all elements of an int8, uint8 or bool (raw
     * bytes) array.
     *
     * @param src the values for the elements, in C order
     * @throws IllegalArgumentException if {@code src.length} is not {@link NDArray#size()} (the ranged form copies part
     *     of the array)
     * @throws UnsupportedOperationException if the view is read-only, or the dtype is not bool, int8 or uint8 (bulk
     *     copies move bits and never convert)
     */
    public void copyFrom(byte[] src) {
        ArrayCopies.copyIn(array(), "copyFrom", byte.class, src, 0, 0, wholeLength("copyFrom", src.length));
    }

    /**
     * Copies {@code count} values of {@code src} from {@code srcIndex} into a 1-byte array from flat index
     * {@code dstIndex}.
     *
     * @param src the values to store
     * @param srcIndex the position in {@code src} of the first value
     * @param dstIndex the flat C-order index of the first element written
     * @param count the number of elements to copy
     * @throws IndexOutOfBoundsException if {@code count} is negative, or the positions from {@code srcIndex} or the
     *     elements from {@code dstIndex} run past the end of {@code src} or of the array
     * @throws UnsupportedOperationException if the view is read-only, or the dtype is not bool, int8 or uint8 (bulk
     *     copies move bits and never convert)
     */
    public void copyFrom(byte[] src, int srcIndex, long dstIndex, int count) {
        ArrayCopies.copyIn(array(), "copyFrom", byte.class, src, srcIndex, dstIndex, count);
    }

    /**
     * Copies the array's raw bytes (C order, the array's byte order) into {@code dst}, which must be {@link
     * NDArray#byteSize()} long: a strided view is gathered into C order, as {@link NDArray#segment()} would give it,
     * without an intermediate copy.
     *
     * @param dst receives the bytes, e.g. a segment of a file being written or of an off-heap buffer
     * @throws IllegalArgumentException if {@code dst} is not {@link NDArray#byteSize()} bytes long or is read-only
     */
    public void copyTo(MemorySegment dst) {
        if (dst.byteSize() != array().byteSize()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "copyTo: segment of %d bytes for an array of %d bytes", dst.byteSize(), array().byteSize()));
        }
        ArrayCopies.rawCopy(array(), dst, false);
    }

    /**
     * Copies raw bytes (C order, the array's byte order) from {@code src}, which must be {@link NDArray#byteSize()}
     * long, into the array; a strided view scatters them to its elements.
     *
     * @param src the elements' bytes, in this array's dtype and byte order
     * @throws IllegalArgumentException if {@code src} is not {@link NDArray#byteSize()} bytes long
     * @throws UnsupportedOperationException if the view is read-only
     */
    public void copyFrom(MemorySegment src) {
        array().checkWritable("copyFrom");
        if (src.byteSize() != array().byteSize()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "copyFrom: segment of %d bytes for an array of %d bytes", src.byteSize(), array().byteSize()));
        }
        ArrayCopies.rawCopy(array(), src, true);
    }

    private int javaLength(String op) {
        long size = array().size();
        if (size > MAX_JAVA_ARRAY) {
            throw new UnsupportedOperationException(String.format(Locale.ROOT,
                    "%s: %d elements do not fit a Java array (use the ranged copyTo or segment())", op, size));
        }
        return (int) size;
    }

    /**
     * Returns the elements in C order as doubles: one bulk copy for float64, converted as {@link
     * NDArray##getDouble(long...) getDouble(long...)} otherwise.
     *
     * @return a new array of {@link NDArray#size()} doubles
     * @throws UnsupportedOperationException if the array has more than {@code Integer.MAX_VALUE - 8} elements (a Java
     *     array cannot hold them: use the ranged {@code copyTo} or {@link NDArray#segment()}), or the dtype is complex,
     *     {@code S} or {@code U}
     */
    public double[] toDoubleArray() {
        double[] a = new double[javaLength("toDoubleArray")];
        if (kind() == DType.Kind.FLOAT64) {
            copyTo(a);
        } else {
            MappedFaults.translating("read", () -> {
                for (int i = 0; i < a.length; i++) {
                    a[i] = el().doubleAt(array().flatOffsetOf(i), "toDoubleArray");
                }
            });
        }
        return a;
    }

    /**
     * Returns the elements in C order as floats: one bulk copy for float32, converted as {@link
     * NDArray##getFloat(long...) getFloat(long...)} otherwise.
     *
     * @return a new array of {@link NDArray#size()} floats
     * @throws UnsupportedOperationException if the array has more than {@code Integer.MAX_VALUE - 8} elements (a Java
     *     array cannot hold them: use the ranged {@code copyTo} or {@link NDArray#segment()}), or the dtype is complex,
     *     {@code S} or {@code U}
     */
    public float[] toFloatArray() {
        float[] a = new float[javaLength("toFloatArray")];
        if (kind() == DType.Kind.FLOAT32) {
            copyTo(a);
        } else {
            MappedFaults.translating("read", () -> {
                for (int i = 0; i < a.length; i++) {
                    a[i] = el().floatAt(array().flatOffsetOf(i), "toFloatArray");
                }
            });
        }
        return a;
    }

    /**
     * Returns the elements in C order as longs: one bulk copy for 8-byte integers and times, converted as
     * {@link NDArray##getLong(long...) getLong(long...)} otherwise.
     *
     * @return a new array of {@link NDArray#size()} longs
     * @throws UnsupportedOperationException if the array has more than {@code Integer.MAX_VALUE - 8} elements (a Java
     *     array cannot hold them: use the ranged {@code copyTo} or {@link NDArray#segment()}), or the dtype is complex,
     *     {@code S} or {@code U}
     */
    public long[] toLongArray() {
        long[] a = new long[javaLength("toLongArray")];
        if (itemSize() == 8 && (kind().isInteger() || kind().isTime())) {
            copyTo(a);
        } else {
            MappedFaults.translating("read", () -> {
                for (int i = 0; i < a.length; i++) {
                    a[i] = el().longAt(array().flatOffsetOf(i), "toLongArray");
                }
            });
        }
        return a;
    }

    /**
     * Returns the elements in C order as ints: one bulk copy for int32 and uint32, converted as
     * {@link NDArray##getInt(long...) getInt(long...)} otherwise.
     *
     * @return a new array of {@link NDArray#size()} ints
     * @throws UnsupportedOperationException if the array has more than {@code Integer.MAX_VALUE - 8} elements (a Java
     *     array cannot hold them: use the ranged {@code copyTo} or {@link NDArray#segment()}), or the dtype is complex,
     *     {@code S} or {@code U}
     */
    public int[] toIntArray() {
        int[] a = new int[javaLength("toIntArray")];
        if (kind() == DType.Kind.INT32 || kind() == DType.Kind.UINT32) {
            copyTo(a);
        } else {
            MappedFaults.translating("read", () -> {
                for (int i = 0; i < a.length; i++) {
                    a[i] = (int) el().longAt(array().flatOffsetOf(i), "toIntArray");
                }
            });
        }
        return a;
    }

    /**
     * Returns the elements in C order as shorts: one bulk copy for int16 and uint16, converted as
     * {@link NDArray##getShort(long...) getShort(long...)} otherwise (float16 by value).
     *
     * @return a new array of {@link NDArray#size()} shorts
     * @throws UnsupportedOperationException if the array has more than {@code Integer.MAX_VALUE - 8} elements (a Java
     *     array cannot hold them: use the ranged {@code copyTo} or {@link NDArray#segment()}), or the dtype is complex,
     *     {@code S} or {@code U}
     */
    public short[] toShortArray() {
        short[] a = new short[javaLength("toShortArray")];
        if (kind() == DType.Kind.INT16 || kind() == DType.Kind.UINT16) {
            copyTo(a);
        } else {
            MappedFaults.translating("read", () -> {
                for (int i = 0; i < a.length; i++) {
                    a[i] = (short) el().longAt(array().flatOffsetOf(i), "toShortArray");
                }
            });
        }
        return a;
    }

    /**
     * Returns the elements in C order as bytes: one bulk copy for int8 and uint8, converted as
     * {@link NDArray##getByte(long...) getByte(long...)} otherwise.
     *
     * @return a new array of {@link NDArray#size()} bytes
     * @throws UnsupportedOperationException if the array has more than {@code Integer.MAX_VALUE - 8} elements (a Java
     *     array cannot hold them: use the ranged {@code copyTo} or {@link NDArray#segment()}), or the dtype is complex,
     *     {@code S} or {@code U}
     */
    public byte[] toByteArray() {
        byte[] a = new byte[javaLength("toByteArray")];
        if (kind() == DType.Kind.INT8 || kind() == DType.Kind.UINT8) {
            copyTo(a);
        } else {
            MappedFaults.translating("read", () -> {
                for (int i = 0; i < a.length; i++) {
                    a[i] = (byte) el().longAt(array().flatOffsetOf(i), "toByteArray");
                }
            });
        }
        return a;
    }

    /**
     * Returns the elements in C order as booleans, converted as {@link NDArray##getBoolean(long...)
     * getBoolean(long...)}.
     *
     * @return a new array of {@link NDArray#size()} booleans
     * @throws UnsupportedOperationException if the array has more than {@code Integer.MAX_VALUE - 8} elements (a Java
     *     array cannot hold them: use the ranged {@code copyTo} or {@link NDArray#segment()}), or the dtype is {@code
     *     S} or {@code U}
     */
    public boolean[] toBooleanArray() {
        boolean[] a = new boolean[javaLength("toBooleanArray")];
        MappedFaults.translating("read", () -> {
            for (int i = 0; i < a.length; i++) {
                a[i] = el().booleanAt(array().flatOffsetOf(i), "toBooleanArray");
            }
        });
        return a;
    }
}
