package org.mmappickle.internal.format;

import static org.mmappickle.internal.format.FileLayout.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.mmappickle.internal.bytes.LittleEndian;

/**
 * One pass over a file's entries (docs/format.md "Entries"), reading only structural bytes: the frame
 * header, the key and the 8 bytes after each value, never the values themselves. Works on any
 * segment holding the file's bytes from offset 0 (a mapping, or heap bytes in tests).
 */
public final class EntryScanner {
    private static final ValueLayout.OfLong U64 = LittleEndian.I64;
    private static final ValueLayout.OfInt I32 = LittleEndian.I32;

    /** What follows the last complete entry. */
    public enum Tail {
        /** Exactly the terminator: the file is whole. */
        CLEAN,
        /**
         * What an interrupted append leaves: an entry or terminator cut short at the end of the
         * file, or the old terminator followed by the residue of an entry that was never linked
         * in. Repair cuts after the last complete entry and keeps (or restores) the terminator
         * there; plain {@code pickle.load} reads the same entries before and after.
         */
        TORN,
        /** Bytes that are neither an entry nor the terminator, with more data after them. */
        CORRUPT
    }

    /**
     * The result of a scan.
     *
     * @param entries the complete entries in file order
     * @param end offset just after the last complete entry (where the terminator belongs)
     * @param tail what follows {@code end}
     * @param problemOffset where the scan stopped when the tail is not clean
     * @param problem what was expected there, for messages
     * @param staleFrameAt the offset of the last entry when its frame length is torn (see {@link
     *     #scan}) and must be rewritten from the entry's extent, else -1
     */
    public record Result(List<FileEntry> entries, long end, Tail tail, long problemOffset, String problem,
                         long staleFrameAt) {
        /**
         * A result without a torn frame length.
         *
         * @param entries the complete entries in file order
         * @param end offset just after the last complete entry
         * @param tail what follows {@code end}
         * @param problemOffset where the scan stopped when the tail is not clean
         * @param problem what was expected there, for messages
         */
        public Result(List<FileEntry> entries, long end, Tail tail, long problemOffset, String problem) {
            this(entries, end, tail, problemOffset, problem, -1);
        }
    }

    private EntryScanner() {
    }

    /**
     * Scans entries from offset {@code start} up to {@code size} (the file's size). The scan stops
     * at the first terminator: whatever follows it is the residue of an append that was
     * interrupted before its entry was linked in (see {@link Tail#TORN}), which plain {@code
     * pickle.load} never reads either, since it stops at the terminator's STOP.
     */
    public static Result scan(MemorySegment file, long start, long size) {
        List<FileEntry> entries = new ArrayList<>();
        if (size < start || file.byteSize() < size) {
            // the file shrank under us (another process truncated it): a clean error, never an index fault
            return new Result(entries, start, Tail.CORRUPT, Math.min(start, size),
                    "at least " + start + " bytes (the header), but the file is " + size + " bytes long");
        }
        long o = start;
        long staleFrameAt = -1;
        while (true) {
            long remaining = size - o;
            if (remaining >= TERMINATOR_LENGTH && endsTheDict(file, o)) {
                if (remaining == TERMINATOR_LENGTH && isTerminatorAt(file, o)) {
                    if (staleFrameAt >= 0) {
                        return new Result(entries, o, Tail.CLEAN, o, null, staleFrameAt);
                    }
                    return new Result(entries, o, Tail.CLEAN, o, null);
                }
                return new Result(entries, o, Tail.TORN, o + TERMINATOR_LENGTH,
                        "the end of the file after the terminator (" + (remaining - TERMINATOR_LENGTH)
                                + " bytes of an append that never linked its entry in follow it)");
            }
            String problem = checkEntry(file, o, size);
            long frame;
            if (problem == null) {
                frame = file.get(U64, o + 1);
            } else if ((frame = tornFrame(file, o, size)) > 0) {
                staleFrameAt = o;   // the entry is whole; only its frame length is torn (see tornFrame)
            } else {
                return stop(file, entries, o, size, problem);
            }
            int k = Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, o + 10));
            long valueOffset = o + ENTRY_PREFIX + k;
            long valueLength = frame - 2 - k - ENTRY_SUFFIX;
            String key = decodeKey(file, o + ENTRY_PREFIX, k);
            if (key == null) {
                return stop(file, entries, o, size, "a UTF-8 key");
            }
            long after = valueOffset + valueLength;
            int memo = file.get(I32, after + 1);
            boolean valid = file.get(ValueLayout.JAVA_BYTE, after + 6) == NEWTRUE;
            entries.add(new FileEntry(o, key, valueOffset, valueLength, memo, valid));
            o = after + ENTRY_SUFFIX;
        }
    }

    /**
     * Returns true when the 11 bytes at o end the dict for pickle: FRAME, any length, DICT, STOP.
     * The terminator is one; so is the terminator whose length bytes a torn write of an entry's
     * head changed (the head is written over the terminator in one 11-byte write, which a power
     * loss may keep in part when it spans two sectors): pickle reads the dict up to there.
     */
    private static boolean endsTheDict(MemorySegment f, long o) {
        return f.get(ValueLayout.JAVA_BYTE, o) == FRAME && f.get(ValueLayout.JAVA_BYTE, o + 9) == 0x64
                && f.get(ValueLayout.JAVA_BYTE, o + 10) == 0x2E;
    }

    /**
     * The other half of a torn head: the key's opcode and length reached the disk but not all of
     * the frame length, whose bytes are each the old terminator's or the entry's. The entry's body
     * and the new terminator were synced before the head was written, so the entry runs exactly
     * to the terminator that ends the file; pickle reads it (FRAME is only a hint to it) and so
     * must the scan. Returns the entry's frame length, or 0 when the bytes at o are not that.
     */
    private static long tornFrame(MemorySegment f, long o, long size) {
        long frame = size - TERMINATOR_LENGTH - o - 9;
        if (size - o < ENTRY_PREFIX + ENTRY_SUFFIX + 1 + TERMINATOR_LENGTH || f.get(ValueLayout.JAVA_BYTE, o) != FRAME
                || f.get(ValueLayout.JAVA_BYTE, o + 9) != SHORT_BINUNICODE || !isTerminatorAt(f, size - TERMINATOR_LENGTH)) {
            return 0;
        }
        byte[] terminator = FileLayout.terminator();
        long found = f.get(U64, o + 1);
        for (int i = 0; i < 8; i++) {
            byte b = (byte) (found >>> (8 * i));
            if (b != (byte) (frame >>> (8 * i)) && b != terminator[1 + i]) {
                return 0;
            }
        }
        int k = Byte.toUnsignedInt(f.get(ValueLayout.JAVA_BYTE, o + 10));
        if (frame < 2L + k + ENTRY_SUFFIX + 1) {
            return 0;
        }
        long after = o + 9 + frame - ENTRY_SUFFIX;
        byte v = f.get(ValueLayout.JAVA_BYTE, after + 6);
        boolean trailer = f.get(ValueLayout.JAVA_BYTE, after) == BININT && f.get(ValueLayout.JAVA_BYTE, after + 5) == POP
                && (v == NEWTRUE || v == POP) && f.get(ValueLayout.JAVA_BYTE, after + 7) == POP;
        return trailer ? frame : 0;
    }

    /** Returns null when a complete, well-formed entry starts at o, else what was expected. */
    private static String checkEntry(MemorySegment f, long o, long size) {
        if (size - o < ENTRY_PREFIX + ENTRY_SUFFIX + 1) {
            return "an entry (FRAME, key, value, memo-max, valid flag) or the terminator";
        }
        if (f.get(ValueLayout.JAVA_BYTE, o) != FRAME) {
            return "FRAME (0x95) starting an entry";
        }
        if (f.get(ValueLayout.JAVA_BYTE, o + 9) != SHORT_BINUNICODE) {
            return "SHORT_BINUNICODE (0x8c) key after the entry's FRAME";
        }
        long frame = f.get(U64, o + 1);
        int k = Byte.toUnsignedInt(f.get(ValueLayout.JAVA_BYTE, o + 10));
        // a value pushes one object, so it has at least one byte
        if (frame < 2L + k + ENTRY_SUFFIX + 1 || frame > size - o - 9) {
            return "a frame length between " + (2L + k + ENTRY_SUFFIX + 1) + " and the " + (size - o - 9)
                    + " bytes left, found " + Long.toUnsignedString(frame);
        }
        long after = o + 9 + frame - ENTRY_SUFFIX;
        if (f.get(ValueLayout.JAVA_BYTE, after) != BININT || f.get(ValueLayout.JAVA_BYTE, after + 5) != POP) {
            return "BININT memo-max POP after the value of the entry at " + o;
        }
        byte v = f.get(ValueLayout.JAVA_BYTE, after + 6);
        if ((v != NEWTRUE && v != POP) || f.get(ValueLayout.JAVA_BYTE, after + 7) != POP) {
            return "NEWTRUE POP or POP POP ending the entry at " + o;
        }
        return null;
    }

    private static Result stop(MemorySegment f, List<FileEntry> entries, long o, long size, String problem) {
        return new Result(entries, o, isTorn(f, o, size) ? Tail.TORN : Tail.CORRUPT, o, problem);
    }

    /**
     * The states an interrupted append leaves after the last complete entry, and only those:
     * a prefix of the terminator (a file cut short), or an entry whose frame runs past the end of
     * the file with no terminator ending the file (an append cut short; the terminator is
     * written after the entry's head in every order this library and the original use). The old
     * terminator followed by the residue of an append is recognised by {@link #scan} itself.
     * Everything else is corruption, which repair must not cut: in particular a frame length that
     * ends inside the file but disagrees with the entry's content (plain {@code pickle} may read
     * every entry after it, since FRAME is only a buffering hint to it).
     */
    private static boolean isTorn(MemorySegment f, long o, long size) {
        long remaining = size - o;
        if (remaining < TERMINATOR_LENGTH) {
            byte[] rest = f.asSlice(o, remaining).toArray(ValueLayout.JAVA_BYTE);
            if (isTerminatorPrefix(rest, 0, rest.length)) {
                return true;
            }
        }
        if (remaining == 0 || f.get(ValueLayout.JAVA_BYTE, o) != FRAME) {
            return false;
        }
        if (remaining < 9) {
            return true;   // a frame header cut short
        }
        long frame = f.get(U64, o + 1);
        boolean pastTheEnd = frame < 0 || frame > remaining - 9;
        boolean endsWithTerminator = remaining >= 9 + TERMINATOR_LENGTH && isTerminatorAt(f, size - TERMINATOR_LENGTH);
        return pastTheEnd && !endsWithTerminator;
    }

    private static boolean isTerminatorAt(MemorySegment f, long o) {
        byte[] b = f.asSlice(o, TERMINATOR_LENGTH).toArray(ValueLayout.JAVA_BYTE);
        return isTerminator(b, 0);
    }

    private static String decodeKey(MemorySegment f, long at, int length) {
        byte[] b = f.asSlice(at, length).toArray(ValueLayout.JAVA_BYTE);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
