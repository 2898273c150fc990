package org.mmappickle.internal.store;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mmappickle.CompactReport;
import org.mmappickle.NativeIOException;
import org.mmappickle.RepairReport;
import org.mmappickle.VacuumReport;
import org.mmappickle.internal.bytes.LittleEndian;
import org.mmappickle.internal.format.EntryScanner;
import org.mmappickle.internal.format.FileEntry;
import org.mmappickle.internal.io.IoFeature;
import org.mmappickle.internal.io.NativeFile;

/**
 * The maintenance of a file: repair (a torn tail, shadowed entries, a killed compaction's
 * leftover), vacuum (punched fillers, nothing moves), compaction (rewrite and rename) and
 * conversion of plain pickles.
 */
public final class Maintenance {
    private static final System.Logger LOG = System.getLogger(Maintenance.class.getName());
    /** BINBYTES8 opcode and its u64 length: the head of a vacuumed value. */
    private static final int FILLER_HEADER = 9;
    private static final ValueLayout.OfLong U64 = LittleEndian.I64;

    private Maintenance() {
    }

    /**
     * Puts the file right now (a writable open already does): cuts a torn tail, deletes shadowed
     * entries, removes a killed compaction's leftover.
     *
     * @param store the file
     * @return what the last tail repair did, or null when the file was whole
     * @throws IOException when the file fails
     */
    public static RepairReport repair(FileStore store) throws IOException {
        return store.withExclusiveLockForChange(() -> {
            removeLeftoverCompaction(store.path());
            return store.lastRepair();
        });
    }

    /**
     * Removes the {@code FILE.compacting} a killed compaction left beside the file, on a writable
     * open or repair: with the file's lock and presence lock held no compaction of it can be
     * running (one holds the lock from its first byte to its rename).
     */
    static void removeLeftoverCompaction(Path path) throws IOException {
        Path left = Compaction.leftover(path);
        if (FileStore.exists(left)) {
            long size = Files.size(left);
            Files.delete(left);
            LOG.log(System.Logger.Level.WARNING, "{0}: removed {1} ({2} bytes), left by a compaction that was killed",
                    path, left, size);
        }
    }

    /** Logs a killed compaction's leftover, which a read-only open leaves in place. */
    static void reportLeftoverCompaction(Path path) {
        Path left = Compaction.leftover(path);
        if (FileStore.exists(left)) {
            LOG.log(System.Logger.Level.WARNING, "{0}: {1} was left by a compaction that was killed;"
                    + " the next writable open or repair removes it", path, left);
        }
    }

    /**
     * Returns the leftover of a killed compaction of a file, or null.
     *
     * @param path the file
     * @return the leftover's path, or null
     */
    public static Path leftoverCompaction(Path path) {
        Path left = Compaction.leftover(path);
        return FileStore.exists(left) ? left : null;
    }

    /**
     * Reclaims the disk space of deleted entries without moving anything: every deleted value
     * becomes a {@code bytes} filler (all of them synced first), then the fillers' payloads are
     * punched out. Where the file system or the io path cannot punch holes, the payloads are
     * overwritten with zeros instead (the deleted contents leave the file) and the report says so:
     * {@code spaceReclaimed} false, {@code bytesZeroed} the bytes written.
     *
     * @param store the file
     * @return what was done
     * @throws IOException when the file fails
     */
    public static VacuumReport vacuum(FileStore store) throws IOException {
        return store.withExclusiveLockForChange(() -> {
            var file = store.file();
            long before = allocatedOrUnknown(file);
            int reclaimed = 0;
            List<FileEntry> fillers = new ArrayList<>();
            for (FileEntry e : new ArrayList<>(store.index().all())) {
                if (e.valid() || e.valueLength() < FILLER_HEADER + 1 || store.ownPending().contains(e.offset())) {
                    continue;
                }
                if (e.pending() && store.pendingLockHeld(e)) {
                    continue;   // another process is copying this payload right now
                }
                long payload = e.valueLength() - FILLER_HEADER;
                byte[] filler = new byte[FILLER_HEADER];
                filler[0] = (byte) 0x8E;   // BINBYTES8 <u64 length>
                MemorySegment.ofArray(filler).set(U64, 1, payload);
                byte[] head = new byte[FILLER_HEADER];
                file.read(MemorySegment.ofArray(head), e.valueOffset());
                if (!java.util.Arrays.equals(head, filler)) {
                    file.write(filler, e.valueOffset());
                    reclaimed++;
                }
                if (e.pending()) {   // an abandoned two-phase append: make it an ordinary deleted entry
                    store.writeTrailer(e.withMemoMax(0));
                }
                store.views().remove(e.offset());
                fillers.add(e);
            }
            if (reclaimed > 0) {
                store.commit();
            }
            // every filler is on the device before any byte of what it replaced is punched: a
            // punched generic value without its filler would not load
            store.sync(org.mmappickle.Durability.DURABLE, true);
            long punched = 0;
            long zeroed = 0;
            boolean holes = true;
            for (FileEntry e : fillers) {
                long payload = e.valueLength() - FILLER_HEADER;
                if (holes) {
                    try {
                        file.punchHole(e.valueOffset() + FILLER_HEADER, payload);
                        punched += payload;
                        continue;
                    } catch (NativeIOException unsupported) {
                        if (!unsupported.errnoName().equals("EOPNOTSUPP") && !unsupported.errnoName().equals("ENOSYS")) {
                            throw unsupported;
                        }
                        // the file system or io path cannot punch holes (FUSE, ramfs, the channel io path): the
                        // deleted values are overwritten with zeros instead, so their contents leave the file
                        LOG.log(System.Logger.Level.WARNING, "{0}: holes cannot be punched here ({1}): deleted values"
                                + " are overwritten with zeros instead; their disk space is not reclaimed",
                                store.path(), unsupported.errnoName());
                        holes = false;
                    }
                }
                try {
                    zeroed += zeroNonZeroBlocks(file, e.valueOffset() + FILLER_HEADER, payload);
                } catch (NativeIOException full) {
                    if (!full.isDiskFull()) {
                        throw full;
                    }
                    // a copy-on-write file system needs space even to overwrite: the fillers are in place and
                    // committed, so the file is whole; what is not zeroed yet stays inside them
                    LOG.log(System.Logger.Level.WARNING, "{0}: the disk is full: deleted values not zeroed past"
                            + " {1} bytes ({2})", store.path(), zeroed, full.getMessage());
                    break;
                }
            }
            store.sync(store.settings().durability(), false);
            return new VacuumReport(reclaimed, punched, before, allocatedOrUnknown(file), holes, zeroed);
        });
    }

    /** Zeros written per call when a payload is zeroed instead of punched. */
    private static final int ZERO_CHUNK = 1 << 20;

    /** The bytes of disk the file occupies, or -1 where the io path cannot tell (the channel path). */
    private static long allocatedOrUnknown(NativeFile file) throws IOException {
        return IoFeature.ALLOCATED_SIZE.available() ? file.allocatedBytes() : -1;
    }

    /**
     * Overwrites with zeros the blocks of a range that hold anything else, and returns the bytes
     * written: blocks already zero (holes, or a previous vacuum's work) are left alone, so a sparse
     * payload gets no blocks allocated and a second vacuum writes nothing.
     */
    private static long zeroNonZeroBlocks(NativeFile file, long offset, long length) throws IOException {
        int block = (int) Math.min(NativeFile.PAGE_SIZE, ZERO_CHUNK);
        byte[] buf = new byte[(int) Math.min(ZERO_CHUNK, length)];
        MemorySegment zeros = MemorySegment.ofArray(new byte[block]);
        long written = 0;
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(buf.length, length - done);
            MemorySegment chunk = MemorySegment.ofArray(buf).asSlice(0, n);
            long got = file.read(chunk, offset + done);
            long start = offset + done;
            // blocks on the file's own block boundaries, so a zero block next to data is never written
            for (long pos = start; pos < start + got; ) {
                long next = Math.min(start + got, (pos / block + 1) * block);
                int m = (int) (next - pos);
                if (chunk.asSlice(pos - start, m).mismatch(zeros.asSlice(0, m)) >= 0) {
                    file.write(zeros.asSlice(0, m), pos);
                    written += m;
                }
                pos = next;
            }
            if (got < n) {
                break;
            }
            done += n;
        }
        return written;
    }

    /**
     * Rewrites the file with its valid entries only, beside it, and renames it over it; the store
     * then uses the new file. Refused while array views are out, while this store copies a
     * payload, and while another open dict holds the file.
     *
     * @param store the file
     * @return what was done
     * @throws IOException when another dict holds the file, or on I/O failure
     */
    public static CompactReport compact(FileStore store) throws IOException {
        store.checkWritable();
        if (store.sharedStorage()) {
            throw new IOException(store.path() + " is open in the shared-storage mode (" + store.fileSystem().name()
                    + "), where no presence lock can tell whether another process or machine has it open: compaction"
                    + " moves entries under their readers, so it is refused (use vacuum(), which is safe with readers,"
                    + " or compact on a local copy while nobody uses the file)");
        }
        return store.withExclusiveLockForChange(() -> {
            if (store.viewsHandedOut()) {
                throw new IllegalStateException(store.path() + ": this dict has handed out array views, which compaction"
                        + " would leave pointing at the old file; close it, reopen, and compact before reading arrays");
            }
            if (!store.ownPending().isEmpty()) {
                throw new IllegalStateException(store.path() + ": this dict is copying a large payload into the file;"
                        + " compact when the copy is done");
            }
            var file = store.file();
            if (!file.ofdLock(true, FileStore.PRESENCE_LOCK, 1, false)) {
                throw new IOException(store.path() + " is open in another process or dict: compaction moves entries and"
                        + " needs the file alone (use vacuum(), which is safe with readers)");
            }
            CompactReport report;
            try {
                report = Compaction.rewrite(store.path(), file, store.index().all(), store.nextCommit());
            } finally {
                file.ofdLock(false, FileStore.PRESENCE_LOCK, 1, false);
            }
            store.reopenAfterRename();
            return report;
        });
    }

    /**
     * Converts a plain pickle of a dict with string keys into an mmappickle file (see {@link Conversion}).
     *
     * @param source the plain pickle
     * @param target the file to write (may be the source)
     * @throws IOException when either file fails, or the source is not such a pickle
     */
    public static void convert(Path source, Path target) throws IOException {
        Conversion.convert(source, target);
    }

    /** Scans a file for the repair test of a torn tail, under the store's locks. */
    static EntryScanner.Result scan(FileStore store) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            return store.scan(store.file().size(), a);
        }
    }
}
