package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.internal.io.IoFeature;

/**
 * A long-running writer that puts, reads and deletes arrays keeps a bounded number of memory maps
 * (issue 15: every get used to map a new region until close, heading for vm.max_map_count).
 */
class BoundedMappingsTest {
    @TempDir
    Path dir;

    private static long mapsOf(Path file) throws Exception {
        String name = file.toRealPath().toString();
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.endsWith(name)).count();
        }
    }

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
                    long maps = mapsOf(p);
                    most = Math.max(most, maps);
                    if (IoFeature.MAP_PAST_END.available()) {
                        assertTrue(maps <= 16, "after " + (i + 1) + " cycles the file is mapped " + maps + " times ("
                                + Files.size(p) + " bytes)");
                    } else {
                        // the channel path cannot map past the end: a window is mapped again each time the file
                        // grows past it (here every cycle), and the old maps stay until the dict closes
                        assertTrue(maps <= i + 2 + 16, "after " + (i + 1) + " cycles: " + maps + " maps");
                        break;
                    }
                }
            }
            System.out.println(cycles + " put/get/delete cycles: at most " + most + " maps of a " + Files.size(p)
                    + "-byte file");
        }
        assertEquals(0, mapsOf(p), "close unmaps everything");
    }
}
