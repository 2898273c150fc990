package org.mmappickle;

import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Map;

/**
 * A numpy dtype: the kind of element, its size in bytes and its byte order, for the dtypes an
 * mmappickle file can hold (booleans, integers, floats, complex numbers, fixed-length byte and
 * unicode strings, datetime64 and timedelta64). Instances are immutable and compare by value.
 *
 * <p>Two spellings come out of numpy and both are understood by {@link #parse(String)}:
 * {@link #pythonStr()} is what {@code str(dtype)} prints ({@code "float64"}, {@code ">f8"},
 * {@code "<U5"}, {@code "datetime64[ns]"}), which is the string array entries carry in a file;
 * {@link #typeStr()} is numpy's {@code dtype.str} ({@code "<f8"}, {@code "|u1"}, {@code "<M8[ns]"}),
 * which tagged JSON uses.
 *
 * <p>As in numpy, a dtype spelled without a byte order ({@code "float64"}) has the native order of
 * the machine, so a file written on a little-endian machine means little-endian data; every
 * machine this library runs on in practice is little-endian.
 */
public final class DType {

    /** The kind of element; with the size it fixes everything but the byte order (and, for time kinds, the unit). */
    public enum Kind {
        /** numpy {@code bool}: one byte, 0 or 1. */
        BOOL('b', 1),
        /** numpy {@code int8}. */
        INT8('i', 1),
        /** numpy {@code int16}. */
        INT16('i', 2),
        /** numpy {@code int32}. */
        INT32('i', 4),
        /** numpy {@code int64}. */
        INT64('i', 8),
        /** numpy {@code uint8}. */
        UINT8('u', 1),
        /** numpy {@code uint16}. */
        UINT16('u', 2),
        /** numpy {@code uint32}. */
        UINT32('u', 4),
        /** numpy {@code uint64}. */
        UINT64('u', 8),
        /** numpy {@code float16} (IEEE 754 half precision). */
        FLOAT16('f', 2),
        /** numpy {@code float32}. */
        FLOAT32('f', 4),
        /** numpy {@code float64}. */
        FLOAT64('f', 8),
        /** numpy {@code complex64}: two float32, real part first. */
        COMPLEX64('c', 8),
        /** numpy {@code complex128}: two float64, real part first. */
        COMPLEX128('c', 16),
        /** numpy {@code S<n>}: n bytes, trailing NULs not significant. */
        BYTES('S', 0),
        /** numpy {@code U<n>}: n UTF-32 code points (4 bytes each), trailing NULs not significant. */
        UNICODE('U', 0),
        /** numpy {@code datetime64[unit]}: an int64 count of units since 1970-01-01T00:00. */
        DATETIME64('M', 8),
        /** numpy {@code timedelta64[unit]}: an int64 count of units. */
        TIMEDELTA64('m', 8);

        private final char code;
        private final int fixedSize;

        Kind(char code, int fixedSize) {
            this.code = code;
            this.fixedSize = fixedSize;
        }

        /**
         * Returns numpy's {@code dtype.kind} character ({@code 'b'}, {@code 'i'}, {@code 'u'}, {@code 'f'}, {@code 'c'}, {@code 'S'}, {@code 'U'}, {@code 'M'}, {@code 'm'}).
         *
         * @return numpy's {@code dtype.kind} character ({@code 'b'}, {@code 'i'}, {@code 'u'}, {@code 'f'}, {@code 'c'}, {@code 'S'}, {@code 'U'}, {@code 'M'}, {@code 'm'})
         */
        public char code() {
            return code;
        }

        /**
         * Returns whether this kind is a signed or unsigned integer.
         *
         * @return whether this kind is a signed or unsigned integer
         */
        public boolean isInteger() {
            return code == 'i' || code == 'u';
        }

        /**
         * Returns whether this kind is an unsigned integer.
         *
         * @return whether this kind is an unsigned integer
         */
        public boolean isUnsigned() {
            return code == 'u';
        }

        /**
         * Returns whether this kind is a floating-point number (not complex).
         *
         * @return whether this kind is a floating-point number (not complex)
         */
        public boolean isFloating() {
            return code == 'f';
        }

        /**
         * Returns whether this kind is a complex number.
         *
         * @return whether this kind is a complex number
         */
        public boolean isComplex() {
            return code == 'c';
        }

        /**
         * Returns whether this kind is datetime64 or timedelta64.
         *
         * @return whether this kind is datetime64 or timedelta64
         */
        public boolean isTime() {
            return code == 'M' || code == 'm';
        }

        /**
         * Returns whether this kind is a fixed-length string ({@code S} or {@code U}).
         *
         * @return whether this kind is a fixed-length string ({@code S} or {@code U})
         */
        public boolean isString() {
            return code == 'S' || code == 'U';
        }

        /**
         * Returns numpy's name of this kind ({@code "float64"}, {@code "bytes"}, ...), without size or unit for strings and times.
         *
         * @return numpy's name of this kind ({@code "float64"}, {@code "bytes"}, ...), without size or unit for strings and times
         */
        public String numpyName() {
            return switch (this) {
                case BOOL -> "bool";
                case BYTES -> "bytes";
                case UNICODE -> "str";
                case DATETIME64 -> "datetime64";
                case TIMEDELTA64 -> "timedelta64";
                default -> name().toLowerCase(Locale.ROOT);
            };
        }
    }

    /** The unit of a datetime64 or timedelta64 dtype. */
    public enum TimeUnit {
        /** No unit ({@code datetime64} without brackets): numpy's generic unit. */
        GENERIC(""),
        /** Years. */
        YEAR("Y"),
        /** Months. */
        MONTH("M"),
        /** Weeks. */
        WEEK("W"),
        /** Days. */
        DAY("D"),
        /** Hours. */
        HOUR("h"),
        /** Minutes. */
        MINUTE("m"),
        /** Seconds. */
        SECOND("s"),
        /** Milliseconds. */
        MILLISECOND("ms"),
        /** Microseconds. */
        MICROSECOND("us"),
        /** Nanoseconds. */
        NANOSECOND("ns"),
        /** Picoseconds. */
        PICOSECOND("ps"),
        /** Femtoseconds. */
        FEMTOSECOND("fs"),
        /** Attoseconds. */
        ATTOSECOND("as");

        private final String symbol;

        TimeUnit(String symbol) {
            this.symbol = symbol;
        }

        /**
         * Returns numpy's symbol for the unit ({@code "ns"}, {@code "D"}; empty for {@link #GENERIC}).
         *
         * @return numpy's symbol for the unit ({@code "ns"}, {@code "D"}; empty for {@link #GENERIC})
         */
        public String symbol() {
            return symbol;
        }

        /**
         * Returns the unit with numpy's symbol, or throws IllegalArgumentException.
         *
         * @param symbol numpy's symbol for the unit, such as {@code "ns"} or {@code "D"}
         * @return the unit with numpy's symbol, or throws IllegalArgumentException
         */
        public static TimeUnit ofSymbol(String symbol) {
            for (TimeUnit u : values()) {
                if (u.symbol.equals(symbol)) {
                    return u;
                }
            }
            throw new IllegalArgumentException("unknown datetime unit: \"" + symbol + "\"");
        }
    }

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** numpy {@code bool}. */
    public static final DType BOOL = new DType(Kind.BOOL, 1, null, null, 1);
    /** numpy {@code int8}. */
    public static final DType INT8 = new DType(Kind.INT8, 1, null, null, 1);
    /** numpy {@code int16}, native byte order. */
    public static final DType INT16 = of(Kind.INT16);
    /** numpy {@code int32}, native byte order. */
    public static final DType INT32 = of(Kind.INT32);
    /** numpy {@code int64}, native byte order. */
    public static final DType INT64 = of(Kind.INT64);
    /** numpy {@code uint8}. */
    public static final DType UINT8 = new DType(Kind.UINT8, 1, null, null, 1);
    /** numpy {@code uint16}, native byte order. */
    public static final DType UINT16 = of(Kind.UINT16);
    /** numpy {@code uint32}, native byte order. */
    public static final DType UINT32 = of(Kind.UINT32);
    /** numpy {@code uint64}, native byte order. */
    public static final DType UINT64 = of(Kind.UINT64);
    /** numpy {@code float16}, native byte order. */
    public static final DType FLOAT16 = of(Kind.FLOAT16);
    /** numpy {@code float32}, native byte order. */
    public static final DType FLOAT32 = of(Kind.FLOAT32);
    /** numpy {@code float64}, native byte order. */
    public static final DType FLOAT64 = of(Kind.FLOAT64);
    /** numpy {@code complex64}, native byte order. */
    public static final DType COMPLEX64 = of(Kind.COMPLEX64);
    /** numpy {@code complex128}, native byte order. */
    public static final DType COMPLEX128 = of(Kind.COMPLEX128);
    /** numpy {@code datetime64[ns]}, native byte order. */
    public static final DType DATETIME64_NS = datetime64(TimeUnit.NANOSECOND);
    /** numpy {@code timedelta64[ns]}, native byte order. */
    public static final DType TIMEDELTA64_NS = timedelta64(TimeUnit.NANOSECOND);

    /** numpy's sized type codes ({@code "f8"} in {@code "<f8"}), the form {@code dtype.str} uses. */
    private static final Map<String, Kind> TYPE_CODES = Map.ofEntries(
            Map.entry("b1", Kind.BOOL),
            Map.entry("i1", Kind.INT8), Map.entry("i2", Kind.INT16), Map.entry("i4", Kind.INT32), Map.entry("i8", Kind.INT64),
            Map.entry("u1", Kind.UINT8), Map.entry("u2", Kind.UINT16), Map.entry("u4", Kind.UINT32), Map.entry("u8", Kind.UINT64),
            Map.entry("f2", Kind.FLOAT16), Map.entry("f4", Kind.FLOAT32), Map.entry("f8", Kind.FLOAT64),
            Map.entry("c8", Kind.COMPLEX64), Map.entry("c16", Kind.COMPLEX128),
            // numpy's one-character codes, as on 64-bit Linux (C long is 64 bits)
            Map.entry("?", Kind.BOOL), Map.entry("b", Kind.INT8), Map.entry("B", Kind.UINT8),
            Map.entry("h", Kind.INT16), Map.entry("H", Kind.UINT16), Map.entry("i", Kind.INT32), Map.entry("I", Kind.UINT32),
            Map.entry("l", Kind.INT64), Map.entry("L", Kind.UINT64), Map.entry("q", Kind.INT64), Map.entry("Q", Kind.UINT64),
            Map.entry("p", Kind.INT64), Map.entry("P", Kind.UINT64), Map.entry("n", Kind.INT64), Map.entry("N", Kind.UINT64),
            Map.entry("e", Kind.FLOAT16), Map.entry("f", Kind.FLOAT32), Map.entry("d", Kind.FLOAT64),
            Map.entry("F", Kind.COMPLEX64), Map.entry("D", Kind.COMPLEX128));

    /** numpy's type names, as {@code str(dtype)} prints them and as numpy accepts them. */
    private static final Map<String, Kind> NAMES = Map.ofEntries(
            Map.entry("bool", Kind.BOOL), Map.entry("bool_", Kind.BOOL),
            Map.entry("int8", Kind.INT8), Map.entry("int16", Kind.INT16), Map.entry("int32", Kind.INT32), Map.entry("int64", Kind.INT64),
            Map.entry("uint8", Kind.UINT8), Map.entry("uint16", Kind.UINT16), Map.entry("uint32", Kind.UINT32), Map.entry("uint64", Kind.UINT64),
            Map.entry("float16", Kind.FLOAT16), Map.entry("float32", Kind.FLOAT32), Map.entry("float64", Kind.FLOAT64),
            Map.entry("complex64", Kind.COMPLEX64), Map.entry("complex128", Kind.COMPLEX128),
            Map.entry("byte", Kind.INT8), Map.entry("ubyte", Kind.UINT8), Map.entry("short", Kind.INT16), Map.entry("ushort", Kind.UINT16),
            Map.entry("intc", Kind.INT32), Map.entry("uintc", Kind.UINT32), Map.entry("int", Kind.INT64), Map.entry("int_", Kind.INT64),
            Map.entry("long", Kind.INT64), Map.entry("ulong", Kind.UINT64), Map.entry("uint", Kind.UINT64),
            Map.entry("longlong", Kind.INT64), Map.entry("ulonglong", Kind.UINT64), Map.entry("intp", Kind.INT64), Map.entry("uintp", Kind.UINT64),
            Map.entry("half", Kind.FLOAT16), Map.entry("single", Kind.FLOAT32), Map.entry("double", Kind.FLOAT64), Map.entry("float", Kind.FLOAT64),
            Map.entry("csingle", Kind.COMPLEX64), Map.entry("cdouble", Kind.COMPLEX128), Map.entry("complex", Kind.COMPLEX128));

    private final Kind kind;
    private final int itemSize;
    /** null when byte order does not apply (one-byte kinds and S). */
    private final ByteOrder order;
    /** null unless a time kind. */
    private final TimeUnit unit;
    /** The count of units in one step ({@code 10} in {@code datetime64[10ns]}); 1 unless a time kind says otherwise. */
    private final long unitCount;

    private DType(Kind kind, int itemSize, ByteOrder order, TimeUnit unit, long unitCount) {
        this.kind = kind;
        this.itemSize = itemSize;
        this.order = order;
        this.unit = unit;
        this.unitCount = unitCount;
    }

    /**
     * Returns the dtype of a fixed-size kind in native byte order.
     *
     * @param kind the kind of element
     * @return the dtype of a fixed-size kind in native byte order
     * @throws IllegalArgumentException for {@link Kind#BYTES}, {@link Kind#UNICODE} (use {@link #bytes(int)},
     *     {@link #unicode(int)}) and the time kinds (use {@link #datetime64(TimeUnit)}, {@link #timedelta64(TimeUnit)})
     */
    public static DType of(Kind kind) {
        return of(kind, NATIVE);
    }

    /**
     * Returns the dtype of a fixed-size kind in the given byte order (ignored for one-byte kinds).
     *
     * @param kind the kind of element
     * @param order the byte order of the elements
     * @return the dtype of a fixed-size kind in the given byte order (ignored for one-byte kinds)
     * @throws IllegalArgumentException as {@link #of(Kind)}
     */
    public static DType of(Kind kind, ByteOrder order) {
        if (kind.isString() || kind.isTime()) {
            throw new IllegalArgumentException(kind + " needs a length or a unit: use bytes(n), unicode(n), datetime64(unit) or timedelta64(unit)");
        }
        return new DType(kind, kind.fixedSize, kind.fixedSize == 1 ? null : requireOrder(order), null, 1);
    }

    /**
     * Returns numpy's {@code S<length>}: fixed-length byte strings of {@code length >= 1} bytes.
     *
     * @param length the length in bytes
     * @return numpy's {@code S<length>}: fixed-length byte strings of {@code length >= 1} bytes
     */
    public static DType bytes(int length) {
        if (length < 1) {
            throw new IllegalArgumentException("S dtype length must be at least 1, not " + length);
        }
        return new DType(Kind.BYTES, length, null, null, 1);
    }

    /**
     * Returns numpy's {@code U<length>} in native byte order: fixed-length strings of {@code length >= 1} code points.
     *
     * @param length the length in code points
     * @return numpy's {@code U<length>} in native byte order: fixed-length strings of {@code length >= 1} code points
     */
    public static DType unicode(int length) {
        return unicode(length, NATIVE);
    }

    /**
     * Returns numpy's {@code U<length>} in the given byte order.
     *
     * @param length the length in code points
     * @param order the length in code points
     * @return numpy's {@code U<length>} in the given byte order
     */
    public static DType unicode(int length, ByteOrder order) {
        if (length < 1 || length > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("U dtype length must be between 1 and " + Integer.MAX_VALUE / 4 + ", not " + length);
        }
        return new DType(Kind.UNICODE, length * 4, requireOrder(order), null, 1);
    }

    /**
     * Returns {@code datetime64[unit]} in native byte order.
     *
     * @param unit the time unit
     * @return {@code datetime64[unit]} in native byte order
     */
    public static DType datetime64(TimeUnit unit) {
        return time(Kind.DATETIME64, unit, 1, NATIVE);
    }

    /**
     * Returns {@code timedelta64[unit]} in native byte order.
     *
     * @param unit the time unit
     * @return {@code timedelta64[unit]} in native byte order
     */
    public static DType timedelta64(TimeUnit unit) {
        return time(Kind.TIMEDELTA64, unit, 1, NATIVE);
    }

    /**
     * Returns a datetime64 or timedelta64 dtype whose step is {@code count} units ({@code datetime64[10ns]}
     * has count 10) in the given byte order.
     *
     * @param kind the kind of element
     * @param unit the time unit
     * @param count how many units one step is (1 for {@link TimeUnit#GENERIC})
     * @param order the byte order of the elements
     * @return a datetime64 or timedelta64 dtype whose step is {@code count} units ({@code datetime64[10ns]} has count 10) in the given byte order
     */
    public static DType time(Kind kind, TimeUnit unit, long count, ByteOrder order) {
        if (!kind.isTime()) {
            throw new IllegalArgumentException(kind + " is not DATETIME64 or TIMEDELTA64");
        }
        if (unit == null) {
            throw new IllegalArgumentException("unit is null (use TimeUnit.GENERIC)");
        }
        if (count < 1 || (unit == TimeUnit.GENERIC && count != 1) || count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bad unit multiple " + count + " for unit \"" + unit.symbol() + "\"");
        }
        return new DType(kind, 8, requireOrder(order), unit, count);
    }

    private static ByteOrder requireOrder(ByteOrder order) {
        if (order == null) {
            throw new IllegalArgumentException("byte order is null");
        }
        return order;
    }

    /**
     * Parses what numpy's {@code str(dtype)} or {@code dtype.str} produces ({@code "float64"}, {@code ">f8"},
     * {@code "|u1"}, {@code "<U5"}, {@code "|S3"}, {@code "datetime64[ns]"}, {@code ">M8[ns]"}, ...), and the
     * other spellings numpy accepts for these dtypes ({@code "f8"}, {@code "=i4"}, {@code "double"}, {@code "?"}).
     *
     * @param s the dtype string, as numpy's {@code dtype.str} or another spelling numpy accepts
     * @return the dtype
     * @throws IllegalArgumentException naming the string when it is not a dtype this class represents
     *     (object, void, structured, longdouble, zero-length strings, ...)
     */
    public static DType parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("dtype string is null");
        }
        try {
            return parse0(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a supported numpy dtype: \"" + s + "\" (" + e.getMessage() + ")", e);
        }
    }

    private static DType parse0(String s) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty");
        }
        ByteOrder order = NATIVE;
        String rest = s;
        char c0 = s.charAt(0);
        if (c0 == '<' || c0 == '>' || c0 == '=' || c0 == '|') {
            order = c0 == '<' ? ByteOrder.LITTLE_ENDIAN : c0 == '>' ? ByteOrder.BIG_ENDIAN : NATIVE;
            rest = s.substring(1);
        }
        Kind named = NAMES.get(rest);
        if (named == null) {
            named = TYPE_CODES.get(rest);
        }
        if (named != null) {
            return of(named, order);
        }
        if (rest.startsWith("datetime64") || rest.startsWith("timedelta64")) {
            boolean dt = rest.startsWith("datetime64");
            return parseTime(dt ? Kind.DATETIME64 : Kind.TIMEDELTA64, rest.substring(dt ? 10 : 11), order);
        }
        if (rest.startsWith("M8") || rest.startsWith("m8")) {
            return parseTime(rest.charAt(0) == 'M' ? Kind.DATETIME64 : Kind.TIMEDELTA64, rest.substring(2), order);
        }
        if (rest.length() >= 2 && (rest.charAt(0) == 'S' || rest.charAt(0) == 'U')) {
            int n = parseCount(rest.substring(1));
            return rest.charAt(0) == 'S' ? bytes(n) : unicode(n, order);
        }
        throw new IllegalArgumentException("unknown type");
    }

    private static int parseCount(String digits) {
        if (digits.isEmpty() || digits.length() > 10) {
            throw new IllegalArgumentException("bad length \"" + digits + "\"");
        }
        long n = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("bad length \"" + digits + "\"");
            }
            n = n * 10 + (c - '0');
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("length " + n + " too large");
        }
        return (int) n;
    }

    private static DType parseTime(Kind kind, String bracket, ByteOrder order) {
        if (bracket.isEmpty()) {
            return time(kind, TimeUnit.GENERIC, 1, order);
        }
        if (bracket.length() < 3 || bracket.charAt(0) != '[' || bracket.charAt(bracket.length() - 1) != ']') {
            throw new IllegalArgumentException("bad unit \"" + bracket + "\"");
        }
        String inner = bracket.substring(1, bracket.length() - 1);
        int i = 0;
        while (i < inner.length() && Character.isDigit(inner.charAt(i))) {
            i++;
        }
        long count = i == 0 ? 1 : parseCount(inner.substring(0, i));
        return time(kind, TimeUnit.ofSymbol(inner.substring(i)), count, order);
    }

    /**
     * Returns the kind of element.
     *
     * @return the kind of element
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Returns the size of one element in bytes ({@code dtype.itemsize}).
     *
     * @return the size of one element in bytes ({@code dtype.itemsize})
     */
    public int itemSize() {
        return itemSize;
    }

    /**
     * Returns the byte order of the elements; for dtypes where byte order does not apply (one-byte kinds and
     * {@code S}) the native order, so that it can always be handed to {@code ValueLayout.withOrder}.
     *
     * @return the byte order of the elements; for dtypes where byte order does not apply (one-byte kinds and {@code S}) the native order, so that it can always be handed to {@code ValueLayout.withOrder}
     */
    public ByteOrder order() {
        return order == null ? NATIVE : order;
    }

    /**
     * Returns whether byte order applies to this dtype (false for bool, int8, uint8 and {@code S}: numpy's {@code '|'}).
     *
     * @return whether byte order applies to this dtype (false for bool, int8, uint8 and {@code S}: numpy's {@code '|'})
     */
    public boolean hasByteOrder() {
        return order != null;
    }

    /**
     * Returns whether the elements are in this machine's byte order (always true when byte order does not apply).
     *
     * @return whether the elements are in this machine's byte order (always true when byte order does not apply)
     */
    public boolean isNativeOrder() {
        return order == null || order == NATIVE;
    }

    /**
     * Returns this dtype in the given byte order (this dtype itself when byte order does not apply).
     *
     * @param newOrder the byte order wanted
     * @return this dtype in the given byte order (this dtype itself when byte order does not apply)
     */
    public DType withOrder(ByteOrder newOrder) {
        requireOrder(newOrder);
        if (order == null || order == newOrder) {
            return this;
        }
        return new DType(kind, itemSize, newOrder, unit, unitCount);
    }

    /**
     * Returns the unit of a datetime64 or timedelta64 dtype, or null for other kinds.
     *
     * @return the unit of a datetime64 or timedelta64 dtype, or null for other kinds
     */
    public TimeUnit timeUnit() {
        return unit;
    }

    /**
     * Returns how many units one step is ({@code 10} for {@code datetime64[10ns]}); 1 for other kinds.
     *
     * @return how many units one step is ({@code 10} for {@code datetime64[10ns]}); 1 for other kinds
     */
    public long timeUnitCount() {
        return unitCount;
    }

    /**
     * Returns the length of a string dtype in characters (bytes for {@code S}, code points for {@code U}), or 0 for other kinds.
     *
     * @return the length of a string dtype in characters (bytes for {@code S}, code points for {@code U}), or 0 for other kinds
     */
    public int stringLength() {
        return kind == Kind.BYTES ? itemSize : kind == Kind.UNICODE ? itemSize / 4 : 0;
    }

    private char orderChar() {
        if (order == null) {
            return '|';
        }
        return order == ByteOrder.LITTLE_ENDIAN ? '<' : '>';
    }

    private String timeBracket() {
        if (unit == TimeUnit.GENERIC) {
            return "";
        }
        return "[" + (unitCount == 1 ? "" : Long.toString(unitCount)) + unit.symbol() + "]";
    }

    /** Returns numpy's sized type code without byte order: {@code "f8"}, {@code "b1"}, {@code "U5"}, {@code "M8[ns]"}. */
    private String code() {
        return switch (kind) {
            case BYTES -> "S" + itemSize;
            case UNICODE -> "U" + itemSize / 4;
            case DATETIME64 -> "M8" + timeBracket();
            case TIMEDELTA64 -> "m8" + timeBracket();
            default -> String.valueOf(kind.code) + itemSize;
        };
    }

    /**
     * Returns what numpy's {@code str(dtype)} prints: the name for native-order numbers ({@code "float64"},
     * {@code "bool"}, {@code "datetime64[ns]"}), the type string otherwise ({@code ">f8"}, {@code "<U5"},
     * {@code "|S3"}). This is the string written into array entries.
     *
     * @return what numpy's {@code str(dtype)} prints: the name for native-order numbers ({@code "float64"}, {@code "bool"}, {@code "datetime64[ns]"}), the type string otherwise ({@code ">f8"}, {@code "<U5"}, {@code "|S3"})
     */
    public String pythonStr() {
        if (kind.isString() || !isNativeOrder()) {
            return typeStr();
        }
        return switch (kind) {
            case DATETIME64, TIMEDELTA64 -> kind.numpyName() + timeBracket();
            default -> kind.numpyName();
        };
    }

    /**
     * Returns numpy's {@code dtype.str}: byte order character and sized code ({@code "<f8"}, {@code "|b1"}, {@code "<M8[ns]"}), as tagged JSON writes it.
     *
     * @return numpy's {@code dtype.str}: byte order character and sized code ({@code "<f8"}, {@code "|b1"}, {@code "<M8[ns]"}), as tagged JSON writes it
     */
    public String typeStr() {
        return orderChar() + code();
    }

    /** Returns {@link #pythonStr()}. */
    @Override
    public String toString() {
        return pythonStr();
    }

    /** Returns whether the other object is a DType with the same kind, size, byte order and unit. */
    @Override
    public boolean equals(Object o) {
        return o instanceof DType d && d.kind == kind && d.itemSize == itemSize && d.order == order
                && d.unit == unit && d.unitCount == unitCount;
    }

    @Override
    public int hashCode() {
        return ((kind.hashCode() * 31 + itemSize) * 31 + (order == null ? 0 : order.hashCode())) * 31
                + (unit == null ? 0 : unit.hashCode()) + Long.hashCode(unitCount);
    }
}
