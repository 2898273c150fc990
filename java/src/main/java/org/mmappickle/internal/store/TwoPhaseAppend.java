package org.mmappickle.internal.store;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.mmappickle.CopyProgress;
import org.mmappickle.Durability;
import org.mmappickle.internal.format.EntryPlan;
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
    private static final long HUGE_PAGE = 2L << 20;

    private final FileStore store;
    private final String key;
    private final byte[] k;
    private final EntryEncoder.Prepared prepared;
    private final Durability d;

    TwoPhaseAppend(FileStore store, String key, byte[] k, EntryEncoder.Prepared prepared, Durability d) {
        this.store = store;
        this.key = key;
        this.k = k;
        this.prepared = prepared;
        this.d = d;
    }

    private record Reserved(FileEntry entry, EntryPlan plan) {
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
    private Reserved reserve() throws IOException {
        return store.withExclusiveLockForChange(() -> {
            EntryPlan plan = prepared.plan(k, store.valueOffsetFor(k), store.index().memoStart());
            FileEntry e = store.appendEntry(plan, FileLayout.PENDING_MEMO, false, true, d);
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
     * Step 2, with no lock: copies the payloads in chunks, telling the progress listener after
     * each (chunks also keep a heap source's critical native call short). Each chunk holds the
     * descriptor, so a concurrent close makes the next chunk fail with the closed-dict exception
     * instead of writing to a reused descriptor number.
     */
    private void copyPayloads(FileEntry e, EntryPlan plan) throws IOException {
        CopyProgress progress = store.settings().progress();
        long total = plan.payloadBytes();
        long done = 0;
        for (int i = 0; i < plan.payloads().length; i++) {
            MemorySegment src = plan.payloads()[i];
            long at = e.valueOffset() + plan.payloadOffset(i);
            for (long o = 0, n; o < src.byteSize(); o += n) {
                // chunks end on 2 MiB file boundaries, so the page cache can use huge folios and the
                // view is mapped with 2 MiB entries (chunks 4 KiB off made 3% of it 4 KiB-mapped)
                n = Math.min(COPY_CHUNK - Math.floorMod(at + o, HUGE_PAGE), src.byteSize() - o);
                long from = o;
                long len = n;
                store.useDescriptor(() -> {
                    store.file().write(src.asSlice(from, len), at + from);
                    return null;
                });
                done += n;
                if (progress != null) {
                    progress.copied(key, done, total);
                }
            }
        }
    }

    /** Step 3, under the locks: the entry valid, then (after a sync when durable) what it replaces deleted. */
    private Object finish(Reserved r, boolean wantPrevious) throws IOException {
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
    private void abandon(FileEntry pending) {
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

    private void releasePending(long offset) throws IOException {
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
