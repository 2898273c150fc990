package org.mmappickle.internal.format;

import static org.mmappickle.internal.pickle.Opcodes.MARK;
import static org.mmappickle.internal.pickle.Opcodes.POP;
import static org.mmappickle.internal.pickle.Opcodes.EMPTY_TUPLE;
import static org.mmappickle.internal.pickle.Opcodes.BINBYTES;
import static org.mmappickle.internal.pickle.Opcodes.SHORT_BINBYTES;
import static org.mmappickle.internal.pickle.Opcodes.BININT;
import static org.mmappickle.internal.pickle.Opcodes.BININT1;
import static org.mmappickle.internal.pickle.Opcodes.BININT2;
import static org.mmappickle.internal.pickle.Opcodes.REDUCE;
import static org.mmappickle.internal.pickle.Opcodes.TUPLE;
import static org.mmappickle.internal.pickle.Opcodes.TUPLE1;
import static org.mmappickle.internal.pickle.Opcodes.TUPLE2;
import static org.mmappickle.internal.pickle.Opcodes.TUPLE3;
import static org.mmappickle.internal.pickle.Opcodes.LONG1;
import static org.mmappickle.internal.pickle.Opcodes.SHORT_BINUNICODE;
import static org.mmappickle.internal.pickle.Opcodes.BINBYTES8;
import static org.mmappickle.internal.pickle.Opcodes.STACK_GLOBAL;
import static org.mmappickle.internal.pickle.Opcodes.BYTEARRAY8;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.mmappickle.ArrayFormat;
import org.mmappickle.DType;
import org.mmappickle.PickleFormatException;
import org.mmappickle.internal.bytes.LittleEndian;

/**
 * The bytes of an array entry's value in both layouts of docs/format.md: mmappickle 1.0.1's
 * {@code reshape(fromstring(DATA, DTYPE), SHAPE)} ({@link ArrayFormat#ORIGINAL}) and this project's
 * {@code numpy.ndarray(SHAPE, DTYPE, bytearray)} with aligned payloads ({@link ArrayFormat#OURS}), plain or as the
 * data and mask of a {@code numpy.ma.MaskedArray}. {@link #parse} finds where the payloads lie without copying
 * them; {@link #encode} and {@link #encodeMasked} give the structural bytes around payloads to be written.
 */
public final class ArrayLayout {

    /**
     * One array inside a value: its dtype, shape, and where its payload lies relative to the value's first byte.
     *
     * @param dtype the element type
     * @param shape the dimensions (empty for a 0-d array)
     * @param payloadOffset offset of the payload's first byte from the value's first byte
     * @param payloadLength length of the payload in bytes ({@code itemSize * product(shape)})
     */
    public record ArrayHeader(DType dtype, long[] shape, long payloadOffset, long payloadLength) {
        /** Creates the header with a copy of the shape. */
        public ArrayHeader {
            shape = shape.clone();
        }

        /** Returns a copy of the shape. */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Returns whether the other header has the same dtype, shape and payload position. */
        @Override
        public boolean equals(Object o) {
            return o instanceof ArrayHeader h && dtype.equals(h.dtype) && Arrays.equals(shape, h.shape)
                    && payloadOffset == h.payloadOffset && payloadLength == h.payloadLength;
        }

        @Override
        public int hashCode() {
            return (dtype.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + Long.hashCode(payloadOffset) * 17
                    + Long.hashCode(payloadLength);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "ArrayHeader[dtype=%s, shape=%s, payloadOffset=%d, payloadLength=%d]",
                    dtype.pythonStr(), Arrays.toString(shape), payloadOffset, payloadLength);
        }
    }

    /**
     * What {@link #read} found in a value's bytes: an array value ({@link Parsed}), bytes that are
     * not one ({@link NotAnArray}), or bytes that start like one but break the grammar
     * ({@link Malformed}); each is a result, so a caller that falls back to the generic reader needs
     * no exception to decide.
     */
    public sealed interface Reading permits Parsed, NotAnArray, Malformed {
    }

    /**
     * A recognised array value. mask is null for a plain ndarray.
     *
     * @param layout the layout the value uses
     * @param data the array, or the data array of a masked array
     * @param mask the mask array of a masked array (dtype bool, the data's shape), or null
     */
    public record Parsed(ArrayFormat layout, ArrayHeader data, ArrayHeader mask) implements Reading {
        /** Returns whether the value is a {@code numpy.ma.MaskedArray}. */
        public boolean masked() {
            return mask != null;
        }
    }

    /** Bytes that do not start like an array value in either layout: a generic value. */
    public record NotAnArray() implements Reading {
        /** The one instance. */
        public static final NotAnArray INSTANCE = new NotAnArray();
    }

    /**
     * Bytes that start like an array value but break the grammar of both layouts.
     *
     * @param error where the bytes go wrong and what was expected there
     */
    public record Malformed(PickleFormatException error) implements Reading {
    }

    /**
     * A plain array found inside a larger value by {@link #arrayAt}.
     *
     * @param array the array, its payload offset relative to the first byte of the segment searched
     * @param end the position just after the array's bytes, relative to that same first byte
     */
    public record Located(ArrayHeader array, long end) {
    }

    /** What a value's first bytes say it is, as {@link #sniff} tells it. */
    public enum Kind {
        /** Not an array value: the generic reader's. */
        NONE,
        /** A {@code numpy.ndarray} in either layout. */
        ARRAY,
        /** A {@code numpy.ma.MaskedArray} in either layout. */
        MASKED_ARRAY
    }

    /**
     * Gives {@link #sniff} the bytes of a value it asks for, so that a value whose padding is long
     * is recognised from a few small reads instead of from all its bytes.
     *
     * @param <X> what reading may throw
     */
    @FunctionalInterface
    public interface Source<X extends Exception> {
        /**
         * Returns up to {@code length} bytes of the value starting at {@code position}: fewer only
         * where the value ends.
         *
         * @param position the first byte, relative to the value's first byte (not negative)
         * @param length how many bytes
         * @return the bytes
         * @throws X when they cannot be read
         */
        MemorySegment bytes(long position, int length) throws X;

        /**
         * Returns the source of a value whose bytes are all in memory.
         *
         * @param value the value's bytes, exactly
         * @return the source
         */
        static Source<RuntimeException> of(MemorySegment value) {
            return (position, length) -> {
                long from = Math.min(position, value.byteSize());
                return value.asSlice(from, Math.min(length, value.byteSize() - from));
            };
        }
    }


    /** numpy's NPY_MAXDIMS (64 in numpy 2, 32 in 1.x): a bound on what a shape may allocate. */
    static final int MAX_DIMS = 64;

    /** Payloads of at least this many bytes are aligned to {@link #PAGE_ALIGN}, smaller ones to {@link #SIMD_ALIGN}. */
    static final long LARGE_PAYLOAD = 64 * 1024;
    static final int SIMD_ALIGN = 64;
    static final int PAGE_ALIGN = 4096;
    /** Bytes the padding adds beyond its p zero bytes: {@code 42 <u32 p>} and {@code 30}. */
    private static final int PADDING_OVERHEAD = 6;

    private static final byte[] ORIGINAL_ARRAY = concat(global("numpy.core.fromnumeric", "reshape"),
            global("numpy.core.multiarray", "fromstring"));
    private static final byte[] ORIGINAL_MASKED = global("numpy.ma.core", "MaskedArray");
    private static final byte[] OURS_ARRAY = global("numpy", "ndarray");
    private static final byte[] OURS_MASKED = global("numpy.ma", "MaskedArray");
    private static final byte[] TUPLE2_REDUCE = {(byte) TUPLE2, REDUCE};
    private static final byte[] TUPLE3_REDUCE = {(byte) TUPLE3, REDUCE};
    private static final String MASK_DTYPE = "bool";

    private static final ValueLayout.OfShort U16 = LittleEndian.U16;
    private static final ValueLayout.OfInt I32 = LittleEndian.I32;
    private static final ValueLayout.OfLong I64 = LittleEndian.I64;

    private ArrayLayout() {
    }

    private static byte[] global(String module, String name) {
        byte[] m = module.getBytes(StandardCharsets.US_ASCII);
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[m.length + n.length + 5];
        b[0] = (byte) SHORT_BINUNICODE;
        b[1] = (byte) m.length;
        System.arraycopy(m, 0, b, 2, m.length);
        b[2 + m.length] = (byte) SHORT_BINUNICODE;
        b[3 + m.length] = (byte) n.length;
        System.arraycopy(n, 0, b, 4 + m.length, n.length);
        b[b.length - 1] = (byte) STACK_GLOBAL;
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // ============================================================================================ parsing

    /** The longest of the four globals an array value starts with, and the byte after it. */
    private static final int START_BYTES = 1 + Math.max(Math.max(ORIGINAL_ARRAY.length, OURS_ARRAY.length),
            Math.max(ORIGINAL_MASKED.length, OURS_MASKED.length));

    /**
     * Where an array value's global starts (after its padding), what kind of value it is and in
     * which layout; {@link #NO_START} for a value that is not one.
     */
    private record Start(Kind kind, ArrayFormat layout, long at) {
    }

    private static final Start NO_START = new Start(Kind.NONE, null, -1);

    /**
     * Tells what a value's first bytes say it is, by the rule {@link #read} starts with: after
     * optional padding (BINBYTES, SHORT_BINBYTES or BINBYTES8, then POP, of any length inside the
     * value), one of the four globals of the layouts followed by a byte that the layout puts there
     * (a payload opcode after mmappickle 1.0.1's, a shape opcode after ours, and for a masked array
     * optional padding then the inner array's global). A value of kind {@link Kind#NONE} is the
     * generic reader's; any other may still be malformed ({@link #read} says). Reads only a few
     * small ranges, whatever the length of the padding.
     *
     * @param <X> what reading the value may throw
     * @param value the value's bytes
     * @param length the value's length
     * @return the kind of value its first bytes announce
     * @throws X when the source cannot read the bytes
     */
    public static <X extends Exception> Kind sniff(Source<X> value, long length) throws X {
        return start(value, length).kind();
    }

    private static <X extends Exception> Start start(Source<X> v, long length) throws X {
        long at = paddingEnd(v, length, 0);
        if (at < 0) {
            return NO_START;
        }
        MemorySegment head = v.bytes(at, START_BYTES);
        for (ArrayFormat layout : ArrayFormat.values()) {
            byte[] masked = maskedGlobal(layout);
            if (startsWith(head, 0, masked)) {
                long inner = paddingEnd(v, length, at + masked.length);
                byte[] array = arrayGlobal(layout);
                return inner >= 0 && startsWith(v.bytes(inner, array.length), 0, array)
                        ? new Start(Kind.MASKED_ARRAY, layout, at) : NO_START;
            }
        }
        ArrayFormat plain = plainLayout(head);
        return plain == null ? NO_START : new Start(Kind.ARRAY, plain, at);
    }

    /** The layout of a plain array whose global starts the bytes (with the byte after it), or null. */
    private static ArrayFormat plainLayout(MemorySegment head) {
        if (startsWith(head, 0, ORIGINAL_ARRAY) && isPayloadOpcode(head, ORIGINAL_ARRAY.length)) {
            return ArrayFormat.ORIGINAL;
        }
        if (startsWith(head, 0, OURS_ARRAY) && isShapeOpcode(head, OURS_ARRAY.length)) {
            return ArrayFormat.OURS;
        }
        return null;
    }

    private static byte[] maskedGlobal(ArrayFormat layout) {
        return layout == ArrayFormat.ORIGINAL ? ORIGINAL_MASKED : OURS_MASKED;
    }

    private static byte[] arrayGlobal(ArrayFormat layout) {
        return layout == ArrayFormat.ORIGINAL ? ORIGINAL_ARRAY : OURS_ARRAY;
    }

    private static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static boolean startsWith(MemorySegment s, long at, byte[] prefix) {
        if (at < 0 || s.byteSize() - at < prefix.length) {
            return false;
        }
        return MemorySegment.mismatch(s, at, at + prefix.length, MemorySegment.ofArray(prefix), 0, prefix.length) < 0;
    }

    private static boolean isPayloadOpcode(MemorySegment s, long at) {
        if (at >= s.byteSize()) {
            return false;
        }
        int op = u8(s, at);
        return op == BINBYTES8 || op == SHORT_BINBYTES || op == BINBYTES || op == BYTEARRAY8;
    }

    private static boolean isShapeOpcode(MemorySegment s, long at) {
        if (at >= s.byteSize()) {
            return false;
        }
        int op = u8(s, at);
        return op == EMPTY_TUPLE || op == MARK || op == BININT1 || op == BININT2 || op == BININT || op == LONG1;
    }

    /**
     * Returns where padding ({@code 42|43|8E <len> <bytes> 30}) starting at {@code at} ends, {@code at} itself when
     * there is none, or -1 when the bytes begin like bytes but are not padding (a generic value).
     */
    private static <X extends Exception> long paddingEnd(Source<X> v, long size, long at) throws X {
        if (at >= size) {
            return at;
        }
        MemorySegment h = v.bytes(at, 9);
        int op = u8(h, 0);
        long len;
        long data;
        if (op == SHORT_BINBYTES && h.byteSize() >= 2) {
            len = u8(h, 1);
            data = at + 2;
        } else if (op == BINBYTES && h.byteSize() >= 5) {
            len = Integer.toUnsignedLong(h.get(I32, 1));
            data = at + 5;
        } else if (op == BINBYTES8 && h.byteSize() >= 9) {
            len = h.get(I64, 1);
            data = at + 9;
        } else {
            return op == SHORT_BINBYTES || op == BINBYTES || op == BINBYTES8 ? -1 : at;
        }
        if (len < 0 || len >= size - data) {
            return -1;
        }
        MemorySegment pop = v.bytes(data + len, 1);
        return pop.byteSize() == 1 && u8(pop, 0) == POP ? data + len + 1 : -1;
    }

    /**
     * Reads an array or masked array value in either layout: value = exactly the value's bytes (the D bytes of
     * an entry). Bytes that do not start like an array value ({@link #sniff}) are {@link NotAnArray} (the
     * caller reads them as a generic pickle value); bytes that start like one but are malformed, or whose declared
     * lengths exceed the value, are {@link Malformed}, with a {@link PickleFormatException}{@code (file,
     * fileBase + offset, expected, found)}.
     * Accepts payloads as BINBYTES8 (8E), SHORT_BINBYTES (43), BINBYTES (42), BYTEARRAY8 (96), any payload offset,
     * optional padding {@code 42 <u32 p> <p bytes> 30} before our layout, shapes with BININT1/BININT2/BININT/LONG1
     * dimensions (LONG1 up to 8 bytes, dims {@literal >=} 2^31 allowed), EMPTY_TUPLE (0-d), TUPLE1-3 and
     * MARK..TUPLE. As numpy, it refuses shapes whose item size times the product of the non-zero dimensions
     * exceeds 63 bits.
     *
     * <p>"Starts like an array value" is {@link #sniff}'s rule: so a generic value that is just the class
     * {@code numpy.ndarray}, or a tuple holding it, is not mistaken for an array. Padding is accepted before any
     * of the arrays (as 42, 43 or 8E bytes followed by POP) and before the masked global, in both layouts.
     *
     * @param value the value's bytes, exactly
     * @param file the file, for error messages (may be null)
     * @param fileBase the file offset of the value's first byte, for error messages
     * @return what the bytes are
     */
    public static Reading read(MemorySegment value, Path file, long fileBase) {
        Start s = start(Source.of(value), value.byteSize());
        if (s.kind() == Kind.NONE) {
            return NotAnArray.INSTANCE;
        }
        Cursor c = new Cursor(value, file, fileBase);
        try {
            if (s.kind() == Kind.MASKED_ARRAY) {
                return c.parseMasked(s.at() + maskedGlobal(s.layout()).length, s.layout());
            }
            c.pos = s.at();
            ArrayHeader h = c.parseArray(s.layout());
            c.expectEnd();
            return new Parsed(s.layout(), h, null);
        } catch (PickleFormatException malformed) {
            // the parser reports where the bytes go wrong by throwing from deep inside; here that
            // becomes the result, so no caller needs an exception to fall back to the generic reader
            return new Malformed(malformed);
        }
    }

    /**
     * Reads an array value strictly: as {@link #read}, with a malformed value thrown.
     *
     * @param value the value's bytes, exactly
     * @param file the file, for error messages (may be null)
     * @param fileBase the file offset of the value's first byte, for error messages
     * @return the recognised array value, or null when the value is not an array value
     * @throws PickleFormatException when the bytes start like an array value but are malformed
     */
    public static Parsed parse(MemorySegment value, Path file, long fileBase) {
        return switch (read(value, file, fileBase)) {
            case Parsed p -> p;
            case NotAnArray n -> null;
            case Malformed m -> throw m.error();
        };
    }

    /**
     * Finds a plain array (either layout, after optional padding) that starts at a position inside
     * a larger value, as a codec writes arrays among other bytes: the same grammar as
     * {@link #read}, ending where the array's bytes end instead of at the end of the value.
     *
     * @param value the bytes to search (the value)
     * @param start where the array's bytes (its padding, if any) start
     * @param file the file, for error messages (may be null)
     * @param fileBase the file offset of {@code value}'s first byte, for error messages
     * @return the array and where it ends, or null when no array starts there
     * @throws PickleFormatException when an array starts there but is malformed
     */
    public static Located arrayAt(MemorySegment value, long start, Path file, long fileBase) {
        Source<RuntimeException> src = Source.of(value);
        long at = start < 0 ? -1 : paddingEnd(src, value.byteSize(), start);
        ArrayFormat layout = at < 0 ? null : plainLayout(src.bytes(at, START_BYTES));
        if (layout == null) {
            return null;
        }
        Cursor c = new Cursor(value, file, fileBase);
        c.pos = at;
        ArrayHeader h = c.parseArray(layout);
        return new Located(h, c.pos);
    }

    /** A read position in a value, with everything needed to report where the bytes go wrong. */
    private static final class Cursor {
        private final MemorySegment v;
        private final long size;
        private final Path file;
        private final long base;
        long pos;

        Cursor(MemorySegment v, Path file, long base) {
            this.v = v;
            this.size = v.byteSize();
            this.file = file;
            this.base = base;
        }

        private PickleFormatException error(long at, String expected, String found) {
            return new PickleFormatException(file, base + at, expected, found);
        }

        private int u8(long at) {
            return ArrayLayout.u8(v, at);
        }

        private boolean startsWith(long at, byte[] prefix) {
            return ArrayLayout.startsWith(v, at, prefix);
        }


        private void need(long n, String what) {
            if (size - pos < n) {
                throw error(pos, what, "end of value (" + (size - pos) + " bytes left)");
            }
        }

        private void expect(byte[] bytes, String what) {
            need(bytes.length, what);
            if (!startsWith(pos, bytes)) {
                long m = MemorySegment.mismatch(v, pos, pos + bytes.length, MemorySegment.ofArray(bytes), 0, bytes.length);
                throw error(pos + m, what, String.format(Locale.ROOT, "byte 0x%02X", u8(pos + m)));
            }
            pos += bytes.length;
        }

        void expectEnd() {
            if (pos != size) {
                throw error(pos, "end of the array value", (size - pos) + " more bytes");
            }
        }

        private void skipPadding() {
            long end = paddingEnd(Source.of(v), size, pos);
            if (end < 0) {
                throw error(pos, "padding (bytes then POP) or an array", String.format(Locale.ROOT, "byte 0x%02X", u8(pos)));
            }
            pos = end;
        }

        Parsed parseMasked(long afterGlobal, ArrayFormat layout) {
            pos = afterGlobal;
            ArrayHeader data = parseArray(layout);
            need(1, "the mask array");
            ArrayHeader mask = parseArray(layout);
            expect(TUPLE2_REDUCE, "TUPLE2 REDUCE closing the MaskedArray");
            expectEnd();
            if (mask.dtype().kind() != DType.Kind.BOOL) {
                throw error(mask.payloadOffset(), "a mask of dtype bool", "dtype " + mask.dtype().pythonStr());
            }
            if (!Arrays.equals(mask.shape(), data.shape())) {
                throw error(mask.payloadOffset(), "a mask of shape " + Arrays.toString(data.shape()),
                        "shape " + Arrays.toString(mask.shape()));
            }
            return new Parsed(layout, data, mask);
        }

        ArrayHeader parseArray(ArrayFormat layout) {
            skipPadding();
            if (layout == ArrayFormat.ORIGINAL) {
                expect(ORIGINAL_ARRAY, "numpy.core.fromnumeric.reshape(numpy.core.multiarray.fromstring(...))");
                long payloadAt = pos;
                long[] payload = payload();
                long dtypeAt = pos;
                DType dtype = dtype();
                expect(TUPLE2_REDUCE, "TUPLE2 REDUCE after fromstring's arguments");
                long[] shape = shape();
                expect(TUPLE2_REDUCE, "TUPLE2 REDUCE after reshape's arguments");
                return header(dtype, dtypeAt, shape, payloadAt, payload);
            }
            expect(OURS_ARRAY, "numpy.ndarray");
            long[] shape = shape();
            long dtypeAt = pos;
            DType dtype = dtype();
            long payloadAt = pos;
            long[] payload = payload();
            expect(TUPLE3_REDUCE, "TUPLE3 REDUCE after ndarray's arguments");
            return header(dtype, dtypeAt, shape, payloadAt, payload);
        }

        private ArrayHeader header(DType dtype, long dtypeAt, long[] shape, long payloadAt, long[] payload) {
            long expected = sizeInBytes(dtype, shape);
            if (expected < 0) {
                throw error(dtypeAt, "a shape whose size in bytes fits 63 bits (ignoring 0 dimensions, as numpy)",
                        "shape " + Arrays.toString(shape) + " of " + dtype.pythonStr());
            }
            if (expected != payload[1]) {
                throw error(payloadAt, String.format(Locale.ROOT, "a payload of %d bytes for shape %s of %s",
                        expected, Arrays.toString(shape), dtype.pythonStr()), payload[1] + " bytes");
            }
            return new ArrayHeader(dtype, shape, payload[0], payload[1]);
        }

        /** Reads a payload opcode and skips its bytes; returns {offset, length}. */
        private long[] payload() {
            need(1, "a payload (BINBYTES8, SHORT_BINBYTES, BINBYTES or BYTEARRAY8)");
            int op = u8(pos);
            long at = pos;
            long len;
            switch (op) {
                case SHORT_BINBYTES -> {
                    need(2, "SHORT_BINBYTES length");
                    len = u8(pos + 1);
                    pos += 2;
                }
                case BINBYTES -> {
                    need(5, "BINBYTES length");
                    len = Integer.toUnsignedLong(v.get(I32, pos + 1));
                    pos += 5;
                }
                case BINBYTES8, BYTEARRAY8 -> {
                    need(9, "BINBYTES8/BYTEARRAY8 length");
                    len = v.get(I64, pos + 1);
                    if (len < 0) {
                        throw error(pos + 1, "a payload length below 2^63", Long.toUnsignedString(len));
                    }
                    pos += 9;
                }
                default -> throw error(pos, "a payload (BINBYTES8, SHORT_BINBYTES, BINBYTES or BYTEARRAY8)",
                        String.format(Locale.ROOT, "opcode 0x%02X", op));
            }
            if (len > size - pos) {
                throw error(at, String.format(Locale.ROOT, "a payload of %d bytes inside the value", len),
                        (size - pos) + " bytes left in the value");
            }
            long[] r = {pos, len};
            pos += len;
            return r;
        }

        private DType dtype() {
            need(2, "SHORT_BINUNICODE dtype string");
            int op = u8(pos);
            if (op != SHORT_BINUNICODE) {
                throw error(pos, "SHORT_BINUNICODE dtype string", String.format(Locale.ROOT, "opcode 0x%02X", op));
            }
            int n = u8(pos + 1);
            long at = pos;
            pos += 2;
            need(n, "the dtype string's " + n + " bytes");
            String s = new String(v.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            pos += n;
            try {
                return DType.parse(s);
            } catch (IllegalArgumentException e) {
                throw new PickleFormatException(file, base + at, "a numpy dtype string", "\"" + s + "\"", e);
            }
        }

        private long[] shape() {
            need(1, "a shape tuple");
            if (u8(pos) == EMPTY_TUPLE) {
                pos++;
                return new long[0];
            }
            boolean marked = u8(pos) == MARK;
            if (marked) {
                pos++;
            }
            long[] dims = new long[4];
            int n = 0;
            while (true) {
                need(1, "a shape dimension or the tuple's end");
                int op = u8(pos);
                long at = pos;
                long d;
                switch (op) {
                    case BININT1 -> {
                        need(2, "BININT1 dimension");
                        d = u8(pos + 1);
                        pos += 2;
                    }
                    case BININT2 -> {
                        need(3, "BININT2 dimension");
                        d = Short.toUnsignedInt(v.get(U16, pos + 1));
                        pos += 3;
                    }
                    case BININT -> {
                        need(5, "BININT dimension");
                        d = v.get(I32, pos + 1);
                        pos += 5;
                    }
                    case LONG1 -> {
                        need(2, "LONG1 dimension");
                        int k = u8(pos + 1);
                        if (k > 8) {
                            throw error(pos + 1, "a LONG1 dimension of at most 8 bytes", k + " bytes");
                        }
                        pos += 2;
                        need(k, "LONG1 dimension bytes");
                        d = 0;
                        for (int i = k - 1; i >= 0; i--) {
                            d = (d << 8) | u8(pos + i);
                        }
                        if (k > 0 && k < 8 && (u8(pos + k - 1) & 0x80) != 0) {
                            d -= 1L << (8 * k);   // two's complement: the top bit is the sign
                        }
                        pos += k;
                    }
                    case TUPLE -> {
                        if (!marked) {
                            throw error(pos, "TUPLE1, TUPLE2 or TUPLE3 (no MARK before the shape)", "TUPLE");
                        }
                        pos++;
                        return Arrays.copyOf(dims, n);
                    }
                    case TUPLE1, TUPLE2, TUPLE3 -> {
                        int want = op - TUPLE1 + 1;
                        if (marked || want != n) {
                            throw error(pos, marked ? "TUPLE after MARK and " + n + " dimensions"
                                    : "a tuple opcode for " + n + " dimensions", String.format(Locale.ROOT, "TUPLE%d", want));
                        }
                        pos++;
                        return Arrays.copyOf(dims, n);
                    }
                    default -> throw error(pos, "a shape dimension (BININT1, BININT2, BININT, LONG1) or the tuple's end",
                            String.format(Locale.ROOT, "opcode 0x%02X", op));
                }
                if (d < 0) {
                    throw error(at, "a dimension of at least 0", Long.toString(d));
                }
                if (n == MAX_DIMS) {
                    throw error(at, "at most " + MAX_DIMS + " dimensions", "more");
                }
                if (n == dims.length) {
                    dims = Arrays.copyOf(dims, dims.length * 2);
                }
                dims[n++] = d;
            }
        }
    }

    // ============================================================================================ encoding

    /**
     * The structural bytes of a new array value around its payload: the value is piece 0, the payload
     * ({@link #payloadLength(DType, long[])} bytes), then piece 1; a codec pairs them with the payload's
     * segment in an {@code org.mmappickle.codec.EncodedValue}. For OURS, valueFileOffset is the absolute file offset of the value's
     * first byte and the padding makes each payload start at a multiple of 64, or of 4096 when the payload is
     * 64 KiB or more (docs/decisions/payload-alignment.md); the mask payload of a masked array is aligned the same way. For ORIGINAL the bytes
     * are exactly what mmappickle 1.0.1 writes (no padding). An empty payload gets no padding.
     *
     * @param dtype the element type
     * @param shape the dimensions
     * @param layout the layout
     * @param valueFileOffset the file offset of the value's first byte
     * @return the two structural pieces
     * @throws IllegalArgumentException if a dimension is negative, the size overflows, there are more than 64
     *     dimensions or the offset is negative
     */
    public static List<byte[]> encode(DType dtype, long[] shape, ArrayFormat layout, long valueFileOffset) {
        long len = payloadLength(dtype, shape, valueFileOffset);
        byte[] shapeBytes = shapeBytes(shape);
        byte[] dtypeBytes = dtypeBytes(dtype.pythonStr());
        if (layout == ArrayFormat.ORIGINAL) {
            return List.of(concat(ORIGINAL_ARRAY, payloadHeader(BINBYTES8, len)),
                    concat(dtypeBytes, TUPLE2_REDUCE, shapeBytes, TUPLE2_REDUCE));
        }
        byte[] head = concat(OURS_ARRAY, shapeBytes, dtypeBytes, payloadHeader(BYTEARRAY8, len));
        return List.of(concat(padding(valueFileOffset, head.length, len), head), TUPLE3_REDUCE.clone());
    }

    /**
     * The structural bytes of a new {@code numpy.ma.MaskedArray} value whose data has the dtype and shape and whose
     * mask is a bool array of the same shape: piece 0, the data payload, piece 1, the mask payload
     * ({@link #payloadLength(DType, long[])} of {@link DType#BOOL}), piece 2; see
     * {@link #encode(DType, long[], ArrayFormat, long)}.
     *
     * @param dtype the data's element type
     * @param shape the dimensions of the data and the mask
     * @param layout the layout
     * @param valueFileOffset the file offset of the value's first byte
     * @return the three structural pieces
     * @throws IllegalArgumentException as {@link #encode(DType, long[], ArrayFormat, long)}
     */
    public static List<byte[]> encodeMasked(DType dtype, long[] shape, ArrayFormat layout, long valueFileOffset) {
        long len = payloadLength(dtype, shape, valueFileOffset);
        long maskLen = payloadLength(DType.BOOL, shape, valueFileOffset);
        byte[] shapeBytes = shapeBytes(shape);
        byte[] dtypeBytes = dtypeBytes(dtype.pythonStr());
        byte[] maskDtypeBytes = dtypeBytes(MASK_DTYPE);
        if (layout == ArrayFormat.ORIGINAL) {
            return List.of(concat(ORIGINAL_MASKED, ORIGINAL_ARRAY, payloadHeader(BINBYTES8, len)),
                    concat(dtypeBytes, TUPLE2_REDUCE, shapeBytes, TUPLE2_REDUCE, ORIGINAL_ARRAY, payloadHeader(BINBYTES8, maskLen)),
                    concat(maskDtypeBytes, TUPLE2_REDUCE, shapeBytes, TUPLE2_REDUCE, TUPLE2_REDUCE));
        }
        byte[] head = concat(OURS_ARRAY, shapeBytes, dtypeBytes, payloadHeader(BYTEARRAY8, len));
        byte[] s0 = concat(OURS_MASKED, padding(Math.addExact(valueFileOffset, OURS_MASKED.length), head.length, len), head);
        byte[] maskHead = concat(OURS_ARRAY, shapeBytes, maskDtypeBytes, payloadHeader(BYTEARRAY8, maskLen));
        long maskStart = Math.addExact(valueFileOffset, Math.addExact(s0.length + TUPLE3_REDUCE.length, len));
        byte[] s1 = concat(TUPLE3_REDUCE, padding(maskStart, maskHead.length, maskLen), maskHead);
        return List.of(s0, s1, concat(TUPLE3_REDUCE, TUPLE2_REDUCE));
    }

    private static long payloadLength(DType dtype, long[] shape, long valueFileOffset) {
        if (valueFileOffset < 0) {
            throw new IllegalArgumentException("negative file offset " + valueFileOffset);
        }
        if (shape.length > MAX_DIMS) {
            throw new IllegalArgumentException(shape.length + " dimensions; numpy allows at most " + MAX_DIMS);
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
        long n = sizeInBytes(dtype, shape);
        if (n < 0) {
            throw new IllegalArgumentException("array too large: shape " + Arrays.toString(shape) + " of " + dtype);
        }
        return n;
    }

    /**
     * Returns the payload length of an array of non-negative dimensions, or -1 when numpy would call it too big:
     * like numpy, the item size times the product of the non-zero dimensions must fit, even when a dimension is 0
     * (the strides of the other axes are computed from them).
     */
    static long sizeInBytes(DType dtype, long[] shape) {
        long n = dtype.itemSize();
        boolean zero = false;
        try {
            for (long d : shape) {
                zero |= d == 0;
                n = Math.multiplyExact(n, Math.max(d, 1));
            }
        } catch (ArithmeticException e) {
            return -1;
        }
        return zero ? 0 : n;
    }

    /**
     * The padding that makes a payload start aligned, given the file offset where the array's structure would start
     * and the length of its head (the bytes from the global to the payload).
     */
    private static byte[] padding(long arrayFileOffset, int headLength, long payloadLength) {
        if (payloadLength == 0) {
            return new byte[0];
        }
        int align = payloadLength >= LARGE_PAYLOAD ? PAGE_ALIGN : SIMD_ALIGN;
        long unpadded = Math.addExact(arrayFileOffset, headLength);
        if (Math.floorMod(unpadded, align) == 0) {
            return new byte[0];
        }
        int p = (int) Math.floorMod(-(unpadded + PADDING_OVERHEAD), (long) align);
        byte[] b = new byte[p + PADDING_OVERHEAD];
        b[0] = BINBYTES;
        b[1] = (byte) p;
        b[2] = (byte) (p >>> 8);
        b[b.length - 1] = POP;
        return b;
    }

    private static byte[] payloadHeader(int opcode, long len) {
        byte[] b = new byte[9];
        b[0] = (byte) opcode;
        MemorySegment.ofArray(b).set(I64, 1, len);
        return b;
    }

    private static byte[] dtypeBytes(String s) {
        byte[] d = s.getBytes(StandardCharsets.UTF_8);
        if (d.length > 255) {
            throw new IllegalArgumentException("dtype string too long for SHORT_BINUNICODE: " + s);
        }
        byte[] b = new byte[d.length + 2];
        b[0] = (byte) SHORT_BINUNICODE;
        b[1] = (byte) d.length;
        System.arraycopy(d, 0, b, 2, d.length);
        return b;
    }

    /** A tuple of ints as Python's pickle writes it (protocol 2+, no memo). */
    static byte[] shapeBytes(long[] shape) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (shape.length == 0) {
            out.write(EMPTY_TUPLE);
            return out.toByteArray();
        }
        if (shape.length > 3) {
            out.write(MARK);
        }
        for (long d : shape) {
            writeInt(out, d);
        }
        out.write(shape.length > 3 ? TUPLE : TUPLE1 + shape.length - 1);
        return out.toByteArray();
    }

    private static void writeInt(ByteArrayOutputStream out, long d) {
        if (d >= 0 && d < 0x100) {
            out.write(BININT1);
            out.write((int) d);
        } else if (d >= 0 && d < 0x10000) {
            out.write(BININT2);
            out.write((int) d);
            out.write((int) (d >>> 8));
        } else if (d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) {
            out.write(BININT);
            for (int i = 0; i < 4; i++) {
                out.write((int) (d >>> (8 * i)));
            }
        } else {
            // Python's encode_long: (bit_length >> 3) + 1 bytes of little-endian two's complement
            int bitLength = 64 - Long.numberOfLeadingZeros(d < 0 ? ~d : d);
            int n = (bitLength >> 3) + 1;
            out.write(LONG1);
            out.write(n);
            for (int i = 0; i < n; i++) {
                out.write(i < 8 ? (int) (d >>> (8 * i)) : (d < 0 ? 0xFF : 0));
            }
        }
    }

    /**
     * The payload length of an array: the one checked size computation (every dimension
     * non-negative, the product of the item size and the dimensions within a long).
     *
     * @param dtype the element type
     * @param shape the dimensions
     * @return the payload's length in bytes
     * @throws IllegalArgumentException for a negative dimension or a size past 2^63 bytes
     */
    public static long payloadLength(DType dtype, long[] shape) {
        long n = dtype.itemSize();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype
                        + " is larger than 2^63 bytes", e);
            }
        }
        return n;
    }
}
