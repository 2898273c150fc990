package org.mmappickle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows a file that other processes (or threads) change, for an independent viewer: each
 * {@link #poll} waits until the commit number moves and says which keys were added, replaced or
 * deleted since the previous look. Waiting reads the commit number through the dict's memory map,
 * so an idle watcher makes no system call between sleeps. One watcher per thread.
 */
public final class ChangeWatcher {
    private final MmapDict dict;
    private final Duration interval;
    private Map<String, Long> seen;
    private int commit;

    ChangeWatcher(MmapDict dict, Duration interval, boolean fromEmpty) {
        this.dict = dict;
        this.interval = interval;
        if (fromEmpty) {
            this.seen = Map.of();
            this.commit = Integer.MIN_VALUE;
        } else {
            var now = dict.snapshot();   // the offsets and the commit number they belong to, in one lock hold
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
        if (!dict.awaitChange(commit, timeout, interval)) {
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
        var snapshot = dict.snapshot();   // one lock hold: the offsets belong to this commit number
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
}
