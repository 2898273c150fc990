package org.mmappickle.internal.store;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mmappickle.Advice;
import org.mmappickle.internal.bytes.LittleEndian;
import org.mmappickle.internal.io.IoFeature;
import org.mmappickle.internal.io.NativeFile;

/**
 * The long-lived maps that array views are slices of: the file is mapped in windows of {@code
 * 2 * WINDOW} bytes starting every {@code WINDOW} bytes, each mapped once (past the end of the file
 * too, so that a growing file needs no new map), and a view is a slice of the window that holds
 * it. So the number of window maps grows with the file's size, not with the number of reads: a
 * dict that puts, reads and deletes arrays forever keeps a bounded set. Windows live until the
 * file is closed.
 *
 * <p>A value longer than a window gets a map of its own ({@link BigMap}), which lives only while a
 * view of it is reachable: it is unmapped once the garbage collector finds none (so a writer that
 * puts, reads and deletes big arrays forever does not pile up maps towards {@code
 * vm.max_map_count}), or when the file is closed, whichever comes first. Reads of the same range
 * while a view of it is reachable share its map. After close, views of either kind fail with an
 * {@link IllegalStateException}, never a crash.
 */
final class MappedWindows implements AutoCloseable {
    /** Window stride; each window spans two strides, so any value up to one stride fits in one window. */
    static final long WINDOW = 64L << 20;

    /** Unmaps the big maps no view reaches any more. */
    private static final Cleaner UNMAPPER = Cleaner.create();

    private final NativeFile file;
    private final boolean writable;
    private final Map<Long, MemorySegment> windows = new HashMap<>();
    /**
     * Where maps cannot reach past the end of the file: each window's current map, kept like a big
     * map, so that the maps it replaces as the file grows are released once no view reaches them.
     */
    private final Map<Long, BigMap> growing = new HashMap<>();
    /** The big maps by (offset, length), held weakly: only their views keep them. */
    private final Map<Range, Held> big = new HashMap<>();
    /**
     * Every big map and every map {@link #growing} made that is not unmapped yet, whether a view
     * still reaches it or the cleaner is about to run: close unmaps them all at once.
     */
    private final List<Held> held = new ArrayList<>();
    private boolean closed;

    MappedWindows(NativeFile file, boolean writable) {
        this.file = file;
        this.writable = writable;
    }

    /** A range of the file. */
    private record Range(long offset, long length) {
    }

    /**
     * The map of one value longer than a window, in two arenas so that the views can be made
     * unusable at close while the unmap still waits for the garbage collector otherwise. The map
     * itself lives in {@code owner}; the views are the same bytes reinterpreted into {@code
     * views}, whose scope is the one thing every view (and every slice of one) holds. A cleaner
     * watches that scope and closes {@code owner} (the unmap) once it is unreachable; {@link
     * #close} does both at once. The cleaner's action holds only {@code owner}, never the views'
     * scope, or the scope would never become unreachable.
     */
    private static final class BigMap {
        private final Arena owner;
        private final Arena views;
        private final Cleaner.Cleanable unmap;
        /** The whole value, in the views' scope. */
        private final MemorySegment segment;

        BigMap(NativeFile file, long offset, long length, boolean writable) throws IOException {
            this.owner = Arena.ofShared();
            MemorySegment mapped;
            try {
                mapped = file.map(offset, length, writable, false, owner);
            } catch (IOException | RuntimeException e) {
                owner.close();
                throw e;
            }
            this.views = Arena.ofShared();
            this.unmap = UNMAPPER.register(views.scope(), new CloseArena(owner));
            // the views' scope keeps this object (and so its arena) while any view is reachable:
            // the weak registry then finds it for a repeated read, and close() can close it
            MemorySegment s = mapped.reinterpret(views, ignored -> keep(this));
            this.segment = writable ? s : s.asReadOnly();
        }

        private static void keep(BigMap m) {
            java.lang.ref.Reference.reachabilityFence(m);
        }

        boolean alive() {
            return views.scope().isAlive();
        }

        /**
         * Makes every view unusable, then unmaps. Waits while another thread is inside an access
         * through a view (the shared arena refuses to close until it is done), as the file does.
         */
        void close() {
            while (true) {
                try {
                    views.close();
                    break;
                } catch (IllegalStateException busyOrClosed) {
                    if (!views.scope().isAlive()) {
                        break;
                    }
                    Thread.onSpinWait();
                }
            }
            unmap.clean();
        }
    }

    /**
     * A big map held weakly, with what unmaps it: once the views are unreachable the reference is
     * cleared before the cleaner has run, and close must still unmap at once.
     */
    private static final class Held extends WeakReference<BigMap> {
        private final Arena owner;
        private final Cleaner.Cleanable unmap;

        Held(BigMap m) {
            super(m);
            this.owner = m.owner;
            this.unmap = m.unmap;
        }

        boolean unmapped() {
            return !owner.scope().isAlive();
        }

        void close() {
            BigMap m = get();
            if (m != null) {
                m.close();
            } else {
                unmap.clean();   // unreachable, the cleaner not run yet: unmap now (clean runs once)
            }
        }
    }

    /** The cleaner's action: closes the arena that owns a big map (which unmaps it). */
    private record CloseArena(Arena owner) implements Runnable {
        @Override
        public void run() {
            owner.close();
        }
    }

    /**
     * Returns a long-lived map of a range of the file (writable when the file is): a slice of a
     * window, or for a range longer than a window its own map, released when no view of it is
     * reachable.
     *
     * @param offset where the range starts
     * @param length its length
     * @return the range, read-only unless the file is writable
     * @throws IOException when mmap fails
     * @throws IllegalStateException when the file was closed
     */
    synchronized MemorySegment map(long offset, long length) throws IOException {
        if (closed) {
            throw new IllegalStateException(file + " is closed");
        }
        if (length > WINDOW) {
            return bigMap(offset, length);
        }
        long k = offset / WINDOW;
        MemorySegment slice = window(k, offset + length).asSlice(offset - k * WINDOW, length);
        return writable ? slice : slice.asReadOnly();
    }

    private MemorySegment bigMap(long offset, long length) throws IOException {
        big.values().removeIf(h -> h.get() == null);   // the maps the cleaner released (or is about to)
        Range r = new Range(offset, length);
        Held known = big.get(r);
        BigMap m = known == null ? null : known.get();
        if (m == null || !m.alive()) {
            m = track(new BigMap(file, offset, length, writable));
            big.put(r, held.getLast());
        }
        return m.segment;
    }

    /** Registers a new map for close, dropping the registrations of maps already unmapped. */
    private BigMap track(BigMap m) {
        held.removeIf(Held::unmapped);
        held.add(new Held(m));
        return m;
    }

    /**
     * Reads the byte at an offset inside the file through the windows (no system call once its
     * window is mapped): the index learns other processes' deletions this way.
     *
     * @param offset where, below the file's size
     * @return the byte
     * @throws IOException when mmap fails
     */
    synchronized byte byteAt(long offset) throws IOException {
        long k = offset / WINDOW;
        return window(k, offset + 1).get(ValueLayout.JAVA_BYTE, offset - k * WINDOW);
    }

    /**
     * Reads the little-endian int at an offset inside the file through the windows.
     *
     * @param offset where, at least 4 bytes below the file's size
     * @return the int
     * @throws IOException when mmap fails
     */
    synchronized int intAt(long offset) throws IOException {
        long k = offset / WINDOW;
        return window(k, offset + 4).get(LittleEndian.I32, offset - k * WINDOW);
    }

    /**
     * Asks for huge pages ({@code MADV_HUGEPAGE}) on the whole map a view is a slice of (its window,
     * or its own map when it is longer than a window). The advice sets a flag of the kernel's map
     * over the range it covers, so advising the view alone would split its window into two or
     * three kernel maps each time, and a dict that fills arrays in place for ever would pile them
     * up toward {@code vm.max_map_count}.
     *
     * @param view a view this object mapped
     * @throws IOException when the kernel refuses (EINVAL without transparent huge pages is ignored)
     */
    synchronized void adviseHugePages(MemorySegment view) throws IOException {
        MemorySegment whole = view;   // a map of its own: the view spans it (from the page it starts in)
        for (MemorySegment w : windows.values()) {
            if (view.address() >= w.address() && view.address() + view.byteSize() <= w.address() + w.byteSize()) {
                whole = w;
                break;
            }
        }
        file.advise(whole, Advice.HUGEPAGE);
    }

    /** Returns window {@code k}, mapped at least up to file offset {@code end}. */
    private MemorySegment window(long k, long end) throws IOException {
        if (!IoFeature.MAP_PAST_END.available()) {
            return growingWindow(k, end);
        }
        MemorySegment w = windows.get(k);
        if (w == null || k * WINDOW + w.byteSize() < end) {
            w = file.map(k * WINDOW, 2 * WINDOW, writable, false);
            windows.put(k, w);
        }
        return w;
    }

    /**
     * Returns window {@code k} where a map cannot reach past the end of the file (the channel io
     * path): the window ends at the end of the file and is mapped again, longer, once the file has
     * grown past it. The map it replaces stays while a view of it is reachable, and is unmapped by
     * the cleaner after that, so a file that grows on every append does not pile up maps.
     */
    private MemorySegment growingWindow(long k, long end) throws IOException {
        BigMap w = growing.get(k);
        if (w == null || k * WINDOW + w.segment.byteSize() < end) {
            long length = Math.min(2 * WINDOW, Math.max(end, file.size()) - k * WINDOW);
            BigMap grown = track(new BigMap(file, k * WINDOW, length, writable));
            growing.put(k, grown);
            w = grown;
        }
        return w.segment;
    }

    /**
     * Makes the views of the big maps (and of the channel path's windows) unusable and unmaps them;
     * the other windows are unmapped by the file's own close. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        big.clear();
        growing.clear();
        for (Held h : held) {
            h.close();
        }
        held.clear();
    }
}
