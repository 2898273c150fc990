package org.mmappickle.internal.store;
import org.mmappickle.internal.format.FileEntry;
import org.mmappickle.internal.format.FileLayout;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.mmappickle.codec.EncodedValue;
import org.mmappickle.internal.io.NativeFile;

/** Writes one entry followed by the terminator at an offset of a file (the caller holds the lock). */
final class EntryWriter {
    /** Entries up to this size are assembled in memory and written with one call. */
    private static final long ONE_WRITE_BYTES = 1L << 20;

    private EntryWriter() {
    }

    /** Runs between writing an entry's body and linking it in (an fsync, for durable changes). */
    @FunctionalInterface
    public interface Barrier {
        /** A barrier that does nothing (a file nobody reads until it is complete). */
        Barrier NONE = () -> { };

        /** Waits until everything written so far is where it has to be. */
        void await() throws IOException;
    }

    /**
     * Writes an entry at {@code offset}, where the file's terminator is, and a new
     * terminator after it. The old terminator stays in place until the entry is complete: the
     * body (key, value, trailer, new terminator) goes after it first, then {@code bodyDone} runs,
     * then one write of the entry's first 11 bytes over the old terminator links the entry in.
     * Until that write, plain {@code pickle.load} and a scan both stop at the old terminator, so
     * every state a crash (or a power loss after a barrier that syncs) can leave is either the
     * file as it was plus bytes after its terminator, or the file with the whole entry; and a
     * failed write never needs new space to restore the tail (cutting after the old terminator
     * is enough). With {@code skipPayloads} the payload ranges are left unwritten (a sparse hole,
     * filled later or never).
     *
     * @param file the file, locked by the caller
     * @param offset where the terminator is
     * @param key the entry's key, as UTF-8
     * @param value the entry's value: structure and payloads
     * @param memoMax the entry's memo-max
     * @param valid whether the entry is written valid
     * @param skipPayloads whether payload ranges are left unwritten
     * @param bodyDone runs after the body and before the entry is linked in
     * @return where the entry lies
     * @throws IOException when a write fails; the terminator at {@code offset} may have been
     *     overwritten only when the last write failed (see {@link #restoreTail})
     */
    public static FileEntry write(NativeFile file, long offset, byte[] keyBytes, EncodedValue value, int memoMax,
                                  boolean valid, boolean skipPayloads, Barrier bodyDone) throws IOException {
        long valueLength = value.length();
        List<byte[]> structure = value.structure();
        List<MemorySegment> payloads = value.payloads();
        byte[] prefix = FileLayout.entryPrefix(keyBytes, valueLength);
        byte[] head = java.util.Arrays.copyOf(prefix, FileLayout.TERMINATOR_LENGTH);
        byte[] key = java.util.Arrays.copyOfRange(prefix, FileLayout.TERMINATOR_LENGTH, prefix.length);
        long valueOffset = offset + prefix.length;
        byte[] suffix = FileLayout.entrySuffix(memoMax, valid);
        byte[] terminator = FileLayout.terminator();
        long bodyOffset = offset + head.length;
        long total = key.length + valueLength + suffix.length + terminator.length;
        if (!skipPayloads && total <= ONE_WRITE_BYTES) {
            MemorySegment buf = MemorySegment.ofArray(new byte[(int) total]);
            long p = put(buf, 0, MemorySegment.ofArray(key));
            for (int i = 0; i < payloads.size(); i++) {
                p = put(buf, p, MemorySegment.ofArray(structure.get(i)));
                p = put(buf, p, payloads.get(i));
            }
            p = put(buf, p, MemorySegment.ofArray(structure.get(payloads.size())));
            p = put(buf, p, MemorySegment.ofArray(suffix));
            put(buf, p, MemorySegment.ofArray(terminator));
            file.write(buf, bodyOffset);
        } else {
            file.write(concat(key, structure.get(0)), bodyOffset);
            for (int i = 0; i < payloads.size(); i++) {
                long at = valueOffset + value.payloadOffset(i);
                if (!skipPayloads) {
                    file.write(payloads.get(i), at);
                }
                byte[] piece = structure.get(i + 1);
                if (piece.length > 0) {
                    file.write(piece, at + payloads.get(i).byteSize());
                }
            }
            file.write(concat(suffix, terminator), valueOffset + valueLength);
        }
        bodyDone.await();
        file.write(head, offset);
        return new FileEntry(offset, new String(keyBytes, StandardCharsets.UTF_8), valueOffset, valueLength,
                memoMax, valid);
    }

    /**
     * Puts the tail back after an append that failed part way (a full disk): the terminator at
     * {@code end}, rewritten only when the failed append had begun to overwrite it (those bytes
     * were just written, so rewriting them needs no new space even on a copy-on-write file
     * system), and the file cut right after it. Failures of this repair are added to {@code
     * failed} as suppressed exceptions, and {@code failed} is returned for the caller to throw.
     *
     * @param file the file, locked by the caller
     * @param end where the terminator belongs
     * @param failed the failure of the append
     * @return {@code failed}
     */
    public static IOException restoreTail(NativeFile file, long end, IOException failed) {
        try {
            byte[] at = new byte[FileLayout.TERMINATOR_LENGTH];
            long n = file.read(MemorySegment.ofArray(at), end);
            if (n < at.length || !FileLayout.isTerminator(at, 0)) {
                file.write(FileLayout.terminator(), end);
            }
            file.truncate(end + FileLayout.TERMINATOR_LENGTH);
        } catch (IOException | RuntimeException secondary) {
            failed.addSuppressed(secondary);
        }
        return failed;
    }

    private static long put(MemorySegment buf, long at, MemorySegment src) {
        MemorySegment.copy(src, 0, buf, at, src.byteSize());
        return at + src.byteSize();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
