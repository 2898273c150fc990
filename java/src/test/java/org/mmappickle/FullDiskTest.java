package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.internal.format.FileLayout;
import org.mmappickle.testing.Python;
import org.mmappickle.testing.ScratchFileSystem;

/**
 * The class of issue 13 item 3: a change that fails on a full disk must leave the file whole
 * (ending in its terminator, loadable by plain pickle, opening with nothing to repair, every
 * acknowledged key present), on every file system, copy-on-write ones included, where restoring
 * the tail must not need new space.
 */
class FullDiskTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"tmpfs", "ext4", "btrfs", "xfs"})
    void everyChangeThatFailsOnAFullDiskLeavesTheFileWhole(String type) throws Exception {
        long size = type.equals("xfs") ? 300L << 20 : type.equals("btrfs") ? 160L << 20 : 24L << 20;
        ScratchFileSystem fs = ScratchFileSystem.mount(dir, type, size);
        assumeTrue(fs != null, "cannot mount " + type + " here (needs root and /dev/loop*): " + ScratchFileSystem.whyNot);
        try (fs) {
            Path p = fs.path().resolve("full.mmdpickle");
            Random rnd = new Random(type.hashCode());
            Map<String, Integer> stored = new HashMap<>();
            int failures = 0;
            for (int b = 1; b <= 3; b++) {
                Files.write(fs.path().resolve("ballast" + b), new byte[4 << 20]);
            }
            try (MmapDict m = MmapDict.open(p)) {
                for (int i = 0; failures < 15 && i < 100_000; i++) {
                    String key = "k" + (i % 400);
                    int kind = failures == 0 ? i % 2 : rnd.nextInt(4);
                    int n = switch (kind) {
                        case 0 -> 5_000 + rnd.nextInt(20_000);        // one write
                        case 1 -> 140_000 + rnd.nextInt(200_000);    // two-phase
                        case 2 -> 1 + rnd.nextInt(2_000);             // small
                        default -> 140_000;                           // reserved allocation
                    };
                    try {
                        if (kind == 3) {
                            NDArray a = m.allocate(key, DType.FLOAT64, true, n);
                            a.setDouble(i, 0);
                            a.setDouble(i, n - 1);
                        } else {
                            double[] v = new double[n];
                            Arrays.fill(v, i);
                            m.set(key, v);
                        }
                        stored.put(key, i);
                    } catch (UncheckedIOException | IOException e) {
                        IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
                        assertTrue(io instanceof NativeIOException ne && ne.isDiskFull(), type + ": " + io);
                        failures++;
                        assertWhole(p, stored, type + ", failure " + failures + " (" + io.getMessage() + ")");
                        if (failures % 5 == 0) {
                            // room for another round: on copy-on-write file systems even a one-byte
                            // delete needs space, so another file makes room first
                            Files.deleteIfExists(fs.path().resolve("ballast" + failures / 5));
                            if (!stored.isEmpty()) {
                                String gone = stored.keySet().iterator().next();
                                m.delete(gone);
                                stored.remove(gone);
                                m.vacuum();
                            }
                        }
                    }
                }
            }
            assertTrue(failures > 0, type + ": the disk filled up");
            assertWhole(p, stored, type + " at the end");
        }
    }

    private static void assertWhole(Path p, Map<String, Integer> stored, String context) throws Exception {
        byte[] b = Files.readAllBytes(p);
        assertTrue(FileLayout.isTerminator(b, b.length - FileLayout.TERMINATOR_LENGTH), context + ": the file ends in its terminator");
        Python.Result r = Python.run(List.of("-c", "import pickle,sys; d=pickle.load(open(sys.argv[1],'rb')); print(len(d))",
                p.toString()), 120);
        assertEquals(0, r.exit(), context + ": plain pickle loads it: " + r.err());
        try (MmapDict m = MmapDict.open(p)) {
            assertTrue(m.lastRepair().isEmpty(), context + ": nothing to repair, got " + m.lastRepair());
            for (Map.Entry<String, Integer> e : stored.entrySet()) {
                NDArray a = (NDArray) m.get(e.getKey());
                assertNotNull(a, context + ": " + e.getKey());
                assertEquals(e.getValue(), (int) a.getDouble(0), context + ": " + e.getKey());
                assertEquals(e.getValue(), (int) a.getDouble(a.size() - 1), context + ": " + e.getKey());
            }
        }
    }
}
