package org.mmappickle.internal.store;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.mmappickle.ArrayFormat;
import org.mmappickle.CompactReport;
import org.mmappickle.codec.EncodedValue;
import org.mmappickle.internal.format.ArrayLayout;
import org.mmappickle.internal.format.FileEntry;
import org.mmappickle.internal.format.FileLayout;
import org.mmappickle.internal.io.NativeFile;

/**
 * Compaction: rewrites a file's valid entries, moved down, into a new file beside it and renames
 * the new one over it. A crash at any point leaves the old file whole until the rename, and the
 * new one whole after it. Also the helpers of every file created beside a target (its name,
 * owner and mode, the directory sync), which {@link Conversion} shares.
 */
final class Compaction {
    private Compaction() {
    }

    /** Suffix of the file a compaction writes beside the original before renaming it into place. */
    static final String COMPACTING = ".compacting";
    /** Bytes compared at a time when looking for all-zero ranges to leave as holes. */
    private static final long ZERO_RUN = 64L << 10;

    /** The file a compaction of {@code path} writes beside it (left behind when one was killed). */
    static Path leftover(Path path) {
        return sibling(path, COMPACTING);
    }

    static CompactReport rewrite(Path path, NativeFile old, List<FileEntry> entries, int commit)
            throws IOException {
        Path tmp = leftover(path);
        Files.deleteIfExists(tmp);   // left by a compaction that crashed before its rename (a link is removed, not followed)
        long sizeBefore = old.size();
        int kept = 0;
        int dropped = 0;
        long end = FileLayout.HEADER_LENGTH;
        boolean ok = false;
        // CREATE_NEW is O_CREAT|O_EXCL: it never opens an existing file or follows a link planted there
        try (Arena arena = Arena.ofConfined(); NativeFile out = NativeFile.open(tmp, NativeFile.Mode.CREATE_NEW)) {
            copyModeAndOwner(old.descriptorPath(), out, path);
            MemorySegment src = old.map(0, sizeBefore, false, false, arena);
            MemorySegment zeros = arena.allocate(ZERO_RUN);
            out.write(FileLayout.header(commit), 0);
            out.write(FileLayout.terminator(), end);
            for (FileEntry e : entries) {
                if (!e.valid()) {
                    dropped++;
                    continue;
                }
                byte[] key = FileLayout.keyBytes(e.key());
                long valueOffset = end + FileLayout.ENTRY_PREFIX + key.length;
                EncodedValue value = relay(src.asSlice(e.valueOffset(), e.valueLength()), valueOffset, path, e);
                FileEntry written = EntryWriter.write(out, end, key, value, e.memoMax(), true, true,
                        EntryWriter.Barrier.NONE);
                for (int i = 0; i < value.payloads().size(); i++) {
                    writeKeepingHoles(out, value.payloads().get(i), written.valueOffset() + value.payloadOffset(i), zeros);
                }
                end = written.end();
                kept++;
            }
            out.fsync(false);   // the new file is complete on the device before it replaces the old one
            ok = true;
        } finally {
            if (!ok) {
                Files.deleteIfExists(tmp);
            }
        }
        try {
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        syncDirectory(path, true);
        return new CompactReport(kept, dropped, sizeBefore, end + FileLayout.TERMINATOR_LENGTH);
    }

    /**
     * An entry's value at its new offset: arrays in our layout re-encoded (realigned), anything else
     * (mmappickle 1.0.1's layout, generic values, and values that only start like an array)
     * copied as one payload.
     */
    private static EncodedValue relay(MemorySegment value, long valueOffset, Path path, FileEntry e) {
        if (ArrayLayout.read(value, path, e.valueOffset()) instanceof ArrayLayout.Parsed p
                && p.layout() == ArrayFormat.OURS) {
            ArrayLayout.ArrayHeader d = p.data();
            MemorySegment data = value.asSlice(d.payloadOffset(), d.payloadLength());
            if (p.mask() == null) {
                return new EncodedValue(ArrayLayout.encode(d.dtype(), d.shape(), ArrayFormat.OURS, valueOffset),
                        List.of(data), 0);
            }
            ArrayLayout.ArrayHeader m = p.mask();
            return new EncodedValue(ArrayLayout.encodeMasked(d.dtype(), d.shape(), ArrayFormat.OURS, valueOffset),
                    List.of(data, value.asSlice(m.payloadOffset(), m.payloadLength())), 0);
        }
        return new EncodedValue(List.of(new byte[0], new byte[0]), List.of(value), e.memoMax());
    }

    /**
     * Writes a payload at an offset of a new file, skipping the runs of zeros: the new file has
     * holes there (it was created empty), so sparse allocations and punched fillers stay sparse
     * instead of becoming written zeros.
     */
    private static void writeKeepingHoles(NativeFile out, MemorySegment src, long at, MemorySegment zeros)
            throws IOException {
        long n = src.byteSize();
        long o = 0;
        while (o < n) {
            // runs end on ZERO_RUN boundaries of the new file, so a skipped run covers whole blocks
            long len = Math.min(ZERO_RUN - Math.floorMod(at + o, ZERO_RUN), n - o);
            MemorySegment run = src.asSlice(o, len);
            if (MemorySegment.mismatch(run, 0, len, zeros, 0, len) != -1) {
                out.write(run, at + o);
            }
            o += len;
        }
    }

    /**
     * Gives a file created beside {@code original} the original's owner, group and mode (chown
     * first: it clears set-id bits), through its descriptor. Where that cannot be done (a user
     * who may not give files away), the maintenance is refused rather than leave the file with
     * another owner.
     *
     * @param original a name of the original file (its descriptor's, where open)
     * @param created the new file
     * @param shown the original's path, for messages
     */
    static void copyModeAndOwner(Path original, NativeFile created, Path shown) throws IOException {
        int mode = (Integer) Files.getAttribute(original, "unix:mode") & 07777;
        int uid = (Integer) Files.getAttribute(original, "unix:uid");
        int gid = (Integer) Files.getAttribute(original, "unix:gid");
        Path fd = created.descriptorPath();
        try {
            if ((Integer) Files.getAttribute(fd, "unix:uid") != uid) {
                Files.setAttribute(fd, "unix:uid", uid);
            }
            if ((Integer) Files.getAttribute(fd, "unix:gid") != gid) {
                Files.setAttribute(fd, "unix:gid", gid);
            }
        } catch (IOException | SecurityException e) {
            throw new IOException(shown + " belongs to uid " + uid + ", gid " + gid + ", which the rewritten file"
                    + " cannot be given (" + e.getMessage() + "); run this as the file's owner or as root", e);
        }
        Files.setAttribute(fd, "unix:mode", mode);
    }

    static Path sibling(Path p, String suffix) {
        Path abs = p.toAbsolutePath();
        return abs.resolveSibling(abs.getFileName() + suffix);
    }

    /** Makes the rename itself durable (the directory entry), where the file system allows it. */
    static void syncDirectory(Path file, boolean durable) {
        if (!durable) {
            return;
        }
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // some file systems refuse fsync on a directory; the rename is still atomic
        }
    }
}
