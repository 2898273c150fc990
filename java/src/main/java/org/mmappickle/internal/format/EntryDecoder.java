package org.mmappickle.internal.format;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.mmappickle.MaskedArray;
import org.mmappickle.NDArray;

/**
 * Turns an entry's value bytes into a Java value: an array entry (either layout) into views over
 * the file's mapping, anything else through the unpickler.
 */
public final class EntryDecoder {
    private static final byte[][] ARRAY_PREFIXES = {
        prefix("numpy.core.fromnumeric", "reshape"),   // mmappickle 1.0.1's ndarray
        prefix("numpy.ma.core", "MaskedArray"),          // mmappickle 1.0.1's masked array
        prefix("numpy", "ndarray"),                      // ours
        prefix("numpy.ma", "MaskedArray"),               // ours, masked
    };
    /** How many bytes of a value {@link #looksLikeArray} needs to see. */
    public static final int PREFIX_BYTES = 64;

    private EntryDecoder() {
    }

    private static byte[] prefix(String module, String name) {
        byte[] m = module.getBytes(StandardCharsets.US_ASCII);
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[4 + m.length + n.length];
        b[0] = FileLayout.SHORT_BINUNICODE;
        b[1] = (byte) m.length;
        System.arraycopy(m, 0, b, 2, m.length);
        b[2 + m.length] = FileLayout.SHORT_BINUNICODE;
        b[3 + m.length] = (byte) n.length;
        System.arraycopy(n, 0, b, 4 + m.length, n.length);
        return b;
    }

    /**
     * Returns true when a value's first bytes are those of an array entry, so that it is worth
     * mapping the whole value (a generic value is read into memory instead).
     */
    public static boolean looksLikeArray(byte[] head) {
        int start = 0;
        // our layout may start with BINBYTES <u32 p> <p bytes> POP: padding for alignment
        if (head.length >= 5 && head[0] == 0x42) {
            long p = Integer.toUnsignedLong((head[1] & 0xFF) | (head[2] & 0xFF) << 8 | (head[3] & 0xFF) << 16 | (head[4] & 0xFF) << 24);
            if (p > 8192) {
                return false;
            }
            start = (int) (5 + p + 1);
            // the padding may be longer than the head we read: then trust it and let the parser decide
            if (start >= head.length) {
                return true;
            }
            if (head[start - 1] != FileLayout.POP) {
                return false;
            }
        }
        for (byte[] p : ARRAY_PREFIXES) {
            if (head.length - start >= p.length && Arrays.equals(head, start, start + p.length, p, 0, p.length)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses an array value mapped in {@code value} into views over it, or returns null when the
     * bytes are not an array value after all.
     */
    public static Object readArray(MemorySegment value, Path file, long fileBase, NDArray.Adviser adviser) {
        ArrayLayout.Parsed p = ArrayLayout.parse(value, file, fileBase);
        if (p == null) {
            return null;
        }
        NDArray data = view(value, p.data(), adviser);
        if (p.mask() == null) {
            return data;
        }
        return new MaskedArray(data, view(value, p.mask(), adviser));
    }

    private static NDArray view(MemorySegment value, ArrayLayout.ArrayHeader h, NDArray.Adviser adviser) {
        return NDArray.mapped(value.asSlice(h.payloadOffset(), h.payloadLength()), h.dtype(), h.shape(), adviser);
    }

    /** Returns which layout an array value uses, or null for a generic value. */
    public static ArrayLayout.Layout layoutOf(MemorySegment value, Path file, long fileBase) {
        ArrayLayout.Parsed p = ArrayLayout.parse(value, file, fileBase);
        return p == null ? null : p.layout();
    }
}
