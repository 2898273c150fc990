package org.mmappickle.internal.store;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.mmappickle.ArrayWriter;
import org.mmappickle.NDArray;
import org.mmappickle.NativeIOException;
import org.mmappickle.codec.EncodedValue;
import org.mmappickle.internal.format.FileEntry;
import org.mmappickle.internal.io.NativeFile;

/**
 * An allocated array kept pending until its writer publishes it: the first and last steps of a
 * {@link TwoPhaseAppend}, with the caller's filling as the copy step in between.
 */
final class PendingArray implements ArrayWriter {
    private static final System.Logger LOG = System.getLogger(PendingArray.class.getName());
    private static final long HUGE_PAGE = 2L << 20;
    /** Below this, a second thread costs more than the faults it takes over. */
    private static final long PARALLEL_POPULATE = 16L << 20;

    /**
     * How the view is made ready for filling (the system property {@code mmappickle.fill}, read at
     * each {@link #array()}'s first call; a diagnostic switch, so the bench can compare the three):
     * {@code populate} (the default) asks for huge pages on a view of 2 MiB or more and faults every
     * page in writable at once, in parallel over the ingest threads, when the view fits in half the
     * memory available; {@code hugepage} only asks for
     * huge pages; {@code fault} leaves the view as mapped (a write fault per page as it is filled).
     */
    enum Preparation {
        POPULATE, HUGEPAGE, FAULT;

        static Preparation current() {
            String v = System.getProperty("mmappickle.fill", "populate").trim().toUpperCase(Locale.ROOT);
            try {
                return valueOf(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("mmappickle: -Dmmappickle.fill=" + v.toLowerCase(Locale.ROOT)
                        + " is none of populate, hugepage, fault", e);
            }
        }
    }

    /** Faults a range of the view in writable; a test replaces it to play a kernel without MADV_POPULATE_WRITE. */
    @FunctionalInterface
    interface Populator {
        /**
         * Populates the range.
         *
         * @throws IOException EINVAL where the kernel lacks the advice; another errno when a page cannot be written
         */
        void populate(NativeFile file, MemorySegment range) throws IOException;
    }

    /** The populator in use (only tests change it). */
    static volatile Populator populator = NativeFile::populateWrite;

    /**
     * The memory the kernel could give the page cache now, in bytes ({@code MemAvailable}); a view
     * larger than half of it is not populated (only tests change this).
     */
    static volatile LongSupplier memoryAvailable = PendingArray::memAvailable;

    private final FileStore store;
    private final String key;
    private final TwoPhaseAppend append;
    private final TwoPhaseAppend.Reserved reserved;
    private final NDArray view;
    private boolean prepared;
    private boolean published;
    private boolean closed;

    private PendingArray(FileStore store, String key, TwoPhaseAppend append, TwoPhaseAppend.Reserved reserved,
                         NDArray view) {
        this.store = store;
        this.key = key;
        this.append = append;
        this.reserved = reserved;
        this.view = view;
    }

    /** Reserves the pending entry and maps its view; gives the entry up when the view cannot be made. */
    static PendingArray start(FileStore store, String key, TwoPhaseAppend append) throws IOException {
        TwoPhaseAppend.Reserved r = append.reserve();
        boolean ok = false;
        try {
            NDArray view;
            store.jvmLock().lock();
            try {
                view = (NDArray) store.readValue(store.index().at(r.entry().offset()));
            } finally {
                store.jvmLock().unlock();
            }
            ok = true;
            return new PendingArray(store, key, append, r, view);
        } finally {
            if (!ok) {
                append.abandon(r.entry());
            }
        }
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public synchronized NDArray array() throws IOException {
        if (closed && !published) {
            throw new IllegalStateException(store.path() + ": the pending array " + key + " was given up");
        }
        if (!prepared && !closed) {
            prepare(Preparation.current());
            prepared = true;
        }
        return view;
    }

    /**
     * Makes the view ready to be filled at write speed. A fresh shared file mapping takes a fault
     * per 4 KiB page as it is written (a folio allocation, zeroing and the file system's
     * {@code page_mkwrite} each time); with {@code MADV_HUGEPAGE} (on the whole map the view is a
     * slice of, see {@link MappedWindows#adviseHugePages}) the faults allocate 2 MiB folios and map
     * them with one entry, and {@code MADV_POPULATE_WRITE} takes them all in one system call
     * per thread before the caller's first write. A kernel without the advice (EINVAL) gets the
     * fill without it.
     */
    private void prepare(Preparation how) throws IOException {
        MemorySegment s = view.segment();
        if (how == Preparation.FAULT || s.byteSize() == 0) {
            return;
        }
        if (s.byteSize() >= HUGE_PAGE) {
            store.useDescriptor(() -> {
                store.windows().adviseHugePages(s);
                return null;
            });
        }
        // populating more than memory can hold would write zeros back to the disk to make room
        // for the rest, and a caller may mean to fill only part of a large array
        if (how == Preparation.POPULATE && s.byteSize() <= memoryAvailable.getAsLong() / 2) {
            try {
                populate(s);
            } catch (NativeIOException e) {
                if (!e.errnoName().equals("EINVAL")) {
                    throw e;
                }
                LOG.log(System.Logger.Level.DEBUG, "{0}: {1} filled without populating: {2}", store.path(), key, e.getMessage());
            }
        }
    }

    /** Reads {@code MemAvailable} from {@code /proc/meminfo}; 0 (populate nothing) when it cannot. */
    private static long memAvailable() {
        try (var lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemAvailable:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(0L);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Populates the view in contiguous ranges cut at 2 MiB addresses, one per thread: the ingest
     * threads, and at least the processors (at most 4), since faults run in parallel where writes do not.
     */
    private void populate(MemorySegment s) throws IOException {
        int threads = (int) Math.max(1, Math.min(Math.max(store.settings().ingestThreads(), FileStore.Settings.populateThreads()),
                s.byteSize() / PARALLEL_POPULATE));
        List<MemorySegment> ranges = new ArrayList<>();
        long from = 0;
        for (int t = 1; t <= threads; t++) {
            long to = t == threads ? s.byteSize()
                    : Math.max(from, ((s.address() + s.byteSize() * t / threads) & -HUGE_PAGE) - s.address());
            if (to > from) {
                ranges.add(s.asSlice(from, to - from));
            }
            from = to;
        }
        Throwable[] failures = new Throwable[ranges.size()];
        List<Thread> helpers = new ArrayList<>();
        for (int i = 1; i < ranges.size(); i++) {
            int r = i;
            helpers.add(Thread.ofPlatform().daemon().name("mmappickle-populate-" + i)
                    .start(() -> failures[r] = populateRange(ranges.get(r))));
        }
        failures[0] = populateRange(ranges.getFirst());
        HelperThreads.joinAll(helpers);
        Throwable first = null;
        for (Throwable f : failures) {
            if (f != null && first == null) {
                first = f;
            } else if (f != null) {
                first.addSuppressed(f);
            }
        }
        switch (first) {
            case null -> {
            }
            case IOException io -> throw io;
            case RuntimeException re -> throw re;
            case Error err -> throw err;
            default -> throw new IOException(store.path() + ": populating " + key + " failed", first);
        }
    }

    /** Populates one range holding the descriptor (a concurrent close waits); returns its failure. */
    private Throwable populateRange(MemorySegment range) {
        try {
            store.useDescriptor(() -> {
                populator.populate(store.file(), range);
                return null;
            });
            return null;
        } catch (Throwable t) {
            return t;   // handed to the calling thread, which throws it after every helper stopped
        }
    }

    @Override
    public synchronized void copyFrom(MemorySegment source) throws IOException {
        checkOpen();
        EncodedValue plan = reserved.plan();
        if (plan.payloads().size() != 1 || source.byteSize() != plan.payloadBytes()) {
            throw new IllegalArgumentException(store.path() + ": " + key + " takes " + plan.payloadBytes()
                    + " payload bytes, the source has " + source.byteSize());
        }
        append.copyPayloads(reserved.entry(),
                new EncodedValue(plan.structure(), List.of(source), plan.memoMax()));
    }

    @Override
    public synchronized void publish() throws IOException {
        checkOpen();
        store.useDescriptor(() -> {
            store.sync(store.settings().durability(), true);   // the pixels before the entry that makes them visible
            return null;
        });
        // as after a large set's copy: once finishing started, a failure leaves the entry to the
        // pending-lock rule (a free lock means abandoned), never to a second trailer write
        closed = true;
        try {
            append.finish(reserved, false);
            published = true;
        } finally {
            append.releasePending(reserved.entry().offset());
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        FileEntry e = reserved.entry();
        store.jvmLock().lock();
        try {
            store.views().remove(e.offset());
        } finally {
            store.jvmLock().unlock();
        }
        append.abandon(e);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(store.path() + ": the pending array " + key
                    + (published ? " was already published" : " was given up"));
        }
    }
}
