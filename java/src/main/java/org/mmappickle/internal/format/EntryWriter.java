package org.mmappickle.internal.format;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.mmappickle.internal.io.NativeFile;

/** Writes one entry followed by the terminator at an offset of a file (the caller holds the lock). */
public final class EntryWriter {
    /** Entries up to this size are assembled in memory and written with one call. */
    private static final long ONE_WRITE_BYTES = 1L << 20;

    private EntryWriter() {
    }

    /**
     * Writes the entry of a plan at {@code offset} and the terminator after it. With {@code
     * skipPayloads} the payload ranges are left unwritten (a sparse hole, filled later or never).
     * Small entries go out in one write, so the file goes from "..., terminator" to "..., entry,
     * terminator" in one step; larger ones write the structure first and the bytes that end the
     * file last, so a crash leaves a torn tail that repair removes, never a wrong entry.
     *
     * @return where the entry lies
     */
    public static FileEntry write(NativeFile file, long offset, EntryPlan plan, int memoMax, boolean valid,
                                  boolean skipPayloads) throws IOException {
        long valueLength = plan.valueLength();
        byte[] prefix = FileLayout.entryPrefix(plan.key(), valueLength);
        long valueOffset = offset + prefix.length;
        byte[] suffix = FileLayout.entrySuffix(memoMax, valid);
        byte[] terminator = FileLayout.terminator();
        long total = prefix.length + valueLength + suffix.length + terminator.length;
        if (!skipPayloads && total <= ONE_WRITE_BYTES) {
            MemorySegment buf = MemorySegment.ofArray(new byte[(int) total]);
            long p = put(buf, 0, MemorySegment.ofArray(prefix));
            for (int i = 0; i < plan.payloads().length; i++) {
                p = put(buf, p, MemorySegment.ofArray(plan.structure()[i]));
                p = put(buf, p, plan.payloads()[i]);
            }
            p = put(buf, p, MemorySegment.ofArray(plan.structure()[plan.payloads().length]));
            p = put(buf, p, MemorySegment.ofArray(suffix));
            put(buf, p, MemorySegment.ofArray(terminator));
            file.write(buf, offset);
        } else {
            file.write(concat(prefix, plan.structure()[0]), offset);
            for (int i = 0; i < plan.payloads().length; i++) {
                long at = valueOffset + plan.payloadOffset(i);
                if (!skipPayloads) {
                    file.write(plan.payloads()[i], at);
                }
                byte[] piece = plan.structure()[i + 1];
                if (piece.length > 0) {
                    file.write(piece, at + plan.payloads()[i].byteSize());
                }
            }
            file.write(concat(suffix, terminator), valueOffset + valueLength);
        }
        return new FileEntry(offset, new String(plan.key(), StandardCharsets.UTF_8), valueOffset, valueLength,
                memoMax, valid);
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
