package org.mmappickle.internal.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fixed bytes of an mmappickle file (docs/format.md "Overall layout"): the 24-byte header, each entry's
 * frame around its key and value, and the 11-byte terminator. Pure functions over byte arrays.
 */
public final class FileLayout {
    /** Length of the header. */
    public static final int HEADER_LENGTH = 24;
    /** Offset of the i32 commit number inside the header. */
    public static final int COMMIT_OFFSET = 18;
    /** Length of the terminator. */
    public static final int TERMINATOR_LENGTH = 11;
    /** The terminator: FRAME 2, DICT, STOP. */
    private static final byte[] TERMINATOR = {(byte) 0x95, 2, 0, 0, 0, 0, 0, 0, 0, 0x64, 0x2E};
    /** Bytes of an entry before its key: FRAME (9) + SHORT_BINUNICODE opcode and length (2). */
    public static final int ENTRY_PREFIX = 11;
    /** Bytes of an entry after its value: BININT memo POP (6) + valid byte + POP (2). */
    public static final int ENTRY_SUFFIX = 8;
    /** The longest key in UTF-8 bytes (SHORT_BINUNICODE's u8 length). */
    public static final int MAX_KEY_BYTES = 255;

    /** Opcode FRAME. */
    public static final byte FRAME = (byte) 0x95;
    /** Opcode SHORT_BINUNICODE. */
    public static final byte SHORT_BINUNICODE = (byte) 0x8C;
    /** Opcode BININT. */
    public static final byte BININT = 0x4A;
    /** Opcode POP: the deleted marker in the valid byte. */
    public static final byte POP = 0x30;
    /** Opcode NEWTRUE: the valid marker in the valid byte. */
    public static final byte NEWTRUE = (byte) 0x88;

    /** memo-max of an array entry whose payload is still being copied (two-phase append); 0 once valid. */
    public static final int PENDING_MEMO = -1;

    private FileLayout() {
    }

    /** The 24 header bytes with a commit number. */
    public static byte[] header(int commit) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x80).put((byte) 4).put(FRAME).putLong(13)
                .put(BININT).putInt(1).put(POP)
                .put(BININT).putInt(commit).put(POP)
                .put((byte) 0x28);
        return b.array();
    }

    /** Returns true when the bytes are a valid header (any commit number). */
    public static boolean isHeader(byte[] b) {
        if (b.length < HEADER_LENGTH) {
            return false;
        }
        byte[] expected = header(0);
        for (int i = 0; i < HEADER_LENGTH; i++) {
            if (i >= COMMIT_OFFSET && i < COMMIT_OFFSET + 4) {
                continue;
            }
            if (b[i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** Reads the commit number from header bytes. */
    public static int commit(byte[] header) {
        return ByteBuffer.wrap(header, COMMIT_OFFSET, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** The next commit number: changes on every change, wraps to 1 after 2^31-1 and never goes negative. */
    public static int nextCommit(int commit) {
        return commit <= 0 || commit == Integer.MAX_VALUE ? 1 : commit + 1;
    }

    /** A copy of the terminator bytes. */
    public static byte[] terminator() {
        return TERMINATOR.clone();
    }

    /** Returns true when {@code b[from..from+11)} is the terminator. */
    public static boolean isTerminator(byte[] b, int from) {
        return from >= 0 && from + TERMINATOR_LENGTH <= b.length
                && Arrays.equals(b, from, from + TERMINATOR_LENGTH, TERMINATOR, 0, TERMINATOR_LENGTH);
    }

    /** Returns true when the bytes are a prefix (possibly empty) of the terminator. */
    public static boolean isTerminatorPrefix(byte[] b, int from, int length) {
        return length <= TERMINATOR_LENGTH && Arrays.equals(b, from, from + length, TERMINATOR, 0, length);
    }

    /** The UTF-8 bytes of a key, checked against the format's limit. */
    public static byte[] keyBytes(String key) {
        if (key == null) {
            throw new NullPointerException("keys are strings; null is not a key");
        }
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (k.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key is " + k.length + " bytes in UTF-8; the limit is "
                    + MAX_KEY_BYTES + " bytes: " + abbreviate(key));
        }
        // unpaired surrogates would not round-trip through UTF-8
        if (!new String(k, StandardCharsets.UTF_8).equals(key)) {
            throw new IllegalArgumentException("key is not valid Unicode (unpaired surrogate): " + abbreviate(key));
        }
        return k;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? '"' + s + '"' : '"' + s.substring(0, 37) + "...\"";
    }

    /** The frame length F of an entry: 2 + K + D + 8. */
    public static long frameLength(int keyLength, long valueLength) {
        return Math.addExact(2L + keyLength + ENTRY_SUFFIX, valueLength);
    }

    /** The total length of an entry: 9 + F. */
    public static long entryLength(int keyLength, long valueLength) {
        return Math.addExact(9L, frameLength(keyLength, valueLength));
    }

    /** The bytes before the value: FRAME F, SHORT_BINUNICODE K key. */
    public static byte[] entryPrefix(byte[] key, long valueLength) {
        ByteBuffer b = ByteBuffer.allocate(ENTRY_PREFIX + key.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(FRAME).putLong(frameLength(key.length, valueLength)).put(SHORT_BINUNICODE).put((byte) key.length).put(key);
        return b.array();
    }

    /** The bytes after the value: BININT memo POP, then NEWTRUE POP (valid) or POP POP (deleted). */
    public static byte[] entrySuffix(int memoMax, boolean valid) {
        ByteBuffer b = ByteBuffer.allocate(ENTRY_SUFFIX).order(ByteOrder.LITTLE_ENDIAN);
        b.put(BININT).putInt(memoMax).put(POP).put(valid ? NEWTRUE : POP).put(POP);
        return b.array();
    }
}
