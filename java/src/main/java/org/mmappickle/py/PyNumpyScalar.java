package org.mmappickle.py;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A numpy scalar such as {@code numpy.float64(2.5)} or {@code numpy.int32(-4)}: numpy's type string
 * ({@code dtype.str}, e.g. {@code "<f8"}, {@code "<i4"}, {@code "|b1"}, {@code "<U5"},
 * {@code "<M8[ns]"}) and the scalar's raw bytes in that byte order. Instances are immutable and
 * compare by dtype and bytes, so a float scalar holding a NaN equals itself.
 *
 * <p>Accepted dtypes: {@code |b1}; {@code |i1 |u1} and {@code <i2 <i4 <i8 <u2 <u4 <u8} in either byte
 * order; floats {@code f2 f4 f8 f16} and complex {@code c8 c16 c32} in either byte order
 * ({@code f16}/{@code c32} are numpy's {@code longdouble}, kept as raw bytes); {@code |S<n>},
 * {@code <U<n>} (either order), {@code |V<n>}; {@code M8} and {@code m8} with an optional unit such
 * as {@code [ns]} or {@code [10us]}.
 */
public final class PyNumpyScalar {
    private static final Pattern DTYPE = Pattern.compile(
            "([<>|])([biufcSUVMm])(\\d{1,9})(?:\\[([1-9]\\d{0,8})?(Y|M|W|D|h|m|s|ms|us|ns|ps|fs|as)])?");

    private final String dtype;
    private final byte[] data;

    private PyNumpyScalar(String dtype, byte[] data) {
        this.dtype = dtype;
        this.data = data;
    }

    /**
     * Creates a scalar from numpy's type string and its raw bytes (copied).
     *
     * @param dtype numpy's {@code dtype.str}, e.g. {@code "<f8"}
     * @param data exactly {@code dtype.itemsize} bytes in the dtype's byte order
     * @return a scalar from numpy's type string and its raw bytes (copied)
     * @throws IllegalArgumentException if the dtype is not one listed in the class description or the
     *     number of bytes does not match it
     */
    public static PyNumpyScalar of(String dtype, byte[] data) {
        int size = itemSize(dtype);
        if (data.length != size) {
            throw new IllegalArgumentException("a numpy scalar of dtype " + dtype + " takes " + size
                    + " bytes, not " + data.length);
        }
        return new PyNumpyScalar(dtype, data.clone());
    }

    /**
     * Returns the number of bytes a scalar of a dtype holds, checking that the dtype is supported.
     *
     * @param dtype the scalar's dtype as numpy's {@code dtype.str}
     * @return the number of bytes a scalar of a dtype holds, checking that the dtype is supported
     * @throws IllegalArgumentException if the dtype is not one listed in the class description
     */
    public static int itemSize(String dtype) {
        Matcher m = DTYPE.matcher(Objects.requireNonNull(dtype, "dtype"));
        if (!m.matches()) {
            throw unsupported(dtype);
        }
        char order = m.group(1).charAt(0);
        char kind = m.group(2).charAt(0);
        int n = Integer.parseInt(m.group(3));
        boolean unit = m.group(5) != null;
        boolean oneByteOrder = order == '|';
        boolean ok = switch (kind) {
            case 'b' -> n == 1 && oneByteOrder;
            case 'i', 'u' -> n == 1 ? oneByteOrder : (n == 2 || n == 4 || n == 8) && !oneByteOrder;
            case 'f' -> (n == 2 || n == 4 || n == 8 || n == 16) && !oneByteOrder;
            case 'c' -> (n == 8 || n == 16 || n == 32) && !oneByteOrder;
            case 'S', 'V' -> oneByteOrder;
            case 'U' -> !oneByteOrder && n <= Integer.MAX_VALUE / 4;
            default -> n == 8 && !oneByteOrder; // M, m; without a unit it is numpy's generic unit
        };
        if (!ok || unit && kind != 'M' && kind != 'm') {
            throw unsupported(dtype);
        }
        return kind == 'U' ? 4 * n : n;
    }

    private static IllegalArgumentException unsupported(String dtype) {
        return new IllegalArgumentException("not a supported numpy scalar dtype: " + dtype);
    }

    /**
     * Creates a {@code numpy.bool_} ({@code |b1}).
     *
     * @param value the value
     * @return a {@code numpy.bool_} ({@code |b1})
     */
    public static PyNumpyScalar ofBool(boolean value) {
        return new PyNumpyScalar("|b1", new byte[] {(byte) (value ? 1 : 0)});
    }

    /**
     * Creates a {@code numpy.int8} ({@code |i1}).
     *
     * @param value the value
     * @return a {@code numpy.int8} ({@code |i1})
     */
    public static PyNumpyScalar ofInt8(byte value) {
        return new PyNumpyScalar("|i1", new byte[] {value});
    }

    /**
     * Creates a {@code numpy.int16} ({@code <i2}).
     *
     * @param value the value
     * @return a {@code numpy.int16} ({@code <i2})
     */
    public static PyNumpyScalar ofInt16(short value) {
        return new PyNumpyScalar("<i2", le(2).putShort(value).array());
    }

    /**
     * Creates a {@code numpy.int32} ({@code <i4}).
     *
     * @param value the value
     * @return a {@code numpy.int32} ({@code <i4})
     */
    public static PyNumpyScalar ofInt32(int value) {
        return new PyNumpyScalar("<i4", le(4).putInt(value).array());
    }

    /**
     * Creates a {@code numpy.int64} ({@code <i8}).
     *
     * @param value the value
     * @return a {@code numpy.int64} ({@code <i8})
     */
    public static PyNumpyScalar ofInt64(long value) {
        return new PyNumpyScalar("<i8", le(8).putLong(value).array());
    }

    /**
     * Creates a {@code numpy.uint8} ({@code |u1}).
     *
     * @param value the value
     * @return a {@code numpy.uint8} ({@code |u1})
     * @throws IllegalArgumentException if the value is outside 0..255
     */
    public static PyNumpyScalar ofUInt8(int value) {
        checkRange(value, 0xFFL);
        return new PyNumpyScalar("|u1", new byte[] {(byte) value});
    }

    /**
     * Creates a {@code numpy.uint16} ({@code <u2}).
     *
     * @param value the value
     * @return a {@code numpy.uint16} ({@code <u2})
     * @throws IllegalArgumentException if the value is outside 0..65535
     */
    public static PyNumpyScalar ofUInt16(int value) {
        checkRange(value, 0xFFFFL);
        return new PyNumpyScalar("<u2", le(2).putShort((short) value).array());
    }

    /**
     * Creates a {@code numpy.uint32} ({@code <u4}).
     *
     * @param value the value
     * @return a {@code numpy.uint32} ({@code <u4})
     * @throws IllegalArgumentException if the value is outside 0..2^32-1
     */
    public static PyNumpyScalar ofUInt32(long value) {
        checkRange(value, 0xFFFF_FFFFL);
        return new PyNumpyScalar("<u4", le(4).putInt((int) value).array());
    }

    /**
     * Creates a {@code numpy.uint64} ({@code <u8}).
     *
     * @param value the value
     * @return a {@code numpy.uint64} ({@code <u8})
     * @throws IllegalArgumentException if the value is outside 0..2^64-1
     */
    public static PyNumpyScalar ofUInt64(BigInteger value) {
        if (value.signum() < 0 || value.bitLength() > 64) {
            throw new IllegalArgumentException("a uint64 holds 0..2^64-1, not " + value);
        }
        return new PyNumpyScalar("<u8", le(8).putLong(value.longValue()).array());
    }

    private static void checkRange(long value, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("value " + value + " is outside 0.." + max);
        }
    }

    /**
     * Creates a {@code numpy.float16} ({@code <f2}), rounding the value to half precision.
     *
     * @param value the value
     * @return a {@code numpy.float16} ({@code <f2})
     */
    public static PyNumpyScalar ofFloat16(float value) {
        return new PyNumpyScalar("<f2", le(2).putShort(Float.floatToFloat16(value)).array());
    }

    /**
     * Creates a {@code numpy.float32} ({@code <f4}).
     *
     * @param value the value
     * @return a {@code numpy.float32} ({@code <f4})
     */
    public static PyNumpyScalar ofFloat32(float value) {
        return new PyNumpyScalar("<f4", le(4).putFloat(value).array());
    }

    /**
     * Creates a {@code numpy.float64} ({@code <f8}).
     *
     * @param value the value
     * @return a {@code numpy.float64} ({@code <f8})
     */
    public static PyNumpyScalar ofDouble(double value) {
        return new PyNumpyScalar("<f8", le(8).putDouble(value).array());
    }

    /**
     * Creates a {@code numpy.complex64} ({@code <c8}).
     *
     * @param real the real part
     * @param imag the imaginary part
     * @return a {@code numpy.complex64} ({@code <c8})
     */
    public static PyNumpyScalar ofComplex64(float real, float imag) {
        return new PyNumpyScalar("<c8", le(8).putFloat(real).putFloat(imag).array());
    }

    /**
     * Creates a {@code numpy.complex128} ({@code <c16}).
     *
     * @param real the real part
     * @param imag the imaginary part
     * @return a {@code numpy.complex128} ({@code <c16})
     */
    public static PyNumpyScalar ofComplex128(double real, double imag) {
        return new PyNumpyScalar("<c16", le(16).putDouble(real).putDouble(imag).array());
    }

    /**
     * Creates a {@code numpy.datetime64} ({@code <M8[unit]}): a count of units since 1970-01-01T00:00.
     *
     * @param value the count ({@code Long.MIN_VALUE} is numpy's NaT)
     * @param unit a numpy unit such as {@code "ns"}, {@code "s"} or {@code "D"}, optionally with a
     *     multiplier ({@code "10us"})
     * @return a {@code numpy.datetime64} ({@code <M8[unit]}): a count of units since 1970-01-01T00:00
     */
    public static PyNumpyScalar ofDatetime64(long value, String unit) {
        return of("<M8[" + unit + "]", le(8).putLong(value).array());
    }

    /**
     * Creates a {@code numpy.timedelta64} ({@code <m8[unit]}): a count of units.
     *
     * @param value the count ({@code Long.MIN_VALUE} is numpy's NaT)
     * @param unit a numpy unit such as {@code "ns"}, optionally with a multiplier
     * @return a {@code numpy.timedelta64} ({@code <m8[unit]}): a count of units
     */
    public static PyNumpyScalar ofTimedelta64(long value, String unit) {
        return of("<m8[" + unit + "]", le(8).putLong(value).array());
    }

    /**
     * Creates a {@code numpy.bytes_} of dtype {@code |S<n>} holding the bytes (copied).
     *
     * @param value the value
     * @return a {@code numpy.bytes_} of dtype {@code |S<n>} holding the bytes (copied)
     */
    public static PyNumpyScalar ofBytes(byte[] value) {
        return new PyNumpyScalar("|S" + value.length, value.clone());
    }

    /**
     * Creates a {@code numpy.str_} of dtype {@code <U<n>}, n being the number of code points.
     *
     * @param value the value
     * @return a {@code numpy.str_} of dtype {@code <U<n>}, n being the number of code points
     */
    public static PyNumpyScalar ofStr(String value) {
        int[] cps = value.codePoints().toArray();
        ByteBuffer b = le(4 * cps.length);
        for (int cp : cps) {
            b.putInt(cp);
        }
        return new PyNumpyScalar("<U" + cps.length, b.array());
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Returns numpy's type string, e.g. {@code "<f8"}.
     *
     * @return numpy's type string, e.g
     */
    public String dtype() {
        return dtype;
    }

    /**
     * Returns a copy of the raw bytes, in the dtype's byte order.
     *
     * @return a copy of the raw bytes, in the dtype's byte order
     */
    public byte[] data() {
        return data.clone();
    }

    /**
     * Returns the dtype's kind character: one of {@code b i u f c S U V M m}.
     *
     * @return the dtype's kind character: one of {@code b i u f c S U V M m}
     */
    public char kind() {
        return dtype.charAt(1);
    }

    /**
     * Decodes the value: {@link Boolean} for {@code b}; {@link Long} for signed integers and unsigned
     * ones up to 32 bits; {@link BigInteger} for {@code u8}; {@link Double} for {@code f2 f4 f8};
     * {@link PyComplex} for {@code c8 c16}; {@code byte[]} for {@code S} (trailing NULs removed, as
     * numpy does) and {@code V}; {@link String} for {@code U} (trailing NULs removed; an invalid code
     * point becomes U+FFFD); {@link Long} for {@code M} and {@code m} (the count of units,
     * {@code Long.MIN_VALUE} for NaT).
     *
     * @return the value, of the Java type given above for its dtype
     * @throws UnsupportedOperationException for {@code f16} and {@code c32} (numpy's longdouble, whose
     *     layout depends on the machine that wrote it)
     */
    public Object value() {
        ByteBuffer b = ByteBuffer.wrap(data).order(dtype.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int n = data.length;
        return switch (kind()) {
            case 'b' -> data[0] != 0;
            case 'i' -> switch (n) {
                case 1 -> (long) data[0];
                case 2 -> (long) b.getShort();
                case 4 -> (long) b.getInt();
                default -> b.getLong();
            };
            case 'u' -> switch (n) {
                case 1 -> (long) (data[0] & 0xFF);
                case 2 -> (long) (b.getShort() & 0xFFFF);
                case 4 -> b.getInt() & 0xFFFF_FFFFL;
                default -> new BigInteger(Long.toUnsignedString(b.getLong()));
            };
            case 'f' -> switch (n) {
                case 2 -> (double) Float.float16ToFloat(b.getShort());
                case 4 -> (double) b.getFloat();
                case 8 -> b.getDouble();
                default -> throw longDouble();
            };
            case 'c' -> switch (n) {
                case 8 -> new PyComplex(b.getFloat(), b.getFloat());
                case 16 -> new PyComplex(b.getDouble(), b.getDouble());
                default -> throw longDouble();
            };
            case 'S' -> {
                int len = n;
                while (len > 0 && data[len - 1] == 0) {
                    len--;
                }
                yield Arrays.copyOf(data, len);
            }
            case 'U' -> {
                int len = n / 4;
                while (len > 0 && b.getInt(4 * (len - 1)) == 0) {
                    len--;
                }
                StringBuilder s = new StringBuilder(len);
                for (int i = 0; i < len; i++) {
                    int cp = b.getInt(4 * i);
                    s.appendCodePoint(Character.isValidCodePoint(cp) ? cp : 0xFFFD);
                }
                yield s.toString();
            }
            case 'V' -> data.clone();
            default -> b.getLong(); // M, m
        };
    }

    private UnsupportedOperationException longDouble() {
        return new UnsupportedOperationException("numpy longdouble scalars (" + dtype
                + ") are kept as raw bytes; their layout depends on the writing machine");
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof PyNumpyScalar other && dtype.equals(other.dtype) && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * dtype.hashCode() + Arrays.hashCode(data);
    }

    /** Returns e.g. {@code numpy.scalar('<f8', 2.5)}, or the raw bytes in hex for a longdouble. */
    @Override
    public String toString() {
        Object v;
        try {
            v = value();
        } catch (UnsupportedOperationException e) {
            v = java.util.HexFormat.of().formatHex(data);
        }
        String shown = v instanceof byte[] bytes ? org.mmappickle.internal.bytes.BytesRepr.of(bytes) : v instanceof String s ? "'" + s + "'" : String.valueOf(v);
        return "numpy.scalar('" + dtype + "', " + shown + ")";
    }
}
