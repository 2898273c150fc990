package org.mmappickle.internal.store;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mmappickle.NDArray;
import org.mmappickle.PickleFormatException;
import org.mmappickle.codec.Codecs;
import org.mmappickle.codec.StoredValue;
import org.mmappickle.codec.ValueCodec;
import org.mmappickle.internal.format.ArrayLayout;
import org.mmappickle.internal.format.FileEntry;
import org.mmappickle.internal.io.NativeFile;
import org.mmappickle.internal.pickle.ValueStructure;

/**
 * Turns an entry's value bytes into a Java value through a dict's codecs: the first (in priority
 * order) that recognises the value's first bytes reads it; when none does, the generic reader.
 */
final class EntryDecoder {
    /** Values up to this size are read with one pread; larger ones through a map. */
    private static final long PREAD_VALUE_BYTES = 1L << 20;

    private EntryDecoder() {
    }

    /**
     * A value read.
     *
     * @param value the Java value
     * @param view true when it was read through the dict's long-lived map (a view to keep and hand
     *     out again)
     */
    public record Decoded(Object value, boolean view) {
    }

    /**
     * Reads an entry's value.
     *
     * @param codecs the dict's codecs, in priority order
     * @param windows the file's long-lived maps, which views are slices of
     * @throws PickleFormatException when the value is malformed, with its file offset
     */
    public static Decoded read(NativeFile file, Path path, FileEntry e, boolean writable, List<ValueCodec> codecs,
                               MappedWindows windows) throws IOException {
        try (FileValue v = new FileValue(file, path, e, writable, windows)) {
            ValueCodec reader = Codecs.generic();
            for (ValueCodec c : codecs) {
                if (c.recognizes(v.head(), v)) {
                    reader = c;
                    break;
                }
            }
            Object value = reader.read(v);
            if (isHeapArray(value) && reader != Codecs.arrays() && reader != Codecs.maskedArrays()
                    && (codecs.contains(Codecs.arrays()) || codecs.contains(Codecs.maskedArrays())) && isArrayLayout(v)) {
                // no codec recognised an array that the array codecs map: a heap copy of it would
                // silently drop every write made through it, so it is read as views after all
                value = Codecs.arrays().read(v);
            }
            // only views of the long-lived map are kept and handed out again: a heap copy kept
            // there would take writes that never reach the file
            return new Decoded(value, v.mapped != null && !isHeapArray(value));
        }
    }

    private static boolean isHeapArray(Object value) {
        return value instanceof NDArray a && !a.segment().isNative()
                || value instanceof org.mmappickle.MaskedArray m && !m.data().segment().isNative();
    }

    private static boolean isArrayLayout(FileValue v) throws IOException {
        return ArrayLayout.read(v.bytes(), v.file(), v.offset()) instanceof ArrayLayout.Parsed;
    }

    /**
     * Checks that the value of every entry that was not checked before does, inside the whole file,
     * what the layout says ({@link ValueStructure}): Python's {@code pickle.load} executes deleted
     * entries too, so one that stops the pickle or reaches below itself changes what the whole file
     * means to Python. Entries of a two-phase append in progress are skipped: their payload is being
     * written (they are checked when their writer finishes them). A pending entry whose writer is
     * gone is checked like any other: the pending mark must not hide a value from the rule.
     * Checked entries are added to {@code checked}, and entries no longer in the file are removed
     * from it, so that a rescan checks only what is new.
     *
     * @param file the file's bytes from offset 0 (the map a scan used)
     * @param path the file, for error messages
     * @param entries the entries a scan found
     * @param checked the entries checked before (updated)
     * @param beingWritten true for a pending entry whose writer holds its pending lock now
     * @throws PickleFormatException for the first value that is not what the layout says
     */
    public static void checkValues(MemorySegment file, Path path, List<FileEntry> entries, Set<FileEntry> checked,
                                   java.util.function.Predicate<FileEntry> beingWritten) {
        checked.retainAll(new HashSet<>(entries));
        for (FileEntry e : entries) {
            if (!checked.contains(e) && !(e.pending() && beingWritten.test(e))) {
                ValueStructure.check(file, e.valueOffset(), e.valueOffset() + e.valueLength(), path, 0);
                checked.add(e);
            }
        }
    }

    /** An entry's value in the file: read once up to 1 MiB (or its head), mapped on demand. */
    private static final class FileValue extends StoredValue implements AutoCloseable {
        private final NativeFile file;
        private final Path path;
        private final FileEntry e;
        private final boolean writable;
        /** The whole value when it is small, else its head. */
        private final MemorySegment read;
        private MemorySegment mapped;
        private MemorySegment temporaryMap;
        private Arena temporary;
        private final MappedWindows windows;

        FileValue(NativeFile file, Path path, FileEntry e, boolean writable, MappedWindows windows) throws IOException {
            this.windows = windows;
            this.file = file;
            this.path = path;
            this.e = e;
            this.writable = writable;
            long n = e.valueLength();
            byte[] b = new byte[(int) (n <= PREAD_VALUE_BYTES ? n : HEAD_BYTES)];
            long got = file.read(MemorySegment.ofArray(b), e.valueOffset());
            if (got < b.length) {
                throw new PickleFormatException(path, e.valueOffset() + got, "the " + n + " bytes of the value of '"
                        + e.key() + "'", "the end of the file (truncated by another process?)");
            }
            this.read = MemorySegment.ofArray(b);
        }

        @Override
        public String key() {
            return e.key();
        }

        @Override
        public Path file() {
            return path;
        }

        @Override
        public long offset() {
            return e.valueOffset();
        }

        @Override
        public long length() {
            return e.valueLength();
        }

        @Override
        public boolean writable() {
            return writable;
        }

        @Override
        public MemorySegment head() {
            return read;
        }

        @Override
        public MemorySegment bytesAt(long position, int length) throws IOException {
            if (position < 0 || length < 0) {
                throw new IllegalArgumentException("negative position or length: " + position + ", " + length);
            }
            long n = Math.max(0, Math.min(length, e.valueLength() - position));
            if (position + n <= read.byteSize()) {
                return read.asSlice(Math.min(position, read.byteSize()), n);
            }
            if (mapped != null) {
                return MemorySegment.ofArray(mapped.asSlice(position, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
            byte[] b = new byte[(int) n];
            long got = file.read(MemorySegment.ofArray(b), e.valueOffset() + position);
            if (got < n) {
                throw new PickleFormatException(path, e.valueOffset() + position + got, "the " + e.valueLength()
                        + " bytes of the value of '" + e.key() + "'", "the end of the file (truncated by another process?)");
            }
            return MemorySegment.ofArray(b);
        }

        @Override
        public MemorySegment bytes() throws IOException {
            if (read.byteSize() == e.valueLength()) {
                return read;
            }
            if (mapped != null) {
                return mapped;
            }
            if (temporaryMap == null) {
                temporary = Arena.ofConfined();
                temporaryMap = file.map(e.valueOffset(), e.valueLength(), false, false, temporary);
            }
            return temporaryMap;
        }

        @Override
        public MemorySegment map() throws IOException {
            if (mapped == null) {
                mapped = windows.map(e.valueOffset(), e.valueLength());   // a slice of a shared window: maps stay bounded
            }
            return mapped;
        }

        @Override
        public NDArray.Adviser adviser() {
            return file::advise;
        }

        @Override
        public void close() {
            if (temporary != null) {
                temporary.close();
            }
        }
    }
}
