package org.mmappickle.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mmappickle.ArrayFormat;
import org.mmappickle.DType;
import org.mmappickle.EntryInfo;
import org.mmappickle.MmapDict;

/**
 * Every entry of a file with what it holds: kind (value, ndarray, masked), array layout (ours or the original's,
 * told by the value's first bytes as docs/format.md gives them), dtype, shape and size. What {@code ls}, {@code info}
 * and the demo's summary print.
 *
 * @param path the file
 * @param commitNumber the commit number when the inventory was taken
 * @param fileSize the file's apparent size in bytes
 * @param allocatedBytes the bytes of disk the file occupies; -1 where the io path cannot tell
 * @param rows every entry in file order
 */
record Inventory(Path path, int commitNumber, long fileSize, long allocatedBytes, List<Row> rows) {

    /** Header (24 bytes) and terminator (11 bytes) of the layout. */
    static final long HEADER_BYTES = 24;
    static final long TERMINATOR_BYTES = 11;

    /** What an entry's value is. */
    enum Kind {
        /** A generic pickled value. */
        VALUE,
        /** A numpy.ndarray entry, memory-mapped by readers that know the layout. */
        NDARRAY,
        /** A numpy.ma.MaskedArray entry: data and mask arrays. */
        MASKED;

        /** Returns the word {@code ls} prints. */
        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Where an entry stands. */
    enum State {
        /** The entry holds its key's value. */
        VALID,
        /** Deleted or replaced: plain pickle skips it. */
        DELETED,
        /** Still being written by another process (marked deleted until its payload is complete). */
        PENDING,
        /** Pending, but its writer is gone (killed mid-copy): a deleted entry that a vacuum reclaims. */
        ABANDONED,
        /** Valid, but a later valid entry has the same key and wins (as with plain pickle). */
        SHADOWED;

        /** Returns the word {@code ls --all} prints. */
        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One entry.
     *
     * @param entry the library's facts about the entry
     * @param state valid, deleted, pending or shadowed
     * @param kind what the value is (from its first bytes)
     * @param layout the array layout, or null for a generic value
     * @param dtype the array's dtype, or null when unknown (values, entries that are not live)
     * @param shape the array's shape, or null when unknown
     * @param bytes the array's payload bytes (data and mask for masked arrays) for live arrays, else the
     *     value's pickled length
     */
    record Row(EntryInfo entry, State state, Kind kind, ArrayFormat layout, DType dtype, long[] shape, long bytes) {
        /** Returns the entry's key. */
        String key() {
            return entry.key();
        }

        /** Returns whether the entry holds its key's value. */
        boolean live() {
            return state == State.VALID;
        }
    }

    /** Takes the inventory of an open file: what each entry holds comes from the library's {@link EntryInfo}. */
    static Inventory of(MmapDict d) throws IOException {
        List<EntryInfo> entries = d.entries();
        int commit = d.commitNumber();
        Map<String, Integer> lastValid = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).valid()) {
                lastValid.put(entries.get(i).key(), i);
            }
        }
        List<Row> rows = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            EntryInfo e = entries.get(i);
            State state = e.abandoned() ? State.ABANDONED : e.pending() ? State.PENDING : !e.valid() ? State.DELETED
                    : lastValid.get(e.key()) == i ? State.VALID : State.SHADOWED;
            rows.add(row(e, state));
        }
        return new Inventory(d.path(), commit, Files.size(d.path()), allocatedOrUnknown(d), rows);
    }

    /** The file's allocated bytes, or -1 where the io path cannot tell (the channel path: ENOSYS). */
    private static long allocatedOrUnknown(MmapDict d) throws IOException {
        try {
            return d.allocatedBytes();
        } catch (org.mmappickle.NativeIOException e) {
            if (e.errnoName().equals("ENOSYS")) {
                return -1;
            }
            throw e;
        }
    }

    private static Row row(EntryInfo e, State state) {
        Kind kind = switch (e.kind()) {
            case VALUE -> Kind.VALUE;
            case NDARRAY -> Kind.NDARRAY;
            case MASKED -> Kind.MASKED;
        };
        if (kind == Kind.VALUE || state != State.VALID) {
            return new Row(e, state, kind, e.layout(), null, null, e.valueLength());
        }
        return new Row(e, state, kind, e.layout(), e.dtype(), e.shape(), e.payloadBytes());
    }

    // ---------------------------------------------------------------------------------------- summary facts

    /** Returns the rows of live entries (what plain pickle and {@code ls} show). */
    List<Row> live() {
        return rows.stream().filter(Row::live).toList();
    }

    /** Returns how many entries are in the given state. */
    long count(State s) {
        return rows.stream().filter(r -> r.state == s).count();
    }

    /** Returns the bytes taken by deleted and abandoned entries (space a vacuum would give back). */
    long deletedBytes() {
        return rows.stream().filter(r -> r.state == State.DELETED || r.state == State.ABANDONED)
                .mapToLong(r -> r.entry.length()).sum();
    }

    /** Returns the offset just after the last complete entry: where the terminator should start. */
    long end() {
        return rows.isEmpty() ? HEADER_BYTES : rows.getLast().entry.offset() + rows.getLast().entry.length();
    }

    /** Returns how many bytes after the last complete entry are not the 11-byte terminator (0 for a clean file). */
    long tornBytes() {
        return fileSize - end() == TERMINATOR_BYTES ? 0 : fileSize - end();
    }

    /** Returns the live array entries in the given layout. */
    List<Row> liveArrays(ArrayFormat l) {
        return rows.stream().filter(r -> r.live() && r.layout == l).toList();
    }

    /** Returns whether plain {@code pickle.load} on numpy 2.x loads the file: no original layout, no torn tail. */
    boolean loadsOnNumpy2() {
        return tornBytes() == 0 && originalLayoutRows().isEmpty();
    }

    /**
     * Returns every entry, valid or deleted, whose value uses the original array layout: pickle.load
     * runs a deleted entry's opcodes too (then drops the result), so one of these breaks the load on
     * numpy 2 until a vacuum turns it into a filler.
     */
    List<Row> originalLayoutRows() {
        return rows.stream().filter(r -> r.layout() == ArrayFormat.ORIGINAL).toList();
    }

    /** Returns whether plain {@code pickle.load} on numpy 1.x loads the file: both layouts do, a torn tail does not. */
    boolean loadsOnNumpy1() {
        return tornBytes() == 0;
    }

    /** Returns the file's apparent size as {@code ls -l} shows it. */
    static long apparentSize(Path p) throws IOException {
        return Files.size(p);
    }
}
