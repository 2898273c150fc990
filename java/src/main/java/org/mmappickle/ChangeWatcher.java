package org.mmappickle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mmappickle.internal.store.FileStore;

/**
 * Follows a file that other processes (or threads) change, for an independent viewer: each
 * {@link #poll} waits until the commit number moves and says which keys were added, replaced or
 * deleted since the previous look. Waiting reads the commit number through the dict's memory map,
 * so an idle watcher makes no system call between sleeps. One watcher per thread.
 */
public final class ChangeWatcher {
    private final FileStore store;
    private final Duration interval;
    private Map<String, Long> seen;
    private int commit;

    ChangeWatcher(FileStore store, Duration interval, boolean fromEmpty) {
        this.store = store;
        this.interval = interval;
        if (fromEmpty) {
            this.seen = Map.of();
            this.commit = Integer.MIN_VALUE;
        } else {
            var now = store.snapshot();   // the offsets and the commit number they belong to, in one lock hold
            this.seen = now.offsets();
            this.commit = now.commit();
        }
    }

    /**
     * Returns how often {@link #poll} looks at the commit number.
     *
     * @return how often {@link #poll} looks at the commit number
     */
    public Duration interval() {
        return interval;
    }

    /**
     * Waits until the file changed since the last look (or the timeout passed) and returns what
     * changed; an empty {@link Changes} after a timeout.
     *
     * @param timeout how long to wait at most
     * @return what changed, empty when the timeout passed first
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public Changes poll(Duration timeout) throws InterruptedException {
        if (!awaitChange(store, commit, timeout, interval)) {
            return new Changes(List.of(), List.of(), List.of(), commit);
        }
        return look();
    }

    /**
     * Returns what changed since the last look, without waiting.
     *
     * @return what changed since the last look, without waiting
     */
    public Changes look() {
        var snapshot = store.snapshot();   // one lock hold: the offsets belong to this commit number
        int now = snapshot.commit();
        Map<String, Long> current = snapshot.offsets();
        List<String> added = new ArrayList<>();
        List<String> replaced = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        for (Map.Entry<String, Long> e : current.entrySet()) {
            Long before = seen.get(e.getKey());
            if (before == null) {
                added.add(e.getKey());
            } else if (!before.equals(e.getValue())) {
                replaced.add(e.getKey());
            }
        }
        for (String k : seen.keySet()) {
            if (!current.containsKey(k)) {
                deleted.add(k);
            }
        }
        seen = new HashMap<>(current);
        commit = now;
        return new Changes(added, replaced, deleted, now);
    }

    /**
     * Waits for the commit number to move away from {@code seenCommit}, looking every {@code interval} through the
     * header's memory map (no lock, no system call).
     */
    static boolean awaitChange(FileStore store, int seenCommit, Duration timeout, Duration interval)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (store.currentCommit() == seenCommit) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Math.max(1, Math.min(interval.toMillis(), left / 1_000_000)));
        }
        return true;
    }
}
