package org.mmappickle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.mmappickle.codec.Codecs;
import org.mmappickle.codec.NDArrayCodec;
import org.mmappickle.codec.ValueCodec;
import org.mmappickle.internal.format.FileEntry;
import org.mmappickle.internal.format.EntryDecoder;
import org.mmappickle.internal.format.EntryEncoder;
import org.mmappickle.internal.format.EntryIndex;
import org.mmappickle.internal.format.EntryPlan;
import org.mmappickle.internal.format.EntryScanner;
import org.mmappickle.internal.format.EntryWriter;
import org.mmappickle.internal.format.FileLayout;
import org.mmappickle.internal.io.NativeFile;

/**
 * A dictionary stored in an mmappickle file: a {@code Map<String, Object>} whose changes go to the
 * file at once and whose numpy arrays are views of the file's memory map.
 *
 * <pre>{@code
 * try (MmapDict m = MmapDict.open(Path.of("/tmp/test.mmdpickle"))) {   // created when missing
 *     m.put("a_sample_key", "value");
 *     m.put("other_key", List.of(1, 2, 3));
 *     NDArray cube = m.allocate("frame", DType.FLOAT32, 200, 640, 480);   // never held in RAM
 *     cube.setFloat(1.5f, 0, 10, 10);                                     // written in place
 * }
 * }</pre>
 *
 * <p><b>Values.</b> Keys are strings of at most 255 UTF-8 bytes. {@link NDArray}s, {@link
 * MaskedArray}s and Java primitive arrays ({@code double[]}, {@code float[]}, {@code long[]},
 * {@code int[]}, {@code short[]}, {@code boolean[]}) are stored as array entries; {@code get}
 * returns them as views of the file (writable when the dict is), valid until the dict is closed.
 * Every other value is pickled (see the README's type mapping table); {@code get} returns a fresh
 * copy of it. A value that cannot be pickled is rejected before the file is touched. Which types
 * become which entries is decided by the dict's value codecs ({@link Options#codecs}), the
 * counterpart of the original's picklers; codecs on the class path are found by {@code ServiceLoader}.
 *
 * <p><b>Sharing.</b> Every change takes the file's exclusive {@code flock}, as Python's mmappickle
 * does, so Java and Python processes exclude each other; the threads of one JVM may share one
 * dict. Each change updates the commit number (offset 18); reads check it through a memory map,
 * without a system call, and rescan the file only when it moved. Large array payloads are copied
 * with the lock released (the entry stays marked deleted until its bytes are complete), so
 * readers never wait for a copy.
 *
 * <p><b>Errors.</b> {@code Map} methods wrap I/O failures in {@link UncheckedIOException};
 * malformed files raise {@link PickleFormatException}; a read-only dict throws {@link
 * UnsupportedOperationException} from every change.
 */
public final class MmapDict extends AbstractMap<String, Object> implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MmapDict.class.getName());
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Array payloads of at least this size are copied with the lock released (two-phase append). */
    private static final long TWO_PHASE_BYTES = 1L << 20;
    /** Large payloads are copied in chunks of this size (progress reports, bounded critical calls). */
    private static final long COPY_CHUNK = 64L << 20;
    private static final long HUGE_PAGE = 2L << 20;
    /** BINBYTES8 opcode and its u64 length: the head of a vacuumed value. */
    private static final int FILLER_HEADER = 9;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Byte of the presence lock every open dict holds shared (DESIGN.md "Locks"); far beyond any real offset. */
    static final long PRESENCE_LOCK = 1L << 62;
    /** Base of the per-entry locks a writer holds while it copies a payload (PENDING_LOCK + entry offset). */
    static final long PENDING_LOCK = PRESENCE_LOCK + 1;

    /** How to open a file. */
    public static final class Options {
        private boolean readOnly;
        private boolean create = true;
        private ArrayFormat arrayFormat = ArrayFormat.OURS;
        private Durability durability = Durability.PAGE_CACHE;
        private CopyProgress progress;
        private List<ValueCodec> codecs;

        /** Starts from the defaults: read-write, created when missing, our array layout, page-cache durability. */
        public Options() {
        }

        /** Opens read-only: every change throws, the file is never written. */
        public Options readOnly(boolean value) {
            this.readOnly = value;
            return this;
        }

        /** Whether a missing file is created (default true). */
        public Options create(boolean value) {
            this.create = value;
            return this;
        }

        /** The layout of array entries this dict writes (default {@link ArrayFormat#OURS}). */
        public Options arrayFormat(ArrayFormat value) {
            this.arrayFormat = Objects.requireNonNull(value);
            return this;
        }

        /**
         * The value codecs this dict reads and writes with, tried in decreasing priority (the
         * original's {@code picklers=}); an explicit list restricts the dict to them. Default (or
         * null): {@link Codecs#defaults()}, the built-ins and those {@link java.util.ServiceLoader}
         * finds. A value that no codec of the list can write is refused; an entry that none
         * recognises is read by the generic reader.
         */
        public Options codecs(List<ValueCodec> value) {
            this.codecs = value == null ? null : List.copyOf(value);
            return this;
        }

        /** Told how far the copy of each large array payload has gone (default: nobody). */
        public Options progress(CopyProgress value) {
            this.progress = value;
            return this;
        }

        /** When changes are safe from a crash (default {@link Durability#PAGE_CACHE}). */
        public Options durability(Durability value) {
            this.durability = Objects.requireNonNull(value);
            return this;
        }
    }

    private final Path path;
    private NativeFile file;
    private final boolean writable;
    private final ArrayFormat arrayFormat;
    /** The value codecs, in the order they are tried. */
    private final List<ValueCodec> codecs;
    private final Durability durability;
    private final CopyProgress progress;
    /** Guards everything below between the threads of this JVM; the flock guards against other processes. */
    private final ReentrantLock lock = new ReentrantLock();
    private final EntryIndex index = new EntryIndex();
    /** Array views handed out, by entry offset, so that a repeated get costs no system call. */
    private final Map<Long, Object> views = new HashMap<>();
    private MemorySegment header;
    private RepairReport lastRepair;
    private boolean closed;
    /** True once an array view was handed out: compaction would strand it on the old file. */
    private boolean viewsHandedOut;
    /** Offsets of entries whose payload this dict is copying now (their OFD locks do not conflict with our own). */
    private final java.util.Set<Long> ownPending = new java.util.HashSet<>();

    private MmapDict(Path path, NativeFile file, Options o) {
        this.path = path;
        this.file = file;
        this.writable = !o.readOnly;
        this.arrayFormat = o.arrayFormat;
        this.codecs = Codecs.inPriorityOrder(o.codecs != null ? o.codecs : Codecs.defaults());
        this.durability = o.durability;
        this.progress = o.progress;
    }

    /** How often an open tries again when another process renames a new file over the path meanwhile. */
    private static final int OPEN_ATTEMPTS = 100;

    /** Opens a file read-write, creating it when missing. */
    public static MmapDict open(Path path) throws IOException {
        return open(path, new Options());
    }

    /**
     * Opens a file read-only.
     *
     * @throws java.nio.file.NoSuchFileException when the file does not exist
     */
    public static MmapDict openReadOnly(Path path) throws IOException {
        return open(path, new Options().readOnly(true));
    }

    /**
     * Opens a file with options. A writable open of an empty file writes the empty dict; a writable
     * open of a file whose tail was torn by a crash repairs it ({@link #lastRepair()}); a file not
     * in the layout is left unchanged and raises {@link NotMmapPickleException}.
     */
    public static MmapDict open(Path path, Options options) throws IOException {
        NativeFile.Mode mode = options.readOnly ? NativeFile.Mode.READ
                : options.create ? NativeFile.Mode.CREATE : NativeFile.Mode.READ_WRITE;
        // a compaction or conversion by another process may rename a new file over the path between
        // our open and our lock: then the descriptor holds the old file, and we open again
        for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
            NativeFile f = NativeFile.open(path, mode);
            boolean ok = false;
            try {
                MmapDict d = new MmapDict(path, f, options);
                if (d.initialize()) {
                    ok = true;
                    return d;
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
     * Opens a dict on a file this library has just created exclusively (conversion writes through
     * the descriptor it created, never through a name another process could re-point).
     */
    static MmapDict openCreated(Path path, NativeFile created) throws IOException {
        MmapDict d = new MmapDict(path, created, new Options());
        if (!d.initialize()) {
            d.close();
            throw new IOException(path + " was replaced by another process while it was being written");
        }
        return d;
    }

    /** Checks or writes the header and builds the index; false when the path now names another file. */
    private boolean initialize() throws IOException {
        lock.lock();
        try {
            file.lock(true);
        } catch (IOException | RuntimeException e) {
            lock.unlock();
            throw e;
        }
        try {
            if (!file.isStillAt(path)) {
                return false;
            }
            long size = file.size();
            if (size == 0 && writable) {
                byte[] init = new byte[FileLayout.HEADER_LENGTH + FileLayout.TERMINATOR_LENGTH];
                System.arraycopy(FileLayout.header(0), 0, init, 0, FileLayout.HEADER_LENGTH);
                System.arraycopy(FileLayout.terminator(), 0, init, FileLayout.HEADER_LENGTH, FileLayout.TERMINATOR_LENGTH);
                file.write(init, 0);
                sync(false);
                size = init.length;
            }
            byte[] head = new byte[(int) Math.min(size, FileLayout.HEADER_LENGTH)];
            file.read(MemorySegment.ofArray(head), 0);
            if (!FileLayout.isHeader(head)) {
                throw FileClassifier.classify(path, file, size);
            }
            if (!file.ofdLock(false, PRESENCE_LOCK, 1, false)) {
                throw new IOException(path + " is being compacted by another process; try again when it is done");
            }
            header = file.map(0, FileLayout.HEADER_LENGTH, false, false);
            refresh();
            removeLeftoverCompaction();
            return true;
        } finally {
            file.unlock();
            lock.unlock();
        }
    }

    /**
     * Removes the {@code FILE.compacting} a killed compaction left beside the file, on a writable
     * open or repair: with the file's lock and presence lock held no compaction of it can be
     * running (one holds the lock from its first byte to its rename).
     */
    private void removeLeftoverCompaction() throws IOException {
        Path left = Compaction.leftover(path);
        if (!writable && java.nio.file.Files.exists(left, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            LOG.log(System.Logger.Level.WARNING, "{0}: {1} was left by a compaction that was killed;"
                    + " the next writable open or repair removes it", path, left);
        } else if (writable && java.nio.file.Files.exists(left, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            long size = java.nio.file.Files.size(left);
            java.nio.file.Files.delete(left);
            LOG.log(System.Logger.Level.WARNING, "{0}: removed {1} ({2} bytes), left by a compaction that was killed",
                    path, left, size);
        }
    }

    /**
     * Returns the {@code FILE.compacting} that a killed compaction left beside this file, if one is
     * there now (a writable open and {@link #repair()} remove it; a read-only open only reports it).
     */
    public Optional<Path> leftoverCompaction() {
        Path left = Compaction.leftover(path);
        return java.nio.file.Files.exists(left, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? Optional.of(left)
                : Optional.empty();
    }

    // ------------------------------------------------------------------ locking and the index

    /** A step that runs with both locks held and the index current. */
    @FunctionalInterface
    private interface Locked<T> {
        T run() throws IOException;
    }

    private <T> T locked(Locked<T> step) throws IOException {
        lock.lock();
        try {
            ensureOpen();
            file.lock(true);
            try {
                refresh();
                return step.run();
            } finally {
                file.unlock();
            }
        } finally {
            lock.unlock();
        }
    }

    private <T> T unchecked(Locked<T> step) {
        try {
            return locked(step);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
    }

    private void checkWritable() {
        if (!writable) {
            throw new UnsupportedOperationException(path + " is open read-only");
        }
    }

    private int fileCommit() {
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

    /** Brings the index up to date; called with both locks held. */
    private void refresh() throws IOException {
        long size = file.size();
        int commit = fileCommit();
        if (index.isCurrent(commit, size)) {
            return;
        }
        try (Arena scanArena = Arena.ofConfined()) {
            EntryScanner.Result r = scan(size, scanArena);
            switch (r.tail()) {
                case CLEAN -> index.reset(r.entries(), r.end(), commit, size);
                case TORN -> {
                    index.reset(r.entries(), r.end(), commit, size);
                    if (writable) {
                        repairTail(r, size);
                    }
                }
                case CORRUPT -> throw new PickleFormatException(path, r.problemOffset(), r.problem(),
                        "bytes that are neither an entry nor the terminator, with " + (size - r.problemOffset())
                                + " more bytes after them (not a torn tail: repair will not cut them)");
            }
        }
        // views of entries that are still valid stay cached (the bytes did not move); a rescan
        // must not make a viewer map the same frame again on every change another process makes
        views.keySet().removeIf(offset -> {
            FileEntry e = index.find(offset);
            return e == null || !e.valid();
        });
        if (writable && !index.shadowed().isEmpty()) {
            // finish the replacements a crashed writer left half done: the later entry wins
            for (FileEntry e : index.shadowed()) {
                markDeleted(e);
            }
            commit();
            sync(false);
        }
    }

    /**
     * Scans the file's entries through a map of {@code size} bytes. A process that shrinks the
     * file meanwhile (not one of ours: they hold the lock) makes the map's pages vanish; the JDK
     * reports that as an {@link InternalError}, which becomes a format error naming the file.
     */
    private EntryScanner.Result scan(long size, Arena arena) throws IOException {
        if (size < FileLayout.HEADER_LENGTH) {
            throw new PickleFormatException(path, size, "at least the " + FileLayout.HEADER_LENGTH + "-byte header",
                    "a file of " + size + " bytes (shrunk by another process?)");
        }
        MemorySegment all = file.map(0, size, false, false, arena);
        try {
            return EntryScanner.scan(all, FileLayout.HEADER_LENGTH, size);
        } catch (InternalError gone) {
            throw new PickleFormatException(path, size, "a file of at least " + size + " bytes while it is scanned",
                    "a file shrunk by another process during the scan (" + gone.getMessage() + ")", gone);
        }
    }

    /**
     * Cuts a torn tail: the terminator goes (back) right after the last complete entry before the
     * file is cut there, so the repair itself needs no new space where the terminator survived.
     */
    private void repairTail(EntryScanner.Result r, long size) throws IOException {
        byte[] at = new byte[FileLayout.TERMINATOR_LENGTH];
        long n = file.read(MemorySegment.ofArray(at), r.end());
        boolean kept = n == at.length && FileLayout.isTerminator(at, 0);
        if (!kept) {
            file.write(FileLayout.terminator(), r.end());
        }
        file.truncate(r.end() + FileLayout.TERMINATOR_LENGTH);
        lastRepair = new RepairReport(r.entries().size(), r.end(), size - r.end() - (kept ? FileLayout.TERMINATOR_LENGTH : 0));
        LOG.log(System.Logger.Level.WARNING, "{0}: repaired a torn tail: cut {1} bytes at offset {2}, kept {3} entries",
                path, size - r.end(), r.end(), r.entries().size());
        commit();
    }

    /** Writes the next commit number and records the new file state in the index. */
    private void commit() throws IOException {
        int next = FileLayout.nextCommit(fileCommit());
        byte[] b = new byte[4];
        MemorySegment.ofArray(b).set(I32, 0, next);
        file.write(b, FileLayout.COMMIT_OFFSET);
        index.committed(next, index.end() + FileLayout.TERMINATOR_LENGTH);
    }

    private void sync(boolean dataOnly) throws IOException {
        sync(durability, dataOnly);
    }

    private void sync(Durability d, boolean dataOnly) throws IOException {
        if (d == Durability.DURABLE) {
            file.fsync(dataOnly);
        }
    }

    // ------------------------------------------------------------------ reading

    /** Reads an entry's value through the codecs: a view of the map (kept) or a copy. Called under the JVM lock. */
    private Object readValue(FileEntry e) throws IOException {
        Object cached = views.get(e.offset());
        if (cached != null) {
            return cached;
        }
        EntryDecoder.Decoded d = EntryDecoder.read(file, path, e, writable, codecs);
        if (d.view()) {
            views.put(e.offset(), d.value());
            viewsHandedOut = true;
        }
        return d.value();
    }

    /**
     * Returns the value of a key, or null. Arrays come back as views of the file (the same view
     * for repeated calls, with no system call); other values as fresh copies.
     */
    @Override
    public Object get(Object key) {
        if (!(key instanceof String k)) {
            return null;
        }
        lock.lock();
        try {
            ensureOpen();
            // optimistic read: valid if the commit number did not move while we read (a seqlock)
            if (unchanged()) {
                FileEntry e = index.live(k);
                if (e == null) {
                    return null;
                }
                try {
                    Object v = readValue(e);
                    if (unchanged()) {
                        return v;
                    }
                } catch (PickleFormatException | IOException raced) {
                    if (unchanged()) {
                        throw raced instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) raced;
                    }
                }
            }
            return unchecked(() -> {
                FileEntry e = index.live(k);
                return e == null ? null : readValue(e);
            });
        } finally {
            lock.unlock();
        }
    }

    /** Returns true when the key has a value. */
    @Override
    public boolean containsKey(Object key) {
        if (!(key instanceof String k)) {
            return false;
        }
        lock.lock();
        try {
            ensureOpen();
            if (unchanged()) {
                return index.live(k) != null;
            }
            return unchecked(() -> index.live(k) != null);
        } finally {
            lock.unlock();
        }
    }

    /** Returns the number of keys. */
    @Override
    public int size() {
        return unchecked(index::size);
    }

    /** Returns the keys in file order, as a view whose iterator and removal write through. */
    @Override
    public Set<String> keySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<String> iterator() {
                Iterator<String> it = snapshotKeys().iterator();
                return new Iterator<>() {
                    private String last;

                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public String next() {
                        last = it.next();
                        return last;
                    }

                    @Override
                    public void remove() {
                        if (last == null) {
                            throw new IllegalStateException();
                        }
                        MmapDict.this.delete(last);
                        last = null;
                    }
                };
            }

            @Override
            public int size() {
                return MmapDict.this.size();
            }

            @Override
            public boolean contains(Object o) {
                return containsKey(o);
            }

            @Override
            public boolean remove(Object o) {
                return o instanceof String k && MmapDict.this.delete(k);
            }
        };
    }

    private List<String> snapshotKeys() {
        return unchecked(() -> new ArrayList<>(index.keys()));
    }

    /**
     * Returns the entries as a view: iteration reads each value when it is reached (keys removed
     * meanwhile are skipped); {@code remove} writes through.
     */
    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, Object>> iterator() {
                Iterator<String> keys = snapshotKeys().iterator();
                return new Iterator<>() {
                    private Map.Entry<String, Object> next;
                    private String last;

                    @Override
                    public boolean hasNext() {
                        while (next == null && keys.hasNext()) {
                            String k = keys.next();
                            Object v = get(k);
                            if (v != null || containsKey(k)) {
                                next = new SimpleImmutableEntry<>(k, v);
                            }
                        }
                        return next != null;
                    }

                    @Override
                    public Map.Entry<String, Object> next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<String, Object> e = next;
                        next = null;
                        last = e.getKey();
                        return e;
                    }

                    @Override
                    public void remove() {
                        if (last == null) {
                            throw new IllegalStateException();
                        }
                        MmapDict.this.delete(last);
                        last = null;
                    }
                };
            }

            @Override
            public int size() {
                return MmapDict.this.size();
            }
        };
    }

    // ------------------------------------------------------------------ writing

    /**
     * Stores a value under a key, replacing any previous one, and returns the previous value (for
     * a replaced array, its view). Use {@link #set} when the previous value is not needed: it
     * saves reading it.
     */
    @Override
    public Object put(String key, Object value) {
        return store(key, value, arrayFormat, true, durability);
    }

    /** Stores a value under a key, replacing any previous one, without reading the previous value. */
    public void set(String key, Object value) {
        store(key, value, arrayFormat, false, durability);
    }

    /**
     * Stores a value with a durability of its own: {@link Durability#DURABLE} makes this one change
     * safe from a power loss when the call returns, whatever the dict's default.
     */
    public void set(String key, Object value, Durability durability) {
        store(key, value, arrayFormat, false, Objects.requireNonNull(durability));
    }

    /** Stores a value, writing array entries in the given layout instead of the dict's default. */
    public void set(String key, Object value, ArrayFormat format) {
        store(key, value, Objects.requireNonNull(format), false, durability);
    }

    /**
     * Stores a Java primitive array ({@code double[]}, {@code float[]}, {@code long[]}, {@code
     * int[]}, {@code short[]} or {@code boolean[]}) as an array of the given shape.
     */
    public void setArray(String key, Object primitiveArray, long... shape) {
        NDArray a = NDArrayCodec.asNDArray(primitiveArray);
        if (a == null) {
            throw new IllegalArgumentException("not a Java primitive array: "
                    + (primitiveArray == null ? "null" : primitiveArray.getClass().getName()));
        }
        set(key, NDArray.wrap(a.segment(), a.dtype(), shape));
    }

    private Object store(String key, Object value, ArrayFormat format, boolean wantPrevious, Durability d) {
        byte[] k = FileLayout.keyBytes(key);
        checkWritable();
        // the codec encodes the value before any lock, with guesses of where it lands
        Placement guess = guessPlacement(k);
        EntryEncoder.Prepared prepared = EntryEncoder.prepare(value, codecs, path, format, guess.valueOffset(),
                guess.memoStart());
        try {
            if (prepared.payloadBytes() >= TWO_PHASE_BYTES) {
                return storeTwoPhase(key, k, prepared, wantPrevious, d);
            }
            return locked(() -> {
                FileEntry old = index.live(key);
                Object previous = wantPrevious && old != null ? readValue(old) : null;
                long valueOffset = index.end() + FileLayout.ENTRY_PREFIX + k.length;
                EntryPlan plan = prepared.plan(k, valueOffset, index.memoStart());
                writeEntry(plan, plan.memoMax(), true, false, d);
                sync(d, true);   // the new entry is on the device before the old one is deleted
                if (old != null) {
                    markDeleted(old);
                }
                commit();
                sync(d, false);
                return previous;
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private record Placement(long valueOffset, int memoStart) {
    }

    /** Where a new entry's value would start and its first memo index, as far as this dict knows now. */
    private Placement guessPlacement(byte[] k) {
        lock.lock();
        try {
            return new Placement(index.end() + FileLayout.ENTRY_PREFIX + k.length, index.memoStart());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Two-phase append (DESIGN.md): reserve the entry marked deleted under the lock, copy the
     * payload with no lock held, then mark it valid (and the replaced entry deleted) under the lock.
     */
    private Object storeTwoPhase(String key, byte[] k, EntryEncoder.Prepared prepared, boolean wantPrevious,
                                 Durability d)
            throws IOException {
        record Reserved(FileEntry entry, EntryPlan plan) {
        }
        Reserved r = locked(() -> {
            long valueOffset = index.end() + FileLayout.ENTRY_PREFIX + k.length;
            EntryPlan plan = prepared.plan(k, valueOffset, index.memoStart());
            FileEntry e = writeEntry(plan, FileLayout.PENDING_MEMO, false, true, d);
            if (!file.ofdLock(true, PENDING_LOCK + e.offset(), 1, false)) {
                // nobody can hold the lock of an offset that was the terminator a moment ago,
                // unless the file was replaced under us: give the entry up rather than copy unguarded
                FileEntry dropped = e.withMemoMax(0);
                writeTrailer(dropped);
                index.update(dropped);
                commit();
                throw new IOException(path + ": the pending lock of the entry at " + e.offset()
                        + " is held by another process; the append was abandoned");
            }
            ownPending.add(e.offset());
            commit();
            return new Reserved(e, plan);
        });
        boolean copied = false;
        try {
            copyPayloads(key, r.entry(), r.plan());
            sync(d, true);
            copied = true;
        } finally {
            if (!copied) {
                abandon(r.entry());
            }
        }
        try {
            return locked(() -> {
                FileEntry old = index.live(key);
                Object previous = wantPrevious && old != null ? readValue(old) : null;
                FileEntry pending = index.at(r.entry().offset());
                FileEntry valid = pending.withMemoMax(r.plan().memoMax()).withValid(true);
                writeTrailer(valid);
                index.update(valid);
                if (old != null && old.offset() != valid.offset()) {
                    sync(d, true);   // the new entry is valid on the device before the old one is deleted
                    markDeleted(old);
                }
                commit();
                sync(d, false);
                return previous;
            });
        } finally {
            releasePending(r.entry().offset());
        }
    }

    private void releasePending(long offset) throws IOException {
        lock.lock();
        try {
            ownPending.remove(offset);
            if (!closed) {
                file.ofdUnlock(PENDING_LOCK + offset, 1);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Copies the payloads of a reserved entry in chunks, with no lock held, telling the progress
     * listener after each chunk (chunks also keep a heap source's critical native call short).
     */
    private void copyPayloads(String key, FileEntry e, EntryPlan plan) throws IOException {
        long total = plan.payloadBytes();
        long done = 0;
        for (int i = 0; i < plan.payloads().length; i++) {
            MemorySegment src = plan.payloads()[i];
            long at = e.valueOffset() + plan.payloadOffset(i);
            for (long o = 0, n; o < src.byteSize(); o += n) {
                // chunks end on 2 MiB file boundaries, so the page cache can use huge folios and the
                // view is mapped with 2 MiB entries (chunks 4 KiB off made 3% of it 4 KiB-mapped)
                n = Math.min(COPY_CHUNK - Math.floorMod(at + o, HUGE_PAGE), src.byteSize() - o);
                file.write(src.asSlice(o, n), at + o);
                done += n;
                if (progress != null) {
                    progress.copied(key, done, total);
                }
            }
        }
    }

    /** A failed copy leaves its entry deleted with an ordinary memo-max, so vacuum may reclaim it. */
    private void abandon(FileEntry pending) {
        try {
            locked(() -> {
                FileEntry e = index.at(pending.offset()).withMemoMax(0);
                writeTrailer(e);
                index.update(e);
                commit();
                return null;
            });
        } catch (IOException | RuntimeException suppressed) {
            LOG.log(System.Logger.Level.WARNING, "{0}: could not mark the abandoned entry at {1}: {2}",
                    path, pending.offset(), suppressed);
        } finally {
            try {
                releasePending(pending.offset());
            } catch (IOException ignored) {
                // the lock goes with the descriptor at close anyway
            }
        }
    }

    private void writeTrailer(FileEntry e) throws IOException {
        byte[] suffix = FileLayout.entrySuffix(e.memoMax(), e.valid());
        // memo-max, POP and the valid byte: 6 contiguous bytes from the memo offset
        file.write(MemorySegment.ofArray(suffix).asSlice(1, 6), e.memoOffset());
    }

    /**
     * Appends an entry (see {@link EntryWriter#write}: its body first, then, after a sync when
     * the change is durable, the bytes that link it in) and adds it to the index. A failure puts
     * the tail back as it was, so the file stays a loadable pickle without the new entry.
     */
    private FileEntry writeEntry(EntryPlan plan, int memoMax, boolean valid, boolean skipPayloads, Durability d)
            throws IOException {
        long end = index.end();
        FileEntry e;
        try {
            e = EntryWriter.write(file, end, plan, memoMax, valid, skipPayloads, () -> sync(d, true));
        } catch (IOException failed) {
            throw EntryWriter.restoreTail(file, end, failed);
        }
        index.append(e);
        return e;
    }

    private void markDeleted(FileEntry e) throws IOException {
        file.write(new byte[] {FileLayout.POP}, e.validOffset());
        index.update(e.withValid(false));
        views.remove(e.offset());
    }

    /**
     * Adds an array whose bytes are never held in memory (the original's {@code EmptyNDArray}) and
     * returns its writable view, to be filled in place. The payload reads as zeros; it is left
     * sparse (no disk blocks until written) unless {@code reserve} asks for the blocks now, in
     * which case a full disk fails here with an {@link IOException} instead of later.
     */
    public NDArray allocate(String key, DType dtype, boolean reserve, long... shape) throws IOException {
        byte[] k = FileLayout.keyBytes(key);
        checkWritable();
        EntryEncoder.payloadLength(dtype, shape);   // checks the shape before taking any lock
        if (codecs.stream().noneMatch(c -> c instanceof NDArrayCodec)) {
            throw new IllegalArgumentException("this dict's codecs " + codecs + " include no NDArrayCodec:"
                    + " it could not read the allocated array back as a view of the file");
        }
        return locked(() -> {
            FileEntry old = index.live(key);
            long valueOffset = index.end() + FileLayout.ENTRY_PREFIX + k.length;
            EntryPlan plan = EntryEncoder.allocation(dtype, shape, arrayFormat, k, valueOffset);
            if (reserve && plan.payloadBytes() > 0) {
                try {
                    file.reserve(valueOffset + plan.payloadOffset(0), plan.payloadBytes());
                } catch (IOException full) {
                    throw EntryWriter.restoreTail(file, index.end(), full);
                }
            }
            FileEntry e = writeEntry(plan, 0, true, true, durability);
            if (old != null) {
                sync(true);   // the new entry is on the device before the old one is deleted
                markDeleted(old);
            }
            commit();
            sync(false);
            return (NDArray) readValue(e);
        });
    }

    /** Adds a sparse array (see {@link #allocate(String, DType, boolean, long...)}). */
    public NDArray allocate(String key, DType dtype, long... shape) throws IOException {
        return allocate(key, dtype, false, shape);
    }

    /**
     * Removes a key and returns its previous value (for an array, its view, which stays readable
     * until close; after a {@link #vacuum()} its bytes read as zeros).
     */
    @Override
    public Object remove(Object key) {
        if (!(key instanceof String k)) {
            return null;
        }
        checkWritable();
        return unchecked(() -> {
            FileEntry e = index.live(k);
            if (e == null) {
                return null;
            }
            Object previous = readValue(e);
            markDeleted(e);
            commit();
            sync(false);
            return previous;
        });
    }

    /** Removes a key without reading its value; returns true when it was present. */
    public boolean delete(String key) {
        return delete(key, durability);
    }

    /** Removes a key with a durability of its own (see {@link #set(String, Object, Durability)}). */
    public boolean delete(String key, Durability d) {
        checkWritable();
        Objects.requireNonNull(d);
        return unchecked(() -> {
            FileEntry e = index.live(key);
            if (e == null) {
                return false;
            }
            markDeleted(e);
            commit();
            sync(d, false);
            return true;
        });
    }

    /** Removes every key (one commit). */
    @Override
    public void clear() {
        checkWritable();
        unchecked(() -> {
            List<String> keys = new ArrayList<>(index.keys());
            for (String k : keys) {
                markDeleted(index.live(k));
            }
            if (!keys.isEmpty()) {
                commit();
                sync(false);
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ watching

    /**
     * Returns a watcher of this file's changes that polls the commit number every {@code interval};
     * its first {@link ChangeWatcher#poll} reports changes made after this call.
     */
    public ChangeWatcher watcher(Duration interval) {
        return new ChangeWatcher(this, interval, false);
    }

    /** Returns a watcher whose first look reports every key already in the file as added. */
    public ChangeWatcher watcherFromStart(Duration interval) {
        return new ChangeWatcher(this, interval, true);
    }

    /**
     * Waits until the commit number moves away from {@code seenCommit} (another process or thread
     * changed the file) or the timeout passes; returns true when it moved.
     */
    public boolean awaitChange(int seenCommit, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (currentCommit() == seenCommit) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Math.max(1, Math.min(10, left / 1_000_000)));
        }
        return true;
    }

    /** The commit number in the file right now, read through the map (no lock, no system call). */
    int currentCommit() {
        lock.lock();
        try {
            ensureOpen();
            return fileCommit();
        } finally {
            lock.unlock();
        }
    }

    /** Valid keys and the offsets of their entries, for watchers (a new offset means a replaced value). */
    Map<String, Long> liveOffsets() {
        return unchecked(() -> {
            Map<String, Long> out = new java.util.LinkedHashMap<>();
            for (String k : index.keys()) {
                out.put(k, index.live(k).offset());
            }
            return out;
        });
    }

    // ------------------------------------------------------------------ maintenance

    /**
     * Repairs a torn tail now (a writable open already does): cuts the file after its last complete
     * entry and rewrites the terminator, so that plain {@code pickle.load} reads it. Returns what
     * was done, or empty when the file was whole.
     */
    public Optional<RepairReport> repair() throws IOException {
        checkWritable();
        return locked(() -> {
            // refresh() repaired a tail it found; look again in case the file was changed under us
            removeLeftoverCompaction();
            long size = file.size();
            try (Arena a = Arena.ofConfined()) {
                EntryScanner.Result r = scan(size, a);
                if (r.tail() == EntryScanner.Tail.TORN) {
                    repairTail(r, size);
                    index.reset(r.entries(), r.end(), fileCommit(), file.size());
                }
            }
            return Optional.ofNullable(lastRepair);
        });
    }

    /**
     * Reclaims the disk space of deleted entries without moving anything (safe while other
     * processes read the file): each deleted value becomes a pickle {@code bytes} filler of the
     * same length whose payload is punched out of the file, so every valid entry keeps its offset
     * and every memory map stays valid. Entries another writer is still filling are skipped.
     */
    public VacuumReport vacuum() throws IOException {
        checkWritable();
        return locked(() -> {
            long before = file.allocatedBytes();
            int reclaimed = 0;
            List<FileEntry> fillers = new ArrayList<>();
            for (FileEntry e : new ArrayList<>(index.all())) {
                if (e.valid() || e.valueLength() < FILLER_HEADER + 1 || ownPending.contains(e.offset())) {
                    continue;
                }
                if (e.pending() && file.ofdConflicts(true, PENDING_LOCK + e.offset(), 1)) {
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
                    FileEntry done = e.withMemoMax(0);
                    writeTrailer(done);
                    index.update(done);
                }
                views.remove(e.offset());
                fillers.add(e);
            }
            if (reclaimed > 0) {
                commit();
            }
            // every filler is on the device before any byte of what it replaced is punched: a
            // punched generic value without its filler would not load
            sync(true);
            long punched = 0;
            boolean holes = true;
            for (FileEntry e : fillers) {
                long payload = e.valueLength() - FILLER_HEADER;
                try {
                    file.punchHole(e.valueOffset() + FILLER_HEADER, payload);
                } catch (NativeIOException unsupported) {
                    if (!unsupported.errnoName().equals("EOPNOTSUPP") && !unsupported.errnoName().equals("ENOSYS")) {
                        throw unsupported;
                    }
                    // the file system cannot punch holes (FUSE, ramfs, ...): the fillers stay, unpunched
                    LOG.log(System.Logger.Level.WARNING, "{0}: the file system cannot punch holes ({1}):"
                            + " deleted values were overwritten by fillers but their space is not reclaimed",
                            path, unsupported.errnoName());
                    holes = false;
                    break;
                }
                punched += payload;
            }
            sync(false);
            return new VacuumReport(reclaimed, punched, before, file.allocatedBytes(), holes);
        });
    }

    /**
     * Moves the valid entries down over the deleted ones and shrinks the file, as the original's
     * vacuum does, but crash-safe: the compacted file is written beside this one, flushed, and
     * renamed over it, so a crash at any point leaves either file whole. Array payloads in this
     * project's layout are realigned. Refused while another process of ours (or another dict in
     * this one) has the file open, and while this dict has array views handed out (they would
     * keep pointing at the old file); Python processes must not have it open either, as with the
     * original's vacuum.
     *
     * @throws IllegalStateException when this dict has handed out array views
     * @throws IOException when another open dict holds the file, or on I/O failure
     */
    public CompactReport compact() throws IOException {
        checkWritable();
        lock.lock();
        try {
            ensureOpen();
            if (viewsHandedOut) {
                throw new IllegalStateException(path + ": this dict has handed out array views, which compaction"
                        + " would leave pointing at the old file; close it, reopen, and compact before reading arrays");
            }
            file.lock(true);
            try {
                refresh();
                if (!file.ofdLock(true, PRESENCE_LOCK, 1, false)) {
                    throw new IOException(path + " is open in another process or dict: compaction moves entries and"
                            + " needs the file alone (use vacuum(), which is safe with readers)");
                }
                CompactReport report;
                try {
                    report = Compaction.rewrite(path, file, index.all(), FileLayout.nextCommit(fileCommit()));
                } finally {
                    file.ofdLock(false, PRESENCE_LOCK, 1, false);
                }
                reopenAfterRename();
                return report;
            } finally {
                if (!file.isClosed()) {
                    file.unlock();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Swaps the descriptor for one of the file now at the path (after a rename over it). */
    private void reopenAfterRename() throws IOException {
        NativeFile fresh = NativeFile.open(path, NativeFile.Mode.READ_WRITE);
        boolean ok = false;
        try {
            fresh.lock(true);
            fresh.ofdLock(false, PRESENCE_LOCK, 1, false);
            NativeFile old = file;
            file = fresh;
            old.close();   // drops the old file's flock, presence lock and maps
            header = file.map(0, FileLayout.HEADER_LENGTH, false, false);
            views.clear();
            index.invalidate();
            refresh();
            ok = true;
        } finally {
            if (!ok) {
                fresh.close();
            }
        }
    }

    /**
     * Converts a plain pickle of a dict with string keys (any protocol 0-5) into an mmappickle file
     * at {@code target}; numpy arrays in it become memory-mappable entries. The new file is written
     * beside the target and renamed over it at the end, so the source is never changed (it may be
     * the target itself: conversion in place) and a failure leaves no half-written target.
     *
     * @throws NotMmapPickleException when the source is not a pickle of a dict with string keys
     */
    public static void convert(Path source, Path target) throws IOException {
        Compaction.convert(source, target);
    }

    /** Converts a plain pickle in place (see {@link #convert(Path, Path)}). */
    public static void convert(Path file) throws IOException {
        Compaction.convert(file, file);
    }

    // ------------------------------------------------------------------ facts for tools

    /** Returns the path of the file. */
    public Path path() {
        return path;
    }

    /** Returns true when the dict was opened read-only. */
    public boolean isReadOnly() {
        return !writable;
    }

    /** Returns the file's current commit number. */
    public int commitNumber() {
        return unchecked(index::commit);
    }

    /** Returns the bytes of disk the file occupies (less than its size when it is sparse or vacuumed). */
    public long allocatedBytes() throws IOException {
        lock.lock();
        try {
            ensureOpen();
            return file.allocatedBytes();
        } finally {
            lock.unlock();
        }
    }

    /** Returns every entry of the file, valid or deleted, in file order, with its offsets. */
    public List<EntryInfo> entries() {
        return unchecked(() -> {
            List<EntryInfo> out = new ArrayList<>(index.all().size());
            for (FileEntry e : index.all()) {
                out.add(new EntryInfo(e.key(), e.offset(), e.end() - e.offset(), e.valueOffset(), e.valueLength(),
                        e.memoMax(), e.valid(), e.pending()));
            }
            return out;
        });
    }

    /** Returns what the repair of a torn tail did when this dict opened, if it had to repair. */
    public Optional<RepairReport> lastRepair() {
        lock.lock();
        try {
            return Optional.ofNullable(lastRepair);
        } finally {
            lock.unlock();
        }
    }

    /** Writes everything this dict changed, including through array views, to the device. */
    public void flush() throws IOException {
        lock.lock();
        try {
            ensureOpen();
            for (Object v : views.values()) {
                if (v instanceof NDArray a && !a.isReadOnly()) {
                    file.msync(a.segment(), true);
                } else if (v instanceof MaskedArray m && !m.data().isReadOnly()) {
                    file.msync(m.data().segment(), true);
                    file.msync(m.mask().segment(), true);
                }
            }
            file.fsync(false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the file. Array views handed out become unusable (an access throws
     * {@link IllegalStateException}, never a crash); idempotent.
     */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            views.clear();
            file.close();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "MmapDict(" + path + (writable ? "" : ", read-only") + (closed ? ", closed" : "") + ")";
    }
}
