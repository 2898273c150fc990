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

    private static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static boolean startsWith(MemorySegment s, long at, byte[] prefix) {
        // the prefixes are compared without their STACK_GLOBAL byte: the head check only needs the names
        int n = prefix.length - 1;
        return at >= 0 && s.byteSize() - at >= n
                && MemorySegment.mismatch(s, at, at + n, MemorySegment.ofArray(prefix), 0, n) < 0;
    }

    /** The longest prefix a value is compared with. */
    private static final int PREFIX_PROBE = Math.max(Math.max(PLAIN[0].length, PLAIN[1].length),
            Math.max(MASKED[0].length, MASKED[1].length));

    /**
     * Returns true when a value, after the padding an array value may start with (BINBYTES,
     * SHORT_BINBYTES or BINBYTES8, then POP, of any length, as {@link ArrayLayout#parse} accepts),
     * starts with one of the prefixes: then it is worth mapping the whole value. The bytes after
     * the padding are read from the value when the head does not hold them, so that recognition
     * never depends on how many bytes the head has (a value recognised too rarely would be read
     * by the generic reader into a heap copy, and writes through it would be lost).
     *
     * @param head the value's first bytes
     * @param value the value, for the bytes beyond the head (its length bounds the padding); null
     *     when there is only the head, and then bytes it does not hold count as a match (the
     *     parser decides)
     */
    static boolean looksLike(MemorySegment head, StoredValue value, byte[][] prefixes) {
        try {
            long length = value != null ? value.length() : Long.MAX_VALUE;
            MemorySegment first = probe(head, value, 0, 9);
            long start = 0;
            if (first.byteSize() > 0) {
                int op = u8(first, 0);
                long len = -1;
                long data = 0;
                if (op == SHORT_BINBYTES && first.byteSize() >= 2) {
                    len = u8(first, 1);
                    data = 2;
                } else if (op == BINBYTES && first.byteSize() >= 5) {
                    len = Integer.toUnsignedLong(first.get(I32, 1));
                    data = 5;
                } else if (op == BINBYTES8 && first.byteSize() >= 9) {
                    len = first.get(I64, 1);
                    data = 9;
                } else if (op == SHORT_BINBYTES || op == BINBYTES || op == BINBYTES8) {
                    return false;
                }
                if (data > 0) {
                    if (len < 0 || len >= length - data) {
                        return false;
                    }
                    MemorySegment pop = probe(head, value, data + len, 1);
                    if (pop == null) {
                        return true;
                    }
                    if (pop.byteSize() != 1 || u8(pop, 0) != POP) {
                        return false;
                    }
                    start = data + len + 1;
                }
            }
            MemorySegment after = probe(head, value, start, PREFIX_PROBE);
            if (after == null) {
                return true;
            }
            for (byte[] p : prefixes) {
                if (startsWith(after, 0, p)) {
                    return true;
                }
            }
            return false;
        } catch (java.io.IOException e) {
            return true;   // reading the value will fail again and report it
        }
    }

    /**
     * Returns up to n bytes of the value at a position: from the head when it holds them all; null
     * when they are beyond a head given without its value.
     */
    private static MemorySegment probe(MemorySegment head, StoredValue value, long position, int n)
            throws java.io.IOException {
        if (value == null) {
            if (position + n <= head.byteSize()) {
                return head.asSlice(position, n);
            }
            return head.byteSize() < StoredValue.HEAD_BYTES && position <= head.byteSize()
                    ? head.asSlice(position) : null;   // a short head is the whole value
        }
        long available = Math.min(n, value.length() - position);
        if (available <= 0) {
            return MemorySegment.ofArray(new byte[0]);
        }
        if (position + available <= head.byteSize()) {
            return head.asSlice(position, available);
        }
        return value.bytesAt(position, n);
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
        // parsed first where the bytes already are (or through a temporary map): the long-lived map
        // is made only for a value that will be read as views, so other values never pin one
        try {
            if (ArrayLayout.parse(v.bytes(), v.file(), v.offset()) == null) {
                return GenericCodec.INSTANCE.read(v);
            }
        } catch (PickleFormatException notAnArrayLayout) {
            try {
                return GenericCodec.INSTANCE.read(v);
            } catch (PickleFormatException | IllegalArgumentException alsoNotGeneric) {
                notAnArrayLayout.addSuppressed(alsoNotGeneric);
                throw notAnArrayLayout;
            }
        }
        return views(v.map(), v.file(), v.offset(), v.adviser());
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
        if (len < 0 || len >= v.byteSize() - data || u8(v, data + len) != POP) {
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
