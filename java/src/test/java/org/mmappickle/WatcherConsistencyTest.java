package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watcher's look reads the commit number and the entries' offsets under one lock hold: while
 * a writer only adds keys, every poll that returns before its timeout reports at least one added
 * key, each key is reported exactly once, and none is missed.
 */
class WatcherConsistencyTest {
    @TempDir
    Path dir;

    @Test
    void everyWakeUpReportsTheChangeThatCausedItAndEachKeyOnce() throws Exception {
        int keys = 3000;
        Path p = dir.resolve("watched.mmdpickle");
        try (MmapDict writer = MmapDict.open(p); MmapDict reader = MmapDict.openReadOnly(p)) {
            ChangeWatcher w = reader.watcher(Duration.ofMillis(1));
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    for (int i = 0; i < keys; i++) {
                        writer.set("k" + i, i);
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            t.start();
            Set<String> seen = new HashSet<>();
            int polls = 0;
            while (seen.size() < keys) {
                Changes c = w.poll(Duration.ofSeconds(60));
                polls++;
                assertNull(failed.get());
                assertFalse(c.added().isEmpty() && c.replaced().isEmpty() && c.deleted().isEmpty(),
                        "poll " + polls + " woke up (commit " + c.commitNumber() + ") and reported nothing; " + seen.size()
                                + " keys seen so far");
                for (String k : c.added()) {
                    assertTrue(seen.add(k), k + " reported twice");
                }
                assertEquals(java.util.List.of(), c.deleted());
            }
            t.join();
            assertEquals(keys, seen.size());
            System.out.println("watcher: " + keys + " keys in " + polls + " polls");
        }
    }
}
