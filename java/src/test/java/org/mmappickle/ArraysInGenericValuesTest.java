package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.py.PyTuple;
import org.mmappickle.testing.Python;

/** numpy arrays nested in generic values: written so plain pickle loads them, read as in-memory NDArrays. */
class ArraysInGenericValuesTest {
    @TempDir
    Path dir;

    @Test
    void javaArraysInsideAValueRoundTripAndLoadInPython() throws Exception {
        Path p = dir.resolve("nested.mmdpickle");
        NDArray a = NDArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        NDArray mask = NDArray.of(new boolean[] {true, false});
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("keypoints", a);
        value.put("again", a);   // the same array twice stays one object
        value.put("masked", new MaskedArray(NDArray.of(new double[] {1.5, 2.5}), mask));
        value.put("list", List.of(NDArray.zeros(DType.INT32), PyTuple.of(NDArray.of(new long[] {7}))));
        try (MmapDict m = MmapDict.open(p)) {
            m.put("v", value);
            @SuppressWarnings("unchecked")
            Map<String, Object> back = (Map<String, Object>) m.get("v");
            assertEquals(a, back.get("keypoints"));
            assertSame(back.get("keypoints"), back.get("again"));
            assertEquals(new MaskedArray(NDArray.of(new double[] {1.5, 2.5}), mask), back.get("masked"));
            List<?> l = (List<?>) back.get("list");
            assertEquals(0, ((NDArray) l.get(0)).ndim());
            assertEquals(7L, ((NDArray) ((PyTuple) l.get(1)).get(0)).getLong(0));
        }
        Python.Result r = Python.run(List.of("-W", "error::DeprecationWarning", "-c", """
                import pickle, sys
                v = pickle.load(open(sys.argv[1], 'rb'))['v']
                k = v['keypoints']
                print(k.dtype, k.shape, k[1, 2], v['again'] is k, type(v['masked']).__name__, v['masked'].mask.tolist(), v['list'][1][0][0])
                """, p.toString()), 60);
        assertEquals(0, r.exit(), r.err());
        assertEquals("float32 (2, 3) 6.0 True MaskedArray [True, False] 7", r.out().strip());
    }

    @Test
    void numpysOwnPicklesOfArraysReadAsNDArrays() throws Exception {
        Path p = dir.resolve("numpy.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.put("placeholder", 0);
        }
        // python appends values pickled by numpy itself (_reconstruct + BUILD, fortran order, masked, protocol 5 buffers)
        Path helper = Path.of(getClass().getResource("/python/mmapdict_py.py").toURI());
        for (String[] kv : new String[][] {
                {"plain", "{'a': np.arange(6, dtype='<i2').reshape(2, 3), 'b': [np.float32(1.5)]}"},
                {"fortran", "np.asfortranarray(np.arange(6.0).reshape(2, 3))"},
                {"masked", "np.ma.MaskedArray([1.0, 2.0, 3.0], mask=[False, True, False])"},
                {"bigendian", "np.array([1, 256], dtype='>u2')"},
                {"strings", "np.array(['ab', 'c'])"}}) {
            Python.Result r = Python.run(List.of(helper.toString(), p.toString(), "put", kv[0], kv[1]), 60);
            assertEquals(0, r.exit(), r.err());
        }
        try (MmapDict m = MmapDict.openReadOnly(p)) {
            Map<?, ?> plain = (Map<?, ?>) m.get("plain");
            NDArray a = (NDArray) plain.get("a");
            assertEquals(DType.parse("<i2"), a.dtype());
            assertEquals(5, a.getShort(1, 2));
            NDArray f = (NDArray) m.get("fortran");
            assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, f.toDoubleArray(), "fortran order read back in C order");
            MaskedArray ma = (MaskedArray) m.get("masked");
            assertTrue(ma.mask().getBoolean(1));
            assertEquals(3.0, ma.data().getDouble(2));
            assertEquals(256, ((NDArray) m.get("bigendian")).getInt(1));
            assertEquals("ab", ((NDArray) m.get("strings")).getString(0));
        }
    }
}
