package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.internal.io.IoFeature;
import org.mmappickle.testing.FileMaps;

/**
 * A long-running writer that puts, reads and deletes arrays keeps a bounded number of memory maps
 * (issue 15: every get used to map a new region until close, heading for vm.max_map_count).
 */
class BoundedMappingsTest {
    @TempDir
    Path dir;

    @Test
    void hundredThousandPutGetDeleteCyclesKeepTheMapsBounded() throws Exception {
        Path p = dir.resolve("cycles.mmdpickle");
        int cycles = 100_000;
        try (MmapDict m = MmapDict.open(p)) {
            long most = 0;
            for (int i = 0; i < cycles; i++) {
                m.set("a", new double[] {i, i + 1, i + 2});
                NDArray a = (NDArray) m.get("a");
                assertEquals(i + 2, a.getDouble(2), "cycle " + i);
                assertTrue(m.delete("a"));
                if (i % 10_000 == 9_999) {
                    long maps = FileMaps.of(p);
                    if (!IoFeature.MAP_PAST_END.available()) {
                        // the channel path maps a window again each time the file grows past it (here every
                        // cycle); the maps it replaced go once no view reaches them: after a collection
                        maps = FileMaps.afterCollecting(p, 16);
                    }
                    most = Math.max(most, maps);
                    assertTrue(maps <= 16, "after " + (i + 1) + " cycles the file is mapped " + maps + " times ("
                            + Files.size(p) + " bytes)");
                }
            }
            System.out.println(cycles + " put/get/delete cycles: at most " + most + " maps of a " + Files.size(p)
                    + "-byte file");
        }
        assertEquals(0, FileMaps.of(p), "close unmaps everything");
    }

    /**
     * A value longer than a window gets a map of its own; before, those maps lived until close, so
     * a writer cycling big arrays grew one map per cycle. Now a big map is released once no view of
     * it is reachable (the cycles drop theirs and collect), and close still makes a kept view fail
     * cleanly. The arrays are allocated (their payloads stay sparse holes), so the cycles are cheap.
     */
    @Test
    void bigArraysCycledAgainAndAgainAreUnmappedOnceNoViewOfThemIsLeft() throws Exception {
        Path p = dir.resolve("big.mmdpickle");
        long n = ((65L << 20) / 8) + 1;   // one more float64 than 65 MiB: longer than a 64 MiB window
        int cycles = 60;
        NDArray kept;
        try (MmapDict m = MmapDict.open(p)) {
            long most = 0;
            for (int i = 0; i < cycles; i++) {
                NDArray a = m.allocate("big", DType.FLOAT64, n);
                a.setDouble(i, n - 1);
                NDArray read = (NDArray) m.get("big");
                assertEquals(i, read.getDouble(n - 1), "cycle " + i);
                assertEquals(i, m.getArray("big").getDouble(n - 1), "cycle " + i + ", read again");
                assertTrue(m.delete("big"));
                a = null;
                read = null;
                System.gc();   // the views are gone: their maps are unmapped by the cleaner after a collection
                long maps = FileMaps.of(p);
                most = Math.max(most, maps);
                if (i >= 10) {
                    assertTrue(maps <= 24, "after " + (i + 1) + " cycles the file is mapped " + maps + " times ("
                            + Files.size(p) + " bytes)");
                }
            }
            System.out.println(cycles + " big put/get/delete cycles: at most " + most + " maps of a "
                    + Files.size(p) + "-byte file");
            kept = m.allocate("last", DType.FLOAT64, n);
            kept.setDouble(42, 0);
            assertEquals(42, ((NDArray) m.get("last")).getDouble(0));
        }
        assertEquals(0, FileMaps.of(p), "close unmaps everything, the big map of a view still reachable too");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept.getDouble(0));
        assertTrue(e.getMessage().contains("after its MmapDict was closed"), e.getMessage());
    }

    /** A thread summing a big view while another closes the dict stops with the closed-dict exception, never a crash. */
    @Test
    void aBigViewInUseWhileTheDictClosesFailsCleanly() throws Exception {
        Path p = dir.resolve("closing.mmdpickle");
        long n = ((65L << 20) / 8) + 1;
        MmapDict m = MmapDict.open(p);
        NDArray a = m.allocate("big", DType.FLOAT64, n);
        a.setDouble(1.5, n - 1);
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Throwable> stopped = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong sums = new java.util.concurrent.atomic.AtomicLong();
        Thread reader = new Thread(() -> {
            started.countDown();
            try {
                while (true) {
                    assertEquals(1.5, a.sum());
                    sums.incrementAndGet();
                }
            } catch (Throwable t) {
                stopped.set(t);
            }
        });
        reader.start();
        started.await();
        m.close();
        reader.join();
        assertInstanceOf(IllegalStateException.class, stopped.get(), "after " + sums.get() + " sums");
        assertEquals(0, FileMaps.of(p));
    }
}
