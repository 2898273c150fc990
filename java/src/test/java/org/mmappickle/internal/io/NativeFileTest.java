package org.mmappickle.internal.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.Advice;
import org.mmappickle.NativeIOException;
import org.mmappickle.testing.DiskUsage;
import org.mmappickle.testing.Python;

class NativeFileTest {
    @TempDir
    Path dir;

    @Test
    void mapWriteThroughSegmentReadBackWithJavaIo() throws Exception {
        Path f = dir.resolve("a.bin");
        try (NativeFile nf = NativeFile.open(f, NativeFile.Mode.CREATE)) {
            nf.truncate(10_000);
            MemorySegment m = nf.map(1234, 5000, true, false);   // unaligned offset: mapped from the page below
            for (int i = 0; i < 5000; i++) {
                m.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
            }
        }
        byte[] b = Files.readAllBytes(f);
        assertEquals(10_000, b.length);
        for (int i = 0; i < 5000; i++) {
            assertEquals((byte) (i * 7), b[1234 + i]);
        }
        assertEquals(0, b[1233]);
        assertEquals(0, b[6234]);
    }

    @Test
    void growFileAndMapTheNewPart() throws Exception {
        Path f = dir.resolve("grow.bin");
        try (NativeFile nf = NativeFile.open(f, NativeFile.Mode.CREATE)) {
            nf.write(new byte[] {1, 2, 3}, 0);
            MemorySegment first = nf.map(0, 3, false, false);
            assertEquals(3, nf.size());
            nf.write(new byte[] {9, 8, 7, 6}, 100_000);
            assertEquals(100_004, nf.size());
            MemorySegment later = nf.map(100_000, 4, false, true);
            assertEquals(9, later.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(6, later.get(ValueLayout.JAVA_BYTE, 3));
            assertEquals(2, first.get(ValueLayout.JAVA_BYTE, 1));   // the old map is still valid
            assertTrue(later.isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> later.set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
        }
    }

    @Test
    void punchHoleFreesBlocksAndKeepsSize() throws Exception {
        Path f = dir.resolve("holes.bin");
        long size = 8L << 20;
        try (NativeFile nf = NativeFile.open(f, NativeFile.Mode.CREATE)) {
            byte[] chunk = new byte[1 << 20];
            java.util.Arrays.fill(chunk, (byte) 0x5A);
            for (long o = 0; o < size; o += chunk.length) {
                nf.write(chunk, o);
            }
            nf.fsync(true);
            long before = DiskUsage.of(nf);
            assertTrue(before >= size, "written file is allocated: " + before);
            if (!IoFeature.HOLE_PUNCHING.available()) {
                NativeIOException e = assertThrows(NativeIOException.class, () -> nf.punchHole(1L << 20, 4L << 20));
                assertEquals("EOPNOTSUPP", e.errnoName(), "the channel path cannot punch and says so: " + e.getMessage());
                assertEquals(before, DiskUsage.of(nf));
                assertEquals(0x5A, nf.map(0, size, false, false).get(ValueLayout.JAVA_BYTE, 2L << 20), "nothing changed");
                return;
            }
            nf.punchHole(1L << 20, 4L << 20);
            long after = DiskUsage.of(nf);
            assertEquals(size, nf.size());
            assertTrue(before - after >= (4L << 20) - 8192, "blocks freed: " + before + " -> " + after);
            MemorySegment m = nf.map(0, size, false, false);
            assertEquals(0, m.get(ValueLayout.JAVA_BYTE, 2L << 20));      // the hole reads as zeros
            assertEquals(0x5A, m.get(ValueLayout.JAVA_BYTE, 6L << 20));   // the rest is intact
        }
    }

    @Test
    void reserveAllocatesSpace() throws Exception {
        Path f = dir.resolve("reserved.bin");
        try (NativeFile nf = NativeFile.open(f, NativeFile.Mode.CREATE)) {
            nf.truncate(64L << 20);
            assertTrue(DiskUsage.of(nf) < (1L << 20), "truncate leaves the file sparse");
            nf.reserve(0, 4L << 20);
            if (!IoFeature.RESERVATION.available()) {
                // the channel path writes zeros past the end only: a range inside the file stays as it is
                assertTrue(DiskUsage.of(nf) < (1L << 20), "inside the file: " + DiskUsage.of(nf));
                nf.reserve(64L << 20, 4L << 20);
                assertTrue(DiskUsage.of(nf) >= (4L << 20), "past the end: written: " + DiskUsage.of(nf));
                assertEquals(68L << 20, nf.size());
                return;
            }
            assertTrue(DiskUsage.of(nf) >= (4L << 20), "reserved: " + DiskUsage.of(nf));
            assertEquals(64L << 20, nf.size());
        }
    }

    @Test
    void preadPwriteHeapAndNative() throws Exception {
        Path f = dir.resolve("io.bin");
        try (NativeFile nf = NativeFile.open(f, NativeFile.Mode.CREATE); Arena a = Arena.ofConfined()) {
            MemorySegment off = a.allocate(1000);
            off.fill((byte) 3);
            nf.write(off, 0);
            nf.write(new byte[] {4, 4}, 1000);
            byte[] back = new byte[1010];
            assertEquals(1002, nf.read(MemorySegment.ofArray(back), 0));   // short only at end of file
            assertEquals(3, back[999]);
            assertEquals(4, back[1001]);
            MemorySegment dst = a.allocate(2);
            assertEquals(2, nf.read(dst, 1000));
            assertEquals(4, dst.get(ValueLayout.JAVA_BYTE, 1));
        }
    }

    @Test
    void startWriteBackLeavesTheRangeCleanOrInFlightAndTheBytesAsWritten() throws Exception {
        Path f = dir.resolve("writeback.bin");
        assertTrue(writeEmpty(f) && org.mmappickle.testing.CacheStat.available(f),
                "this test reads dirty pages with cachestat, which needs Linux 6.5+");
        long size = 32L << 20;
        long seed = new java.util.SplittableRandom().nextLong();
        byte[] data = new byte[(int) size];
        new java.util.SplittableRandom(seed).nextBytes(data);
        try (NativeFile nf = NativeFile.open(f, NativeFile.Mode.READ_WRITE)) {
            nf.write(data, 0);
            // dirty pages stay dirty for half a minute unless something starts their write-back
            long dirty = org.mmappickle.testing.CacheStat.of(f, size / 2, size / 2).dirty();
            assertTrue(dirty > size / 2 / 4096 / 2, "seed " + seed + ": written pages dirty before: " + dirty);
            nf.startWriteBack(size / 2, size / 2);
            var after = org.mmappickle.testing.CacheStat.of(f, size / 2, size / 2);
            if (IoFeature.EARLY_WRITE_BACK.available()) {
                assertTrue(after.dirty() < dirty / 10, "seed " + seed + ": write-back started for the range: " + after);
            } else {
                // the documented degradation: nothing is started early, the pages wait for the fsync
                assertTrue(after.dirty() > dirty / 2, "seed " + seed + ": the channel path starts nothing: " + after);
            }
            nf.startWriteBack(0, 0);
            NativeIOException bad = assertThrows(NativeIOException.class, () -> nf.startWriteBack(-1, 10));
            assertEquals("EINVAL", bad.errnoName());
            assertTrue(bad.getMessage().contains(f.toString()), bad.getMessage());
            nf.fsync(true);
            byte[] back = new byte[(int) size];
            assertEquals(size, nf.read(MemorySegment.ofArray(back), 0));
            assertArrayEquals(data, back, "seed " + seed);
            nf.close();
            assertThrows(java.nio.channels.ClosedChannelException.class, () -> nf.startWriteBack(0, 10));
        }
    }

    private static boolean writeEmpty(Path f) throws java.io.IOException {
        Files.write(f, new byte[0]);
        return true;
    }

    @Test
    void populateWriteKeepsWhatTheFileHoldsAndTheRangeStaysWritable() throws Exception {
        Path f = dir.resolve("populate.bin");
        byte[] before = new byte[3 << 20];
        new java.util.SplittableRandom(7).nextBytes(before);
        Files.write(f, before);
        try (NativeFile nf = NativeFile.open(f, NativeFile.Mode.READ_WRITE)) {
            nf.truncate(8 << 20);   // a hole after the written part: populated as zeros
            MemorySegment m = nf.map(4097, (8 << 20) - 4097, true, false);   // unaligned: from the page below
            nf.populateWrite(m);   // this kernel (6.18) has MADV_POPULATE_WRITE: no EINVAL here
            nf.populateWrite(m.asSlice(0, 0));
            assertEquals(-1, m.asSlice(0, before.length - 4097).mismatch(MemorySegment.ofArray(before).asSlice(4097)));
            assertEquals(0, m.get(ValueLayout.JAVA_BYTE, (6 << 20)));
            m.set(ValueLayout.JAVA_BYTE, (7 << 20), (byte) 9);
            MemorySegment ro = nf.map(0, 4096, false, false);
            if (IoFeature.ACCESS_ADVICE.available()) {
                NativeIOException e = assertThrows(NativeIOException.class, () -> nf.populateWrite(ro),
                        "a read-only mapping cannot be populated for writing");
                assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("POPULATE_WRITE"),
                        e.getMessage());
            } else {
                nf.populateWrite(ro);   // the channel path ignores advice, as IoFeature says
            }
        }
        byte[] after = Files.readAllBytes(f);
        assertArrayEquals(before, java.util.Arrays.copyOf(after, before.length));
        assertEquals(9, after[4097 + (7 << 20)]);
    }

    @Test
    void adviseMsyncFsyncSucceed() throws Exception {
        Path f = dir.resolve("adv.bin");
        try (NativeFile nf = NativeFile.open(f, NativeFile.Mode.CREATE)) {
            nf.truncate(1 << 20);
            MemorySegment m = nf.map(100, 500_000, true, false);
            for (Advice ad : Advice.values()) {
                nf.advise(m, ad);
            }
            m.set(ValueLayout.JAVA_INT_UNALIGNED, 3, 42);
            nf.msync(m, true);
            nf.msync(m, false);
            nf.fsync(false);
            nf.fsync(true);
        }
        assertEquals(42, java.nio.ByteBuffer.wrap(Files.readAllBytes(f)).order(java.nio.ByteOrder.nativeOrder()).getInt(103));
    }

    @Test
    void flockHeldByPythonBlocksJavaUntilReleased() throws Exception {
        Path f = dir.resolve("locked.bin");
        Files.write(f, new byte[10]);
        Process py = Python.start("""
                import fcntl, sys
                f = open(sys.argv[1], 'rb')
                fcntl.flock(f, fcntl.LOCK_EX)
                print('locked', flush=True)
                sys.stdin.read()
                print('releasing', flush=True)
                fcntl.flock(f, fcntl.LOCK_UN)
                """, f.toString());
        BufferedReader out = new BufferedReader(new InputStreamReader(py.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("locked", out.readLine());
        try (NativeFile nf = NativeFile.open(f, NativeFile.Mode.READ_WRITE)) {
            assertFalse(nf.tryLock(true), "a non-blocking attempt fails while python holds the lock");
            // the raw call reports EWOULDBLOCK (Linux names it EAGAIN: the same number, 11)
            int rc = IoCalls.mmp_flock(nfFd(nf), IoCalls.MMP_LOCK_EXCLUSIVE()
                    | IoCalls.MMP_LOCK_NONBLOCK());
            assertEquals(-NativeFile.EWOULDBLOCK, rc);
            AtomicBoolean pythonReleased = new AtomicBoolean();
            AtomicBoolean acquiredBeforeRelease = new AtomicBoolean();
            CountDownLatch acquired = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try {
                    nf.lock(true);
                    acquiredBeforeRelease.set(!pythonReleased.get());
                    acquired.countDown();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            assertFalse(acquired.await(300, java.util.concurrent.TimeUnit.MILLISECONDS), "java waits");
            pythonReleased.set(true);
            py.getOutputStream().close();
            assertEquals("releasing", out.readLine());
            assertTrue(acquired.await(30, java.util.concurrent.TimeUnit.SECONDS));
            assertFalse(acquiredBeforeRelease.get());
            nf.unlock();
        } finally {
            py.destroy();
            py.waitFor();
        }
    }

    @Test
    void ofdLocksConflictAcrossDescriptionsOnly() throws Exception {
        Path f = dir.resolve("ofd.bin");
        Files.write(f, new byte[1]);
        long far = 1L << 62;
        try (NativeFile a = NativeFile.open(f, NativeFile.Mode.READ_WRITE);
             NativeFile b = NativeFile.open(f, NativeFile.Mode.READ_WRITE)) {
            assertTrue(a.ofdLock(false, far, 1, false));
            assertTrue(b.ofdLock(false, far, 1, false), "shared locks coexist");
            assertTrue(b.ofdConflicts(true, far, 1));
            b.ofdUnlock(far, 1);
            assertFalse(b.ofdLock(true, far, 1, false), "exclusive refused while a holds shared");
            a.ofdUnlock(far, 1);
            assertTrue(b.ofdLock(true, far, 1, false));
            assertFalse(a.ofdConflicts(false, far, 1) == false, "b's exclusive lock conflicts for a");
        }
    }

    @Test
    void errorsNameTheCallPathAndErrno() throws Exception {
        Path missing = dir.resolve("nope.bin");
        assertThrows(NoSuchFileException.class, () -> NativeFile.open(missing, NativeFile.Mode.READ));
        NativeIOException dirErr = assertThrows(NativeIOException.class, () -> NativeFile.open(dir, NativeFile.Mode.READ));
        assertEquals("EISDIR", dirErr.errnoName());
        assertTrue(dirErr.getMessage().contains(dir.toString()), dirErr.getMessage());
        // a bad descriptor, through the bindings
        long rc = IoCalls.mmp_size(987_654);
        NativeIOException bad = NativeFile.error("size", missing, rc, "");
        assertEquals("EBADF", bad.errnoName());
        assertTrue(bad.getMessage().contains("EBADF: Bad file descriptor"), bad.getMessage());
        Path f = dir.resolve("ro.bin");
        Files.write(f, new byte[4096]);
        try (NativeFile ro = NativeFile.open(f, NativeFile.Mode.READ); Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            // writable map of a read-only descriptor and an unaligned offset must fail
            assertEquals("EACCES", NativeFile.errnoName(-IoCalls.mmp_map(nfFd(ro), 0, 4096,
                    IoCalls.MMP_MAP_WRITE(), out)));
            assertEquals("EINVAL", NativeFile.errnoName(-IoCalls.mmp_map(nfFd(ro), 100, 4096,
                    IoCalls.MMP_MAP_READ(), out)));
            assertThrows(IllegalStateException.class, () -> ro.map(0, 10, true, false));
            NativeIOException trunc = assertThrows(NativeIOException.class, () -> ro.truncate(0));
            assertTrue(trunc.getMessage().startsWith("mmp_truncate(" + f), trunc.getMessage());
        }
        NativeIOException neg = assertThrows(NativeIOException.class, () -> {
            try (NativeFile rw = NativeFile.open(f, NativeFile.Mode.READ_WRITE)) {
                rw.punchHole(-1, 10);
            }
        });
        assertEquals("EINVAL", neg.errnoName());
    }

    @Test
    void closedFileThrowsAndCloseIsIdempotent() throws Exception {
        Path f = dir.resolve("c.bin");
        NativeFile nf = NativeFile.open(f, NativeFile.Mode.CREATE);
        nf.write(new byte[8192], 0);
        MemorySegment m = nf.map(0, 8192, false, false);
        nf.close();
        nf.close();
        assertThrows(java.nio.channels.ClosedChannelException.class, nf::size);
        assertThrows(IllegalStateException.class, () -> m.get(ValueLayout.JAVA_BYTE, 0), "unmapped views are dead, not dangling");
    }

    private static int nfFd(NativeFile nf) throws Exception {
        var fld = NativeFile.class.getDeclaredField("fd");
        fld.setAccessible(true);
        return fld.getInt(nf);
    }
}
