package org.mmappickle.internal.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.mmappickle.ArrayFormat;
import org.mmappickle.CopyProgress;
import org.mmappickle.Durability;
import org.mmappickle.EntryInfo;
import org.mmappickle.MaskedArray;
import org.mmappickle.NDArray;
import org.mmappickle.PickleFormatException;
import org.mmappickle.RepairReport;
import org.mmappickle.Sharing;
import org.mmappickle.codec.EncodedValue;
import org.mmappickle.codec.ValueCodec;
import org.mmappickle.internal.bytes.LittleEndian;
import org.mmappickle.internal.format.ArrayLayout;
import org.mmappickle.internal.format.EntryIndex;
import org.mmappickle.internal.format.EntryScanner;
import org.mmappickle.internal.format.FileEntry;
import org.mmappickle.internal.format.FileLayout;
import org.mmappickle.internal.io.NativeFile;
import org.mmappickle.internal.pickle.ValueStructure;

/**
 * One open mmappickle file: the descriptor, the header's memory map, the entry index, and the two
 * locks that guard them (a JVM lock between threads, the file's {@code flock} between processes),
 * with the index refresh, commits, syncs and entry writes done under them (docs/architecture.md).
 *
 * <p>Reads never write: a rescan that finds a torn tail or a shadowed entry only indexes what is
 * complete. Putting the file right is an explicit step ({@link #putRight}) of a writable open, of
 * {@link Maintenance#repair}, and of every change before it writes (a change appends after the
 * last complete entry, so the tail must be clean first).
 */
public final class FileStore implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FileStore.class.getName());
    private static final ValueLayout.OfInt I32 = LittleEndian.I32;
    /** Byte of the presence lock every open dict holds shared (docs/decisions/locks.md); far beyond any real offset. */
    public static final long PRESENCE_LOCK = 1L << 62;
    /** Base of the per-entry locks a writer holds while it copies a payload (PENDING_LOCK + entry offset). */
    public static final long PENDING_LOCK = PRESENCE_LOCK + 1;
    /** How often an open tries again when another process renames a new file over the path meanwhile. */
    private static final int OPEN_ATTEMPTS = 100;

    /**
     * How a store reads and writes.
     *
     * @param writable false for a read-only store
     * @param create whether a missing file is created
     * @param arrayFormat the layout of array entries it writes
     * @param durability when changes are safe from a crash
     * @param progress told how far large copies have gone, or null
     * @param codecs the value codecs in the order they are tried
     * @param sharing local or shared-storage mode, or chosen from the file system
     * @param ingestThreads how many threads copy a large payload (at least 1)
     */
    public record Settings(boolean writable, boolean create, ArrayFormat arrayFormat, Durability durability,
                           CopyProgress progress, List<ValueCodec> codecs, Sharing sharing, int ingestThreads) {
        /**
         * Checks the thread count.
         *
         * @throws IllegalArgumentException when {@code ingestThreads} is below 1
         */
        public Settings {
            if (ingestThreads < 1) {
                throw new IllegalArgumentException("ingestThreads must be at least 1, got " + ingestThreads);
            }
        }

        /**
         * Settings whose sharing mode is chosen from the file system, with the default number of
         * copy threads ({@link #defaultIngestThreads()}).
         *
         * @param writable false for a read-only store
         * @param create whether a missing file is created
         * @param arrayFormat the layout of array entries it writes
         * @param durability when changes are safe from a crash
         * @param progress told how far large copies have gone, or null
         * @param codecs the value codecs in the order they are tried
         */
        public Settings(boolean writable, boolean create, ArrayFormat arrayFormat, Durability durability,
                        CopyProgress progress, List<ValueCodec> codecs) {
            this(writable, create, arrayFormat, durability, progress, codecs, Sharing.AUTO, defaultIngestThreads());
        }

        /**
         * Returns the default number of threads copying a large payload: one. Linux serializes
         * buffered writes into one file on the inode's lock (ext4, xfs and tmpfs take it for each
         * write), so a second copy thread mostly waits, spinning, for the first ({@code perf}:
         * {@code rwsem_spin_on_owner}): on ext4 two threads cost 1.7 to 2 times the CPU per byte
         * for a wall-time change of 0.85x to 1.2x that varied from run to run (bench/RESULTS.md).
         *
         * @return the default count
         */
        public static int defaultIngestThreads() {
            return 1;
        }

        /**
         * Returns how many threads populate an in-place fill's view at least: the available
         * processors, at most 4. Page faults take no inode lock, so these do run in parallel.
         *
         * @return the count
         */
        public static int populateThreads() {
            return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        }
    }

    /** Largest new tail the shared-storage mode reads with pread into memory (a longer one is mapped after the lock). */
    private static final long PREAD_TAIL = 16L << 20;

    /**
     * A step run under the locks.
     *
     * @param <T> what it returns
     */
    @FunctionalInterface
    public interface Step<T> {
        /**
         * Runs the step.
         *
         * @return its result
         * @throws IOException when the file fails
         */
        T run() throws IOException;
    }

    private final Path path;
    private NativeFile file;
    private final Settings settings;
    /** Guards everything below between the threads of this JVM; the flock guards against other processes. */
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Held shared by every use of the descriptor made without {@link #lock} (payload copies),
     * exclusively to close or replace it: a copy never writes to a descriptor number that was
     * closed and reused for another file.
     */
    private final ReentrantReadWriteLock descriptor = new ReentrantReadWriteLock();
    private final EntryIndex index = new EntryIndex();
    /** Array views handed out, by entry offset, so that a repeated get costs no system call. */
    private final Map<Long, Object> views = new HashMap<>();
    /** Entries whose values {@link EntryDecoder#checkValues} found to be what the layout says (checked once). */
    private final Set<FileEntry> checkedValues = new HashSet<>();
    /** Offsets of entries whose payload this store is copying now (their OFD locks do not conflict with our own). */
    private final Set<Long> ownPending = new HashSet<>();
    private MemorySegment header;
    /** The maps array views are slices of (bounded by the file's size); replaced with the descriptor. */
    private MappedWindows windows;
    private RepairReport lastRepair;
    /** The last entry's offset when a power loss tore its frame length (EntryScanner.Result#staleFrameAt), else -1. */
    private long staleFrameAt = -1;
    /**
     * True when other processes committed since the index last checked the valid bytes of the
     * entries it holds: a deletion (one byte) leaves no trace in the tail an incremental refresh
     * reads, so point reads check their entry's byte and listings check them all first.
     */
    private boolean deletionsUnverified;
    private volatile boolean closed;
    /** The file system the file is on (statfs). */
    private FileSystemKind fileSystem;
    /** True in the shared-storage mode: the index is read under the lock and with pread only ({@link Sharing}). */
    private boolean shared;
    /** True once an array view was handed out: compaction would strand it on the old file. */
    private boolean viewsHandedOut;

    private FileStore(Path path, NativeFile file, Settings settings) {
        this.path = path;
        this.file = file;
        this.settings = settings;
        this.windows = new MappedWindows(file, settings.writable());
    }

    /**
     * Opens a file: checks (or, for an empty writable file, writes) the header, indexes the
     * entries and, when writable, puts the file right (see {@link #putRight}).
     *
     * @param path the file
     * @param settings how to read and write it
     * @return the open store
     * @throws IOException when the file cannot be opened, or kept being replaced
     */
    public static FileStore open(Path path, Settings settings) throws IOException {
        NativeFile.Mode mode = !settings.writable() ? NativeFile.Mode.READ
                : settings.create() ? NativeFile.Mode.CREATE : NativeFile.Mode.READ_WRITE;
        // a compaction or conversion by another process may rename a new file over the path between
        // our open and our lock: then the descriptor holds the old file, and we open again
        for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
            NativeFile f = NativeFile.open(path, mode);
            boolean ok = false;
            try {
                FileStore s = new FileStore(path, f, settings);
                if (s.initialize()) {
                    ok = true;
                    return s;
                }
            } finally {
                if (!ok) {
                    f.close();
                }
            }
        }
        throw new IOException(path + " was replaced " + OPEN_ATTEMPTS + " times while it was being opened (another"
                + " process compacting or converting it in a loop?); try again later");
    }

    /**
     * Opens a store on a file this library has just created exclusively (conversion writes
     * through the descriptor it created, never through a name another process could re-point).
     */
    static FileStore openCreated(Path path, NativeFile created, Settings settings) throws IOException {
        FileStore s = new FileStore(path, created, settings);
        if (!s.initialize()) {
            throw new IOException(path + " was replaced by another process while it was being written");
        }
        return s;
    }

    /** Checks or writes the header and builds the index; false when the path now names another file. */
    private boolean initialize() throws IOException {
        lock.lock();
        try {
            file.lock(true);
            try {
                if (!file.isStillAt(path)) {
                    return false;
                }
                long size = file.size();
                if (size == 0 && settings.writable()) {
                    byte[] init = new byte[FileLayout.HEADER_LENGTH + FileLayout.TERMINATOR_LENGTH];
                    System.arraycopy(FileLayout.header(0), 0, init, 0, FileLayout.HEADER_LENGTH);
                    System.arraycopy(FileLayout.terminator(), 0, init, FileLayout.HEADER_LENGTH, FileLayout.TERMINATOR_LENGTH);
                    file.write(init, 0);
                    sync(settings.durability(), false);
                    size = init.length;
                }
                byte[] head = new byte[(int) Math.min(size, FileLayout.HEADER_LENGTH)];
                file.read(MemorySegment.ofArray(head), 0);
                if (!FileLayout.isHeader(head)) {
                    try {
                        throw FileClassifier.classify(path, file, size);
                    } catch (InternalError fault) {
                        throw shrunk(fault);
                    }
                }
                fileSystem = FileSystemKind.of(file.fileSystemType());
                shared = sharedMode(settings.sharing(), fileSystem);
                // where flock is emulated with byte-range locks (NFS), a presence lock held for as long
                // as the file is open would block every other process's flock: shared storage has none
                if (!shared && !file.ofdLock(false, PRESENCE_LOCK, 1, false)) {
                    throw new IOException(path + " is being compacted by another process; try again when it is done");
                }
                header = file.map(0, FileLayout.HEADER_LENGTH, false, false);
                try {
                    refresh();
                } catch (InternalError fault) {
                    throw shrunk(fault);
                }
                if (settings.writable()) {
                    putRight();
                    Maintenance.removeLeftoverCompaction(path);
                } else {
                    Maintenance.reportLeftoverCompaction(path);
                }
                return true;
            } finally {
                file.unlock();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Resolves the sharing mode: forced, or by the system property mmappickle.sharing, or by the file system. */
    static boolean sharedMode(Sharing asked, FileSystemKind fs) {
        Sharing s = asked;
        if (s == Sharing.AUTO) {
            String p = System.getProperty("mmappickle.sharing", "auto").trim().toLowerCase(java.util.Locale.ROOT);
            s = switch (p) {
                case "local" -> Sharing.LOCAL;
                case "shared", "shared_storage", "shared-storage" -> Sharing.SHARED_STORAGE;
                default -> Sharing.AUTO;
            };
        }
        return s == Sharing.AUTO ? fs.shared() : s == Sharing.SHARED_STORAGE;
    }

    /**
     * Returns the file system the file is on.
     *
     * @return its kind
     */
    public FileSystemKind fileSystem() {
        return fileSystem;
    }

    /**
     * Returns true in the shared-storage mode.
     *
     * @return whether the index is read under the lock and with pread only
     */
    public boolean sharedStorage() {
        return shared;
    }

    // ------------------------------------------------------------------ locking and the index

    /**
     * Runs a step with the JVM lock and the file's exclusive {@code flock} held and the index
     * rescanned first when another process changed the file. The step may read; a step that
     * changes the file uses {@link #withExclusiveLockForChange}.
     *
     * @param <T> the step's result type
     * @param step what to run
     * @return the step's result
     * @throws IOException when the file fails
     */
    public <T> T withExclusiveLockAndFreshIndex(Step<T> step) throws IOException {
        lock.lock();
        try {
            ensureOpen();
            file.lock(true);
            try {
                refresh();
                return step.run();
            } catch (InternalError fault) {
                throw shrunk(fault);
            } finally {
                file.unlock();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The error for a fault on a page of the file's maps (the header, a scan), which another
     * process's truncation makes vanish. In compiled code the JDK may deliver the fault a little
     * after the access that caused it, so the store's entry points turn it into a format error
     * rather than the access itself; a fault of anything else is rethrown as it is.
     */
    private PickleFormatException shrunk(InternalError fault) {
        if (fault.getMessage() == null || !fault.getMessage().contains("unsafe memory access")) {
            throw fault;
        }
        return new PickleFormatException(path, 0, "a file that keeps its size while it is read",
                "a file shrunk by another process (" + fault.getMessage() + ")", fault);
    }

    /**
     * As {@link #withExclusiveLockAndFreshIndex}, for a step that changes the file: the file is put
     * right first ({@link #putRight}), since a change appends after the last complete entry.
     *
     * @param <T> the step's result type
     * @param step what to run
     * @return the step's result
     * @throws IOException when the file fails
     */
    public <T> T withExclusiveLockForChange(Step<T> step) throws IOException {
        checkWritable();
        return withExclusiveLockAndFreshIndex(() -> {
            putRight();
            T result = step.run();
            if (shared) {
                // another node reads the file, not our pages: what was written through views goes
                // to the file before the lock is released (the lock is where its cache revalidates)
                msyncViews();
            }
            return result;
        });
    }

    /**
     * {@link #withExclusiveLockAndFreshIndex}, with an I/O failure as {@link UncheckedIOException}.
     *
     * @param <T> the step's result type
     * @param step what to run
     * @return the step's result
     */
    public <T> T unchecked(Step<T> step) {
        try {
            return withExclusiveLockAndFreshIndex(step);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * {@link #withExclusiveLockForChange}, with an I/O failure as {@link UncheckedIOException}.
     *
     * @param <T> the step's result type
     * @param step what to run
     * @return the step's result
     */
    public <T> T uncheckedChange(Step<T> step) {
        try {
            return withExclusiveLockForChange(step);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * Runs a read with the JVM lock only, optimistically: valid when the commit number did not
     * move while it ran (a seqlock); otherwise it runs again with both locks and a fresh index.
     *
     * @param <T> the read's result type
     * @param read what to read
     * @return its result
     */
    public <T> T optimistic(Step<T> read) {
        if (shared) {
            return unchecked(read);   // another machine's change is seen only at lock time
        }
        lock.lock();
        try {
            ensureOpen();
            try {
                if (unchanged()) {
                    try {
                        T v = read.run();
                        if (unchanged()) {
                            return v;
                        }
                    } catch (PickleFormatException | IOException raced) {
                        if (unchanged()) {
                            throw raced instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) raced;
                        }
                    }
                }
            } catch (InternalError fault) {
                throw shrunk(fault);
            }
            return unchecked(read);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs a step with the JVM lock only (no file lock, no refresh), on an open store.
     *
     * @param <T> the step's result type
     * @param step what to run
     * @return the step's result
     * @throws IOException when the step fails
     */
    public <T> T withJvmLock(Step<T> step) throws IOException {
        lock.lock();
        try {
            ensureOpen();
            return step.run();
        } finally {
            lock.unlock();
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
    }

    /** Throws when the store is read-only. */
    public void checkWritable() {
        if (!settings.writable()) {
            throw new UnsupportedOperationException(path + " is open read-only");
        }
    }

    private int fileCommit() {
        if (shared) {
            byte[] b = new byte[4];
            try {
                if (file.read(MemorySegment.ofArray(b), FileLayout.COMMIT_OFFSET) == 4) {
                    return MemorySegment.ofArray(b).get(I32, 0);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            throw new PickleFormatException(path, FileLayout.COMMIT_OFFSET, "the header's commit number",
                    "a file shrunk below its header by another process");
        }
        try {
            return header.get(I32, FileLayout.COMMIT_OFFSET);
        } catch (InternalError gone) {
            throw new PickleFormatException(path, FileLayout.COMMIT_OFFSET, "the header's commit number",
                    "a file shrunk below its header by another process (" + gone.getMessage() + ")", gone);
        }
    }

    /** True when no process changed the file since the index was built (no system call). */
    private boolean unchanged() {
        return fileCommit() == index.commit();
    }

    /**
     * Brings the index up to date; called with both locks held. Never writes. What another
     * process appended is read from the index's end to the file's end; what it deleted is learned
     * lazily (see {@link #live} and {@link #exactIndex}); a full rescan only when the file shrank,
     * its commit number went back (the original's vacuum resets it), its last known entry moved,
     * or its tail needs repair (docs/architecture.md, "Incremental refresh").
     */
    private void refresh() throws IOException {
        long size = file.size();
        int commit = fileCommit();
        if (index.isCurrent(commit, size)) {
            return;
        }
        if (!refreshIncrementally(commit, size)) {
            rescan(commit, size);
        }
        // views of entries that are still valid stay cached (the bytes did not move); a rescan
        // must not make a viewer map the same frame again on every change another process makes
        views.keySet().removeIf(offset -> {
            FileEntry e = index.find(offset);
            return e == null || !e.valid();
        });
    }

    /** Rebuilds the index from a scan of the whole file. */
    private void rescan(int commit, long size) throws IOException {
        try (Arena scanArena = Arena.ofConfined()) {
            EntryScanner.Result r = scan(size, scanArena, checkedValues);
            if (r.tail() == EntryScanner.Tail.CORRUPT) {
                throw new PickleFormatException(path, r.problemOffset(), r.problem(),
                        "bytes that are neither an entry nor the terminator, with " + (size - r.problemOffset())
                                + " more bytes after them (not a torn tail: repair will not cut them)");
            }
            index.reset(r.entries(), r.end(), commit, size);
            index.tornAt(r.tail() == EntryScanner.Tail.TORN ? r.end() : -1);
            staleFrameAt = r.staleFrameAt();
            deletionsUnverified = false;
        }
    }

    /**
     * Adds what other processes appended since the index was built: scans from the index's end
     * to the file's end, rereads the trailers of pending entries (the only ones that may become
     * valid) and the valid byte of each entry a new one replaces. Returns false, having changed
     * nothing, when only a full rescan can say what the file holds now.
     */
    private boolean refreshIncrementally(int commit, long size) throws IOException {
        long known = index.fileSize();
        if (known < 0 || size < known || commit < index.commit() || index.tornAt() >= 0
                || staleFrameAt >= 0 || !index.shadowed().isEmpty()) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            long end = index.end();
            EntryScanner.Result r = scanTail(end, size, arena);
            if (r == null || r.tail() == EntryScanner.Tail.CORRUPT) {
                return false;
            }
            for (FileEntry p : index.pending()) {
                FileEntry now = p.withMemoMax(intAt(p.memoOffset())).withValid(byteAt(p.validOffset()) == FileLayout.NEWTRUE);
                if (now.pending() != p.pending() && !now.pending()) {
                    checkValue(now, arena);   // finished by its writer: now Python executes it
                }
                if (!now.equals(p)) {
                    if (now.valid()) {
                        forgetIfDeleted(index.live(now.key()));
                    }
                    index.update(now);
                }
            }
            for (FileEntry e : r.entries()) {
                if (e.valid()) {
                    forgetIfDeleted(index.live(e.key()));
                }
                index.append(e);
            }
            index.committed(commit, size);
            index.tornAt(r.tail() == EntryScanner.Tail.TORN ? r.end() : -1);
            staleFrameAt = r.staleFrameAt();
            deletionsUnverified = true;
            return true;
        } catch (InternalError gone) {
            return false;   // the file shrank meanwhile: the full rescan reports it
        }
    }

    /**
     * Scans the file from the index's end; null when the index's last entry is no longer where
     * it was (another process rewrote the file in place). Only the range from the last entry's
     * head to the end is read: mapped (local mode), or with pread into memory (shared-storage
     * mode, where a map may be stale; a tail over 16 MiB, a large array appended, is mapped after
     * the lock was taken). The scan runs on that range and its offsets are moved back.
     */
    private EntryScanner.Result scanTail(long end, long size, Arena arena) throws IOException {
        FileEntry last = index.last();
        long from = last == null ? end : last.offset();
        MemorySegment m;
        if (shared && size - end <= PREAD_TAIL) {
            byte[] b = new byte[(int) (size - end)];
            if (file.read(MemorySegment.ofArray(b), end) != b.length) {
                return null;   // shrunk meanwhile
            }
            if (last != null) {
                byte[] head = new byte[FileLayout.ENTRY_PREFIX];
                if (file.read(MemorySegment.ofArray(head), from) != head.length || !sameHead(MemorySegment.ofArray(head), last)) {
                    return null;
                }
            }
            m = MemorySegment.ofArray(b);
            from = end;
        } else {
            m = file.map(from, size - from, false, false, arena);
            if (last != null && !sameHead(m, last)) {
                return null;
            }
        }
        EntryScanner.Result r = EntryScanner.scan(m, end - from, size - from);
        List<FileEntry> moved = new ArrayList<>(r.entries().size());
        for (FileEntry e : r.entries()) {
            FileEntry at = new FileEntry(e.offset() + from, e.key(), e.valueOffset() + from, e.valueLength(), e.memoMax(),
                    e.valid());
            if (r.tail() != EntryScanner.Tail.CORRUPT && !checkedValues.contains(at) && !(at.pending() && beingWritten(at))) {
                // the full rescan checks every value (deleted ones too: Python executes them); an
                // appended entry must be held to the same rule
                ValueStructure.check(m, e.valueOffset(), e.valueOffset() + e.valueLength(), path, from);
                checkedValues.add(at);
            }
            moved.add(at);
        }
        return new EntryScanner.Result(moved, r.end() + from, r.tail(), r.problemOffset() + from, r.problem(),
                r.staleFrameAt() < 0 ? -1 : r.staleFrameAt() + from);
    }

    /**
     * Checks that the value of an entry whose writer has just finished it does in the whole file
     * what the layout says ({@link ValueStructure}), as a full rescan would: read with pread in the
     * shared-storage mode when it is small (never through a possibly stale map), else mapped.
     */
    private void checkValue(FileEntry e, Arena arena) throws IOException {
        if (checkedValues.contains(e)) {
            return;
        }
        MemorySegment v;
        if (shared && e.valueLength() <= PREAD_TAIL) {
            byte[] b = new byte[(int) e.valueLength()];
            if (file.read(MemorySegment.ofArray(b), e.valueOffset()) != b.length) {
                throw new PickleFormatException(path, e.valueOffset(), e.valueLength() + " bytes of value",
                        "the end of the file (shrunk by another process?)");
            }
            v = MemorySegment.ofArray(b);
        } else {
            v = file.map(e.valueOffset(), e.valueLength(), false, false, arena);
        }
        ValueStructure.check(v, 0, e.valueLength(), path, e.valueOffset());
        checkedValues.add(e);
    }

    /** True when the segment starts with an entry head of the known entry's frame length and key length. */
    private static boolean sameHead(MemorySegment m, FileEntry e) {
        return m.byteSize() >= FileLayout.ENTRY_PREFIX && m.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) == FileLayout.FRAME
                && m.get(LittleEndian.I64, 1) == e.end() - e.offset() - 9
                && m.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 10) == (byte) (e.valueOffset() - e.offset() - FileLayout.ENTRY_PREFIX);
    }

    /** Marks an entry deleted in the index when its valid byte in the file says so (another process deleted it). */
    private boolean forgetIfDeleted(FileEntry e) throws IOException {
        if (e == null || !e.valid() || byteAt(e.validOffset()) == FileLayout.NEWTRUE) {
            return false;
        }
        index.update(e.withValid(false));
        views.remove(e.offset());
        return true;
    }

    /**
     * Returns the valid entry of a key, or null, checking its valid byte when other processes
     * committed since the index last learned their deletions. Called under the JVM lock.
     */
    FileEntry liveEntry(String key) throws IOException {
        FileEntry e = index.live(key);
        if (e != null && deletionsUnverified && forgetIfDeleted(e)) {
            return index.live(key);
        }
        return e;
    }

    /**
     * Returns the index with every deletion by another process learned (the valid byte of each
     * valid entry read again: O(keys) reads of memory, no parsing); for what lists all keys.
     */
    private EntryIndex exactIndex() throws IOException {
        if (deletionsUnverified) {
            for (FileEntry e : index.validEntries()) {
                forgetIfDeleted(e);
            }
            deletionsUnverified = false;
        }
        return index;
    }

    /** True while deletions by other processes may be missing from the index (with the locks held). */
    boolean deletionsUnverified() {
        return deletionsUnverified;
    }

    /** The byte at an offset inside the file, through the long-lived maps. */
    private byte byteAt(long offset) throws IOException {
        if (shared) {
            byte[] b = new byte[1];
            if (file.read(MemorySegment.ofArray(b), offset) != 1) {
                throw new PickleFormatException(path, offset, "a file that holds the entries the index knows",
                        "a file shrunk by another process");
            }
            return b[0];
        }
        try {
            return windows.byteAt(offset);
        } catch (InternalError gone) {
            throw shrunk(gone);
        }
    }

    /** The little-endian int at an offset inside the file, through the long-lived maps. */
    private int intAt(long offset) throws IOException {
        if (shared) {
            byte[] b = new byte[4];
            if (file.read(MemorySegment.ofArray(b), offset) != 4) {
                throw new PickleFormatException(path, offset, "a file that holds the entries the index knows",
                        "a file shrunk by another process");
            }
            return MemorySegment.ofArray(b).get(I32, 0);
        }
        try {
            return windows.intAt(offset);
        } catch (InternalError gone) {
            throw shrunk(gone);
        }
    }


    /**
     * Scans the file's entries through a map of {@code size} bytes. A process that shrinks the
     * file meanwhile (not one of ours: they hold the lock) makes the map's pages vanish; the JDK
     * reports that as an {@link InternalError}, which becomes a format error naming the file.
     */
    EntryScanner.Result scan(long size, Arena arena) throws IOException {
        return scan(size, arena, null);
    }

    /**
     * Scans as {@link #scan(long, Arena)} does and, with {@code checked} given, checks every value
     * not checked before (deleted ones included: Python executes them) to do in the whole file what
     * the layout says ({@link EntryDecoder#checkValues}).
     */
    private EntryScanner.Result scan(long size, Arena arena, Set<FileEntry> checked) throws IOException {
        if (size < FileLayout.HEADER_LENGTH) {
            throw new PickleFormatException(path, size, "at least the " + FileLayout.HEADER_LENGTH + "-byte header",
                    "a file of " + size + " bytes (shrunk by another process?)");
        }
        MemorySegment all = file.map(0, size, false, false, arena);
        try {
            EntryScanner.Result r = EntryScanner.scan(all, FileLayout.HEADER_LENGTH, size);
            if (checked != null && r.tail() != EntryScanner.Tail.CORRUPT) {
                EntryDecoder.checkValues(all, path, r.entries(), checked, this::beingWritten);
            }
            return r;
        } catch (InternalError gone) {
            throw new PickleFormatException(path, size, "a file of at least " + size + " bytes while it is scanned",
                    "a file shrunk by another process during the scan (" + gone.getMessage() + ")", gone);
        }
    }

    /**
     * Puts the file right, with both locks held and the index fresh: cuts a torn tail a crashed
     * writer left (see {@link #repairTail}), and deletes the entries a later valid entry of the
     * same key shadows (a writer that crashed between writing a replacement and deleting what it
     * replaced: the later one wins, as in {@code pickle.load}, and a later delete of the key must
     * not bring the earlier back).
     */
    void putRight() throws IOException {
        if (index.tornAt() >= 0) {
            repairTail(index.tornAt());
        }
        if (staleFrameAt >= 0) {
            // the entry's head was torn by a power loss after its body was synced: finish the head
            FileEntry e = index.at(staleFrameAt);
            byte[] frame = new byte[8];
            MemorySegment.ofArray(frame).set(LittleEndian.I64, 0, e.end() - e.offset() - 9);
            file.write(frame, e.offset() + 1);
            LOG.log(System.Logger.Level.WARNING, "{0}: completed the torn frame length of the entry at {1}", path,
                    e.offset());
            staleFrameAt = -1;
            commit();
            sync(settings.durability(), false);
        }
        if (!index.shadowed().isEmpty()) {
            for (FileEntry e : index.shadowed()) {
                markDeleted(e);
            }
            commit();
            sync(settings.durability(), false);
        }
    }

    /**
     * Cuts a torn tail: the terminator goes (back) right after the last complete entry before the
     * file is cut there, so the repair itself needs no new space where the terminator survived.
     */
    private void repairTail(long end) throws IOException {
        long size = file.size();
        byte[] at = new byte[FileLayout.TERMINATOR_LENGTH];
        long n = file.read(MemorySegment.ofArray(at), end);
        boolean kept = n == at.length && FileLayout.isTerminator(at, 0);
        if (!kept) {
            file.write(FileLayout.terminator(), end);
        }
        file.truncate(end + FileLayout.TERMINATOR_LENGTH);
        lastRepair = new RepairReport(index.all().size(), end, size - end - (kept ? FileLayout.TERMINATOR_LENGTH : 0));
        index.tornAt(-1);
        LOG.log(System.Logger.Level.WARNING, "{0}: repaired a torn tail: cut {1} bytes at offset {2}, kept {3} entries",
                path, lastRepair.droppedBytes(), end, index.all().size());
        commit();
    }

    /** Writes the next commit number and records the new file state in the index. */
    void commit() throws IOException {
        int next = FileLayout.nextCommit(fileCommit());
        byte[] b = new byte[4];
        MemorySegment.ofArray(b).set(I32, 0, next);
        file.write(b, FileLayout.COMMIT_OFFSET);
        index.committed(next, index.end() + FileLayout.TERMINATOR_LENGTH);
    }

    /** The next commit number after the file's current one. */
    int nextCommit() {
        return FileLayout.nextCommit(fileCommit());
    }

    /** Syncs when the durability asks for it ({@code dataOnly}: fdatasync). */
    void sync(Durability d, boolean dataOnly) throws IOException {
        if (d == Durability.DURABLE) {
            file.fsync(dataOnly);
        }
    }

    // ------------------------------------------------------------------ entries

    /**
     * Appends an entry (see {@link EntryWriter#write}: its body first, then, after a sync when
     * the change is durable, the bytes that link it in) and adds it to the index. A failure puts
     * the tail back as it was, so the file stays a loadable pickle without the new entry.
     */
    FileEntry appendEntry(byte[] key, EncodedValue value, int memoMax, boolean valid, boolean skipPayloads, Durability d)
            throws IOException {
        long end = index.end();
        FileEntry e;
        try {
            e = EntryWriter.write(file, end, key, value, memoMax, valid, skipPayloads, () -> sync(d, true));
        } catch (IOException failed) {
            throw EntryWriter.restoreTail(file, end, failed);
        }
        index.append(e);
        return e;
    }

    /** Rewrites an entry's memo-max and valid byte (6 contiguous bytes from the memo offset). */
    void writeTrailer(FileEntry e) throws IOException {
        byte[] suffix = FileLayout.entrySuffix(e.memoMax(), e.valid());
        file.write(MemorySegment.ofArray(suffix).asSlice(1, 6), e.memoOffset());
        index.update(e);
    }

    /** Marks an entry deleted (one byte) and forgets its cached view. */
    void markDeleted(FileEntry e) throws IOException {
        file.write(new byte[] {FileLayout.POP}, e.validOffset());
        index.update(e.withValid(false));
        views.remove(e.offset());
    }

    /**
     * Stores an encoded value under a key in one locked step (values below the two-phase size),
     * deleting what it replaces; returns the previous value when asked.
     */
    Object appendValue(String key, byte[] k, EntryEncoder.Prepared prepared, boolean wantPrevious, Durability d)
            throws IOException {
        return withExclusiveLockForChange(() -> {
            FileEntry old = liveEntry(key);
            Object previous = wantPrevious && old != null ? readValue(old) : null;
            EncodedValue value = prepared.encoded(valueOffsetFor(k), index.memoStart());
            appendEntry(k, value, value.memoMax(), true, false, d);
            sync(d, true);   // the new entry is on the device before the old one is deleted
            if (old != null) {
                markDeleted(old);
            }
            commit();
            sync(d, false);
            return previous;
        });
    }

    /** Where a new entry's value would start now. */
    long valueOffsetFor(byte[] key) {
        return index.end() + FileLayout.ENTRY_PREFIX + key.length;
    }

    /**
     * Stores a value: encoded before any lock (with guesses of where it lands), then appended
     * in one step or, for large array payloads, in two phases ({@link TwoPhaseAppend}).
     *
     * @param key the key
     * @param value the value
     * @param format the array layout to write
     * @param wantPrevious whether to read and return the replaced value
     * @param d the change's durability
     * @return the previous value, when asked for
     */
    public Object put(String key, Object value, ArrayFormat format, boolean wantPrevious, Durability d) {
        byte[] k = FileLayout.keyBytes(key);
        checkWritable();
        long guessOffset;
        int guessMemo;
        lock.lock();
        try {
            guessOffset = valueOffsetFor(k);
            guessMemo = index.memoStart();
        } finally {
            lock.unlock();
        }
        EntryEncoder.Prepared prepared = EntryEncoder.prepare(value, settings.codecs(), path, format, guessOffset,
                guessMemo);
        try {
            if (prepared.payloadBytes() >= TwoPhaseAppend.TWO_PHASE_BYTES) {
                return new TwoPhaseAppend(this, key, k, prepared, d).run(wantPrevious);
            }
            return appendValue(key, k, prepared, wantPrevious, d);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * Adds an array whose payload is left sparse (or reserved) and returns its writable view.
     *
     * @param key the key
     * @param dtype the element type
     * @param reserve whether to allocate the payload's disk blocks now
     * @param shape the shape
     * @return the view
     * @throws IOException when the file fails (a full disk, with {@code reserve})
     */
    public NDArray allocate(String key, org.mmappickle.DType dtype, boolean reserve, long... shape) throws IOException {
        byte[] k = checkAllocation(key, dtype, shape);
        return withExclusiveLockForChange(() -> {
            FileEntry old = liveEntry(key);
            long valueOffset = valueOffsetFor(k);
            EncodedValue value = EntryEncoder.allocation(dtype, shape, settings.arrayFormat(), valueOffset);
            if (reserve && value.payloadBytes() > 0) {
                try {
                    file.reserve(valueOffset + value.payloadOffset(0), value.payloadBytes());
                } catch (IOException full) {
                    throw EntryWriter.restoreTail(file, index.end(), full);
                }
            }
            FileEntry e = appendEntry(k, value, 0, true, true, settings.durability());
            if (old != null) {
                sync(settings.durability(), true);   // the new entry is on the device before the old one is deleted
                markDeleted(old);
            }
            commit();
            sync(settings.durability(), false);
            return (NDArray) readValue(e);
        });
    }

    /**
     * Adds an array as a pending entry (its payload's blocks reserved where the file system allows)
     * and returns its writer: the key stays invisible until the writer publishes it.
     *
     * @param key the key
     * @param dtype the element type
     * @param shape the shape
     * @return the writer
     * @throws IOException when the file fails (a full disk while reserving)
     */
    public org.mmappickle.ArrayWriter allocatePending(String key, org.mmappickle.DType dtype, long... shape)
            throws IOException {
        byte[] k = checkAllocation(key, dtype, shape);
        long[] s = shape.clone();
        ArrayFormat format = settings.arrayFormat();
        return PendingArray.start(this, key, new TwoPhaseAppend(this, key, k,
                (valueOffset, memoStart) -> EntryEncoder.allocation(dtype, s, format, valueOffset), settings.durability()));
    }

    /** Checks an allocation before any lock is taken; returns the key's bytes. */
    private byte[] checkAllocation(String key, org.mmappickle.DType dtype, long[] shape) {
        byte[] k = FileLayout.keyBytes(key);
        checkWritable();
        EntryEncoder.payloadLength(dtype, shape);   // checks the shape before taking any lock
        if (settings.codecs().stream().noneMatch(c -> c instanceof org.mmappickle.codec.NDArrayCodec)) {
            throw new IllegalArgumentException("this dict's codecs " + settings.codecs() + " include no NDArrayCodec:"
                    + " it could not read the allocated array back as a view of the file");
        }
        return k;
    }

    /**
     * Deletes the valid entries of some keys in one commit; returns how many there were.
     *
     * @param keys the keys
     * @param d the change's durability
     * @return how many were present
     */
    public int delete(List<String> keys, Durability d) {
        return uncheckedChange(() -> {
            int n = 0;
            for (String k : keys) {
                FileEntry e = liveEntry(k);
                if (e != null) {
                    markDeleted(e);
                    n++;
                }
            }
            if (n > 0) {
                commit();
                sync(d, false);
            }
            return n;
        });
    }

    /**
     * Removes a key and returns its previous value, or null.
     *
     * @param key the key
     * @return the value it had
     */
    public Object remove(String key) {
        return uncheckedChange(() -> {
            FileEntry e = liveEntry(key);
            if (e == null) {
                return null;
            }
            Object previous = readValue(e);
            markDeleted(e);
            commit();
            sync(settings.durability(), false);
            return previous;
        });
    }

    // ------------------------------------------------------------------ reading

    /** Reads an entry's value through the codecs: a view of the map (kept) or a copy. Called under the JVM lock. */
    Object readValue(FileEntry e) throws IOException {
        Object cached = views.get(e.offset());
        if (cached != null) {
            return cached;
        }
        EntryDecoder.Decoded d = EntryDecoder.read(file, path, e, settings.writable(), settings.codecs(), windows);
        if (d.view()) {
            views.put(e.offset(), d.value());
            viewsHandedOut = true;
        }
        return d.value();
    }

    /**
     * Returns the value of a key, or null (arrays as views, the same view for repeated calls).
     *
     * @param key the key
     * @return its value
     */
    public Object get(String key) {
        return optimistic(() -> {
            FileEntry e = liveEntry(key);
            return e == null ? null : readValue(e);
        });
    }

    /**
     * Returns true when the key has a value.
     *
     * @param key the key
     * @return whether it is present
     */
    public boolean containsKey(String key) {
        return optimistic(() -> liveEntry(key) != null);
    }

    /** Returns the index with every deletion learned (with the locks held by the caller). */
    EntryIndex index() throws IOException {
        return exactIndex();
    }

    /**
     * Returns the number of keys.
     *
     * @return the count
     */
    public int size() {
        return unchecked(() -> exactIndex().size());
    }

    /**
     * Returns the valid keys in file order (a copy).
     *
     * @return the keys
     */
    public List<String> keys() {
        return unchecked(() -> new ArrayList<>(exactIndex().keys()));
    }

    /**
     * Returns the commit number and the offset of every valid entry, read under one lock hold
     * (a watcher compares them with its previous look).
     *
     * @return the commit number the offsets belong to, and the offsets by key
     */
    public Snapshot snapshot() {
        return unchecked(() -> {
            Map<String, Long> out = new java.util.LinkedHashMap<>();
            EntryIndex exact = exactIndex();
            for (String k : exact.keys()) {
                out.put(k, exact.live(k).offset());
            }
            return new Snapshot(index.commit(), out);
        });
    }

    /**
     * The valid keys and their entries' offsets at one commit.
     *
     * @param commit the commit number
     * @param offsets entry offsets by key, in file order
     */
    public record Snapshot(int commit, Map<String, Long> offsets) {
    }

    /**
     * Returns every entry, valid or deleted, in file order; an entry marked pending whose writer
     * is gone (its pending lock is free) is reported as not pending.
     *
     * @return the entries
     */
    public List<EntryInfo> entries() {
        return unchecked(() -> {
            List<EntryInfo> out = new ArrayList<>(exactIndex().all().size());
            try (Arena arena = Arena.ofConfined()) {
                long size = file.size();
                MemorySegment all = file.map(0, size, false, false, arena);
                for (FileEntry e : index.all()) {
                    // a writer holds the pending lock while it copies: without it, the writer is gone
                    boolean abandoned = e.pending() && !ownPending.contains(e.offset()) && !pendingLockHeld(e);
                    out.add(describe(all, e, abandoned));
                }
            } catch (InternalError gone) {
                throw new PickleFormatException(path, 0, "a file that stays whole while its entries are described",
                        "a file shrunk by another process (" + gone.getMessage() + ")", gone);
            }
            return out;
        });
    }

    /** An entry's facts, with what its value is told by the array grammar (a malformed array is a generic value). */
    private EntryInfo describe(MemorySegment all, FileEntry e, boolean abandoned) {
        // a malformed array value is listed as a generic value: reading it says what is wrong
        ArrayLayout.Parsed p = e.valueOffset() + e.valueLength() <= all.byteSize()
                && ArrayLayout.read(all.asSlice(e.valueOffset(), e.valueLength()), path, e.valueOffset())
                        instanceof ArrayLayout.Parsed parsed ? parsed : null;
        long length = e.end() - e.offset();
        if (p == null) {
            return new EntryInfo(e.key(), e.offset(), length, e.valueOffset(), e.valueLength(), e.memoMax(), e.valid(),
                    e.pending() && !abandoned, abandoned, EntryInfo.Kind.VALUE, null, null, null, 0);
        }
        EntryInfo.Kind kind = p.mask() == null ? EntryInfo.Kind.NDARRAY : EntryInfo.Kind.MASKED;
        long payload = p.data().payloadLength() + (p.mask() == null ? 0 : p.mask().payloadLength());
        return new EntryInfo(e.key(), e.offset(), length, e.valueOffset(), e.valueLength(), e.memoMax(), e.valid(),
                e.pending() && !abandoned, abandoned, kind, p.layout(), p.data().dtype(), p.data().shape().clone(), payload);
    }

    /** True when this store or another process is copying the payload of a pending entry now. */
    private boolean beingWritten(FileEntry e) {
        try {
            return ownPending.contains(e.offset()) || pendingLockHeld(e);
        } catch (IOException cannotTell) {
            return true;   // not knowing, leave it to the writer that may be copying it
        }
    }

    /** True when another process holds the lock of a pending entry (it is copying the payload now). */
    boolean pendingLockHeld(FileEntry e) throws IOException {
        return file.ofdConflicts(true, PENDING_LOCK + e.offset(), 1);
    }

    /**
     * Returns the commit number in the file right now, read through the map (no system call).
     *
     * @return the commit number
     */
    public int currentCommit() {
        if (shared && !lock.isHeldByCurrentThread()) {
            return unchecked(this::fileCommit);   // read under the lock, where the file system is coherent
        }
        lock.lock();
        try {
            ensureOpen();
            return fileCommit();
        } catch (InternalError fault) {
            throw shrunk(fault);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the commit number the index describes (after a refresh).
     *
     * @return the commit number
     */
    public int commitNumber() {
        return unchecked(index::commit);
    }

    /**
     * Returns the bytes of disk the file occupies.
     *
     * @return allocated bytes
     * @throws IOException when fstat fails
     */
    public long allocatedBytes() throws IOException {
        return withJvmLock(file::allocatedBytes);
    }

    /**
     * Returns what the last repair of a torn tail did, if one was needed.
     *
     * @return the repair, or null
     */
    public RepairReport lastRepair() {
        lock.lock();
        try {
            return lastRepair;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the file's path.
     *
     * @return the path it was opened with
     */
    public Path path() {
        return path;
    }

    /**
     * Returns the settings.
     *
     * @return how the store reads and writes
     */
    public Settings settings() {
        return settings;
    }

    /**
     * Returns true once closed.
     *
     * @return whether {@link #close} ran
     */
    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ for the store's other classes

    NativeFile file() {
        return file;
    }

    Set<Long> ownPending() {
        return ownPending;
    }

    Map<Long, Object> views() {
        return views;
    }

    boolean viewsHandedOut() {
        return viewsHandedOut;
    }

    ReentrantLock jvmLock() {
        return lock;
    }

    /**
     * Runs a use of the descriptor made without the JVM lock (a payload copy): it fails with the
     * closed-dict exception once {@link #close} (or a compaction) took the descriptor, and the
     * descriptor stays open until it is done.
     */
    /** The long-lived maps array views are slices of (swapped only while no payload is being written). */
    MappedWindows windows() {
        return windows;
    }

    <T> T useDescriptor(Step<T> use) throws IOException {
        descriptor.readLock().lock();
        try {
            ensureOpen();
            return use.run();
        } finally {
            descriptor.readLock().unlock();
        }
    }

    /** Swaps the descriptor for one of the file now at the path (after compaction renamed a new file over it). */
    void reopenAfterRename() throws IOException {
        NativeFile fresh = NativeFile.open(path, NativeFile.Mode.READ_WRITE);
        boolean ok = false;
        descriptor.writeLock().lock();
        try {
            fresh.lock(true);
            fresh.ofdLock(false, PRESENCE_LOCK, 1, false);
            NativeFile old = file;
            file = fresh;
            windows.close();   // the old file's maps of big values, as old.close() does for the rest
            windows = new MappedWindows(fresh, settings.writable());
            old.close();   // drops the old file's flock, presence lock and maps
            header = file.map(0, FileLayout.HEADER_LENGTH, false, false);
            views.clear();
            index.invalidate();
            refresh();
            ok = true;
        } finally {
            descriptor.writeLock().unlock();
            if (!ok) {
                fresh.close();
            }
        }
    }

    /**
     * Writes everything changed, including through array views, to the device.
     *
     * @throws IOException when msync or fsync fails
     */
    public void flush() throws IOException {
        withJvmLock(() -> {
            msyncViews();
            file.fsync(false);
            return null;
        });
    }

    /** Writes the dirty pages of the writable array views handed out back to the file (msync). */
    private void msyncViews() throws IOException {
        for (Object v : views.values()) {
            if (v instanceof NDArray a && !a.isReadOnly()) {
                file.msync(a.segment(), true);
            } else if (v instanceof MaskedArray m && !m.data().isReadOnly()) {
                file.msync(m.data().segment(), true);
                file.msync(m.mask().segment(), true);
            }
        }
    }

    /**
     * Closes the file: waits for a payload copy's current chunk (the copy then fails with the
     * closed-dict exception), then unmaps every view and closes the descriptor; idempotent.
     *
     * @throws IOException when close fails
     */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            descriptor.writeLock().lock();
            try {
                closed = true;
                views.clear();
                windows.close();
                file.close();
            } finally {
                descriptor.writeLock().unlock();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether a file exists at a path without following a link. */
    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
