package org.mmappickle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the side-by-side harness at tiny sizes and checks that it produces its tables. Nothing here
 * is timed: the figures of a test run mean nothing (bench/README.md), so the runs do not wait for
 * an idle machine ({@code --no-wait}; on a busy one the gate would hold each run up to a minute).
 */
class CompareSmokeTest {
    @Test
    void quickRunPrintsEveryTable(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report.md");
        Path files = dir.resolve("files");
        String report = Compare.run("--quick", "--size", "4m", "--reps", "1", "--keys", "100,300",
                "--no-wait", "--dir", files.toString(), "--out", out.toString());
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
    void severalSizesPrefaultModesSideBySideAndTheLargerThanRamSection(@TempDir Path dir) throws Exception {
        Path files = dir.resolve("files");
        String report = Compare.run("--quick", "--size", "4m,8m", "--prefault", "huge,none", "--reps", "1",
                "--sections", "ingest,big", "--big-sizes", "4m,8m", "--no-fsync", "--no-wait", "--dir", files.toString());
        for (String heading : new String[] {"## Ingest of a 4 MiB float32 array", "## Ingest of a 8 MiB float32 array",
                "## Larger than RAM: `set` from a source file mapped read-only, JVM with -Xmx256m"}) {
            assertTrue(report.contains(heading), heading + " missing from:\n" + report);
        }
        assertTrue(report.contains("| writer | page cache, prefaulted (GB/s) | page cache, no prefault (GB/s) |"), report);
        // both columns hold a figure in every ingest table (n/a would mean a mode was not run)
        assertFalse(report.lines().anyMatch(l -> l.startsWith("| mmappickle `set(key, NDArray.wrap(segment))` |")
                && l.contains("n/a")), report);
        assertTrue(report.lines().anyMatch(l -> l.startsWith("| 4 MiB | ")), report);
        assertTrue(report.lines().anyMatch(l -> l.startsWith("| 8 MiB | ")), report);
        assertFalse(report.contains("larger-than-RAM run failed"), report);
        try (var s = Files.list(files)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("big")), "the big section deletes its files");
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
        assertEquals(java.util.List.of("huge"), o.prefaults, "--quick: prefaulted only");
        Compare.Opts full = Compare.parse("--size", "1g,4g", "--sections", "ingest,big", "--big-sizes", "1g,32g");
        assertEquals(java.util.List.of(1L << 30, 4L << 30), full.sizes);
        assertEquals(java.util.List.of("huge", "cold"), full.prefaults, "prefaulted and cold side by side by default");
        assertEquals(java.util.List.of(1L << 30, 32L << 30), full.bigSizes);
        assertFalse(Compare.parse().sections.contains("big"), "the larger-than-RAM section is asked for by name");
        assertThrows(IllegalArgumentException.class, () -> Compare.parse("--prefault", "huge,huge"));
        assertEquals(java.util.List.of("ours-pending*", "np-tofile"), Compare.parse("--writers", "ours-pending*,np-tofile").writers);
    }
}
