package org.mmappickle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the side-by-side harness at tiny sizes and checks that it produces its tables. Nothing here
 * is timed: the figures of a test run mean nothing (bench/README.md).
 */
class CompareSmokeTest {
    @Test
    void quickRunPrintsEveryTable(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report.md");
        Path files = dir.resolve("files");
        String report = Compare.run("--quick", "--size", "4m", "--reps", "1", "--keys", "100,300",
                "--dir", files.toString(), "--out", out.toString());
        assertEquals(report, Files.readString(out));
        for (String heading : new String[] {"## Ingest of a 4 MiB float32 array", "## Sequential read (sum)",
                "## Small operations", "## Targets (issue 9)"}) {
            assertTrue(report.contains(heading), heading + " missing from:\n" + report);
        }
        assertTrue(report.contains("| mmappickle `set(key, NDArray.wrap(segment))` | "), report);
        assertTrue(report.contains("| two processes putting new keys into a "), report);
        if (report.contains("| numpy `tofile` | ")) {   // the allocate table is relative to tofile
            assertTrue(report.contains("## Allocate, fill, publish"), report);
            assertTrue(report.contains("| mmappickle `allocatePending` + `copyFrom(segment)` + `publish` | "), report);
            assertTrue(report.contains("GB per CPU-second"), report);
        }
        assertFalse(report.contains("did not return the cached view"), report);
        assertFalse(report.contains("differs from the in-RAM sum"), report);
        assertFalse(report.contains("listed"), report);
        assertTrue(Files.exists(files), "--dir is kept");
        try (var s = Files.list(files)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".mmdpickle")), "benchmark files are deleted");
        }
    }

    @Test
    void parsesSizesAndOptions() {
        assertEquals(1L << 30, Bench.parseSize("1g"));
        assertEquals(512L << 20, Bench.parseSize("512MiB"));
        assertEquals(100_000, Bench.parseSize("100000"));
        Compare.Opts o = Compare.parse("--quick", "--size", "16m", "--keys", "10,20");
        assertEquals(16L << 20, o.size);
        assertEquals(2, o.keys.length);
        assertTrue(o.quick);
        assertEquals(java.util.List.of("ours-pending*", "np-tofile"), Compare.parse("--writers", "ours-pending*,np-tofile").writers);
    }
}
