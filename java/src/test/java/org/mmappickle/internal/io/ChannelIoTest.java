package org.mmappickle.internal.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.MmapDict;
import org.mmappickle.VacuumReport;
import org.mmappickle.internal.store.FileStore;
import org.mmappickle.testing.Jvm;
import org.mmappickle.testing.Python;

/**
 * The channel io path ({@link ChannelIo}) on real files, called directly whatever path the suite
 * runs on, and through dicts in child JVMs forced onto it ({@code -Dmmappickle.io=channel}); the
 * whole suite runs on it with {@code -Dmmappickle.io=channel}.
 */
class ChannelIoTest {
    private static final int READ = 0;
    private static final int READ_WRITE = 1;
    private static final int CREATE = 2;
    private static final int CREATE_NEW = 3;
    private static final int SHARED = 0;
    private static final int EXCLUSIVE = 1;
    private static final int UNLOCK = 2;

    @TempDir
    Path dir;

    private static int open(Path p, int mode) {
        try (Arena a = Arena.ofConfined()) {
            return ChannelIo.mmp_open(a.allocateFrom(p.toString()), mode);
        }
    }

    @Test
    void readsWritesTruncatesAndSizesRealFiles() throws Exception {
        long seed = new java.util.SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        Path f = dir.resolve("rw.bin");
        int h = open(f, CREATE_NEW);
        assertTrue(h >= 0, "open: " + h);
        assertEquals(-ChannelIo.EEXIST, open(f, CREATE_NEW));
        byte[] expected = new byte[0];
        try (Arena a = Arena.ofConfined()) {
            for (int round = 0; round < 20; round++) {
                int len = rnd.nextInt(1, 70_000);
                long at = rnd.nextLong(0, 300_000);
                byte[] data = new byte[len];
                rnd.nextBytes(data);
                boolean heap = rnd.nextBoolean();
                MemorySegment src = heap ? MemorySegment.ofArray(data) : a.allocateFrom(ValueLayout.JAVA_BYTE, data);
                long n = heap ? ChannelIo.pwriteHeap(h, src, len, at) : ChannelIo.mmp_pwrite(h, src, len, at);
                assertEquals(len, n, "seed " + seed);
                if (expected.length < at + len) {
                    expected = Arrays.copyOf(expected, (int) (at + len));
                }
                System.arraycopy(data, 0, expected, (int) at, len);
                assertEquals(expected.length, ChannelIo.mmp_size(h), "seed " + seed);
                // a read past the end stops there
                MemorySegment back = a.allocate(len + 100);
                long r = ChannelIo.mmp_pread(h, back, len + 100, at);
                assertEquals(Math.min(len + 100, expected.length - at), r, "seed " + seed);
                assertArrayEquals(data, back.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE), "seed " + seed);
            }
            assertArrayEquals(expected, Files.readAllBytes(f), "seed " + seed);
            // heap arrays other than byte[] (which ByteBuffers cannot view) go through a bounce buffer
            double[] doubles = rnd.doubles(300_000).toArray();
            long at = expected.length + 3;
            assertEquals(doubles.length * 8L, ChannelIo.pwriteHeap(h, MemorySegment.ofArray(doubles), doubles.length * 8L, at));
            double[] back = new double[doubles.length];
            assertEquals(doubles.length * 8L, ChannelIo.preadHeap(h, MemorySegment.ofArray(back), back.length * 8L, at));
            assertArrayEquals(doubles, back, "seed " + seed);
            expected = Files.readAllBytes(f);
            assertEquals(at + doubles.length * 8L, expected.length);
            assertEquals(doubles[12_345], java.nio.ByteBuffer.wrap(expected).order(java.nio.ByteOrder.nativeOrder())
                    .getDouble((int) at + 12_345 * 8), "seed " + seed);
            // shrink, then grow: the grown part reads as zeros, the rest is kept
            assertEquals(0, ChannelIo.mmp_truncate(h, 1000));
            assertEquals(0, ChannelIo.mmp_truncate(h, 50_000));
            byte[] now = Files.readAllBytes(f);
            assertEquals(50_000, now.length);
            assertArrayEquals(Arrays.copyOf(expected, 1000), Arrays.copyOf(now, 1000), "seed " + seed);
            assertTrue(Arrays.equals(new byte[49_000], Arrays.copyOfRange(now, 1000, 50_000)), "seed " + seed);
            assertEquals(-ChannelIo.EINVAL, ChannelIo.mmp_truncate(h, -1));
            assertEquals(0, ChannelIo.mmp_fsync(h, 1));
            assertEquals(0, ChannelIo.mmp_fsync(h, 0));
        }
        assertEquals(0, ChannelIo.mmp_close(h));
        assertEquals(-ChannelIo.EBADF, ChannelIo.mmp_close(h), "closed twice");
        assertEquals(-ChannelIo.EBADF, ChannelIo.mmp_size(h));

        int ro = open(f, READ);
        try (Arena a = Arena.ofConfined()) {
            assertEquals(-ChannelIo.EBADF, ChannelIo.mmp_pwrite(ro, a.allocate(4), 4, 0), "a read-only handle does not write");
        } finally {
            ChannelIo.mmp_close(ro);
        }
    }

    @Test
    void aThreadWithItsInterruptSetDoesNotCloseTheFileForEveryoneAndKeepsItsInterrupt() throws Exception {
        Path f = dir.resolve("interrupt.bin");
        int h = open(f, CREATE);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocateFrom(ValueLayout.JAVA_BYTE, new byte[] {1, 2, 3, 4});
            Thread.currentThread().interrupt();
            assertEquals(4, ChannelIo.mmp_pwrite(h, buf, 4, 0));
            assertEquals(4, ChannelIo.mmp_size(h));
            assertEquals(0, ChannelIo.mmp_fsync(h, 1));
            assertEquals(0, ChannelIo.mmp_ofd_lock(h, EXCLUSIVE, FileStore.PRESENCE_LOCK, 1, 0));
            assertTrue(Thread.interrupted(), "the caller's interrupt is kept");
            MemorySegment back = a.allocate(4);
            assertEquals(4, ChannelIo.mmp_pread(h, back, 4, 0), "the channel is still open");
            assertEquals(3, back.get(ValueLayout.JAVA_BYTE, 2));
        } finally {
            Thread.interrupted();
            assertEquals(0, ChannelIo.mmp_close(h));
        }
    }

    @Test
    void refusesWhatIsNoRegularFileWithoutBlocking() throws Exception {
        assertEquals(-ChannelIo.ENOENT, open(dir.resolve("none"), READ));
        assertEquals(-ChannelIo.ENOENT, open(dir.resolve("none"), READ_WRITE));
        assertEquals(-ChannelIo.EISDIR, open(dir, READ));
        Path fifo = dir.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mk.waitFor());
        assertEquals(-ChannelIo.ENODEV, open(fifo, READ), "a FIFO without a writer is refused, not waited on");
        assertEquals(-ChannelIo.ENODEV, open(fifo, READ_WRITE));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            assertTrue(ChannelIo.mmp_strerror(ChannelIo.ENOSPC, buf, 256) > 0);
            assertEquals("No space left on device", buf.getString(0));
            assertTrue(ChannelIo.mmp_errno_name(ChannelIo.EOPNOTSUPP, buf, 256) > 0);
            assertEquals("EOPNOTSUPP", buf.getString(0));
        }
    }

    @Test
    void mapsWriteThroughAndForceToTheFileButNeverGrowIt() throws Exception {
        long page = ChannelIo.mmp_page_size();
        assertEquals(PortableIo.mmp_page_size(), page, "the page size is the C library's");
        Path f = dir.resolve("map.bin");
        int h = open(f, CREATE);
        assertEquals(0, ChannelIo.mmp_truncate(h, 8 * page));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            assertEquals(0, ChannelIo.mmp_map(h, page, 2 * page, 1 | 4, out));   // write + populate
            MemorySegment m = out.get(ValueLayout.ADDRESS, 0).reinterpret(2 * page);
            for (int i = 0; i < 2 * page; i++) {
                m.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31));
            }
            assertEquals(0, ChannelIo.mmp_msync(m.asSlice(page / 2), page, 0));
            assertEquals(0, ChannelIo.mmp_msync(m, 2 * page, 1), "asynchronous: accepted");
            byte[] disk = Files.readAllBytes(f);
            for (int i = 0; i < 2 * page; i++) {
                assertEquals((byte) (i * 31), disk[(int) page + i], "byte " + i);
            }
            // a second mapping of the same range sees the first one's bytes (one page cache)
            assertEquals(0, ChannelIo.mmp_map(h, 0, 4 * page, 0, out));
            MemorySegment r = out.get(ValueLayout.ADDRESS, 0).reinterpret(4 * page);
            assertEquals((byte) (5 * 31), r.get(ValueLayout.JAVA_BYTE, page + 5));
            assertEquals(0, ChannelIo.mmp_unmap(r, 4 * page));
            assertEquals(-ChannelIo.EINVAL, ChannelIo.mmp_unmap(r, 4 * page), "unmapped once only");

            assertEquals(-ChannelIo.EINVAL, ChannelIo.mmp_map(h, 6 * page, 4 * page, 0, out),
                    "past the end: refused (FileChannel.map would grow the file)");
            assertEquals(8 * page, Files.size(f), "and the file did not grow");
            assertEquals(-ChannelIo.EINVAL, ChannelIo.mmp_map(h, page / 2, page, 0, out), "a misaligned offset");
            assertEquals(0, ChannelIo.mmp_advise(m, page, 3), "advice is accepted and ignored");
            assertEquals(0, ChannelIo.mmp_unmap(m, 2 * page));
        }
        int ro = open(f, READ);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            assertEquals(-ChannelIo.EACCES, ChannelIo.mmp_map(ro, 0, page, 1, out), "a read-only handle maps read-only");
            assertEquals(0, ChannelIo.mmp_map(ro, 0, page, 0, out));
            assertEquals(0, ChannelIo.mmp_unmap(out.get(ValueLayout.ADDRESS, 0), page));
        }
        assertEquals(0, ChannelIo.mmp_close(ro));
        assertEquals(0, ChannelIo.mmp_close(h));
    }

    @Test
    void saysWhatItCannotDoAndReservesByWritingZerosPastTheEnd() throws Exception {
        Path f = dir.resolve("lacks.bin");
        int h = open(f, CREATE);
        try (Arena a = Arena.ofConfined()) {
            byte[] data = new byte[10_000];
            new SplittableRandom(7).nextBytes(data);
            assertEquals(data.length, ChannelIo.mmp_pwrite(h, a.allocateFrom(ValueLayout.JAVA_BYTE, data), data.length, 0));
            assertEquals(-ChannelIo.EOPNOTSUPP, ChannelIo.mmp_punch_hole(h, 0, 4096));
            assertEquals(0, ChannelIo.mmp_punch_hole(h, 0, 0));
            assertEquals(-ChannelIo.EOPNOTSUPP, ChannelIo.mmp_fallocate(h, 0, 4096));
            assertEquals(-ChannelIo.ENOSYS, ChannelIo.mmp_allocated_blocks(h));
            MemorySegment buf = a.allocate(256);
            ChannelIo.mmp_strerror(ChannelIo.ENOSYS, buf, 256);
            assertTrue(buf.getString(0).contains("channel io path"), "the text says why: " + buf.getString(0));

            // reserve: the part past the end is written as zeros, the part inside is left alone
            assertEquals(0, ChannelIo.mmp_reserve(h, 5000, 3_000_000));
            byte[] disk = Files.readAllBytes(f);
            assertEquals(3_005_000, disk.length);
            assertArrayEquals(data, Arrays.copyOf(disk, data.length));
            assertTrue(Arrays.equals(new byte[disk.length - data.length], Arrays.copyOfRange(disk, data.length, disk.length)));

            // the file system: the JDK's name, mapped to the number statfs gives
            int fd;
            try (Arena b = Arena.ofConfined()) {
                fd = PortableIo.mmp_open(b.allocateFrom(f.toString()), 0);
            }
            assertTrue(fd >= 0);
            long magic = PortableIo.mmp_fs_type(fd);
            assertEquals(0, PortableIo.mmp_close(fd));
            String name = Files.getFileStore(f).type();
            long mine = ChannelIo.mmp_fs_type(h);
            assertTrue(mine == magic || mine == 0, "channel " + mine + ", statfs " + magic + " (" + name + ")");
            if (List.of("ext4", "tmpfs", "xfs", "btrfs", "overlay").contains(name)) {
                assertEquals(magic, mine, name);
            }
        } finally {
            ChannelIo.mmp_close(h);
        }
    }

    @Test
    void rangeLocksOfTwoHandlesInOneJvmExcludeEachOtherAsTwoProcessesWould() throws Exception {
        Path f = dir.resolve("ranges.bin");
        int h1 = open(f, CREATE);
        int h2 = open(f, READ_WRITE);
        int ro = open(f, READ);
        long r = FileStore.PRESENCE_LOCK;
        try {
            assertEquals(0, ChannelIo.mmp_ofd_lock(h1, EXCLUSIVE, r, 1, 0));
            assertEquals(-ChannelIo.EWOULDBLOCK, ChannelIo.mmp_ofd_lock(h2, SHARED, r, 1, 0));
            assertEquals(-ChannelIo.EWOULDBLOCK, ChannelIo.mmp_ofd_lock(h2, EXCLUSIVE, r, 1, 0));
            assertEquals(1, ChannelIo.mmp_ofd_test(h2, SHARED, r, 1));
            assertEquals(0, ChannelIo.mmp_ofd_test(h1, EXCLUSIVE, r, 1), "its own lock is no conflict");
            assertEquals(0, ChannelIo.mmp_ofd_test(h2, EXCLUSIVE, r + 1, 1), "another range is free");
            assertEquals(0, ChannelIo.mmp_ofd_lock(h2, EXCLUSIVE, r + 1, 1, 0));

            // a waiting lock gets the range when the holder lets go, not before
            AtomicBoolean released = new AtomicBoolean();
            AtomicInteger got = new AtomicInteger(1);
            CountDownLatch started = new CountDownLatch(1);
            Thread waiter = new Thread(() -> {
                started.countDown();
                int rc = ChannelIo.mmp_ofd_lock(h2, SHARED, r, 1, 1);
                got.set(released.get() ? rc : 99);
            });
            waiter.start();
            started.await();
            released.set(true);
            assertEquals(0, ChannelIo.mmp_ofd_lock(h1, UNLOCK, r, 1, 0));
            waiter.join();
            assertEquals(0, got.get(), "99: the waiter got the lock while the other handle held it");

            // shared beside shared; an upgrade waits for the other shared holder
            assertEquals(0, ChannelIo.mmp_ofd_lock(h1, SHARED, r, 1, 0));
            assertEquals(0, ChannelIo.mmp_ofd_lock(ro, SHARED, r, 1, 0));
            assertEquals(-ChannelIo.EWOULDBLOCK, ChannelIo.mmp_ofd_lock(h1, EXCLUSIVE, r, 1, 0));
            assertEquals(1, ChannelIo.mmp_ofd_test(h1, EXCLUSIVE, r, 1));
            assertEquals(0, ChannelIo.mmp_ofd_lock(h2, UNLOCK, r, 1, 0));
            assertEquals(-ChannelIo.EWOULDBLOCK, ChannelIo.mmp_ofd_lock(h1, EXCLUSIVE, r, 1, 0), "ro still holds it");
            // closing a handle releases its locks, as closing a description does
            assertEquals(0, ChannelIo.mmp_close(ro));
            ro = -1;
            assertEquals(0, ChannelIo.mmp_ofd_lock(h1, EXCLUSIVE, r, 1, 0), "alone now: the shared lock becomes exclusive");
            assertEquals(0, ChannelIo.mmp_ofd_lock(h1, SHARED, r, 1, 0), "and back");
            assertEquals(0, ChannelIo.mmp_ofd_lock(h2, SHARED, r, 1, 0));
            assertEquals(-ChannelIo.EINVAL, ChannelIo.mmp_ofd_lock(h2, SHARED, r, 2, 0),
                    "a range partly over a held one is refused, not merged");
        } finally {
            if (ro >= 0) {
                ChannelIo.mmp_close(ro);
            }
            ChannelIo.mmp_close(h2);
            ChannelIo.mmp_close(h1);
        }
    }

    @Test
    void theWholeFileLockExcludesOtherHandlesByFlockAndByTheWindowsRange() throws Exception {
        Path f = dir.resolve("whole.bin");
        Files.write(f, new byte[100]);
        for (boolean viaFlock : new boolean[] {true, false}) {
            int h1 = open(f, READ_WRITE);
            int h2 = open(f, READ_WRITE);
            int ro = open(f, READ);
            try {
                String how = viaFlock ? "flock" : "FileChannel range";
                assertEquals(0, ChannelIo.wholeFileLock(h1, 2, viaFlock), how);
                assertEquals(-ChannelIo.EWOULDBLOCK, ChannelIo.wholeFileLock(h2, 2 | 4, viaFlock), how);
                assertEquals(-ChannelIo.EWOULDBLOCK, ChannelIo.wholeFileLock(ro, 1 | 4, viaFlock), how);
                assertEquals(0, ChannelIo.wholeFileLock(h1, 8, viaFlock), how);
                assertEquals(0, ChannelIo.wholeFileLock(h2, 1 | 4, viaFlock), how);
                assertEquals(0, ChannelIo.wholeFileLock(ro, 1 | 4, viaFlock), how + ": shared beside shared");
                assertEquals(-ChannelIo.EWOULDBLOCK, ChannelIo.wholeFileLock(h1, 2 | 4, viaFlock), how);
                // the range locks of the store lie above the Windows range: both can be held at once
                assertEquals(0, ChannelIo.mmp_ofd_lock(h1, SHARED, FileStore.PRESENCE_LOCK, 1, 0), how);
            } finally {
                ChannelIo.mmp_close(ro);
                ChannelIo.mmp_close(h2);
                ChannelIo.mmp_close(h1);
            }
        }
    }

    /** A child JVM on the channel path that takes locks on a file and holds them until its stdin closes. */
    public static final class Holder {
        /**
         * Runs the child.
         *
         * @param args the file
         * @throws Exception on failure
         */
        public static void main(String[] args) throws Exception {
            int h = open(Path.of(args[0]), READ_WRITE);
            check(ChannelIo.mmp_flock(h, 2));
            check(ChannelIo.mmp_ofd_lock(h, EXCLUSIVE, FileStore.PENDING_LOCK + 64, 1, 0));
            check(ChannelIo.mmp_ofd_lock(h, SHARED, FileStore.PRESENCE_LOCK, 1, 0));
            System.out.println("ready");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in)).readLine();
            if (args.length > 1) {   // let the whole-file lock go and keep the range locks
                check(ChannelIo.mmp_flock(h, 8));
                System.out.println("unlocked");
                System.out.flush();
                new BufferedReader(new InputStreamReader(System.in)).readLine();
            }
        }

        private static void check(int rc) {
            if (rc != 0) {
                throw new IllegalStateException("lock failed: " + rc);
            }
        }
    }

    @Test
    void locksExcludeAnotherProcessOnTheChannelPathAndPythonsFlock() throws Exception {
        Path f = dir.resolve("procs.bin");
        Files.write(f, new byte[100]);
        Process child = Jvm.start(List.of("-Dmmappickle.io=channel"), Holder.class, f.toString(), "step");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter in = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
            assertEquals("ready", out.readLine());
            int h = open(f, READ_WRITE);
            try {
                assertEquals(-ChannelIo.EWOULDBLOCK, ChannelIo.mmp_flock(h, 1 | 4), "the child holds the flock");
                assertEquals(-ChannelIo.EWOULDBLOCK, ChannelIo.mmp_ofd_lock(h, SHARED, FileStore.PENDING_LOCK + 64, 1, 0));
                assertEquals(1, ChannelIo.mmp_ofd_test(h, EXCLUSIVE, FileStore.PENDING_LOCK + 64, 1));
                assertEquals(0, ChannelIo.mmp_ofd_lock(h, SHARED, FileStore.PRESENCE_LOCK, 1, 0), "shared beside shared");
                assertEquals(-ChannelIo.EWOULDBLOCK, ChannelIo.mmp_ofd_lock(h, EXCLUSIVE, FileStore.PRESENCE_LOCK, 1, 0));
                // Python's mmappickle locks with fcntl.flock: it is kept out too
                Python.Result py = Python.run(List.of("-c", "import fcntl,sys\nf=open(sys.argv[1],'rb')\n"
                        + "try:\n fcntl.flock(f, fcntl.LOCK_EX|fcntl.LOCK_NB); print('got')\n"
                        + "except BlockingIOError: print('blocked')", f.toString()), 60);
                assertEquals(0, py.exit(), py.err());
                assertEquals("blocked", py.out().strip());
                in.println("go");
                assertEquals("unlocked", out.readLine());
                assertEquals(0, ChannelIo.mmp_flock(h, 2 | 4), "the child let the flock go");
                assertEquals(0, ChannelIo.mmp_flock(h, 8));
                assertEquals(1, ChannelIo.mmp_ofd_test(h, EXCLUSIVE, FileStore.PENDING_LOCK + 64, 1), "the range lock stays");
                in.close();
                assertEquals(0, child.waitFor());
                assertEquals(0, ChannelIo.mmp_ofd_test(h, EXCLUSIVE, FileStore.PENDING_LOCK + 64, 1), "gone with the child");
                assertEquals(0, ChannelIo.mmp_ofd_lock(h, EXCLUSIVE, FileStore.PRESENCE_LOCK, 1, 0));
            } finally {
                ChannelIo.mmp_close(h);
            }
        } finally {
            child.destroyForcibly();
        }
    }

    /** A child JVM on the channel path: two dicts on one file, compaction and a vacuum that writes zeros. */
    public static final class TwoDicts {
        /**
         * Runs the child, printing what it saw one fact a line.
         *
         * @param args the file and the seed of the deleted payload
         * @throws Exception on failure
         */
        public static void main(String[] args) throws Exception {
            Path p = Path.of(args[0]);
            double[] secret = secret(Long.parseLong(args[1]));
            System.out.println("io=" + org.mmappickle.NativeInfo.load().io());
            try (MmapDict d1 = MmapDict.open(p)) {
                MmapDict d2 = MmapDict.open(p);
                d1.put("a", "from d1");
                d1.put("gone", secret);
                d1.put("keep", new double[] {1, 2, 3});
                System.out.println("d2 sees=" + d2.get("a"));
                d2.remove("gone");
                System.out.println("d1 has gone=" + d1.containsKey("gone"));
                try {
                    d1.compact();
                    System.out.println("compact=done");
                } catch (java.io.IOException refused) {
                    System.out.println("compact=refused");
                }
                VacuumReport r = d1.vacuum();
                System.out.println("vacuum=" + r.entriesReclaimed() + " reclaimed=" + r.spaceReclaimed()
                        + " zeroed=" + r.bytesZeroed() + " allocated=" + r.allocatedBefore() + "," + r.allocatedAfter());
                System.out.println("vacuum again zeroed=" + d1.vacuum().bytesZeroed());
                d2.close();
                d1.compact();
                System.out.println("compact after close=done keys=" + d1.keySet());
            }
        }
    }

    private static double[] secret(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] d = new double[40_000];
        for (int i = 0; i < d.length; i++) {
            d[i] = rnd.nextDouble();
        }
        return d;
    }

    @Test
    void twoDictsInOneJvmOnTheChannelPathAndAVacuumThatWritesZeros() throws Exception {
        long seed = new java.util.SplittableRandom().nextLong();
        Path f = dir.resolve("two.mmdpickle");
        Process child = Jvm.start(List.of("-Dmmappickle.io=channel"), TwoDicts.class, f.toString(), Long.toString(seed));
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = out.readLine()) != null; ) {
                lines.add(l);
            }
        }
        assertEquals(0, child.waitFor(), "seed " + seed + ": " + lines);
        int payload = 40_000 * 8;
        assertEquals(List.of("io=channel", "d2 sees=from d1", "d1 has gone=false", "compact=refused"),
                lines.subList(0, 4), "seed " + seed);
        assertTrue(lines.get(4).startsWith("vacuum=1 reclaimed=false zeroed="), lines.get(4));
        long zeroed = Long.parseLong(lines.get(4).replaceAll(".*zeroed=(\\d+).*", "$1"));
        assertTrue(zeroed >= payload && zeroed < payload + 8192, "the payload (and its alignment) was zeroed: " + lines.get(4));
        assertTrue(lines.get(4).endsWith("allocated=-1,-1"), "the allocated size is unknown: " + lines.get(4));
        assertEquals("vacuum again zeroed=0", lines.get(5));
        assertEquals("compact after close=done keys=[a, keep]", lines.get(6));
        Python.Result py = Python.run(List.of("-c", "import pickle,sys; d=pickle.load(open(sys.argv[1],'rb'));"
                + " print(sorted(d), d['a'], d['keep'].tolist())", f.toString()), 60);
        assertEquals(0, py.exit(), py.err());
        assertEquals("['a', 'keep'] from d1 [1.0, 2.0, 3.0]", py.out().strip());
    }

    /** A child JVM on the channel path that vacuums a file and exits, leaving the zeroed payload for the parent. */
    public static final class VacuumOnly {
        /**
         * Runs the child.
         *
         * @param args the file and the seed of the deleted payload
         * @throws Exception on failure
         */
        public static void main(String[] args) throws Exception {
            try (MmapDict d = MmapDict.open(Path.of(args[0]))) {
                d.put("gone", secret(Long.parseLong(args[1])));
                d.put("keep", "kept");
                d.remove("gone");
                VacuumReport r = d.vacuum();
                System.out.println(r.spaceReclaimed() + " " + r.bytesZeroed());
            }
        }
    }

    @Test
    void theVacuumedPayloadIsZerosOnDiskAndPythonLoadsTheFile() throws Exception {
        long seed = new java.util.SplittableRandom().nextLong();
        Path f = dir.resolve("zeros.mmdpickle");
        Process child = Jvm.start(List.of("-Dmmappickle.io=channel"), VacuumOnly.class, f.toString(), Long.toString(seed));
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            line = out.readLine();
        }
        assertEquals(0, child.waitFor(), "seed " + seed);
        assertTrue(line.startsWith("false "), line);
        byte[] disk = Files.readAllBytes(f);
        byte[] head = new byte[64];
        MemorySegment.ofArray(head).copyFrom(MemorySegment.ofArray(secret(seed)).asSlice(0, 64));
        for (int i = 0; i + head.length <= disk.length; i++) {
            assertFalse(Arrays.equals(head, 0, head.length, disk, i, i + head.length), "seed " + seed
                    + ": the deleted payload is still in the file at " + i);
        }
        Python.Result py = Python.run(List.of("-c", "import pickle,sys; d=pickle.load(open(sys.argv[1],'rb'));"
                + " print(sorted(d), d['keep'])", f.toString()), 60);
        assertEquals(0, py.exit(), py.err());
        assertEquals("['keep'] kept", py.out().strip());
    }
}
