package org.mmappickle.internal.store;
import org.mmappickle.internal.format.FileEntry;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import org.mmappickle.NDArray;
import org.mmappickle.PickleFormatException;
import org.mmappickle.codec.Codecs;
import org.mmappickle.codec.StoredValue;
import org.mmappickle.codec.ValueCodec;
import org.mmappickle.internal.io.NativeFile;

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
            return new Decoded(value, v.mapped != null);
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
