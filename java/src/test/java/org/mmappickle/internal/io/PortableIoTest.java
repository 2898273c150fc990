package org.mmappickle.internal.io;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.internal.bindings.mmappickle_native_h;

/**
 * The portable io path's functions give the C library's results on the same files, in every run of
 * the suite (the whole suite runs on the portable path only with -Dmmappickle.io=portable).
 */
class PortableIoTest {
    @TempDir
    Path dir;

    @Test
    void sameResultsAsTheBundledLibrary() throws Exception {
        NativeLibrary.path();
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Arena a = Arena.ofConfined()) {
            Path f = dir.resolve("p.bin");
            MemorySegment name = a.allocateFrom(f.toString());
            int p = PortableIo.mmp_open(name, 3);
            assertTrue(p >= 0, "seed " + seed);
            assertEquals(-17, PortableIo.mmp_open(name, 3), "EEXIST");
            int n = mmappickle_native_h.mmp_open(name, 1);
            assertTrue(n >= 0);
            long page = mmappickle_native_h.mmp_page_size();
            assertEquals(page, PortableIo.mmp_page_size());

            byte[] data = new byte[1 + rnd.nextInt(200_000)];
            rnd.nextBytes(data);
            long at = rnd.nextInt(100_000);
            MemorySegment src = a.allocate(data.length);
            src.copyFrom(MemorySegment.ofArray(data));
            assertEquals(data.length, PortableIo.mmp_pwrite(p, src, data.length, at), "seed " + seed);
            assertEquals(mmappickle_native_h.mmp_size(n), PortableIo.mmp_size(p));
            assertEquals(at + data.length, PortableIo.mmp_size(p));
            byte[] heap = new byte[data.length];
            assertEquals(data.length, PortableIo.preadHeap(p, MemorySegment.ofArray(heap), heap.length, at));
            assertArrayEquals(data, heap, "seed " + seed);

            assertEquals(0, PortableIo.mmp_reserve(p, 0, 64 * page));
            assertEquals(mmappickle_native_h.mmp_allocated_blocks(n), PortableIo.mmp_allocated_blocks(p));
            long before = PortableIo.mmp_allocated_blocks(p);
            assertEquals(0, PortableIo.mmp_punch_hole(p, 8 * page, 32 * page));
            assertTrue(PortableIo.mmp_allocated_blocks(p) < before);
            assertEquals(mmappickle_native_h.mmp_allocated_blocks(n), PortableIo.mmp_allocated_blocks(p));
            assertEquals(mmappickle_native_h.mmp_fs_type(n), PortableIo.mmp_fs_type(p));
            assertEquals(mmappickle_native_h.mmp_fallocate(-1, 0, 10), PortableIo.mmp_fallocate(-1, 0, 10));
            assertEquals(mmappickle_native_h.mmp_fallocate(n, 0, 0), PortableIo.mmp_fallocate(p, 0, 0));
            assertTrue(PortableIo.mmp_fs_type(p) > 0);
            // write-back of a range (after the hole above) by either path; bad arguments agree
            assertEquals(0, PortableIo.mmp_sync_range(p, at, data.length));
            assertEquals(0, mmappickle_native_h.mmp_sync_range(n, at, data.length));
            assertEquals(0, PortableIo.mmp_sync_range(p, 0, 0));
            for (long[] bad : new long[][] {{-1, 0, 10}, {p, -1, 10}, {p, 0, -1}}) {
                assertEquals(mmappickle_native_h.mmp_sync_range((int) bad[0] == p ? n : -1, bad[1], bad[2]),
                        PortableIo.mmp_sync_range((int) bad[0], bad[1], bad[2]), java.util.Arrays.toString(bad));
            }

            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            assertEquals(0, PortableIo.mmp_map(p, page, 2 * page, 1, out));
            MemorySegment m = out.get(ValueLayout.ADDRESS, 0).reinterpret(2 * page);
            m.set(ValueLayout.JAVA_BYTE, 5, (byte) 99);
            assertEquals(0, PortableIo.mmp_msync(m, 2 * page, 0));
            MemorySegment one = a.allocate(1);
            assertEquals(1, mmappickle_native_h.mmp_pread(n, one, 1, page + 5));
            assertEquals(99, one.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(-22, PortableIo.mmp_map(p, page / 2, page, 0, out), "a misaligned offset is EINVAL");
            assertEquals(0, PortableIo.mmp_unmap(m, 2 * page));

            // locks: the two descriptions exclude each other, whichever path took the lock
            assertEquals(0, PortableIo.mmp_flock(p, 2 | 4));
            assertEquals(-11, mmappickle_native_h.mmp_flock(n, 1 | 4));
            assertEquals(0, PortableIo.mmp_flock(p, 8));
            assertEquals(0, mmappickle_native_h.mmp_ofd_lock(n, 1, 0, 10, 0));
            assertEquals(1, PortableIo.mmp_ofd_test(p, 0, 5, 1));
            int rc = PortableIo.mmp_ofd_lock(p, 0, 0, 10, 0);
            assertTrue(rc == -11 || rc == -13, "EAGAIN or EACCES: " + rc);
            assertEquals(0, PortableIo.mmp_ofd_test(p, 1, 100, 1));

            MemorySegment buf = a.allocate(256);
            assertTrue(PortableIo.mmp_strerror(28, buf, 256) > 0);
            assertEquals("No space left on device", buf.getString(0));
            assertEquals(0, PortableIo.mmp_close(p));
            assertEquals(-9, PortableIo.mmp_close(p), "EBADF");
            assertEquals(0, mmappickle_native_h.mmp_close(n));
        }
    }

    @Test
    void fifoAndDirectoryAreRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mk.waitFor(30, TimeUnit.SECONDS));
        try (Arena a = Arena.ofConfined()) {
            assertEquals(-19, PortableIo.mmp_open(a.allocateFrom(fifo.toString()), 0), "ENODEV");
            assertEquals(-19, PortableIo.mmp_open(a.allocateFrom(fifo.toString()), 1), "ENODEV");
            assertEquals(-21, PortableIo.mmp_open(a.allocateFrom(dir.toString()), 0), "EISDIR");
            assertEquals(-2, PortableIo.mmp_open(a.allocateFrom(dir.resolve("none").toString()), 0), "ENOENT");
        }
        assertTrue(Files.exists(fifo));
    }
}
