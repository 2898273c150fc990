package org.mmappickle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.List;
import java.util.Optional;
import org.mmappickle.internal.store.FileStore;
import org.mmappickle.internal.store.Maintenance;

/**
 * The file-level API of {@link MmapDict}: what the file is (its path, file system, commit number, entries) and how
 * it is kept (flush, repair, vacuum, compaction), as opposed to the {@code Map} of its values. Not
 * public: its public methods are documented, and called, as MmapDict's own (the JDK's {@code AbstractStringBuilder}
 * pattern), which keeps MmapDict to the {@code Map} API, options, views and watchers. No static method here: javac
 * bridges only instance methods into the public class, and reflection refuses a static one declared by this class.
 */
abstract sealed class DictFile extends AbstractMap<String, Object> permits MmapDict {
    /** The open file: descriptor, locks, index and entry writes (docs/architecture.md). */
    final FileStore store;

    DictFile(FileStore store) {
        this.store = store;
    }

    // ------------------------------------------------------------------ maintenance

    /**
     * Puts the file right now (a writable open already does): cuts a torn tail after its last
     * complete entry and keeps the terminator there, so that plain {@code pickle.load} reads it;
     * deletes entries a later one of the same key shadows; removes a killed compaction's leftover.
     * @return what the tail repair did, or empty when the file was whole
     * @throws IOException on I/O failure
     */
    public Optional<RepairReport> repair() throws IOException {
        return Optional.ofNullable(Maintenance.repair(store));
    }

    /**
     * Returns the {@code FILE.compacting} that a killed compaction left beside this file, if one is
     * there now (a writable open and {@link MmapDict##repair() repair()} remove it; a read-only open only reports it).
     * @return its path, or empty; works after close too
     */
    public Optional<Path> leftoverCompaction() {
        return Optional.ofNullable(Maintenance.leftoverCompaction(store.path()));
    }

    /**
     * Reclaims the disk space of deleted entries without moving anything (safe while other
     * processes read the file): each deleted value becomes a pickle {@code bytes} filler of the
     * same length whose payload is punched out of the file, so every valid entry keeps its offset
     * and every memory map stays valid. Entries another writer is still filling are skipped.
     * @return what was reclaimed; on a file system that cannot punch holes the fillers are still
     *     written, and the report says the space was not reclaimed
     * @throws IOException on I/O failure
     */
    public VacuumReport vacuum() throws IOException {
        return Maintenance.vacuum(store);
    }

    /**
     * Moves the valid entries down over the deleted ones and shrinks the file, as the original's
     * vacuum does, but crash-safe: the compacted file is written beside this one (created
     * exclusively, with this file's owner and mode, runs of zeros left as holes), flushed, and
     * renamed over it, so a crash at any point leaves either file whole. Array payloads in this
     * project's layout are realigned. Python processes must not have the file open, as with the
     * original's vacuum.
     * @return the entries kept and dropped, and the sizes before and after
     * @throws IllegalStateException when this dict has handed out array views (they would keep
     *     pointing at the old file) or is copying a large payload
     * @throws IOException when another dict (in this JVM or another) has the file open, or on I/O failure
     */
    public CompactReport compact() throws IOException {
        return Maintenance.compact(store);
    }

    // ------------------------------------------------------------------ facts for tools

    /**
     * Returns the type of the file system the file is on, as {@code statfs} tells it ("nfs",
     * "ext4/ext3/ext2", "fuse", "unknown (0x...)").
     * @return its name
     */
    public String fileSystemType() {
        return store.fileSystem().name();
    }

    /** {@return the sharing mode in use: {@link Sharing#LOCAL} or {@link Sharing#SHARED_STORAGE}} */
    public Sharing sharing() {
        return store.sharedStorage() ? Sharing.SHARED_STORAGE : Sharing.LOCAL;
    }

    /** {@return the path of the file, as it was opened} Works after close too. */
    public Path path() {
        return store.path();
    }

    /** {@return true when the dict was opened read-only} Works after close too. */
    public boolean isReadOnly() {
        return !store.settings().writable();
    }

    /** {@return the file's current commit number, which every change moves} */
    public int commitNumber() {
        return store.commitNumber();
    }

    /**
     * {@return the bytes of disk the file occupies} They are fewer than its size when it is sparse
     * or vacuumed.
     * @throws IOException when the file system cannot say
     */
    public long allocatedBytes() throws IOException {
        return store.allocatedBytes();
    }

    /**
     * {@return every entry of the file, valid or deleted, in file order, with its offsets} An entry
     * is pending only while a live writer holds its pending lock.
     */
    public List<EntryInfo> entries() {
        return store.entries();
    }

    /** {@return what the repair of a torn tail did when this dict opened, or empty if none} Works after close too. */
    public Optional<RepairReport> lastRepair() {
        return Optional.ofNullable(store.lastRepair());
    }

    /**
     * Writes everything this dict changed, including through array views, to the device.
     * @throws IOException when msync or fsync fails
     */
    public void flush() throws IOException {
        store.flush();
    }
}
