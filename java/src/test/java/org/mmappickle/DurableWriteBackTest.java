package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.testing.CacheStat;

/**
 * Issue 16 item 5: a durable two-phase copy starts the write-back of every chunk as soon as it is
 * written (so the disk works during the copy and the final fdatasync only waits), which the page
 * cache shows: while the copy runs, the chunks already copied are no longer dirty; without the
 * durable mode they stay dirty.
 */
class DurableWriteBackTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    /** Dirty pages of the whole file seen from the progress listener, after each chunk. */
    private List<long[]> dirtyDuringCopy(Path p, Durability d, MemorySegment src) throws Exception {
        List<long[]> seen = new ArrayList<>();
        CopyProgress watch = (key, copied, total) -> {
            try {
                seen.add(new long[] {copied, CacheStat.of(p, 0, 0).dirty()});
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        try (MmapDict m = MmapDict.open(p, new MmapDict.Options().durability(d).ingestThreads(1).progress(watch))) {
            m.set("x", NDArray.wrap(src, DType.UINT8, src.byteSize()));
            assertEquals(-1, ((NDArray) m.get("x")).segment().mismatch(src), d + ": bytes read back");
        }
        return seen;
    }

    @Test
    void durableCopyStartsWriteBackOfEachChunkAsItGoes() throws Exception {
        Path probe = dir.resolve("probe");
        Files.write(probe, new byte[1]);
        assertTrue(CacheStat.available(probe), "this test reads dirty pages with cachestat, which needs Linux 6.5+");
        long seed = new SplittableRandom().nextLong();
        long size = 200 * MIB + 3;   // four 64 MiB chunks, the last one short
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate(size);
            SplittableRandom rnd = new SplittableRandom(seed);
            for (long i = 0; i + 8 <= size; i += 8) {
                src.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i, rnd.nextLong());
            }
            List<long[]> durable = dirtyDuringCopy(dir.resolve("durable.mmdpickle"), Durability.DURABLE, src);
            List<long[]> cached = dirtyDuringCopy(dir.resolve("cached.mmdpickle"), Durability.PAGE_CACHE, src);
            assertTrue(durable.size() >= 4, "seed " + seed + ": chunks reported: " + durable.size());
            for (long[] s : durable) {
                if (!org.mmappickle.internal.io.IoFeature.EARLY_WRITE_BACK.available()) {
                    // the documented degradation: the channel path leaves the copy to the final fsync
                    assertTrue(s[1] > s[0] / 4096 / 2, "seed " + seed + ": channel path, " + s[1] + " dirty pages");
                    continue;
                }
                // at most the header pages and a partial page at each chunk end stay dirty
                assertTrue(s[1] < 64, "seed " + seed + ": after " + s[0] + " bytes copied durably, "
                        + s[1] + " pages were still dirty: their write-back was not started");
            }
            // the control: the same copy without durability leaves what it copied dirty (write-back starts
            // after 30 s or under memory pressure), so the check above is about the durable path
            long[] mid = cached.get(1);
            assertTrue(mid[1] > mid[0] / 4096 / 2, "seed " + seed + ": page-cache copy: " + mid[1]
                    + " dirty pages after " + mid[0] + " bytes");
        }
    }
}
