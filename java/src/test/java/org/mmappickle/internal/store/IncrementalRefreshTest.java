package org.mmappickle.internal.store;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.ArrayFormat;
import org.mmappickle.Durability;
import org.mmappickle.codec.Codecs;
import org.mmappickle.internal.format.EntryIndex;
import org.mmappickle.internal.format.EntryScanner;
import org.mmappickle.internal.format.FileEntry;
import org.mmappickle.testing.ChurnWriter;
import org.mmappickle.testing.Jvm;
import org.mmappickle.testing.Python;

/**
 * The index an incremental refresh builds equals a full rescan's, checked after every refresh
 * while two other JVMs and the Python writer append, replace, delete, clear and copy two-phase
 * payloads, and this process changes the file too.
 */
class IncrementalRefreshTest {
    @TempDir
    Path dir;

    static FileStore.Settings settings() {
        return new FileStore.Settings(true, true, ArrayFormat.OURS, Durability.PAGE_CACHE, null, Codecs.defaults());
    }

    @Test
    void theIndexAfterEveryRefreshEqualsAFullRescanWhileOthersWrite() throws Exception {
        long seed = new java.util.SplittableRandom().nextLong();
        Path p = dir.resolve("shared.mmdpickle");
        Path py = Path.of(IncrementalRefreshTest.class.getResource("/python/mmapdict_py.py").toURI());
        SplittableRandom rnd = new SplittableRandom(seed);
        try (FileStore store = FileStore.open(p, settings())) {
            for (int i = 0; i < 100; i++) {
                store.put("own" + i, List.of(i), ArrayFormat.OURS, false, Durability.PAGE_CACHE);
            }
            List<Process> others = List.of(
                    Jvm.start(ChurnWriter.class, p.toString(), "jA", "400", Long.toString(seed + 1)),
                    Jvm.start(ChurnWriter.class, p.toString(), "jB", "400", Long.toString(seed + 2)),
                    new ProcessBuilder(Python.executable(), py.toString(), p.toString(), "churn", "300", "py",
                            Long.toString(seed + 3)).redirectError(ProcessBuilder.Redirect.INHERIT).start());
            int checks = 0;
            int incremental = 0;
            try {
                while (others.stream().anyMatch(Process::isAlive) || checks < 50) {
                    int own = rnd.nextInt(100);
                    if (rnd.nextInt(3) == 0) {
                        store.delete(List.of("own" + own), Durability.PAGE_CACHE);
                    } else {
                        store.put("own" + own, List.of(checks), ArrayFormat.OURS, false, Durability.PAGE_CACHE);
                    }
                    Thread.sleep(rnd.nextInt(3));   // lets the others commit between our refreshes
                    incremental += store.withExclusiveLockAndFreshIndex(() -> compare(store, rnd, seed));
                    checks++;
                }
            } finally {
                for (Process o : others) {
                    if (!o.waitFor(120, TimeUnit.SECONDS)) {
                        o.destroyForcibly();
                    }
                }
            }
            for (Process o : others) {
                assertEquals(0, o.exitValue(), "a writer failed; seed " + seed);
            }
            assertTrue(incremental > 0, "no refresh was incremental (seed " + seed + ")");
            System.out.println("incremental refresh: " + incremental + " of " + checks + " checks; seed " + seed
                    + (store.sharedStorage() ? " (shared-storage mode)" : " (local mode)"));
        }
    }

    /**
     * With the locks held and the index refreshed: a sample of point lookups (which learn
     * deletions lazily), then the whole index, against a full rescan of the file. Returns 1 when
     * the refresh before it was incremental.
     */
    private static int compare(FileStore store, SplittableRandom rnd, long seed) throws java.io.IOException {
        boolean wasIncremental = store.deletionsUnverified();
        EntryIndex full = new EntryIndex();
        long size = store.file().size();
        try (Arena arena = Arena.ofConfined()) {
            EntryScanner.Result r = store.scan(size, arena);
            full.reset(r.entries(), r.end(), store.currentCommit(), size);
        }
        String msg = "seed " + seed + ", commit " + full.commit();
        List<String> sample = new ArrayList<>(full.keys());
        for (int i = 0; i < 10 && !sample.isEmpty(); i++) {
            String k = sample.get(rnd.nextInt(sample.size()));
            assertEquals(full.live(k), store.liveEntry(k), msg + ", key " + k);
        }
        for (String k : List.of("jA" + rnd.nextInt(40), "py" + rnd.nextInt(40), "own" + rnd.nextInt(100))) {
            assertEquals(full.live(k), store.liveEntry(k), msg + ", key " + k);
        }
        EntryIndex exact = store.index();
        assertEquals(full.all().size(), exact.all().size(), msg);
        for (int i = 0; i < full.all().size(); i++) {
            assertEquals(full.all().get(i), exact.all().get(i), msg + ", entry " + i);
        }
        assertEquals(liveOffsets(full), liveOffsets(exact), msg);
        assertEquals(full.end(), exact.end(), msg);
        assertEquals(full.memoStart(), exact.memoStart(), msg);
        assertEquals(full.pending(), exact.pending(), msg);
        return wasIncremental ? 1 : 0;
    }

    private static Map<String, Long> liveOffsets(EntryIndex index) {
        Map<String, Long> out = new HashMap<>();
        for (String k : index.keys()) {
            FileEntry e = index.live(k);
            out.put(k, e.offset());
        }
        return out;
    }
}
