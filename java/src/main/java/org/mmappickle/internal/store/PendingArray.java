package org.mmappickle.internal.store;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.mmappickle.ArrayWriter;
import org.mmappickle.NDArray;
import org.mmappickle.codec.EncodedValue;
import org.mmappickle.internal.format.FileEntry;

/**
 * An allocated array kept pending until its writer publishes it: the first and last steps of a
 * {@link TwoPhaseAppend}, with the caller's filling as the copy step in between.
 */
final class PendingArray implements ArrayWriter {
    private final FileStore store;
    private final String key;
    private final TwoPhaseAppend append;
    private final TwoPhaseAppend.Reserved reserved;
    private final NDArray view;
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
    public synchronized NDArray array() {
        if (closed && !published) {
            throw new IllegalStateException(store.path() + ": the pending array " + key + " was given up");
        }
        return view;
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
