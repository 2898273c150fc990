package org.mmappickle.codec;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.DType;
import org.mmappickle.EntryInfo;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.codec.example.SparseMatrix;
import org.mmappickle.codec.example.SparseMatrixCodec;
import org.mmappickle.py.PyTuple;
import org.mmappickle.testing.Python;

/** The example codec: a CSR matrix whose arrays are mapped, in bytes plain pickle loads. */
class CodecSparseMatrixTest {
    @TempDir
    Path dir;

    private static MmapDict.Options withSparse() {
        List<ValueCodec> codecs = new ArrayList<>(Codecs.defaults());
        codecs.add(new SparseMatrixCodec());
        return new MmapDict.Options().codecs(codecs);
    }

    /** [[1, 0, 2, 0], [0, 0, 0, 0], [0, 3, 0, 4]] */
    private static SparseMatrix small() {
        return new SparseMatrix(3, 4, NDArray.of(new double[] {1, 2, 3, 4}), NDArray.of(new int[] {0, 2, 1, 3}),
                NDArray.of(new int[] {0, 2, 2, 4}));
    }

    @Test
    void roundTripsThroughTheFileWithMappedAlignedArrays() throws Exception {
        Path p = dir.resolve("sparse.mmdpickle");
        try (MmapDict m = MmapDict.open(p, withSparse())) {
            m.put("before", "a string, so the matrix does not start at a round offset");
            m.put("m", small());
            SparseMatrix back = (SparseMatrix) m.get("m");
            assertSame(back, m.get("m"), "a value read through the map is kept like an array view");
            back.data().setDouble(30.0, 2);   // written in place, in the file
        }
        try (MmapDict m = MmapDict.open(p, withSparse())) {
            SparseMatrix back = (SparseMatrix) m.get("m");
            assertEquals(3, back.rows());
            assertEquals(4, back.cols());
            assertEquals(DType.FLOAT64, back.data().dtype());
            assertEquals(DType.INT32, back.indices().dtype());
            assertEquals(2.0, back.get(0, 2));
            assertEquals(0.0, back.get(1, 1));
            assertEquals(30.0, back.get(2, 1));
            assertEquals(4.0, back.get(2, 3));
            for (NDArray a : List.of(back.data(), back.indices(), back.indptr())) {
                assertTrue(a.segment().isNative(), "mapped from the file, not copied");
                assertFalse(a.isReadOnly());
                assertEquals(0, a.segment().address() % 64, "payload aligned to 64 bytes");
            }
            assertEquals("a string, so the matrix does not start at a round offset", m.get("before"));
        }
        // a dict without the codec reads the same entry as the dict plain pickle sees, with copies
        try (MmapDict m = MmapDict.openReadOnly(p)) {
            Map<?, ?> plain = (Map<?, ?>) m.get("m");
            assertEquals("csr", plain.get("format"));
            NDArray data = (NDArray) plain.get("data");
            assertFalse(data.segment().isNative());
            assertEquals(30.0, data.getDouble(2));
        }
        Python.Result r = Python.run(List.of("-W", "error::DeprecationWarning", "-c", """
                import pickle, sys
                d = pickle.load(open(sys.argv[1], 'rb'))
                m = d['m']
                rows, cols = m['shape']
                dense = [[0.0] * cols for _ in range(rows)]
                for r in range(rows):
                    for k in range(m['indptr'][r], m['indptr'][r + 1]):
                        dense[r][int(m['indices'][k])] = float(m['data'][k])
                print(sorted(m), m['format'], m['shape'], m['data'].dtype, m['indices'].dtype, m['data'].flags.writeable)
                print(dense)
                try:
                    import scipy.sparse
                    s = scipy.sparse.csr_matrix((m['data'], m['indices'], m['indptr']), shape=m['shape'])
                    assert s.toarray().tolist() == dense
                except ImportError:
                    pass
                """, p.toString()), 60);
        assertEquals(0, r.exit(), r.err());
        assertEquals("['data', 'format', 'indices', 'indptr', 'shape'] csr (3, 4) float64 int32 True\n"
                + "[[1.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 30.0, 0.0, 4.0]]", r.out().strip());
    }

    @Test
    void largeMatricesGoThroughTheTwoPhaseAppendAndAlignToPages() throws Exception {
        Path p = dir.resolve("large.mmdpickle");
        int rows = 1000;
        int perRow = 200;   // 200k non-zeros: 1.6 MB of data, more than the two-phase threshold
        double[] data = new double[rows * perRow];
        long[] indices = new long[rows * perRow];
        long[] indptr = new long[rows + 1];
        for (int r = 0; r < rows; r++) {
            indptr[r + 1] = (long) (r + 1) * perRow;
            for (int k = 0; k < perRow; k++) {
                data[r * perRow + k] = r + k / 1000.0;
                indices[r * perRow + k] = k * 5L;
            }
        }
        SparseMatrix big = new SparseMatrix(rows, 1000, NDArray.of(data), NDArray.of(indices), NDArray.of(indptr));
        List<Long> progress = new ArrayList<>();
        try (MmapDict m = MmapDict.open(p, withSparse().progress((k, done, total) -> progress.add(done)))) {
            m.put("x", 1);
            m.put("big", big);
            assertFalse(progress.isEmpty(), "payloads of 1 MiB or more are copied with the lock released");
        }
        try (MmapDict m = MmapDict.open(p, withSparse())) {
            SparseMatrix back = (SparseMatrix) m.get("big");
            assertEquals(0, back.data().segment().address() % 4096, "a 64 KiB+ payload starts on a page");
            assertEquals(0, back.indices().segment().address() % 4096);
            assertEquals(999 + 0.199, back.get(999, 995));
            assertEquals(0.0, back.get(999, 996));
            EntryInfo e = m.entries().get(1);
            assertTrue(e.valid());
        }
        Python.Result r = Python.run(List.of("-W", "error::DeprecationWarning", "-c", """
                import pickle, sys
                m = pickle.load(open(sys.argv[1], 'rb'))['big']
                print(m['shape'], len(m['data']), m['indices'][-1], m['indptr'][-1])
                """, p.toString()), 60);
        assertEquals(0, r.exit(), r.err());
        assertEquals("(1000, 1000) 200000 995 200000", r.out().strip());
    }

    @Test
    void compactionCopiesCodecValuesAndGenericArraysAsTheyAre() throws Exception {
        Path p = dir.resolve("compact.mmdpickle");
        try (MmapDict m = MmapDict.open(p, withSparse())) {
            m.put("gone", new double[1000]);
            m.put("m", small());
            m.remove("gone");
        }
        try (MmapDict m = MmapDict.open(p, new MmapDict.Options().codecs(List.of(Codecs.generic())))) {
            m.put("generic array", NDArray.of(new long[] {1, 2, 3}));   // starts like an array, is not the layout
        }
        try (MmapDict m = MmapDict.open(p, withSparse())) {
            assertEquals(1, m.compact().entriesDropped());
        }
        try (MmapDict m = MmapDict.open(p, withSparse())) {
            SparseMatrix back = (SparseMatrix) m.get("m");
            assertEquals(4.0, back.get(2, 3));
            assertTrue(back.data().segment().isNative());
            assertArrayEquals(new long[] {1, 2, 3}, ((NDArray) m.get("generic array")).toLongArray());
        }
    }

    @Test
    void aGenericDictThatOnlyLooksLikeTheHeadIsReadGenerically() throws Exception {
        // a codec's recognizes() sees only the head; its read() hands other bytes to the generic codec.
        // The generic pickler writes this dict with the codec's head: EMPTY_DICT MARK 'format' 'csr' 'shape'
        // and 2^63-1 as an 8-byte LONG1, but then a BININT1 where the codec wants another LONG1
        Map<String, Object> lookalike = new LinkedHashMap<>();
        lookalike.put("format", "csr");
        lookalike.put("shape", PyTuple.of(BigInteger.valueOf(Long.MAX_VALUE), 5));
        Path p = dir.resolve("lookalike.mmdpickle");
        try (MmapDict m = MmapDict.open(p, withSparse())) {
            m.put("d", lookalike);
            long valueOffset = m.entries().get(0).valueOffset();
            byte[] head = java.util.Arrays.copyOfRange(java.nio.file.Files.readAllBytes(p), (int) valueOffset,
                    (int) valueOffset + 24);
            assertTrue(new SparseMatrixCodec().recognizes(java.lang.foreign.MemorySegment.ofArray(head), null),
                    "the head matches");
            Map<?, ?> back = (Map<?, ?>) m.get("d");
            assertEquals("csr", back.get("format"));
            assertEquals(Long.MAX_VALUE, ((Number) ((PyTuple) back.get("shape")).get(0)).longValue());
        }
    }
}
