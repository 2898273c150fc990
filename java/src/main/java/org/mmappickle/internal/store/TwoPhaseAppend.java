package org.mmappickle.internal.store;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.mmappickle.CopyProgress;
import org.mmappickle.Durability;
import org.mmappickle.NativeIOException;
import org.mmappickle.codec.EncodedValue;
import org.mmappickle.internal.io.NativeFile;
import org.mmappickle.internal.format.FileEntry;
import org.mmappickle.internal.format.FileLayout;

/**
 * The two-phase append of a large array payload (docs/architecture.md): the entry is reserved
 * under the locks, marked deleted with the pending memo-max and guarded by its pending lock; the
 * payload is copied with no lock held, so readers never wait for it; then, under the locks, the
 * entry is marked valid and what it replaces deleted. A failed copy leaves an ordinary deleted
 * entry, which vacuum reclaims.
 */
final class TwoPhaseAppend {
    private static final System.Logger LOG = System.getLogger(TwoPhaseAppend.class.getName());
    /** Array payloads of at least this size are copied with the lock released. */
    static final long TWO_PHASE_BYTES = 1L << 20;
    /** Large payloads are copied in chunks of this size (progress reports, bounded critical calls). */
    private static final long COPY_CHUNK = 64L << 20;
    /**
     * Pieces handed to the copy threads: small enough that two to four threads stay busy until the
     * end of a payload of a few hundred MiB, large enough that a piece costs far more than taking it.
     */
    private static final long PARALLEL_CHUNK = 16L << 20;
    private static final long HUGE_PAGE = 2L << 20;

    /** How the payload range is reserved; a test replaces it to play a file system that refuses. */
    @FunctionalInterface
    interface Reservation {
        /**
         * Reserves a range of the file.
         *
         * @throws IOException when the file system refuses or is full
         */
        void reserve(NativeFile file, long offset, long length) throws IOException;
    }

    /** The reservation in use (only tests change it). */
    static volatile Reservation reservation = NativeFile::fallocate;

    /** Encodes the entry's value once its value offset and memo start are known (under the locks). */
    @FunctionalInterface
    interface Planner {
        /** Returns the value of the entry whose value starts at {@code valueOffset}. */
        EncodedValue plan(long valueOffset, int memoStart);
    }

    private final FileStore store;
    private final String key;
    private final Planner planner;
    private final byte[] k;
    private final Durability d;

    TwoPhaseAppend(FileStore store, String key, byte[] k, EntryEncoder.Prepared prepared, Durability d) {
        this(store, key, k, prepared::encoded, d);
    }

    TwoPhaseAppend(FileStore store, String key, byte[] k, Planner planner, Durability d) {
        this.store = store;
        this.key = key;
        this.k = k;
        this.planner = planner;
        this.d = d;
    }

    /** A pending entry: reserved, not yet valid. */
    record Reserved(FileEntry entry, EncodedValue plan) {
    }

    /** Runs the three steps; returns the replaced value when asked for. */
    Object run(boolean wantPrevious) throws IOException {
        Reserved r = reserve();
        boolean copied = false;
        try {
            copyPayloads(r.entry(), r.plan());
            store.useDescriptor(() -> {
                store.sync(d, true);
                return null;
            });
            copied = true;
        } finally {
            if (!copied) {
                abandon(r.entry());
            }
        }
        try {
            return finish(r, wantPrevious);
        } finally {
            releasePending(r.entry().offset());
        }
    }

    /** Step 1, under the locks: the entry, marked deleted and pending, without its payload bytes. */
    Reserved reserve() throws IOException {
        return store.withExclusiveLockForChange(() -> {
            long valueOffset = store.valueOffsetFor(k);
            EncodedValue plan = planner.plan(valueOffset, store.index().memoStart());
            reservePayloadRange(valueOffset, plan);
            FileEntry e = store.appendEntry(k, plan, FileLayout.PENDING_MEMO, false, true, d);
            if (!store.file().ofdLock(true, FileStore.PENDING_LOCK + e.offset(), 1, false)) {
                // nobody can hold the lock of an offset that was the terminator a moment ago,
                // unless the file was replaced under us: give the entry up rather than copy unguarded
                store.writeTrailer(e.withMemoMax(0));
                store.commit();
                throw new IOException(store.path() + ": the pending lock of the entry at " + e.offset()
                        + " is held by another process; the append was abandoned");
            }
            store.ownPending().add(e.offset());
            store.commit();
            return new Reserved(e, plan);
        });
    }

    /**
     * Reserves the disk blocks of the payload range before anything is copied into it: a write into
     * reserved blocks is cheaper (ext4 allocates extents once, not per write) and a full disk fails
     * here, where cutting the file back leaves it exactly as before. A file system that cannot
     * reserve (EOPNOTSUPP) gets the copy without it.
     */
    private void reservePayloadRange(long valueOffset, EncodedValue plan) throws IOException {
        if (plan.payloads().isEmpty() || plan.payloadBytes() == 0) {
            return;
        }
        int last = plan.payloads().size() - 1;
        long from = valueOffset + plan.payloadOffset(0);
        long to = valueOffset + plan.payloadOffset(last) + plan.payloads().get(last).byteSize();
        try {
            reservation.reserve(store.file(), from, to - from);
        } catch (NativeIOException e) {
            if (e.errnoName().equals("EOPNOTSUPP")) {
                LOG.log(System.Logger.Level.DEBUG, "{0}: no reservation before the copy: {1}", store.path(), e.getMessage());
                return;
            }
            throw EntryWriter.restoreTail(store.file(), store.index().end(), e);
        } catch (IOException e) {
            throw EntryWriter.restoreTail(store.file(), store.index().end(), e);
        }
    }

    /** One piece of a payload copy: {@code src} written at file offset {@code at}. */
    private record Piece(MemorySegment src, long at) {
    }

    /**
     * Splits the payloads into pieces of at most {@code size} bytes ending on 2 MiB file boundaries,
     * so the page cache can use huge folios and views are mapped with 2 MiB entries (pieces 4 KiB off
     * made 3% of a view 4 KiB-mapped).
     */
    private static List<Piece> pieces(FileEntry e, EncodedValue plan, long size) {
        List<Piece> out = new ArrayList<>();
        for (int i = 0; i < plan.payloads().size(); i++) {
            MemorySegment src = plan.payloads().get(i);
            long at = e.valueOffset() + plan.payloadOffset(i);
            for (long o = 0, n; o < src.byteSize(); o += n) {
                n = Math.min(size - Math.floorMod(at + o, HUGE_PAGE), src.byteSize() - o);
                out.add(new Piece(src.asSlice(o, n), at + o));
            }
        }
        return out;
    }

    /**
     * Step 2, with no lock: copies the payloads in chunks, telling the progress listener after
     * each (chunks also keep a heap source's critical native call short). Each chunk holds the
     * descriptor, so a concurrent close makes the next chunk fail with the closed-dict exception
     * instead of writing to a reused descriptor number.
     */
    void copyPayloads(FileEntry e, EncodedValue plan) throws IOException {
        int threads = store.settings().ingestThreads();
        List<Piece> pieces = pieces(e, plan, threads == 1 ? COPY_CHUNK : PARALLEL_CHUNK);
        Progress progress = new Progress(store.settings().progress(), key, plan.payloadBytes());
        if (threads == 1 || pieces.size() == 1) {
            for (Piece p : pieces) {
                copy(p);
                progress.add(p.src().byteSize());
            }
            return;
        }
        new ParallelCopy(pieces, progress).run(Math.min(threads, pieces.size()));
    }

    /**
     * Writes one piece. In a durable append each written piece also starts its write-back at once,
     * so the disk works while the next pieces are copied and the one {@code fdatasync} after the
     * copy waits only for what is still in flight (the pieces' 2 MiB-aligned ends keep those
     * ranges whole pages).
     */
    private void copy(Piece p) throws IOException {
        store.useDescriptor(() -> {
            store.file().write(p.src(), p.at());
            if (d == Durability.DURABLE) {
                store.file().startWriteBack(p.at(), p.src().byteSize());
            }
            return null;
        });
    }

    /** Adds up the bytes copied by every thread and tells the listener, one call at a time, in increasing order. */
    private static final class Progress {
        private final CopyProgress listener;
        private final String key;
        private final long total;
        private long done;

        Progress(CopyProgress listener, String key, long total) {
            this.listener = listener;
            this.key = key;
            this.total = total;
        }

        synchronized void add(long n) {
            done += n;
            if (listener != null) {
                listener.copied(key, done, total);
            }
        }
    }

    /**
     * The pieces written by several threads (the caller and {@code threads - 1} helpers), each
     * taking the next piece until none is left or one failed: the first failure stops the others
     * from taking more, every thread has stopped writing before the failure is thrown (so the
     * abandoned entry is not written after it was given up), and later failures are attached to it
     * as suppressed.
     */
    private final class ParallelCopy {
        private final List<Piece> pieces;
        private final Progress progress;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        ParallelCopy(List<Piece> pieces, Progress progress) {
            this.pieces = pieces;
            this.progress = progress;
        }

        void run(int threads) throws IOException {
            List<Thread> helpers = new ArrayList<>();
            try {
                for (int t = 1; t < threads; t++) {
                    helpers.add(Thread.ofPlatform().daemon().name("mmappickle-copy-" + t).start(this::work));
                }
            } catch (RuntimeException | Error cannotStart) {
                failed(cannotStart);
            }
            work();
            HelperThreads.joinAll(helpers);
            Throwable f = failure.get();
            if (f instanceof IOException io) {
                throw io;
            }
            if (f instanceof RuntimeException re) {
                throw re;
            }
            if (f instanceof Error err) {
                throw err;
            }
        }

        private void work() {
            while (failure.get() == null) {
                int i = next.getAndIncrement();
                if (i >= pieces.size()) {
                    return;
                }
                Piece p = pieces.get(i);
                try {
                    copy(reachable(p));
                    progress.add(p.src().byteSize());
                } catch (Throwable t) {
                    failed(t);
                    return;
                }
            }
        }

        /**
         * A piece whose source a helper thread may read. A confined arena's segment (the usual
         * caller's) refuses other threads, so helpers get an alias of the same memory without the
         * thread check: it stays allocated because its owner, the only thread that could close the
         * arena, is inside {@link #run} until every helper has stopped.
         */
        private Piece reachable(Piece p) {
            MemorySegment s = p.src();
            if (s.isAccessibleBy(Thread.currentThread())) {
                return p;
            }
            return new Piece(MemorySegment.ofAddress(s.address()).reinterpret(s.byteSize()), p.at());
        }

        private void failed(Throwable t) {
            if (!failure.compareAndSet(null, t)) {
                failure.get().addSuppressed(t);
            }
        }
    }

    /** Step 3, under the locks: the entry valid, then (after a sync when durable) what it replaces deleted. */
    Object finish(Reserved r, boolean wantPrevious) throws IOException {
        return store.withExclusiveLockForChange(() -> {
            FileEntry old = store.index().live(key);
            Object previous = wantPrevious && old != null ? store.readValue(old) : null;
            FileEntry pending = store.index().at(r.entry().offset());
            FileEntry valid = pending.withMemoMax(r.plan().memoMax()).withValid(true);
            store.writeTrailer(valid);
            if (old != null && old.offset() != valid.offset()) {
                store.sync(d, true);   // the new entry is valid on the device before the old one is deleted
                store.markDeleted(old);
            }
            store.commit();
            store.sync(d, false);
            return previous;
        });
    }

    /** A failed copy leaves its entry deleted with an ordinary memo-max, so vacuum may reclaim it. */
    void abandon(FileEntry pending) {
        try {
            store.withExclusiveLockAndFreshIndex(() -> {
                store.writeTrailer(store.index().at(pending.offset()).withMemoMax(0));
                store.commit();
                return null;
            });
        } catch (IOException | RuntimeException suppressed) {
            LOG.log(System.Logger.Level.WARNING, "{0}: could not mark the abandoned entry at {1}: {2}",
                    store.path(), pending.offset(), suppressed);
        } finally {
            try {
                releasePending(pending.offset());
            } catch (IOException ignored) {
                // the lock goes with the descriptor at close anyway
            }
        }
    }

    void releasePending(long offset) throws IOException {
        store.jvmLock().lock();
        try {
            store.ownPending().remove(offset);
            if (!store.isClosed()) {
                store.file().ofdUnlock(FileStore.PENDING_LOCK + offset, 1);
            }
        } finally {
            store.jvmLock().unlock();
        }
    }
}
