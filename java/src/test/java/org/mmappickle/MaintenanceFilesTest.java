package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.testing.DiskUsage;
import org.mmappickle.testing.Python;
import org.mmappickle.testing.ScratchFileSystem;

/**
 * What maintenance leaves on disk (issue 13 items 15, 17, 18): the rewritten file keeps its mode
 * and owner; files beside the target are created exclusively, never through a link; vacuum on a
 * file system without hole punching degrades instead of failing half-way; a killed compaction's
 * leftover is reported and removed; compaction keeps holes as holes.
 */
class MaintenanceFilesTest {
    @TempDir
    Path dir;

    private static int attr(Path p, String name) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:" + name, LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean root() throws Exception {
        return attr(Path.of("/proc/self"), "uid") == 0;
    }

    private Path withEntries(String name) throws Exception {
        Path p = dir.resolve(name);
        try (MmapDict m = MmapDict.open(p)) {
            m.set("a", "alpha");
            m.set("gone", new double[1000]);
            m.set("b", new double[] {1, 2, 3});
            m.delete("gone");
        }
        return p;
    }

    @Test
    void compactionAndConversionKeepTheFilesModeAndOwner() throws Exception {
        Path p = withEntries("owned.mmdpickle");
        Files.setAttribute(p, "unix:mode", 0600);
        boolean chown = root();
        if (chown) {
            Files.setAttribute(p, "unix:uid", 1234);
            Files.setAttribute(p, "unix:gid", 2345);
        }
        try (MmapDict m = MmapDict.open(p)) {
            m.compact();
        }
        assertEquals(0600, attr(p, "mode") & 07777, "compaction keeps the mode");
        if (chown) {
            assertEquals(1234, attr(p, "uid"), "compaction keeps the owner");
            assertEquals(2345, attr(p, "gid"), "compaction keeps the group");
        }
        Path plain = dir.resolve("plain.pkl");
        Python.Result w = Python.run(List.of("-c", "import pickle,sys; pickle.dump({'x': 1}, open(sys.argv[1], 'wb'))",
                plain.toString()), 60);
        assertEquals(0, w.exit(), w.err());
        Files.setAttribute(plain, "unix:mode", 0640);
        if (chown) {
            Files.setAttribute(plain, "unix:uid", 4321);
        }
        MmapDict.convert(plain);
        assertEquals(0640, attr(plain, "mode") & 07777, "conversion in place keeps the mode");
        if (chown) {
            assertEquals(4321, attr(plain, "uid"), "conversion in place keeps the owner");
        }
        try (MmapDict m = MmapDict.openReadOnly(plain)) {
            assertEquals(1L, ((Number) m.get("x")).longValue());
        }
    }

    @Test
    void filesBesideTheTargetAreNeverOpenedThroughALinkPlantedThere() throws Exception {
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "precious");
        Path p = withEntries("linked.mmdpickle");
        Files.createSymbolicLink(dir.resolve("linked.mmdpickle.compacting"), victim);
        try (MmapDict m = MmapDict.open(p)) {
            m.compact();
        }
        assertEquals("precious", Files.readString(victim), "compaction wrote through a planted link");
        assertFalse(Files.exists(dir.resolve("linked.mmdpickle.compacting"), LinkOption.NOFOLLOW_LINKS));
        try (MmapDict m = MmapDict.openReadOnly(p)) {
            assertEquals("alpha", m.get("a"));
        }
        Path plain = dir.resolve("plain2.pkl");
        Python.Result w = Python.run(List.of("-c", "import pickle,sys; pickle.dump({'y': 'why'}, open(sys.argv[1], 'wb'))",
                plain.toString()), 60);
        assertEquals(0, w.exit(), w.err());
        Path target = dir.resolve("converted.mmdpickle");
        Files.createSymbolicLink(dir.resolve("converted.mmdpickle.converting"), victim);
        MmapDict.convert(plain, target);
        assertEquals("precious", Files.readString(victim), "conversion wrote through a planted link");
        try (MmapDict m = MmapDict.openReadOnly(target)) {
            assertEquals("why", m.get("y"));
        }
    }

    @Test
    void vacuumOnAFileSystemWithoutHolePunchingWritesFillersAndReportsSpaceNotReclaimed() throws Exception {
        ScratchFileSystem fs = ScratchFileSystem.mount(dir, "ramfs", 64L << 20);
        assumeTrue(fs != null, "cannot mount ramfs here (needs root): " + ScratchFileSystem.whyNot);
        try (fs) {
            Path p = fs.path().resolve("noholes.mmdpickle");
            try (MmapDict m = MmapDict.open(p)) {
                m.set("keep", "kept");
                for (int i = 0; i < 3; i++) {
                    m.set("gone" + i, new double[20_000]);
                    m.set("text" + i, "x".repeat(5000));
                }
                m.set("array", new double[] {7, 8, 9});
                for (int i = 0; i < 3; i++) {
                    m.delete("gone" + i);
                    m.delete("text" + i);
                }
                VacuumReport r = m.vacuum();
                assertFalse(r.spaceReclaimed(), "ramfs cannot punch holes: " + r);
                assertEquals(6, r.entriesReclaimed(), "every deleted value became a filler: " + r);
                assertEquals(0, r.bytesPunched());
                // the deleted texts ("x" * 5000; the deleted arrays held zeros already) are overwritten with zeros
                assertTrue(r.bytesZeroed() >= 3 * 5000 && r.bytesZeroed() < 3 * 5000 + 3 * 4096, r.toString());
                assertFalse(new String(java.nio.file.Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1)
                        .contains("x".repeat(100)), "no deleted text is left in the file");
                VacuumReport again = m.vacuum();
                assertEquals(0, again.entriesReclaimed(), "the fillers are already there: " + again);
                assertEquals(0, again.bytesZeroed(), "and zeroed: " + again);
                assertEquals("kept", m.get("keep"));
            }
            try (MmapDict m = MmapDict.open(p)) {
                assertTrue(m.lastRepair().isEmpty());
                assertEquals(List.of("keep", "array"), List.copyOf(m.keySet()));
                assertEquals(9.0, ((NDArray) m.get("array")).getDouble(2));
            }
            Python.Result r = Python.run(List.of("-c", "import pickle,sys; d=pickle.load(open(sys.argv[1],'rb'));"
                    + " print(sorted(d), d['keep'])", p.toString()), 60);
            assertEquals(0, r.exit(), r.err());
            assertEquals("['array', 'keep'] kept", r.out().strip());
        }
    }

    @Test
    void aKilledCompactionsLeftoverIsReportedThenRemovedByAWritableOpenOrRepair() throws Exception {
        Path p = withEntries("left.mmdpickle");
        Path left = dir.resolve("left.mmdpickle.compacting");
        Files.write(left, new byte[100_000]);
        try (MmapDict m = MmapDict.openReadOnly(p)) {
            assertEquals(Optional.of(left.toAbsolutePath()), m.leftoverCompaction().map(Path::toAbsolutePath));
        }
        assertTrue(Files.exists(left), "a read-only open only reports it");
        try (MmapDict m = MmapDict.open(p)) {
            assertFalse(Files.exists(left), "a writable open removes it");
            assertTrue(m.leftoverCompaction().isEmpty());
            Files.write(left, new byte[10]);
            m.repair();
            assertFalse(Files.exists(left), "repair removes it");
            assertEquals("alpha", m.get("a"));
        }
    }

    @Test
    void compactionKeepsHolesAsHoles() throws Exception {
        Path p = dir.resolve("sparse.mmdpickle");
        double[] dense = new double[1 << 20];   // 8 MiB written
        java.util.Arrays.fill(dense, 0.25);
        try (MmapDict m = MmapDict.open(p)) {
            m.set("dropped", dense);
            NDArray big = m.allocate("big", DType.FLOAT64, 8L << 20);   // 64 MiB, sparse
            big.setDouble(1.5, 0);
            big.setDouble(2.5, (8L << 20) - 1);
            m.set("dense", dense);
            m.delete("dropped");
            m.vacuum();
        }
        long before;
        try (MmapDict m = MmapDict.open(p)) {
            before = DiskUsage.of(m);
            CompactReport r = m.compact();
            assertTrue(r.sizeAfter() < r.sizeBefore(), r.toString());
        }
        try (MmapDict m = MmapDict.open(p)) {
            long after = DiskUsage.of(m);
            assertTrue(after <= before + (256 << 10), "compaction kept the holes: " + before + " bytes on disk before, "
                    + after + " after (the file is " + Files.size(p) + " bytes)");
            assertTrue(after < (12L << 20), "the 64 MiB allocation stays sparse: " + after);
            NDArray big = (NDArray) m.get("big");
            assertEquals(1.5, big.getDouble(0));
            assertEquals(2.5, big.getDouble((8L << 20) - 1));
            assertEquals(0.0, big.getDouble(4L << 20));
            assertEquals(0.25, ((NDArray) m.get("dense")).getDouble(12345));
        }
    }
}
