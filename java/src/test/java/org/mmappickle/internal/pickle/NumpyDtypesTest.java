package org.mmappickle.internal.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyTuple;
import org.mmappickle.testing.Python;

/** numpy dtype objects as pickle builds them, and their type strings. */
class NumpyDtypesTest {
    private static final List<String> TYPE_STRINGS = List.of("|b1", "|i1", "|u1", "<i2", ">i4", "<i8", "<u2", "<u4", "<u8",
            "<f2", "<f4", ">f8", "<f16", "<c8", "<c16", "|S3", "|S0", "<U5", ">U1", "|V4", "|O", "<M8[ns]", ">m8[10us]", "<M8",
            "<M8[D]");

    private static PyObject dtype(String code, PyTuple state) {
        PyObject d = PyObject.reduce(PyObject.global("numpy", "dtype"), PyTuple.of(code, false, true));
        d.setState(state);
        return d;
    }

    @Test
    void typeStringsOfDtypeObjects() {
        assertEquals("<f8", NumpyDtypes.dtypeStr(dtype("f8", PyTuple.of(3, "<", null, null, null, -1, -1, 0))));
        assertEquals("|u1", NumpyDtypes.dtypeStr(dtype("u1", PyTuple.of(3, "|", null, null, null, -1, -1, 0))));
        assertEquals("<U5", NumpyDtypes.dtypeStr(dtype("U5", PyTuple.of(3, "<", null, null, null, 20, 4, 8))));
        assertEquals("|S3", NumpyDtypes.dtypeStr(dtype("S3", PyTuple.of(3, "|", null, null, null, 3, 1, 0))));
        // numpy 1.26 writes {} where numpy 2 writes None for the metadata dict
        PyTuple ns = PyTuple.of("ns".getBytes(StandardCharsets.US_ASCII), 1, 1, 1);
        assertEquals("<M8[ns]", NumpyDtypes.dtypeStr(dtype("M8", PyTuple.of(4, "<", null, null, null, -1, -1, 0, PyTuple.of(null, ns)))));
        assertEquals("<M8[ns]", NumpyDtypes.dtypeStr(dtype("M8", PyTuple.of(4, "<", null, null, null, -1, -1, 0, PyTuple.of(Map.of(), ns)))));
        assertEquals("<M8", NumpyDtypes.dtypeStr(dtype("M8", PyTuple.of(4, "<", null, null, null, -1, -1, 0,
                PyTuple.of(null, PyTuple.of("generic", 1, 1, 1))))));
        assertEquals("<f8", NumpyDtypes.dtypeStr(PyObject.reduce(PyObject.global("numpy", "dtype"), PyTuple.of("f8", 0, 1))));
    }

    @Test
    void structuredAndForeignObjectsAreRefused() {
        PyObject structured = dtype("V8", PyTuple.of(3, "|", null, PyTuple.of("a"), Map.of(), 8, 1, 16));
        assertThrows(IllegalArgumentException.class, () -> NumpyDtypes.dtypeStr(structured));
        assertThrows(IllegalArgumentException.class, () -> NumpyDtypes.dtypeStr("f8"));
        assertThrows(IllegalArgumentException.class, () -> NumpyDtypes.dtypeStr(PyObject.global("numpy", "dtype")));
        assertThrows(IllegalArgumentException.class, () -> NumpyDtypes.dtypeObject("float64"));
    }

    @Test
    void dtypeObjectsGiveBackTheirTypeString() {
        for (String s : TYPE_STRINGS) {
            assertEquals(s, NumpyDtypes.dtypeStr(NumpyDtypes.dtypeObject(s)), s);
        }
    }

    private static final String DUMP_DTYPES = """
            import numpy as np, pickle, sys
            for s in sys.argv[1:]:
                d = np.dtype(s)
                print(d.str, pickle.dumps(d, 4).hex())
            """;

    /** What numpy itself pickles for each dtype reads as its dtype.str (numpy 2 here, 1.26 too when configured). */
    @Test
    void numpysOwnDtypePicklesGiveItsTypeStrings() throws Exception {
        boolean checked = false;
        for (String py : List.of(Python.executable(), System.getProperty("mmappickle.python126", ""))) {
            if (py.isBlank()) {
                continue;
            }
            List<String> cmd = new ArrayList<>(List.of(py, "-c", DUMP_DTYPES));
            cmd.addAll(TYPE_STRINGS);
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                continue; // no such python
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                continue; // no numpy there
            }
            for (String line : out.strip().split("\n")) {
                String[] parts = line.split(" ");
                Object d = Unpickler.loadPickle(MemorySegment.ofArray(PickleTestSupport.hex(parts[1])), null);
                assertInstanceOf(PyObject.class, d, line);
                assertEquals(parts[0], NumpyDtypes.dtypeStr(d), py + ": " + line);
            }
            checked = true;
        }
        assumeTrue(checked, "no python3 with numpy (" + Python.executable() + "): skipped");
    }
}
