package org.mmappickle.internal.store;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.NativeIOException;
import org.mmappickle.internal.format.FileLayout;
import org.mmappickle.internal.io.IoFeature;
import org.mmappickle.internal.io.NativeFile;
import org.mmappickle.testing.Python;
import org.mmappickle.testing.ScratchFileSystem;

/**
 * Issue 16 item 1 and the failure half of item 2: the payload range of a two-phase append is
 * reserved before its bytes are copied; a file system that refuses the reservation gets the copy
 * without it; a full disk found by the reservation leaves the file byte for byte as it was; a full
 * disk found by one of several copy threads gives one exception naming the errno and the dict as
 * it was.
 */
class PayloadReservationTest {
    private static final int EOPNOTSUPP = 95;

    @TempDir
    Path dir;

    @AfterEach
    void restoreReservation() {
        TwoPhaseAppend.reservation = NativeFile::fallocate;
    }

    @Test
    void thePayloadRangeIsReservedBeforeTheCopy() throws Exception {
        List<String> events = new ArrayList<>();
        TwoPhaseAppend.reservation = (file, offset, length) -> {
            events.add("reserve " + length);
            file.fallocate(offset, length);
        };
        try (MmapDict m = MmapDict.open(dir.resolve("r.mmdpickle"),
                new MmapDict.Options().ingestThreads(2).progress((k, done, total) -> {
                    synchronized (events) {
                        if (!events.getLast().startsWith("copied")) {
                            events.add("copied");
                        }
                    }
                }))) {
            double[] v = new double[5_000_000];
            Arrays.fill(v, 2.5);
            m.set("big", v);
            assertEquals(List.of("reserve 40000000", "copied"), events);
            assertEquals(2.5, ((NDArray) m.get("big")).getDouble(4_999_999));
        }
    }

    @Test
    void aFileSystemThatRefusesTheReservationGetsTheCopyWithoutIt() throws Exception {
        int[] refused = {0};
        TwoPhaseAppend.reservation = (file, offset, length) -> {
            refused[0]++;
            throw NativeFile.error("fallocate", file.path(), -EOPNOTSUPP, "offset=" + offset + ", length=" + length);
        };
        Path p = dir.resolve("refused.mmdpickle");
        try (MmapDict m = MmapDict.open(p, new MmapDict.Options().ingestThreads(3))) {
            float[] v = new float[(9 << 20) / 4 + 1];
            for (int i = 0; i < v.length; i++) {
                v[i] = i;
            }
            m.set("big", v);
            NDArray a = (NDArray) m.get("big");
            assertEquals(v.length - 1, a.getFloat(v.length - 1));
            assertEquals(12345f, a.getFloat(12345));
        }
        assertEquals(1, refused[0]);
        assertPythonSees(p, "big", String.valueOf((9 << 20) / 4));
    }

    @Test
    void onRamfsTheRealReservationIsRefusedAndTheCopyGoesOn() throws Exception {
        ScratchFileSystem fs = ScratchFileSystem.mount(dir, "ramfs", 0);
        assumeTrue(fs != null, "cannot mount ramfs here: " + ScratchFileSystem.whyNot);
        try (fs) {
            Path p = fs.path().resolve("ramfs.mmdpickle");
            try (NativeFile f = NativeFile.open(fs.path().resolve("probe"), NativeFile.Mode.CREATE)) {
                NativeIOException e = assertThrows(NativeIOException.class, () -> f.fallocate(0, 4096));
                assertEquals("EOPNOTSUPP", e.errnoName(), e.getMessage());
            }
            try (MmapDict m = MmapDict.open(p, new MmapDict.Options().ingestThreads(2))) {
                double[] v = new double[3_000_001];
                Arrays.fill(v, 7.0);
                m.set("big", v);
                assertEquals(7.0, ((NDArray) m.get("big")).getDouble(3_000_000));
            }
        }
    }

    @Test
    void aFullDiskFoundByTheReservationLeavesTheFileByteForByteAsItWas() throws Exception {
        ScratchFileSystem fs = ScratchFileSystem.mount(dir, "tmpfs", 8L << 20);
        assumeTrue(fs != null, "cannot mount tmpfs here: " + ScratchFileSystem.whyNot);
        try (fs) {
            Path p = fs.path().resolve("full.mmdpickle");
            try (MmapDict m = MmapDict.open(p, new MmapDict.Options().ingestThreads(4))) {
                m.set("small", "kept");
                m.set("mid", new double[200_000]);
                byte[] before = Files.readAllBytes(p);
                UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> m.set("big", new double[2_000_000]));
                assertTrue(e.getCause() instanceof NativeIOException n && n.isDiskFull(), e.toString());
                assertTrue(e.getMessage().contains("ENOSPC"), e.getMessage());
                if (IoFeature.RESERVATION.available()) {
                    assertArrayEquals(before, Files.readAllBytes(p), "the file is as before the call");
                } else {
                    // the channel path cannot reserve (fallocate: EOPNOTSUPP), so the copy finds the full disk:
                    // the entry is abandoned behind the old bytes, which stay as they were
                    byte[] after = Files.readAllBytes(p);
                    int end = before.length - FileLayout.TERMINATOR_LENGTH;
                    assertArrayEquals(Arrays.copyOfRange(before, FileLayout.HEADER_LENGTH, end),
                            Arrays.copyOfRange(after, FileLayout.HEADER_LENGTH, end), "the old entries are untouched");
                }
                assertFalse(m.containsKey("big"));
                assertEquals("kept", m.get("small"));
            }
            if (!IoFeature.RESERVATION.available()) {
                try (MmapDict m = MmapDict.open(p)) {
                    assertEquals(java.util.Set.of("small", "mid"), m.keySet());
                }
            }
        }
    }

    @Test
    void aFullDiskFoundByOneCopyThreadStopsTheOthersAndLeavesTheDictAsItWas() throws Exception {
        TwoPhaseAppend.reservation = (file, offset, length) -> {
            throw NativeFile.error("fallocate", file.path(), -EOPNOTSUPP, "");
        };
        ScratchFileSystem fs = ScratchFileSystem.mount(dir, "tmpfs", 40L << 20);
        assumeTrue(fs != null, "cannot mount tmpfs here: " + ScratchFileSystem.whyNot);
        try (fs) {
            Path p = fs.path().resolve("full.mmdpickle");
            try (MmapDict m = MmapDict.open(p, new MmapDict.Options().ingestThreads(4))) {
                m.set("small", "kept");
                m.set("mid", new double[200_000]);
                // 96 MiB into 40: the pieces beyond the free space fail, each with ENOSPC
                UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> m.set("big", new double[12 << 20]));
                NativeIOException n = assertInstanceOf(NativeIOException.class, e.getCause());
                assertEquals("ENOSPC", n.errnoName(), n.getMessage());
                assertTrue(n.getMessage().contains("ENOSPC"), n.getMessage());
                for (Throwable s : n.getSuppressed()) {
                    assertTrue(s instanceof NativeIOException o && o.isDiskFull(), "the other threads' failures: " + s);
                }
                assertFalse(m.containsKey("big"));
                assertEquals("kept", m.get("small"));
                assertEquals(2, m.size());
                m.vacuum();   // room again: the abandoned entry is an ordinary deleted one
                m.set("after", new double[] {4.0});
            }
            assertPythonSees(p, "mid", "199999");
            try (MmapDict m = MmapDict.open(p)) {
                assertTrue(m.lastRepair().isEmpty(), m.lastRepair().toString());
                assertEquals(3, m.size());
            }
        }
    }

    private static void assertPythonSees(Path p, String key, String lastIndex) throws Exception {
        Python.Result r = Python.run(List.of("-c", String.join("\n",
                "import pickle, sys",
                "d = pickle.load(open(sys.argv[1], 'rb'))",
                "a = d[sys.argv[2]]",
                "print(len(a) - 1)"), p.toString(), key), 120);
        assertEquals(0, r.exit(), r.err());
        assertEquals(lastIndex, r.out().strip());
    }
}
