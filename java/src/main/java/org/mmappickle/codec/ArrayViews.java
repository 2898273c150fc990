package org.mmappickle.codec;

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

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.mmappickle.ArrayFormat;
import org.mmappickle.MaskedArray;
import org.mmappickle.NDArray;
import org.mmappickle.PickleFormatException;
import org.mmappickle.internal.format.ArrayLayout;

/** What the array codecs share: the first bytes of array values, and views of parsed ones. */
final class ArrayViews {
    /** mmappickle 1.0.1's ndarray and ours. */
    static final byte[][] PLAIN = {global("numpy.core.fromnumeric", "reshape"), global("numpy", "ndarray")};
    /** mmappickle 1.0.1's masked array and ours. */
    static final byte[][] MASKED = {global("numpy.ma.core", "MaskedArray"), global("numpy.ma", "MaskedArray")};
    private static final byte[] ORIGINAL_INNER = global("numpy.core.multiarray", "fromstring");

    /** Padding is never longer than this (alignment to 4096); longer bytes are a generic value. */
    private static final long MAX_PADDING = 8192;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ArrayViews() {
    }

    /** {@code 8C <module> 8C <name> 93}. */
    private static byte[] global(String module, String name) {
        byte[] m = module.getBytes(StandardCharsets.US_ASCII);
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[5 + m.length + n.length];
        b[0] = (byte) SHORT_BINUNICODE;
        b[1] = (byte) m.length;
        System.arraycopy(m, 0, b, 2, m.length);
        b[2 + m.length] = (byte) SHORT_BINUNICODE;
        b[3 + m.length] = (byte) n.length;
        System.arraycopy(n, 0, b, 4 + m.length, n.length);
        b[b.length - 1] = (byte) STACK_GLOBAL;
        return b;
    }

    static ArrayLayout.Layout layout(ArrayFormat f) {
        return f == ArrayFormat.ORIGINAL ? ArrayLayout.Layout.ORIGINAL : ArrayLayout.Layout.OURS;
    }

    private static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static boolean startsWith(MemorySegment s, long at, byte[] prefix) {
        // the prefixes are compared without their STACK_GLOBAL byte: the head check only needs the names
        int n = prefix.length - 1;
        return at >= 0 && s.byteSize() - at >= n
                && MemorySegment.mismatch(s, at, at + n, MemorySegment.ofArray(prefix), 0, n) < 0;
    }

    /**
     * Returns true when a value's first bytes, after the padding our layout may put first
     * ({@code 42 <u32 p> <p bytes> 30}), start with one of the prefixes: then it is worth mapping
     * the whole value. Padding longer than the head is trusted (the parser decides).
     */
    static boolean looksLike(MemorySegment head, byte[][] prefixes) {
        long start = 0;
        long size = head.byteSize();
        if (size >= 5 && u8(head, 0) == BINBYTES) {
            long p = Integer.toUnsignedLong(head.get(I32, 1));
            if (p > MAX_PADDING) {
                return false;
            }
            start = 5 + p + 1;
            if (start >= size) {
                return true;
            }
            if (u8(head, start - 1) != POP) {
                return false;
            }
        }
        for (byte[] p : prefixes) {
            // padding that leaves less than a prefix in the head: compare what the head holds (an
            // array value after 55 bytes of padding was read as a generic copy, not mapped)
            long n = Math.min(p.length - 1, size - start);
            if (n > 0 && MemorySegment.mismatch(head, start, start + n, MemorySegment.ofArray(p), 0, n) < 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses an array or masked array value (either layout) occupying exactly {@code value} and
     * returns views of its payloads in it (NDArray or MaskedArray), or null when the bytes are not
     * an array value.
     */
    static Object views(MemorySegment value, Path file, long fileBase, NDArray.Adviser adviser) {
        ArrayLayout.Parsed p = ArrayLayout.parse(value, file, fileBase);
        if (p == null) {
            return null;
        }
        NDArray data = view(value, p.data(), adviser);
        return p.mask() == null ? data : new MaskedArray(data, view(value, p.mask(), adviser));
    }

    private static NDArray view(MemorySegment value, ArrayLayout.ArrayHeader h, NDArray.Adviser adviser) {
        return NDArray.mapped(value.asSlice(h.payloadOffset(), h.payloadLength()), h.dtype(), h.shape(), adviser);
    }

    /**
     * Reads a value as array views when it is one, else through the generic reader: also a value
     * that starts like an array but is not in either layout (a generic pickle of
     * {@code numpy.ndarray(shape, dtype, builtins.bytearray(...))}); when neither reads it, the
     * array parser's error says where the bytes go wrong.
     */
    static Object read(StoredValue v) throws java.io.IOException {
        Object a;
        try {
            a = views(v.map(), v.file(), v.offset(), v.adviser());
        } catch (PickleFormatException notAnArrayLayout) {
            try {
                return GenericCodec.INSTANCE.read(v);
            } catch (PickleFormatException | IllegalArgumentException alsoNotGeneric) {
                notAnArrayLayout.addSuppressed(alsoNotGeneric);
                throw notAnArrayLayout;
            }
        }
        return a != null ? a : GenericCodec.INSTANCE.read(v);
    }

    // ------------------------------------------------------------------ the end of an array inside a value

    /**
     * Returns where a plain array (either layout, after optional padding) that starts at
     * {@code start} ends, or -1 when the bytes there are not one. Only the structure is skipped;
     * {@link ArrayLayout#parse} checks it.
     */
    static long arrayEnd(MemorySegment v, long start) {
        try {
            long at = paddingEnd(v, start);
            if (at < 0) {
                return -1;
            }
            if (startsWith(v, at, PLAIN[1])) {   // ours: ndarray(shape, dtype, payload)
                at += PLAIN[1].length;
                at = shapeEnd(v, at);
                at = stringEnd(v, at);
                at = payloadEnd(v, at);
                return expect(v, at, TUPLE3, REDUCE);
            }
            if (startsWith(v, at, PLAIN[0])) {   // original: reshape(fromstring(payload, dtype), shape)
                at += PLAIN[0].length;
                if (!startsWith(v, at, ORIGINAL_INNER)) {
                    return -1;
                }
                at = payloadEnd(v, at + ORIGINAL_INNER.length);
                at = stringEnd(v, at);
                at = expect(v, at, TUPLE2, REDUCE);
                at = shapeEnd(v, at);
                return expect(v, at, TUPLE2, REDUCE);
            }
            return -1;
        } catch (IndexOutOfBoundsException | IllegalStateException e) {
            return -1;
        }
    }

    private static long paddingEnd(MemorySegment v, long at) {
        int op = u8(v, at);
        long len;
        long data;
        switch (op) {
            case SHORT_BINBYTES -> {
                len = u8(v, at + 1);
                data = at + 2;
            }
            case BINBYTES -> {
                len = Integer.toUnsignedLong(v.get(I32, at + 1));
                data = at + 5;
            }
            case BINBYTES8 -> {
                len = v.get(I64, at + 1);
                data = at + 9;
            }
            default -> {
                return at;
            }
        }
        if (len < 0 || len > MAX_PADDING || u8(v, data + len) != POP) {
            return -1;
        }
        return data + len + 1;
    }

    private static long expect(MemorySegment v, long at, int a, int b) {
        if (at < 0 || u8(v, at) != a || u8(v, at + 1) != b) {
            throw new IllegalStateException();
        }
        return at + 2;
    }

    private static long stringEnd(MemorySegment v, long at) {
        if (u8(v, at) != SHORT_BINUNICODE) {
            throw new IllegalStateException();
        }
        return at + 2 + u8(v, at + 1);
    }

    private static long payloadEnd(MemorySegment v, long at) {
        long len;
        long data;
        switch (u8(v, at)) {
            case SHORT_BINBYTES -> {
                len = u8(v, at + 1);
                data = at + 2;
            }
            case BINBYTES -> {
                len = Integer.toUnsignedLong(v.get(I32, at + 1));
                data = at + 5;
            }
            case BINBYTES8, BYTEARRAY8 -> {
                len = v.get(I64, at + 1);
                data = at + 9;
            }
            default -> throw new IllegalStateException();
        }
        if (len < 0 || len > v.byteSize() - data) {
            throw new IllegalStateException();
        }
        return data + len;
    }

    private static long shapeEnd(MemorySegment v, long at) {
        int op = u8(v, at);
        if (op == EMPTY_TUPLE) {
            return at + 1;
        }
        boolean marked = op == MARK;
        if (marked) {
            at++;
        }
        int n = 0;
        while (true) {
            op = u8(v, at);
            long next = switch (op) {
                case BININT1 -> at + 2;
                case BININT2 -> at + 3;
                case BININT -> at + 5;
                case LONG1 -> at + 2 + u8(v, at + 1);
                default -> -1;
            };
            if (next < 0) {
                break;
            }
            at = next;
            n++;
        }
        if (marked ? op == TUPLE : (n == 1 && op == TUPLE1 || n == 2 && op == TUPLE2 || n == 3 && op == TUPLE3)) {
            return at + 1;
        }
        throw new IllegalStateException();
    }
}
