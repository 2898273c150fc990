package org.mmappickle;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.mmappickle.codec.Codecs;
import org.mmappickle.codec.StoredValue;
import org.mmappickle.internal.format.ArrayLayout;
import org.mmappickle.internal.format.ArrayValues;
import org.mmappickle.internal.format.EntryPlan;
import org.mmappickle.internal.format.EntryWriter;
import org.mmappickle.internal.format.FileEntry;
import org.mmappickle.internal.format.FileLayout;
import org.mmappickle.internal.io.NativeFile;
import org.mmappickle.internal.pickle.Unpickler;

/**
 * Rewrites a file into a new one beside it and renames the new one over it: compaction (valid
 * entries only, moved down) and conversion of plain pickles. A crash at any point leaves the old
 * file whole until the rename, and the new one whole after it.
 */
final class Compaction {
    private Compaction() {
    }

    static CompactReport rewrite(Path path, NativeFile old, List<FileEntry> entries, int commit)
            throws IOException {
        Path tmp = sibling(path, ".compacting");
        Files.deleteIfExists(tmp);   // left by a compaction that crashed before its rename
        long sizeBefore = old.size();
        int kept = 0;
        int dropped = 0;
        long end = FileLayout.HEADER_LENGTH;
        boolean ok = false;
        try (Arena arena = Arena.ofConfined(); NativeFile out = NativeFile.open(tmp, NativeFile.Mode.CREATE_NEW)) {
            MemorySegment src = old.map(0, sizeBefore, false, false, arena);
            out.write(FileLayout.header(commit), 0);
            out.write(FileLayout.terminator(), end);
            for (FileEntry e : entries) {
                if (!e.valid()) {
                    dropped++;
                    continue;
                }
                byte[] key = FileLayout.keyBytes(e.key());
                long valueOffset = end + FileLayout.ENTRY_PREFIX + key.length;
                EntryPlan plan = relay(src.asSlice(e.valueOffset(), e.valueLength()), key, valueOffset, path, e);
                end = EntryWriter.write(out, end, plan, e.memoMax(), true, false).end();
                kept++;
            }
            out.fsync(false);   // the new file is complete on the device before it replaces the old one
            ok = true;
        } finally {
            if (!ok) {
                Files.deleteIfExists(tmp);
            }
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(path, true);
        return new CompactReport(kept, dropped, sizeBefore, end + FileLayout.TERMINATOR_LENGTH);
    }

    /** An entry's value at its new offset: arrays in our layout re-encoded (realigned), anything else copied. */
    private static EntryPlan relay(MemorySegment value, byte[] key, long valueOffset, Path path, FileEntry e) {
        MemorySegment head = value.asSlice(0, Math.min(value.byteSize(), StoredValue.HEAD_BYTES));
        if (Codecs.arrays().recognizes(head, null) || Codecs.maskedArrays().recognizes(head, null)) {
            ArrayLayout.Parsed p;
            try {
                p = ArrayLayout.parse(value, path, e.valueOffset());
            } catch (PickleFormatException notTheArrayLayout) {
                p = null;   // e.g. numpy.ndarray(..., builtins.bytearray(...)) written as a generic value: copied
            }
            if (p != null && p.layout() == ArrayLayout.Layout.OURS) {
                ArrayLayout.ArrayHeader d = p.data();
                MemorySegment data = value.asSlice(d.payloadOffset(), d.payloadLength());
                if (p.mask() == null) {
                    ArrayLayout.Encoded enc = ArrayLayout.encode(d.dtype(), d.shape(), ArrayLayout.Layout.OURS, valueOffset);
                    return new EntryPlan(key, enc.structure(), new MemorySegment[] {data}, 0);
                }
                ArrayLayout.ArrayHeader m = p.mask();
                ArrayLayout.Encoded enc = ArrayLayout.encodeMasked(d.dtype(), d.shape(), ArrayLayout.Layout.OURS, valueOffset);
                return new EntryPlan(key, enc.structure(),
                        new MemorySegment[] {data, value.asSlice(m.payloadOffset(), m.payloadLength())}, 0);
            }
        }
        return new EntryPlan(key, new byte[][] {new byte[0], new byte[0]}, new MemorySegment[] {value}, e.memoMax());
    }

    static void convert(Path source, Path target) throws IOException {
        Object value;
        try (NativeFile in = NativeFile.open(source, NativeFile.Mode.READ); Arena arena = Arena.ofConfined()) {
            long size = in.size();
            if (size == 0) {
                throw new NotMmapPickleException(source, NotMmapPickleException.Kind.EMPTY, "an empty file");
            }
            try {
                value = ArrayValues.toJava(Unpickler.loadPickle(in.map(0, size, false, false, arena), source));
            } catch (PickleFormatException e) {
                throw new NotMmapPickleException(source, NotMmapPickleException.Kind.NOT_A_PICKLE,
                        "bytes that are not a pickle (" + e.getMessage() + ")");
            }
        }
        if (!(value instanceof Map<?, ?> m) || !m.keySet().stream().allMatch(k -> k instanceof String)) {
            throw new NotMmapPickleException(source, NotMmapPickleException.Kind.OTHER_PICKLE,
                    "a pickle of " + (value instanceof Map ? "a dict with non-string keys" : value == null ? "None"
                            : "a " + value.getClass().getSimpleName()) + ", which cannot become an mmappickle dict");
        }
        for (Object k : m.keySet()) {
            FileLayout.keyBytes((String) k);   // every key fits before anything is written
        }
        Path tmp = sibling(target, ".converting");
        Files.deleteIfExists(tmp);
        boolean ok = false;
        try {
            try (MmapDict d = MmapDict.open(tmp)) {
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    d.set((String) e.getKey(), e.getValue());
                }
                d.flush();
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();   // a full disk while writing the new file: an IOException, as documented
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(target, true);
            ok = true;
        } finally {
            if (!ok) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static Path sibling(Path p, String suffix) {
        Path abs = p.toAbsolutePath();
        return abs.resolveSibling(abs.getFileName() + suffix);
    }

    /** Makes the rename itself durable (the directory entry), where the file system allows it. */
    private static void syncDirectory(Path file, boolean durable) {
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
