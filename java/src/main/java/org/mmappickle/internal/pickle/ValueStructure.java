package org.mmappickle.internal.pickle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.mmappickle.PickleFormatException;

/**
 * Checks, without building any object, that an entry's value bytes do inside a whole file what the
 * layout says: Python's {@code pickle.load} executes every entry, deleted ones included, so a value
 * that stops the pickle (STOP), reaches below itself on the stack (POP, POP_MARK, APPENDS... past
 * its own start), leaves other than one object, starts a frame, or uses memo slots it did not fill
 * itself would make the file mean one thing to Python and another to a reader of single entries.
 * Payloads are skipped by their lengths, so the cost is that of the structure, not of the data;
 * text is checked to be UTF-8 as the {@link Unpickler} requires.
 */
public final class ValueStructure {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment seg;
    private final long end;
    private final Path file;
    private final long fileBase;
    private long pos;
    private long opPos;
    /** Objects above the topmost mark. */
    private long depth;
    /** The depths saved by the marks, innermost last; at most one per byte of the value. */
    private long[] marks = new long[8];
    private int markCount;
    private final Set<Long> memo = new HashSet<>();
    private java.nio.charset.CharsetDecoder utf8;
    private final long heapLimit;
    /** The heap the marks and memo indices above use, for the budget of {@link Unpickler#heapLimit}. */
    private long heapUsed;

    private ValueStructure(MemorySegment seg, long start, long end, Path file, long fileBase) {
        this.seg = seg;
        this.pos = start;
        this.end = end;
        this.file = file;
        this.fileBase = fileBase;
        this.heapLimit = Unpickler.heapLimit(end - start);
    }

    private void charge(long bytes) {
        heapUsed += bytes;
        if (heapUsed > heapLimit) {
            throw fail("a value whose check needs at most " + heapLimit + " bytes of Java heap (system properties "
                    + Unpickler.HEAP_LIMIT_PROPERTY + " and " + Unpickler.HEAP_PER_BYTE_PROPERTY + " set the budget)",
                    "a value that needs more");
        }
    }

    /**
     * Checks the value {@code seg[start, end)}.
     *
     * @param seg the bytes (typically a map of the whole file)
     * @param start the value's first byte
     * @param end the position after its last byte
     * @param file the file named in the exception, or null
     * @param fileBase the file offset of {@code seg}'s first byte
     * @throws PickleFormatException naming the offset and what Python would do differently
     * @throws IndexOutOfBoundsException if {@code [start, end)} is not inside {@code seg}
     */
    public static void check(MemorySegment seg, long start, long end, Path file, long fileBase) {
        java.util.Objects.checkFromToIndex(start, end, seg.byteSize());
        new ValueStructure(seg, start, end, file, fileBase).run();
    }

    private void run() {
        while (pos < end) {
            opPos = pos;
            step(u8());
        }
        opPos = end;
        if (markCount != 0) {
            throw fail("a single value", "a MARK that is never closed");
        }
        if (depth != 1) {
            throw fail("a value that pushes exactly one object", depth + " objects");
        }
    }

    private void step(int op) {
        switch (op) {
            case Opcodes.MARK -> {
                charge(8);
                if (markCount == marks.length) {
                    marks = java.util.Arrays.copyOf(marks, markCount * 2);
                }
                marks[markCount++] = depth;
                depth = 0;
            }
            case Opcodes.POP -> {
                if (depth > 0) {
                    depth--;
                } else {
                    popMark();
                }
            }
            case Opcodes.POP_MARK -> popMark();
            case Opcodes.DUP -> effect(1, 2);
            case Opcodes.NONE, Opcodes.NEWTRUE, Opcodes.NEWFALSE, Opcodes.EMPTY_LIST, Opcodes.EMPTY_TUPLE,
                    Opcodes.EMPTY_DICT, Opcodes.EMPTY_SET -> depth++;
            case Opcodes.BININT1 -> push(1);
            case Opcodes.BININT2 -> push(2);
            case Opcodes.BININT -> push(4);
            case Opcodes.BINFLOAT -> push(8);
            case Opcodes.LONG1 -> push(u8());
            case Opcodes.LONG4, Opcodes.BINSTRING -> push(signedLength());
            case Opcodes.SHORT_BINSTRING, Opcodes.SHORT_BINBYTES -> push(u8());
            case Opcodes.BINBYTES -> push(Integer.toUnsignedLong(seg.get(I32, take(4))));
            case Opcodes.BINBYTES8, Opcodes.BYTEARRAY8 -> push(u64());
            case Opcodes.SHORT_BINUNICODE -> text(u8());
            case Opcodes.BINUNICODE -> text(Integer.toUnsignedLong(seg.get(I32, take(4))));
            case Opcodes.BINUNICODE8 -> text(u64());
            case Opcodes.FLOAT, Opcodes.INT, Opcodes.LONG, Opcodes.STRING, Opcodes.UNICODE -> {
                line();
                depth++;
            }
            case Opcodes.GLOBAL -> {
                line();
                line();
                depth++;
            }
            case Opcodes.GET -> get(index(line()));
            case Opcodes.BINGET -> get(u8());
            case Opcodes.LONG_BINGET -> get(Integer.toUnsignedLong(seg.get(I32, take(4))));
            case Opcodes.PUT -> put(index(line()));
            case Opcodes.BINPUT -> put(u8());
            case Opcodes.LONG_BINPUT -> put(Integer.toUnsignedLong(seg.get(I32, take(4))));
            case Opcodes.APPEND, Opcodes.STACK_GLOBAL, Opcodes.REDUCE, Opcodes.BUILD, Opcodes.NEWOBJ,
                    Opcodes.TUPLE2 -> effect(2, 1);
            case Opcodes.TUPLE1 -> effect(1, 1);
            case Opcodes.TUPLE3, Opcodes.SETITEM, Opcodes.NEWOBJ_EX -> effect(3, 1);
            case Opcodes.APPENDS, Opcodes.SETITEMS, Opcodes.ADDITEMS -> {
                popMark();
                effect(1, 1);   // the container below the mark
            }
            case Opcodes.LIST, Opcodes.TUPLE, Opcodes.DICT, Opcodes.FROZENSET -> {
                popMark();
                depth++;
            }
            case Opcodes.INST -> {
                line();
                line();
                popMark();
                depth++;
            }
            case Opcodes.OBJ -> {
                long items = depth;
                popMark();
                if (items == 0) {
                    throw fail("a class after the MARK of OBJ", "nothing");
                }
                depth++;
            }
            case Opcodes.PROTO -> {
                int v = u8();
                if (v > 5) {
                    throw fail("a protocol from 0 to 5", "protocol " + v);
                }
            }
            case Opcodes.STOP -> throw fail(
                    "no STOP inside an entry's value (Python's pickle.load would stop reading the file there)", "STOP");
            case Opcodes.FRAME -> throw fail(
                    "no FRAME inside an entry's value (the layout frames each entry once, around its key and value)", "FRAME");
            case Opcodes.MEMOIZE -> throw fail("BINPUT or LONG_BINPUT in an entry's value, not MEMOIZE (whose index"
                    + " Python takes from the whole file's memo)", "MEMOIZE");
            default -> throw fail("an opcode an entry's value may hold",
                    Opcodes.name(op) + String.format(Locale.ROOT, " (byte 0x%02x)", op));
        }
    }

    /** An opcode that needs {@code need} objects above the mark and leaves {@code need - popped + pushed}. */
    private void effect(int need, int after) {
        if (depth < need) {
            throw fail(need + " objects of this value on the stack", depth + (markCount == 0
                    ? " (it would reach below the value, into the entries before it)" : " above a MARK"));
        }
        depth += after - need;
    }

    private void popMark() {
        if (markCount == 0) {
            throw fail("a MARK of this value", "none (it would reach below the value, into the entries before it)");
        }
        depth = marks[--markCount];
    }

    private void push(long n) {
        take(n);
        depth++;
    }

    private void text(long n) {
        long at = take(n);
        depth++;
        for (long i = at; i < at + n; i++) {
            if (seg.get(ValueLayout.JAVA_BYTE, i) < 0) {
                utf8(at, n);   // only text beyond ASCII needs the decoder
                return;
            }
        }
    }

    private void utf8(long at, long n) {
        if (utf8 == null) {
            utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        try {
            utf8.reset().decode(seg.asSlice(at, n).asByteBuffer());
        } catch (CharacterCodingException e) {
            throw new PickleFormatException(file, fileBase + opPos, "UTF-8 text", "invalid UTF-8", e);
        }
    }

    private void get(long index) {
        if (!memo.contains(index)) {
            throw fail("a memo index stored by an earlier PUT of this value", "index " + index);
        }
        depth++;
    }

    private void put(long index) {
        if (depth == 0) {
            throw fail("an object of this value to store in the memo", "none");
        }
        if (memo.add(index)) {
            charge(64);
        }
    }

    private long index(String text) {
        String s = text.strip();
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw fail("a memo index from 0 to 2^63-1", "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'");
        }
        return Long.parseLong(s);
    }

    private long take(long n) {
        if (n < 0 || n > end - pos) {
            throw fail(Long.toUnsignedString(n) + " bytes of data", "only " + (end - pos) + " bytes before the end of the value");
        }
        long p = pos;
        pos += n;
        return p;
    }

    private int u8() {
        return Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, take(1)));
    }

    private long u64() {
        long n = seg.get(I64, take(8));
        if (n < 0) {
            throw fail("a length within the value", Long.toUnsignedString(n) + " bytes");
        }
        return n;
    }

    private long signedLength() {
        int n = seg.get(I32, take(4));
        if (n < 0) {
            throw fail("a non-negative length", Integer.toString(n));
        }
        return n;
    }

    /** Reads through the next newline and returns the line as latin-1 text (only GET and PUT look at it). */
    private String line() {
        long p = pos;
        while (p < end && seg.get(ValueLayout.JAVA_BYTE, p) != '\n') {
            p++;
        }
        if (p == end) {
            throw fail("a line ending with a newline", "the end of the value");
        }
        long from = pos;
        pos = p + 1;
        long n = Math.min(p - from, 64);   // an index is short; longer text is only skipped
        return new String(seg.asSlice(from, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
    }

    private PickleFormatException fail(String expected, String found) {
        return new PickleFormatException(file, fileBase + opPos, expected, found);
    }
}
