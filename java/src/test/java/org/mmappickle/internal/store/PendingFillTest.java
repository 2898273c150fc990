package org.mmappickle.internal.store;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.ArrayWriter;
import org.mmappickle.DType;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.NativeIOException;
import org.mmappickle.internal.io.NativeFile;
import org.mmappickle.testing.FileMaps;
import org.mmappickle.testing.Python;

/**
 * Issue 16 item 3, the fill paths of a pending array: every way of filling it (the view as
 * {@code mmappickle.fill} prepares it: populated, huge pages only, plain faults; a kernel that
 * refuses {@code MADV_POPULATE_WRITE}; {@code copyFrom} a native or a heap segment) leaves exactly
 * the source's bytes in the file, at odd sizes around the 2 MiB pieces and past 64 MiB; the
 * populate step covers the view exactly, split at 2 MiB addresses over the ingest threads; a
 * failure other than EINVAL is reported and leaves a deleted entry.
 */
class PendingFillTest {
    private static final int EINVAL = 22;
    private static final int EFAULT = 14;
    private static final long MIB = 1L << 20;
    private static final long[] SIZES = {1, 2 * MIB - 1, 2 * MIB, 2 * MIB + 1, 64 * MIB + 4099};
    private static final java.util.function.LongSupplier MEMORY_AVAILABLE = PendingArray.memoryAvailable;

    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        PendingArray.populator = NativeFile::populateWrite;
        PendingArray.memoryAvailable = MEMORY_AVAILABLE;
        System.clearProperty("mmappickle.fill");
    }

    /** The ways of filling a pending array. */
    enum Way {
        VIEW_POPULATED, VIEW_HUGEPAGE, VIEW_FAULTED, VIEW_POPULATE_REFUSED, COPY_NATIVE, COPY_HEAP
    }

    @Test
    void everyFillLeavesTheSourceBytesInTheFile() throws Exception {
        long seed = new SplittableRandom().nextLong();
        for (Way way : Way.values()) {
            for (long n : SIZES) {
                Path p = dir.resolve(way + "-" + n + ".mmdpickle");
                String digest = fillAndCheck(p, way, n, seed);
                if (n == SIZES[SIZES.length - 1]) {
                    assertEquals(digest, pythonSha256(p), "seed " + seed + ", " + way + ": what pickle.load sees");
                }
            }
        }
    }

    /** Fills one pending uint8 array of n bytes one way; checks what the file holds; returns its sha-256. */
    private String fillAndCheck(Path p, Way way, long n, long seed) throws Exception {
        String what = "seed " + seed + ", " + way + ", " + n + " bytes";
        byte[] heap = new byte[(int) n];
        new SplittableRandom(seed ^ n).nextBytes(heap);
        int[] refused = {0};
        switch (way) {
            case VIEW_HUGEPAGE -> System.setProperty("mmappickle.fill", "hugepage");
            case VIEW_FAULTED -> System.setProperty("mmappickle.fill", "fault");
            case VIEW_POPULATE_REFUSED -> PendingArray.populator = (file, range) -> {
                refused[0]++;
                throw NativeFile.error("advise", file.path(), -EINVAL, "POPULATE_WRITE, length=" + range.byteSize());
            };
            default -> System.clearProperty("mmappickle.fill");
        }
        try (Arena arena = Arena.ofConfined();
             MmapDict m = MmapDict.open(p, new MmapDict.Options().ingestThreads(3))) {
            MemorySegment src = arena.allocate(n);
            MemorySegment.copy(MemorySegment.ofArray(heap), 0, src, 0, n);
            m.set("before", "kept");
            try (ArrayWriter w = m.allocatePending("x", DType.UINT8, n)) {
                switch (way) {
                    case COPY_NATIVE -> w.copyFrom(src);
                    case COPY_HEAP -> w.copyFrom(MemorySegment.ofArray(heap));
                    default -> MemorySegment.copy(src, 0, w.array().segment(), 0, n);
                }
                assertFalse(m.containsKey("x"), what + ": visible before publish");
                w.publish();
            }
            // one refusal per populating thread; the fill went on without
            assertEquals(way == Way.VIEW_POPULATE_REFUSED, refused[0] > 0, what + ": populate calls refused: " + refused[0]);
            assertEquals(-1, ((NDArray) m.get("x")).segment().mismatch(src), what);
        } finally {
            restore();
        }
        try (MmapDict m = MmapDict.openReadOnly(p)) {
            MemorySegment back = ((NDArray) m.get("x")).segment();
            assertEquals(-1, back.mismatch(MemorySegment.ofArray(heap)), what + ": reopened");
            assertEquals("kept", m.get("before"));
            assertTrue(m.lastRepair().isEmpty(), what + ": " + m.lastRepair());
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(back.toArray(ValueLayout.JAVA_BYTE)));
        }
    }

    private static String pythonSha256(Path p) throws Exception {
        Python.Result r = Python.run(List.of("-c", String.join("\n",
                "import hashlib, pickle, sys",
                "d = pickle.load(open(sys.argv[1], 'rb'))",
                "print(hashlib.sha256(d['x'].tobytes()).hexdigest())"), p.toString()), 120);
        assertEquals(0, r.exit(), r.err());
        return r.out().strip();
    }

    @Test
    void aFloatArrayOnTheHeapIsCopiedThroughTheDescriptor() throws Exception {
        long seed = new SplittableRandom().nextLong();
        float[] v = new float[(int) (3 * MIB) + 1];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble();
        }
        Path p = dir.resolve("floats.mmdpickle");
        try (MmapDict m = MmapDict.open(p, new MmapDict.Options().ingestThreads(2));
             ArrayWriter w = m.allocatePending("f", DType.FLOAT32, 1, v.length)) {
            w.copyFrom(MemorySegment.ofArray(v));
            w.publish();
        }
        Python.Result py = Python.run(List.of("-c", String.join("\n",
                "import pickle, sys",
                "a = pickle.load(open(sys.argv[1], 'rb'))['f']",
                "b = a.view('<u4')",
                "print(a.dtype, a.shape, int(b[0, 0]), int(b[0, -1]), int(b.sum(dtype='<u8')))"), p.toString()), 120);
        assertEquals(0, py.exit(), py.err());
        long sum = 0;
        for (float f : v) {
            sum += Integer.toUnsignedLong(Float.floatToRawIntBits(f));
        }
        assertEquals("float32 (1, " + v.length + ") " + Integer.toUnsignedString(Float.floatToRawIntBits(v[0])) + " "
                + Integer.toUnsignedString(Float.floatToRawIntBits(v[v.length - 1])) + " " + sum, py.out().strip(),
                "seed " + seed);
    }

    @Test
    void thePopulateStepCoversTheViewExactlySplitAtTwoMebibyteAddresses() throws Exception {
        List<MemorySegment> ranges = new ArrayList<>();
        PendingArray.populator = (file, range) -> {
            synchronized (ranges) {
                ranges.add(range);
            }
            file.populateWrite(range);
        };
        try (MmapDict m = MmapDict.open(dir.resolve("split.mmdpickle"), new MmapDict.Options().ingestThreads(3))) {
            try (ArrayWriter w = m.allocatePending("big", DType.UINT8, 64 * MIB + 4099)) {
                MemorySegment view = w.array().segment();
                assertSame(w.array(), w.array());
                assertEquals(3, ranges.size(), "one range per ingest thread: " + ranges);
                ranges.sort((a, b) -> Long.compare(a.address(), b.address()));
                long at = view.address();
                for (int i = 0; i < ranges.size(); i++) {
                    MemorySegment r = ranges.get(i);
                    assertEquals(at, r.address(), "contiguous: " + ranges);
                    if (i > 0) {
                        assertEquals(0, r.address() % (2 * MIB), "cut at a 2 MiB address: " + ranges);
                    }
                    at += r.byteSize();
                }
                assertEquals(view.address() + view.byteSize(), at, "the whole view");
                view.fill((byte) 7);
                w.publish();
            }
            ranges.clear();
            try (ArrayWriter w = m.allocatePending("small", DType.UINT8, 15 * MIB)) {
                w.array();
                assertEquals(1, ranges.size(), "one thread below 16 MiB per thread: " + ranges);
                assertEquals(15 * MIB, ranges.getFirst().byteSize());
            }
            assertEquals(7, ((NDArray) m.get("big")).getByte(64 * MIB + 4098));
        }
    }

    @Test
    void fillingManyArraysInPlaceDoesNotSplitTheMapsOfTheFile() throws Exception {
        Path p = dir.resolve("maps.mmdpickle");
        int cycles = 40;
        try (MmapDict m = MmapDict.open(p)) {
            for (int i = 0; i < cycles; i++) {
                try (ArrayWriter w = m.allocatePending("frame_" + i, DType.UINT8, 2 * MIB + 4096)) {
                    w.array().segment().fill((byte) i);
                    w.publish();
                }
                m.set("between_" + i, new byte[1 << 20]);   // an entry between the views, never advised
            }
            // a kernel map per window (64 MiB strides, each mapping 128 MiB) and the header's: advising
            // only each view would split its window at both ends, two more maps per frame
            long windows = java.nio.file.Files.size(p) / MappedWindows.WINDOW + 1;
            long maps = FileMaps.of(p);
            long bound = windows + 2;
            if (!org.mmappickle.internal.io.IoFeature.MAP_PAST_END.available()) {
                // the channel path ignores advice (nothing splits) but maps a window again as the file grows:
                // a replaced map stays while a view of it is reachable (the dict keeps a view of each array
                // entry read, here every frame), and goes at a collection after that
                bound += cycles;
                maps = FileMaps.afterCollecting(p, bound);
            }
            assertTrue(maps <= bound, maps + " maps of the file for " + windows + " windows");
            assertEquals(cycles - 1, ((NDArray) m.get("frame_" + (cycles - 1))).getByte(2 * MIB));
        }
    }

    @Test
    void aViewLargerThanHalfTheAvailableMemoryIsNotPopulated() throws Exception {
        int[] calls = {0};
        PendingArray.populator = (file, range) -> calls[0]++;
        PendingArray.memoryAvailable = () -> 8 * MIB;
        try (MmapDict m = MmapDict.open(dir.resolve("large.mmdpickle"))) {
            try (ArrayWriter w = m.allocatePending("large", DType.UINT8, 4 * MIB + 1)) {
                w.array().segment().fill((byte) 3);
                w.publish();
            }
            assertEquals(0, calls[0], "4 MiB + 1 of 8 MiB available: faulted as filled, not populated");
            try (ArrayWriter w = m.allocatePending("fits", DType.UINT8, 4 * MIB)) {
                w.array();
            }
            assertEquals(1, calls[0], "4 MiB of 8 available: populated");
            assertEquals(3, ((NDArray) m.get("large")).getByte(4 * MIB));
        }
    }

    @Test
    void aPopulateFailureOtherThanEinvalIsReportedAndLeavesADeletedEntry() throws Exception {
        PendingArray.populator = (file, range) -> {
            throw NativeFile.error("advise", file.path(), -EFAULT, "POPULATE_WRITE, length=" + range.byteSize());
        };
        Path p = dir.resolve("efault.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.set("before", "kept");
            try (ArrayWriter w = m.allocatePending("x", DType.FLOAT32, 1000)) {
                NativeIOException e = assertThrows(NativeIOException.class, w::array);
                assertEquals("EFAULT", e.errnoName());
                assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("POPULATE_WRITE"), e.getMessage());
            }
            assertFalse(m.containsKey("x"));
            assertEquals(1, m.entries().stream().filter(e -> e.key().equals("x") && !e.valid() && !e.pending()).count());
            assertEquals("kept", m.get("before"));
        }
    }

    @Test
    void aFillModeThatDoesNotExistIsRefusedByName() throws Exception {
        System.setProperty("mmappickle.fill", "fast");
        try (MmapDict m = MmapDict.open(dir.resolve("mode.mmdpickle"));
             ArrayWriter w = m.allocatePending("x", DType.FLOAT32, 10)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, w::array);
            assertTrue(e.getMessage().contains("mmappickle.fill=fast"), e.getMessage());
        }
    }
}
