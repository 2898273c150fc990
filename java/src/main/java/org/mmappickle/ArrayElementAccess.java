package org.mmappickle;

import java.lang.foreign.MemorySegment;
import java.util.Locale;
import org.mmappickle.py.PyComplex;

/**
 * The element accessors of {@link NDArray}: one element read or written by index (one per axis) or by flat C-order
 * index, converted like numpy's {@code astype}. Only the API layer: the conversions are {@link ArrayElements}'s, the
 * geometry is NDArray's. Not public: its public methods are documented, and called, as NDArray's own (the JDK's
 * {@code AbstractStringBuilder} pattern), so that the accessors of a wide typed API live apart from the view.
 */
abstract sealed class ArrayElementAccess permits ArrayBulkAccess {

    ArrayElementAccess() {
    }

    /** Returns this array: NDArray is the only class below this sealed one, so the cast never fails. */
    final NDArray array() {
        return (NDArray) this;
    }

    /** Returns the element access of the view, which converts and translates faults. */
    final ArrayElements el() {
        return array().elements();
    }

    final DType.Kind kind() {
        return array().dtype().kind();
    }

    final int itemSize() {
        return array().dtype().itemSize();
    }

    private long at(long[] index) {
        return array().offsetOf(index);
    }

    private long flat(long i) {
        return array().flatOffsetOf(i);
    }

    // ---------------------------------------------------------------------------------------- getters by index

    /**
     * Returns the element as a double (integers converted, uint64 as unsigned).
     *
     * @param index one index per axis, each from 0 to the axis's length - 1 (negative indices are not counted from
     *     the end here, unlike {@link NDArray#slice(int, long)}); none for a 0-d array
     * @return the element's value; int64 and uint64 beyond 2<sup>53</sup> are rounded
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the dtype is complex, {@code S} or {@code U}
     */
    public double getDouble(long... index) {
        return el().doubleAt(at(index), "getDouble");
    }

    /**
     * Returns the element as a float (float64 and integers rounded to float).
     *
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @return the element's value, rounded to the nearest float
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the dtype is complex, {@code S} or {@code U}
     */
    public float getFloat(long... index) {
        return el().floatAt(at(index), "getFloat");
    }

    /**
     * Returns the element as a long (floats truncated toward zero; uint64 as the same bits; datetime64 as its count).
     *
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @return the element's value; for datetime64 and timedelta64 the count of the dtype's unit
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the dtype is complex, {@code S} or {@code U}
     */
    public long getLong(long... index) {
        return el().longAt(at(index), "getLong");
    }

    /**
     * Returns the element as an int: the low 32 bits of {@link NDArray##getLong(long...) getLong(long...)}.
     *
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @return the element's value, wrapped as a Java {@code (int)} cast wraps (a uint32 above 2<sup>31</sup> - 1 is
     *     negative)
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the dtype is complex, {@code S} or {@code U}
     */
    public int getInt(long... index) {
        return (int) el().longAt(at(index), "getInt");
    }

    /**
     * Returns the element as a short: the low 16 bits of {@link NDArray##getLong(long...) getLong(long...)}.
     *
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @return the element's value, wrapped as a Java {@code (short)} cast wraps
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the dtype is complex, {@code S} or {@code U}
     */
    public short getShort(long... index) {
        return (short) el().longAt(at(index), "getShort");
    }

    /**
     * Returns the element as a byte: the low 8 bits of {@link NDArray##getLong(long...) getLong(long...)}.
     *
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @return the element's value, wrapped as a Java {@code (byte)} cast wraps (a uint8 above 127 is negative)
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the dtype is complex, {@code S} or {@code U}
     */
    public byte getByte(long... index) {
        return (byte) el().longAt(at(index), "getByte");
    }

    /**
     * Returns whether the element is non-zero (for bool arrays: the element itself; NaN counts as true).
     *
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @return false only for zero (a complex element is true when either part is non-zero)
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the dtype is {@code S} or {@code U}
     */
    public boolean getBoolean(long... index) {
        return el().booleanAt(at(index), "getBoolean");
    }

    /**
     * Returns the element as a complex number (real elements with imaginary part 0).
     *
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @return the element; complex64 parts widened to double
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the dtype is {@code S} or {@code U}
     */
    public PyComplex getComplex(long... index) {
        return el().complexAt(at(index), "getComplex");
    }

    /**
     * Returns the element of a {@code U} array, without trailing NUL code points (as numpy returns it). Code units
     * that are not Unicode code points read as U+FFFD.
     *
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @return the string, at most the dtype's length in code points
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the array is not a {@code U} array (for {@code S}, use
     *     {@link #getBytes(long...)})
     */
    public String getString(long... index) {
        if (kind() != DType.Kind.UNICODE) {
            throw el().unsupported(kind() == DType.Kind.BYTES ? "getString (use getBytes for S arrays)" : "getString");
        }
        return el().stringAt(at(index));
    }

    /**
     * Returns the element of an {@code S} array, without trailing NUL bytes (as numpy returns it).
     *
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @return a new array of at most the dtype's length in bytes
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the array is not an {@code S} array (for {@code U}, use
     *     {@link #getString(long...)})
     */
    public byte[] getBytes(long... index) {
        if (kind() != DType.Kind.BYTES) {
            throw el().unsupported(kind() == DType.Kind.UNICODE ? "getBytes (use getString for U arrays)" : "getBytes");
        }
        return el().bytesAt(at(index));
    }

    // ---------------------------------------------------------------------------------------- setters by index

    /**
     * Sets the element from a double, converted to the dtype like numpy's {@code astype}: rounded for float32 and
     * float16, truncated toward zero and then narrowed (keeping the low bits) for integers, non-zero for bool,
     * imaginary part 0 for complex.
     *
     * @param value the value to store; NaN and infinities stored in an integer dtype follow Java's {@code (long)}
     *     cast (NaN gives 0)
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the view is read-only or the dtype is {@code S} or {@code U}
     */
    public void setDouble(double value, long... index) {
        array().checkWritable("setDouble");
        el().putDouble(at(index), value, "setDouble");
    }

    /**
     * Sets the element from a float, converted as {@link NDArray##setDouble(double,long...) setDouble(double,
     * long...)}.
     *
     * @param value the value to store
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the view is read-only or the dtype is {@code S} or {@code U}
     */
    public void setFloat(float value, long... index) {
        array().checkWritable("setFloat");
        el().putFloat(at(index), value, "setFloat");
    }

    /**
     * Sets the element from a long: integers keep its low bits (uint64 takes the bits as they are), floats round it.
     *
     * @param value the value to store; for datetime64 and timedelta64 a count of the dtype's unit
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the view is read-only or the dtype is {@code S} or {@code U}
     */
    public void setLong(long value, long... index) {
        array().checkWritable("setLong");
        el().putLong(at(index), value, "setLong");
    }

    /**
     * Sets the element from an int, as {@link NDArray##setLong(long,long...) setLong(long, long...)}.
     *
     * @param value the value to store, sign-extended first (so {@code (int) -1} in a uint64 array is
     *     2<sup>64</sup> - 1)
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the view is read-only or the dtype is {@code S} or {@code U}
     */
    public void setInt(int value, long... index) {
        array().checkWritable("setInt");
        el().putLong(at(index), value, "setInt");
    }

    /**
     * Sets the element from a short, as {@link NDArray##setLong(long,long...) setLong(long, long...)}.
     *
     * @param value the value to store, sign-extended first (so {@code (short) -1} in a uint64 array is
     *     2<sup>64</sup> - 1)
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the view is read-only or the dtype is {@code S} or {@code U}
     */
    public void setShort(short value, long... index) {
        array().checkWritable("setShort");
        el().putLong(at(index), value, "setShort");
    }

    /**
     * Sets the element from a byte, as {@link NDArray##setLong(long,long...) setLong(long, long...)}.
     *
     * @param value the value to store, sign-extended first (so {@code (byte) -1} in a uint64 array is
     *     2<sup>64</sup> - 1)
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the view is read-only or the dtype is {@code S} or {@code U}
     */
    public void setByte(byte value, long... index) {
        array().checkWritable("setByte");
        el().putLong(at(index), value, "setByte");
    }

    /**
     * Sets the element to 1 or 0.
     *
     * @param value true for 1 (or 1.0, or 1 + 0j), false for 0
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the view is read-only or the dtype is {@code S} or {@code U}
     */
    public void setBoolean(boolean value, long... index) {
        array().checkWritable("setBoolean");
        el().putLong(at(index), value ? 1 : 0, "setBoolean");
    }

    /**
     * Sets an element of a complex array (complex64 rounds both parts to float).
     *
     * @param value the complex value
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @throws IllegalArgumentException if the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the view is read-only or the dtype is not complex (a real array would
     *     lose the imaginary part)
     * @throws NullPointerException if the value is null
     */
    public void setComplex(PyComplex value, long... index) {
        array().checkWritable("setComplex");
        el().putComplex(at(index), value, "setComplex");
    }

    /**
     * Sets an element of a {@code U} array, padding with NULs.
     *
     * @param value the string, at most the dtype's length in code points (trailing NULs in it read back as removed)
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @throws IllegalArgumentException if the string has more code points than the dtype's length (numpy would cut
     *     it silently), or the number of indices is not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the view is read-only or the array is not a {@code U} array
     */
    public void setString(String value, long... index) {
        array().checkWritable("setString");
        if (kind() != DType.Kind.UNICODE) {
            throw el().unsupported("setString");
        }
        long off = at(index);
        int n = itemSize() / 4;
        int count = value.codePointCount(0, value.length());
        if (count > n) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "string of %d code points does not fit dtype %s", count, array().dtype().pythonStr()));
        }
        MappedFaults.translating("write", () -> {
            int i = 0;
            for (int p = 0; p < value.length(); ) {
                int cp = value.codePointAt(p);
                el().putRawInt(off + 4L * i++, cp);
                p += Character.charCount(cp);
            }
            el().fill(off + 4L * i, 4L * (n - i));
        });
    }

    /**
     * Sets an element of an {@code S} array, padding with NULs.
     *
     * @param value the bytes, at most the dtype's length (trailing NULs in them read back as removed)
     * @param index one index per axis, as for {@link #getDouble(long...)}
     * @throws IllegalArgumentException if the bytes are longer than the dtype's length, or the number of indices is
     *     not {@link NDArray#ndim()}
     * @throws IndexOutOfBoundsException if an index is outside its axis
     * @throws UnsupportedOperationException if the view is read-only or the array is not an {@code S} array
     */
    public void setBytes(byte[] value, long... index) {
        array().checkWritable("setBytes");
        if (kind() != DType.Kind.BYTES) {
            throw el().unsupported("setBytes");
        }
        long off = at(index);
        if (value.length > itemSize()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%d bytes do not fit dtype %s", value.length, array().dtype().pythonStr()));
        }
        try {
            MemorySegment.copy(value, 0, array().span(), ArrayElements.I8, off, value.length);
        } catch (InternalError | IllegalStateException fault) {
            throw el().fault("write", off, fault);
        }
        el().fill(off + value.length, itemSize() - value.length);
    }

    // ---------------------------------------------------------------------------------------- flat access

    /**
     * Returns element {@code i} in C order as a double, converted as {@link NDArray##getDouble(long...)
     * getDouble(long...)}.
     *
     * @param i the flat index in the view's C order (the order of {@link NDArray##toDoubleArray() toDoubleArray()}, not
     *     of memory for a strided view), from 0 to {@link NDArray#size()} - 1
     * @return the element's value
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the dtype is complex, {@code S} or {@code U}
     */
    public double flatDouble(long i) {
        return el().doubleAt(flat(i), "flatDouble");
    }

    /**
     * Returns element {@code i} in C order as a float, converted as {@link NDArray##getFloat(long...)
     * getFloat(long...)}.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @return the element's value, rounded to the nearest float
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the dtype is complex, {@code S} or {@code U}
     */
    public float flatFloat(long i) {
        return el().floatAt(flat(i), "flatFloat");
    }

    /**
     * Returns element {@code i} in C order as a long, converted as {@link NDArray##getLong(long...) getLong(long...)}.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @return the element's value
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the dtype is complex, {@code S} or {@code U}
     */
    public long flatLong(long i) {
        return el().longAt(flat(i), "flatLong");
    }

    /**
     * Returns element {@code i} in C order as an int, converted as {@link NDArray##getInt(long...) getInt(long...)}.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @return the low 32 bits of the element's value
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the dtype is complex, {@code S} or {@code U}
     */
    public int flatInt(long i) {
        return (int) el().longAt(flat(i), "flatInt");
    }

    /**
     * Returns element {@code i} in C order as a short, converted as {@link NDArray##getShort(long...)
     * getShort(long...)}.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @return the low 16 bits of the element's value
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the dtype is complex, {@code S} or {@code U}
     */
    public short flatShort(long i) {
        return (short) el().longAt(flat(i), "flatShort");
    }

    /**
     * Returns element {@code i} in C order as a byte, converted as {@link NDArray##getByte(long...) getByte(long...)}.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @return the low 8 bits of the element's value
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the dtype is complex, {@code S} or {@code U}
     */
    public byte flatByte(long i) {
        return (byte) el().longAt(flat(i), "flatByte");
    }

    /**
     * Returns element {@code i} in C order as a boolean, converted as {@link NDArray##getBoolean(long...)
     * getBoolean(long...)}.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @return false only for zero
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the dtype is {@code S} or {@code U}
     */
    public boolean flatBoolean(long i) {
        return el().booleanAt(flat(i), "flatBoolean");
    }

    /**
     * Returns element {@code i} in C order as a complex number, as {@link NDArray##getComplex(long...)
     * getComplex(long...)}.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @return the element (imaginary part 0 for real dtypes)
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the dtype is {@code S} or {@code U}
     */
    public PyComplex flatComplex(long i) {
        return el().complexAt(flat(i), "flatComplex");
    }

    /**
     * Sets element {@code i} in C order from a double, converted as {@link NDArray##setDouble(double,long...)
     * setDouble(double, long...)}.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @param value the value to store
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the view is read-only or the dtype is {@code S} or {@code U}
     */
    public void setFlatDouble(long i, double value) {
        array().checkWritable("setFlatDouble");
        el().putDouble(flat(i), value, "setFlatDouble");
    }

    /**
     * Sets element {@code i} in C order from a float, converted as {@link NDArray##setFloat(float,long...)
     * setFloat(float, long...)}.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @param value the value to store
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the view is read-only or the dtype is {@code S} or {@code U}
     */
    public void setFlatFloat(long i, float value) {
        array().checkWritable("setFlatFloat");
        el().putFloat(flat(i), value, "setFlatFloat");
    }

    /**
     * Sets element {@code i} in C order from a long, converted as {@link NDArray##setLong(long,long...) setLong(long,
     * long...)}.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @param value the value to store
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the view is read-only or the dtype is {@code S} or {@code U}
     */
    public void setFlatLong(long i, long value) {
        array().checkWritable("setFlatLong");
        el().putLong(flat(i), value, "setFlatLong");
    }

    /**
     * Sets element {@code i} in C order from an int, converted as {@link NDArray##setLong(long,long...) setLong(long,
     * long...)}.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @param value the value to store, sign-extended first
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the view is read-only or the dtype is {@code S} or {@code U}
     */
    public void setFlatInt(long i, int value) {
        array().checkWritable("setFlatInt");
        el().putLong(flat(i), value, "setFlatInt");
    }

    /**
     * Sets element {@code i} in C order from a short, converted as {@link NDArray##setLong(long,long...) setLong(long,
     * long...)}.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @param value the value to store, sign-extended first
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the view is read-only or the dtype is {@code S} or {@code U}
     */
    public void setFlatShort(long i, short value) {
        array().checkWritable("setFlatShort");
        el().putLong(flat(i), value, "setFlatShort");
    }

    /**
     * Sets element {@code i} in C order from a byte, converted as {@link NDArray##setLong(long,long...) setLong(long,
     * long...)}.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @param value the value to store, sign-extended first
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the view is read-only or the dtype is {@code S} or {@code U}
     */
    public void setFlatByte(long i, byte value) {
        array().checkWritable("setFlatByte");
        el().putLong(flat(i), value, "setFlatByte");
    }

    /**
     * Sets element {@code i} in C order to 1 or 0.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @param value true for 1, false for 0
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the view is read-only or the dtype is {@code S} or {@code U}
     */
    public void setFlatBoolean(long i, boolean value) {
        array().checkWritable("setFlatBoolean");
        el().putLong(flat(i), value ? 1 : 0, "setFlatBoolean");
    }

    /**
     * Sets element {@code i} in C order of a complex array.
     *
     * @param i the flat index in C order, as for {@link #flatDouble(long)}
     * @param value the complex value (complex64 rounds both parts to float)
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws UnsupportedOperationException if the view is read-only or the dtype is not complex
     * @throws NullPointerException if the value is null
     */
    public void setFlatComplex(long i, PyComplex value) {
        array().checkWritable("setFlatComplex");
        el().putComplex(flat(i), value, "setFlatComplex");
    }
}
