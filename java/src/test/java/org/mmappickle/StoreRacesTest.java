package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.testing.CopyChild;
import org.mmappickle.testing.Jvm;
import org.mmappickle.testing.Python;

/**
 * The races issue 15 lists around the two-phase append: a close or a compaction while this dict
 * copies a payload with no lock held, an abandoned pending entry, a pending lock another process
 * holds. Each is provoked deterministically from the copy's progress callback or a child process.
 */
class StoreRacesTest {
    /** More than one copy chunk (64 MiB), so the copy calls back before it is done. */
    private static final long TWO_CHUNKS = 72L << 20;

    @TempDir
    Path dir;

    @Test
    void aCloseDuringALargeCopyFailsTheCopyAsClosedAndNoByteLandsInAnotherFile() throws Exception {
        Path p = dir.resolve("closed.mmdpickle");
        AtomicReference<MmapDict> dict = new AtomicReference<>();
        List<FileChannel> others = new ArrayList<>();
        List<Path> otherPaths = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate(TWO_CHUNKS);
            src.fill((byte) 0x11);
            MmapDict m = MmapDict.open(p, new MmapDict.Options().progress((key, done, total) -> {
                if (done < total && others.isEmpty()) {
                    try {
                        dict.get().close();
                        // the closed descriptor's number is free again: new files take it
                        for (int i = 0; i < 8; i++) {
                            Path o = dir.resolve("other" + i);
                            otherPaths.add(o);
                            others.add(FileChannel.open(o, StandardOpenOption.CREATE, StandardOpenOption.WRITE));
                        }
                    } catch (java.io.IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }));
            dict.set(m);
            m.set("small", "kept");
            IllegalStateException closed = assertThrows(IllegalStateException.class,
                    () -> m.set("big", NDArray.wrap(src, DType.UINT8, TWO_CHUNKS)));
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        } finally {
            for (FileChannel c : others) {
                c.close();
            }
        }
        assertFalse(otherPaths.isEmpty());
        for (Path o : otherPaths) {
            assertEquals(0, Files.size(o), o + " received bytes of the copy");
        }
        try (MmapDict m = MmapDict.open(p)) {
            assertEquals("kept", m.get("small"));
            assertFalse(m.containsKey("big"));
            assertTrue(m.entries().stream().noneMatch(EntryInfo::pending), "nobody copies any more: " + m.entries());
        }
        DurabilityTest.assertPlainPickleLoads(p);
    }

    @Test
    void compactionIsRefusedWhileThisDictCopiesAPayload() throws Exception {
        Path p = dir.resolve("copying.mmdpickle");
        AtomicReference<MmapDict> dict = new AtomicReference<>();
        AtomicReference<Throwable> compacted = new AtomicReference<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate(TWO_CHUNKS);
            src.fill((byte) 0x22);
            try (MmapDict m = MmapDict.open(p, new MmapDict.Options().progress((key, done, total) -> {
                if (done < total && compacted.get() == null) {
                    try {
                        dict.get().compact();
                        compacted.set(new AssertionError("compaction ran during the copy"));
                    } catch (Throwable t) {
                        compacted.set(t);
                    }
                }
            }))) {
                dict.set(m);
                m.set("gone", "x");
                m.delete("gone");
                m.set("big", NDArray.wrap(src, DType.UINT8, TWO_CHUNKS));
                assertEquals((byte) 0x22, ((NDArray) m.get("big")).getByte(TWO_CHUNKS - 1));
            }
        }
        assertInstanceOf(IllegalStateException.class, compacted.get());
        assertTrue(compacted.get().getMessage().contains("copying"), compacted.get().getMessage());
    }

    @Test
    void anEntryWhoseWriterDiedIsNotReportedAsBeingWritten() throws Exception {
        Path p = dir.resolve("abandoned.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.set("small", 1);
        }
        Process child = Jvm.start(CopyChild.class, p.toString());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("copying big", out.readLine());
            try (MmapDict m = MmapDict.openReadOnly(p)) {
                assertTrue(m.entries().stream().anyMatch(e -> e.key().equals("big") && e.pending()),
                        "a live writer's entry is pending: " + m.entries());
            }
        } finally {
            child.toHandle().destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        try (MmapDict m = MmapDict.openReadOnly(p)) {
            EntryInfo big = m.entries().stream().filter(e -> e.key().equals("big")).findFirst().orElseThrow();
            assertFalse(big.pending(), "its writer is dead: " + big);
            assertFalse(big.valid());
            assertEquals(1L, ((Number) m.get("small")).longValue());
        }
    }

    @Test
    void aPendingLockHeldByAnotherProcessAbandonsTheAppendInsteadOfCopyingUnguarded() throws Exception {
        Path p = dir.resolve("locked.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.set("small", "kept");
        }
        long end = Files.size(p) - 11;   // where the next entry goes: the terminator
        Process holder = Python.start(String.join("\n",
                "import fcntl, os, struct, sys",
                "fd = os.open(sys.argv[1], os.O_RDWR)",
                "start = (1 << 62) + 1 + int(sys.argv[2])",
                "fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack('hhqqi4x', fcntl.F_WRLCK, 0, start, 1, 0))",
                "print('locked', flush=True)",
                "sys.stdin.read()"), p.toString(), Long.toString(end));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            try (MmapDict m = MmapDict.open(p)) {
                UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> m.set("big", new double[300_000]));
                assertTrue(e.getMessage().contains("pending lock"), e.getMessage());
                assertFalse(m.containsKey("big"));
                assertEquals("kept", m.get("small"));
            }
        } finally {
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        DurabilityTest.assertPlainPickleLoads(p);
    }
}
