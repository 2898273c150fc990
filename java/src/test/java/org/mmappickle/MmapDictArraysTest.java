package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.internal.io.NativeFile;
import org.mmappickle.testing.DiskUsage;
import org.mmappickle.testing.Python;

class MmapDictArraysTest {
    @TempDir
    Path dir;

    @Test
    void arraysComeBackAsTheSameMappedView() throws Exception {
        try (MmapDict m = MmapDict.open(dir.resolve("a.mmdpickle"))) {
            m.put("f", new float[] {1.5f, 2.5f, 3.5f});
            m.setArray("grid", new double[] {0, 1, 2, 3, 4, 5}, 2, 3);
            NDArray f = (NDArray) m.get("f");
            assertSame(f, m.get("f"), "a repeated get returns the cached view");
            assertEquals(DType.FLOAT32, f.dtype());
            assertEquals(2.5f, f.getFloat(1));
            f.setFloat(9f, 1);   // in place, in the file
            NDArray g = (NDArray) m.get("grid");
            assertArrayEquals(new long[] {2, 3}, g.shape());
            assertEquals(5.0, g.getDouble(1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> g.getDouble(2, 0));
        }
        try (MmapDict m = MmapDict.openReadOnly(dir.resolve("a.mmdpickle"))) {
            assertEquals(9f, ((NDArray) m.get("f")).getFloat(1), "written through the view, read after reopening");
        }
    }

    @Test
    void viewsStayValidWhileTheFileGrowsAndDieCleanlyAtClose() throws Exception {
        NDArray first;
        try (MmapDict m = MmapDict.open(dir.resolve("grow.mmdpickle"))) {
            m.put("first", new long[] {7, 8, 9});
            first = (NDArray) m.get("first");
            for (int i = 0; i < 300; i++) {
                m.put("k" + i, new double[1000 + i]);
            }
            m.put("big", new float[1 << 19]);   // 2 MiB: a two-phase put
            assertEquals(8, first.getLong(1));
            assertEquals(302, m.size());
        }
        assertThrows(IllegalStateException.class, () -> first.getLong(1), "closed: an exception, not a crash");
    }

    @Test
    void originalLayoutIsByteForByteWhatMmappickleWrites() throws Exception {
        Path golden = Python.vectors().resolve("arrays.mmdpickle");
        Path mine = dir.resolve("orig.mmdpickle");
        try (MmapDict src = MmapDict.openReadOnly(golden);
             MmapDict dst = MmapDict.open(mine, new MmapDict.Options().arrayFormat(ArrayFormat.ORIGINAL))) {
            for (String k : src.keySet()) {
                dst.set(k, src.get(k));
            }
        }
        assertSameButCommit(Files.readAllBytes(golden), Files.readAllBytes(mine));
        Path masked = Python.vectors().resolve("masked.mmdpickle");
        Path mine2 = dir.resolve("masked.mmdpickle");
        try (MmapDict src = MmapDict.openReadOnly(masked); MmapDict dst = MmapDict.open(mine2)) {
            for (String k : src.keySet()) {
                MaskedArray a = (MaskedArray) src.get(k);
                dst.set(k, a, ArrayFormat.ORIGINAL);
            }
        }
        assertSameButCommit(Files.readAllBytes(masked), Files.readAllBytes(mine2));
    }

    /** Every byte equal except the commit number: our two-phase appends of large arrays count two changes. */
    private static void assertSameButCommit(byte[] golden, byte[] mine) {
        assertEquals(golden.length, mine.length);
        for (int i = 0; i < golden.length; i++) {
            if (i < 18 || i >= 22) {
                assertEquals(golden[i], mine[i], "byte " + i);
            }
        }
    }

    @Test
    void ourLayoutAlignsPayloads() throws Exception {
        Path p = dir.resolve("aligned.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.put("x", "a generic value first, to shift the offsets");
            for (int n : new int[] {1, 3, 100, 1000, 8191, 8192, 20000, 300_000}) {
                m.put("f" + n, new float[n]);
                m.put("b" + n, new boolean[n % 7 + 1]);
            }
            for (String k : m.keySet()) {
                if (m.get(k) instanceof NDArray a && a.byteSize() > 0) {
                    // a map starts at a page boundary of the file, so the address has the file offset's alignment
                    long fileOffsetModPage = a.segment().address() % NativeFile.PAGE_SIZE;
                    assertEquals(0, fileOffsetModPage % 64, k);
                    if (a.byteSize() >= 65536) {
                        assertEquals(0, fileOffsetModPage, k);
                    }
                }
            }
        }
    }

    @Test
    void allocatedArraysAreSparseUnlessReservedAndWorkBeyond2GiB() throws Exception {
        Path p = dir.resolve("big.mmdpickle");
        long five = 5L << 30;
        try (MmapDict m = MmapDict.open(p)) {
            NDArray big = m.allocate("big", DType.UINT8, five);
            assertEquals(five, big.size());
            big.setByte((byte) 42, five - 1);
            big.setByte((byte) 7, 3L << 30);
            NDArray grid = m.allocate("grid", DType.UINT8, 50_000, 50_000);   // 2.5e9 elements > 2^31
            grid.setByte((byte) 9, 49_999, 49_999);
            grid.setByte((byte) 5, 40_000, 1);
        }
        try (MmapDict m = MmapDict.openReadOnly(p); NativeFile nf = NativeFile.open(p, NativeFile.Mode.READ)) {
            NDArray big = (NDArray) m.get("big");
            assertEquals(42, big.getByte(five - 1));
            assertEquals(7, big.getByte(3L << 30));
            assertEquals(0, big.getByte(1L << 32));
            NDArray grid = (NDArray) m.get("grid");
            assertEquals(9, grid.getByte(49_999, 49_999));
            assertEquals(5, grid.getByte(40_000, 1));
            assertTrue(nf.size() > five + 2_500_000_000L);
            assertTrue(DiskUsage.of(nf) < (64L << 20), "sparse: " + DiskUsage.of(nf));
        }
        Path r = dir.resolve("reserved.mmdpickle");
        try (MmapDict m = MmapDict.open(r); NativeFile nf = NativeFile.open(r, NativeFile.Mode.READ)) {
            m.allocate("res", DType.FLOAT64, true, 1 << 20);
            assertTrue(DiskUsage.of(nf) >= (8L << 20), "reserved: " + DiskUsage.of(nf));
        }
    }

    @Test
    void aViewWrittenHereIsSeenByAnotherProcess() throws Exception {
        Path p = dir.resolve("shared.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            NDArray a = m.allocate("frame", DType.INT32, 4, 5);
            a.setInt(1234, 3, 4);
            a.setInt(-5, 0, 0);
            // no flush: the other process reads the same page cache
            Python.Result r = Python.run(List.of("-W", "error::DeprecationWarning", "-c",
                    "import pickle,sys; a=pickle.load(open(sys.argv[1],'rb'))['frame']; print(a.dtype, a.shape, a[3,4], a[0,0], a.sum())",
                    p.toString()), 60);
            assertEquals(0, r.exit(), r.err());
            assertEquals("int32 (4, 5) 1234 -5 1229", r.out().strip());
        }
    }

    @Test
    void adviceIsAccepted() throws Exception {
        try (MmapDict m = MmapDict.open(dir.resolve("adv.mmdpickle"))) {
            NDArray a = m.allocate("a", DType.FLOAT32, 1 << 20);
            for (Advice ad : Advice.values()) {
                a.advise(ad);
            }
            a.setFloat(1f, 5);
            m.flush();
            assertEquals(1f, a.getFloat(5));
        }
    }

    @Test
    void maskedArraysRoundTrip() throws Exception {
        Path p = dir.resolve("masked.mmdpickle");
        NDArray data = NDArray.of(new double[] {1, 2, 3, 4}, 2, 2);
        NDArray mask = NDArray.of(new boolean[] {false, true, true, false}, 2, 2);
        try (MmapDict m = MmapDict.open(p)) {
            m.put("m", new MaskedArray(data, mask));
            MaskedArray back = (MaskedArray) m.get("m");
            assertEquals(data, back.data());
            assertEquals(mask, back.mask());
        }
        Python.Result r = Python.run(List.of("-W", "error::DeprecationWarning", "-c",
                "import pickle,sys; a=pickle.load(open(sys.argv[1],'rb'))['m']; print(type(a).__name__, a.sum(), a.mask.tolist())",
                p.toString()), 60);
        assertEquals(0, r.exit(), r.err());
        assertEquals("MaskedArray 5.0 [[False, True], [True, False]]", r.out().strip());
    }

    @Test
    void goldenArraysReadAsMappedViews() throws Exception {
        try (MmapDict m = MmapDict.openReadOnly(Python.vectors().resolve("arrays.mmdpickle"))) {
            assertEquals(25, m.commitNumber());
            NDArray s = (NDArray) m.get("scalar_0d");
            assertEquals(0, s.ndim());
            assertEquals(7.25, s.getDouble());
            NDArray be = (NDArray) m.get("f64_be");
            assertEquals(3.0, be.getDouble(3));
            NDArray i32be = (NDArray) m.get("i32_be");
            assertEquals(256, i32be.getInt(2));
            NDArray z = (NDArray) m.get("zero_size");
            assertEquals(0, z.size());
            assertArrayEquals(new long[] {0, 3}, z.shape());
            NDArray u = (NDArray) m.get("unicode");
            assertEquals("cé", u.getString(1));
            NDArray stub = (NDArray) m.get("empty_stub");
            assertArrayEquals(new long[] {1000, 1000}, stub.shape());
            assertTrue(stub.isReadOnly());
            List<String> keys = new ArrayList<>(m.keySet());
            assertEquals("u8", keys.get(0));
            assertEquals(25, keys.size());
        }
    }

}
