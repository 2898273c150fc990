package org.mmappickle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.mmappickle.codec.Codecs;
import org.mmappickle.codec.NDArrayCodec;
import org.mmappickle.codec.ValueCodec;
import org.mmappickle.internal.store.FileStore;
import org.mmappickle.internal.store.Maintenance;

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
 * <p><b>Errors</b>, for every method unless its own comment says otherwise. After {@link #close()}
 * it throws {@link IllegalStateException} naming the file. On a read-only dict every change throws
 * {@link UnsupportedOperationException} and writes nothing. A method that does not declare {@code
 * IOException} (the {@code Map} methods among them) wraps I/O failures in {@link
 * UncheckedIOException}. A file found malformed, or shrunk by another process, raises {@link
 * PickleFormatException} naming the file, the offset and what was expected there.
 */
public final class MmapDict extends DictFile implements AutoCloseable {
    /** How to open a file; each setter returns these options, for chaining. */
    public static final class Options {
        private boolean readOnly;
        private boolean create = true;
        private ArrayFormat arrayFormat = ArrayFormat.OURS;
        private Durability durability = Durability.PAGE_CACHE;
        private CopyProgress progress;
        private List<ValueCodec> codecs;
        private Sharing sharing = Sharing.AUTO;
        private int ingestThreads = FileStore.Settings.defaultIngestThreads();

        /** Starts from the defaults: read-write, created when missing, our array layout, page-cache durability. */
        public Options() {
        }

        /**
         * Opens read-only: every change throws, the file is never written.
         * @param value true for read-only (default false)
         * @return these options
         */
        public Options readOnly(boolean value) { this.readOnly = value; return this; }

        /**
         * Sets whether a writable open creates a missing file.
         * @param value false to fail with {@link java.nio.file.NoSuchFileException} instead (default true)
         * @return these options
         */
        public Options create(boolean value) { this.create = value; return this; }

        /**
         * Sets the layout of the array entries this dict writes.
         * @param value the layout (default {@link ArrayFormat#OURS})
         * @return these options
         */
        public Options arrayFormat(ArrayFormat value) { this.arrayFormat = Objects.requireNonNull(value); return this; }

        /**
         * Sets the value codecs, tried in decreasing priority (the original's {@code picklers=}); a
         * list restricts the dict to them. A value none can write is refused; an entry none
         * recognises is read by the generic reader.
         * @param value the codecs (copied), or null for {@link Codecs#defaults()} (the default)
         * @return these options
         */
        public Options codecs(List<ValueCodec> value) {
            this.codecs = value == null ? null : List.copyOf(value);
            return this;
        }

        /**
         * Sets who is told how far the copy of each large array payload has gone.
         * @param value the listener, or null for nobody (the default)
         * @return these options
         */
        public Options progress(CopyProgress value) { this.progress = value; return this; }

        /**
         * Sets local or shared-storage mode (see the README's "Shared storage").
         * @param value the mode (default {@link Sharing#AUTO}: chosen from the file system)
         * @return these options
         */
        public Options sharing(Sharing value) { this.sharing = Objects.requireNonNull(value); return this; }

        /**
         * Sets when changes are safe from a crash.
         * @param value the durability (default {@link Durability#PAGE_CACHE})
         * @return these options
         */
        public Options durability(Durability value) { this.durability = Objects.requireNonNull(value); return this; }

        /**
         * Sets how many threads copy a large array payload (1 MiB or more) into the file: its range
         * is split into disjoint pieces ending on 2 MiB boundaries, written concurrently with the
         * lock released; 1 copies on the calling thread. Linux's local file systems (ext4, xfs,
         * tmpfs) serialize buffered writes into one file on its inode lock, so there a second
         * thread costs about twice the CPU per byte for a wall-time gain that varied from none to
         * 1.2x (bench/RESULTS.md): worth it only when a core is spare and wall time matters most. The in-place fill of {@link #allocatePending} faults its
         * view in with at least the available processors (at most 4), since faults run in parallel.
         * @param value the thread count, at least 1 (default 1)
         * @return these options
         * @throws IllegalArgumentException when {@code value} is below 1
         */
        public Options ingestThreads(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("ingestThreads must be at least 1, got " + value);
            }
            this.ingestThreads = value;
            return this;
        }
    }

    private final ArrayFormat arrayFormat;
    private final Durability durability;

    private MmapDict(FileStore store, Options o) {
        super(store);
        this.arrayFormat = o.arrayFormat;
        this.durability = o.durability;
    }

    /**
     * {@return the file, opened read-write and created when missing}
     * @param path the file
     * @throws IOException when the file cannot be opened or created (see {@link #open(Path, Options)})
     */
    public static MmapDict open(Path path) throws IOException {
        return open(path, new Options());
    }

    /**
     * {@return the file, opened read-only}
     * @param path the file
     * @throws java.nio.file.NoSuchFileException when the file does not exist
     * @throws IOException when the file cannot be opened (see {@link #open(Path, Options)})
     */
    public static MmapDict openReadOnly(Path path) throws IOException {
        return open(path, new Options().readOnly(true));
    }

    /**
     * {@return the file, opened with options} A writable open of an empty file writes the empty dict; a writable open
     * of a file whose tail was torn by a crash repairs it ({@link MmapDict##lastRepair() lastRepair()}) and removes a
     * killed compaction's leftover ({@link MmapDict##leftoverCompaction() leftoverCompaction()}).
     * @param path the file
     * @param options how to open it
     * @throws NotMmapPickleException when the file is not in the layout (it is left unchanged)
     * @throws PickleFormatException when its entries are malformed
     * @throws java.nio.file.NoSuchFileException when it is missing and not to be created
     * @throws IOException when it cannot be opened (not a regular file, say), or another process is compacting it
     */
    public static MmapDict open(Path path, Options options) throws IOException {
        List<ValueCodec> codecs = Codecs.inPriorityOrder(options.codecs != null ? options.codecs : Codecs.defaults());
        FileStore.Settings settings = new FileStore.Settings(!options.readOnly, options.create, options.arrayFormat,
                options.durability, options.progress, codecs, options.sharing, options.ingestThreads);
        return new MmapDict(FileStore.open(path, settings), options);
    }

    /**
     * Converts a plain pickle of a dict with string keys (any protocol 0-5) into an mmappickle file
     * at {@code target}; numpy arrays in it become memory-mappable entries. The new file is written
     * beside the target (created exclusively, never through a link, with the target's owner and
     * mode when it exists) and renamed over it at the end, so the source is never changed (it may
     * be the target itself: conversion in place) and a failure leaves no half-written target.
     * @param source the plain pickle
     * @param target the mmappickle file to write
     * @throws NotMmapPickleException when the source is not a pickle of a dict with string keys
     * @throws IllegalArgumentException when a key is over 255 UTF-8 bytes or not valid Unicode (nothing is written)
     * @throws IOException when either file fails (the source is missing, the disk is full, ...)
     */
    public static void convert(Path source, Path target) throws IOException {
        Maintenance.convert(source, target);
    }

    /**
     * Converts a plain pickle in place (see {@link #convert(Path, Path)}).
     * @param file the plain pickle, replaced by the mmappickle file
     * @throws IOException as {@link #convert(Path, Path)} does
     */
    public static void convert(Path file) throws IOException {
        Maintenance.convert(file, file);
    }

    // ------------------------------------------------------------------ reading

    /**
     * Returns the value of a key, or null when it is absent or {@code key} is not a string. Arrays
     * come back as views of the file (the same view for repeated calls, with no system call);
     * other values as fresh copies.
     */
    @Override
    public Object get(Object key) {
        return key instanceof String k ? store.get(k) : null;
    }

    /**
     * Returns the array stored under a key: {@code get(key)} without the cast. Its view, used after
     * this dict closed, raises an {@link IllegalStateException} naming the file and the key.
     * @param key the key
     * @return the array (a view of the file), or null when the key is absent
     * @throws ClassCastException if the value is not an {@link NDArray}, naming its type
     */
    public NDArray getArray(String key) {
        NDArray a = typed(key, NDArray.class);
        return a == null ? null : a.describedAs(described(key));
    }

    /**
     * Returns the masked array stored under a key: {@code get(key)} without the cast; its views
     * name the file and the key when used after this dict closed.
     * @param key the key
     * @return the masked array (views of the file), or null when the key is absent
     * @throws ClassCastException if the value is not a {@link MaskedArray}, naming its type
     */
    public MaskedArray getMasked(String key) {
        MaskedArray a = typed(key, MaskedArray.class);
        return a == null ? null : a.describedAs(described(key));
    }

    private <T> T typed(String key, Class<T> type) {
        Object v = get(key);
        if (v == null || type.isInstance(v)) {
            return type.cast(v);
        }
        throw new ClassCastException("the value of " + described(key) + " is a " + v.getClass().getName()
                + ", not a" + (type == NDArray.class ? "n " : " ") + type.getSimpleName());
    }

    private String described(String key) {
        return "key '" + key + "' in " + path();
    }

    /** Returns true when the key has a value (false for a key that is not a string). */
    @Override
    public boolean containsKey(Object key) {
        return key instanceof String k && store.containsKey(k);
    }

    /** Returns the number of keys. */
    @Override
    public int size() {
        return store.size();
    }

    /** Returns the keys in file order, as a view whose iterator and removal write through. */
    @Override
    public Set<String> keySet() {
        return DictView.keySet(this, store::keys);
    }

    /**
     * Returns the entries as a view: iteration reads each value when it is reached (keys removed
     * meanwhile are skipped); {@code remove} writes through.
     */
    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
        return DictView.entrySet(this, store::keys);
    }

    // ------------------------------------------------------------------ writing

    /**
     * Stores a value, replacing and returning the previous one (use {@link #set} to skip reading it).
     * @throws IllegalArgumentException when the key is over 255 UTF-8 bytes or not valid Unicode, or
     *     the value cannot be stored (no codec of this dict writes it, or it cannot be pickled)
     */
    @Override
    public Object put(String key, Object value) {
        return store.put(key, value, arrayFormat, true, durability);
    }

    /**
     * Stores a value under a key, replacing any previous one, without reading the previous value.
     * @param key the key
     * @param value the value
     * @throws IllegalArgumentException as {@link #put} does
     */
    public void set(String key, Object value) {
        store.put(key, value, arrayFormat, false, durability);
    }

    /**
     * Stores a value with a durability of its own: {@link Durability#DURABLE} makes this one change
     * safe from a power loss when the call returns, whatever the dict's default.
     * @param key the key
     * @param value the value
     * @param durability the durability of this change
     * @throws IllegalArgumentException as {@link #put} does
     */
    public void set(String key, Object value, Durability durability) {
        store.put(key, value, arrayFormat, false, Objects.requireNonNull(durability));
    }

    /**
     * Stores a value, writing array entries in the given layout instead of the dict's default.
     * @param key the key
     * @param value the value
     * @param format the layout of an array entry (ignored for other values)
     * @throws IllegalArgumentException as {@link #put} does
     */
    public void set(String key, Object value, ArrayFormat format) {
        store.put(key, value, Objects.requireNonNull(format), false, durability);
    }

    /**
     * Stores a Java primitive array ({@code double[]}, {@code float[]}, {@code long[]}, {@code
     * int[]}, {@code short[]} or {@code boolean[]}) as an array of the given shape.
     * @param key the key
     * @param primitiveArray the elements in C order (wrapped, not copied, until written)
     * @param shape the length of each axis, whose product is the array's length
     * @throws IllegalArgumentException when it is not such an array, or the shape does not fit its length
     */
    public void setArray(String key, Object primitiveArray, long... shape) {
        NDArray a = NDArrayCodec.asNDArray(primitiveArray);
        if (a == null) {
            throw new IllegalArgumentException("not a Java primitive array: "
                    + (primitiveArray == null ? "null" : primitiveArray.getClass().getName()));
        }
        set(key, NDArray.wrap(a.segment(), a.dtype(), shape));
    }

    /**
     * Adds an array whose bytes are never held in memory (the original's {@code EmptyNDArray}) and
     * returns its writable view, to be filled in place. The payload reads as zeros; it is left
     * sparse (no disk blocks until written) unless {@code reserve} asks for the blocks now. The key
     * is visible to other processes as soon as this returns, before the caller fills the view: a
     * reader that reacts to the key may see zeros or a half-filled array. To fill an array before
     * anyone sees it, and at write speed, use {@link #allocatePending} instead.
     * @param key the key
     * @param dtype the element type
     * @param reserve whether to allocate the payload's disk blocks now
     * @param shape the length of each axis
     * @return the writable view of the new array
     * @throws IllegalArgumentException when the key or the shape is invalid, or no codec of this dict reads arrays
     * @throws IOException on I/O failure; with {@code reserve}, a full disk fails here instead of later
     */
    public NDArray allocate(String key, DType dtype, boolean reserve, long... shape) throws IOException {
        return store.allocate(key, dtype, reserve, shape);
    }

    /**
     * Adds an array that stays invisible until it is filled and published: the way to write an
     * array in place without any reader seeing it half filled. The entry is pending (as during the
     * copy of a large {@code set}), its payload's disk blocks are reserved where the file system
     * allows, and the key appears, replacing any previous value, in one commit at
     * {@link ArrayWriter#publish()}. Closing the writer unpublished, or a crash, leaves a deleted
     * entry. Fill with {@link ArrayWriter#copyFrom(java.lang.foreign.MemorySegment)} when the data
     * already exists in memory (written through the descriptor by the ingest threads: the fastest
     * way), or through {@link ArrayWriter#array()} when it is produced in place (the view comes
     * populated, on huge pages where the kernel allows, so the fill takes no fault per page).
     *
     * @param key the key
     * @param dtype the element type
     * @param shape the shape
     * @return the writer, to be closed
     * @throws IOException when the file fails (a full disk while reserving)
     * @throws IllegalArgumentException for a bad shape or a dict whose codecs cannot read arrays back
     */
    public ArrayWriter allocatePending(String key, DType dtype, long... shape) throws IOException {
        return store.allocatePending(key, dtype, shape);
    }

    /**
     * Adds a sparse array (see {@link #allocate(String, DType, boolean, long...)}).
     * @param key the key
     * @param dtype the element type
     * @param shape the length of each axis
     * @return the writable view of the new array
     * @throws IOException on I/O failure
     */
    public NDArray allocate(String key, DType dtype, long... shape) throws IOException {
        return allocate(key, dtype, false, shape);
    }

    /**
     * Removes a key and returns its previous value (for an array, its view, which stays readable
     * until close; after a {@link MmapDict##vacuum() vacuum()} its bytes read as zeros).
     */
    @Override
    public Object remove(Object key) {
        store.checkWritable();
        return key instanceof String k ? store.remove(k) : null;
    }

    /**
     * Removes a key without reading its value.
     * @param key the key
     * @return true when it was present
     */
    public boolean delete(String key) {
        return delete(key, durability);
    }

    /**
     * Removes a key with a durability of its own (see {@link #set(String, Object, Durability)}).
     * @param key the key
     * @param d the durability of this change
     * @return true when it was present
     */
    public boolean delete(String key, Durability d) {
        return store.delete(List.of(key), Objects.requireNonNull(d)) > 0;
    }

    /** Removes every key (one commit). */
    @Override
    public void clear() {
        store.checkWritable();
        store.delete(store.keys(), durability);
    }

    // ------------------------------------------------------------------ watching

    /**
     * {@return a watcher of this file's changes whose first {@link ChangeWatcher#poll} reports
     * changes made after this call}
     * @param interval how often it looks at the commit number
     */
    public ChangeWatcher watcher(Duration interval) {
        return new ChangeWatcher(store, interval, false);
    }

    /**
     * {@return a watcher whose first look reports every key already in the file as added}
     * @param interval how often it looks at the commit number
     */
    public ChangeWatcher watcherFromStart(Duration interval) {
        return new ChangeWatcher(store, interval, true);
    }

    /**
     * Waits until the commit number moves away from {@code seenCommit} (another process or thread
     * changed the file) or the timeout passes.
     * @param seenCommit the commit number last seen ({@link #commitNumber()})
     * @param timeout how long to wait at most
     * @return true when it moved, false when the timeout passed first
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean awaitChange(int seenCommit, Duration timeout) throws InterruptedException {
        return ChangeWatcher.awaitChange(store, seenCommit, timeout, Duration.ofMillis(10));
    }

    /**
     * Closes the file. Array views handed out become unusable (an access throws
     * {@link IllegalStateException}, never a crash); a large copy running in another thread
     * fails with that exception too; idempotent.
     * @throws IOException when closing the descriptor fails
     */
    @Override
    public void close() throws IOException {
        store.close();
    }

    @Override
    public String toString() {
        return "MmapDict(" + store.path() + (isReadOnly() ? ", read-only" : "") + (store.isClosed() ? ", closed" : "") + ")";
    }
}
