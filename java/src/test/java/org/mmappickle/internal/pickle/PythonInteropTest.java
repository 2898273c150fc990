package org.mmappickle.internal.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.mmappickle.internal.pickle.PickleTestSupport.norm;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.py.PyByteArray;
import org.mmappickle.py.PyComplex;
import org.mmappickle.py.PyFrozenSet;
import org.mmappickle.py.PyNumpyScalar;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyOrderedDict;
import org.mmappickle.py.PyTuple;
import org.mmappickle.testing.Python;

/**
 * Compatibility both ways with a real python3 (system property {@code mmappickle.python}) run as a
 * separate process: Python loads what Java writes, with DeprecationWarning turned into an error,
 * and Java loads what Python writes with every protocol. With {@code mmappickle.python126} set to a
 * Python with numpy 1.26, the numpy scalars are checked there too.
 */
class PythonInteropTest {
    private static boolean hasPython;
    private static boolean hasNumpy;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findPython() {
        try {
            Python.Result r = Python.run(List.of("-c", "import sys; print(sys.version_info[0])"), 30);
            hasPython = r.exit() == 0 && r.out().strip().equals("3");
            hasNumpy = hasPython && Python.run(List.of("-c", "import numpy"), 60).exit() == 0;
        } catch (IOException | InterruptedException e) {
            hasPython = false;
        }
    }

    private static void requirePython() {
        assumeTrue(hasPython, "python3 (" + Python.executable() + ") is not available: interop tests skipped");
    }

    /** A Java value and the Python expression of the value Python must load. */
    private record Case(Object java, String python) {
    }

    private static List<Case> coreCases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case(null, "None"));
        c.add(new Case(true, "True"));
        c.add(new Case(false, "False"));
        c.add(new Case(0, "0"));
        c.add(new Case((short) 255, "255"));
        c.add(new Case(65536L, "65536"));
        c.add(new Case((byte) -1, "-1"));
        c.add(new Case(1L << 31, "2**31"));
        c.add(new Case(Long.MIN_VALUE, "-2**63"));
        c.add(new Case(BigInteger.TWO.pow(100), "2**100"));
        c.add(new Case(BigInteger.TWO.pow(2100).negate(), "-2**2100"));
        c.add(new Case(1.5, "1.5"));
        c.add(new Case(-0.0, "-0.0"));
        c.add(new Case(Double.NaN, "float('nan')"));
        c.add(new Case(Float.NEGATIVE_INFINITY, "float('-inf')"));
        c.add(new Case("h\u00e9llo \u2713 \uD83D\uDE80", "'h\u00e9llo \u2713 \\U0001f680'"));
        c.add(new Case('c', "'c'"));
        c.add(new Case("x".repeat(300), "'x' * 300"));
        c.add(new Case(new byte[] {0, 1, (byte) 0xFF}, "b'\\x00\\x01\\xff'"));
        c.add(new Case(new byte[300], "bytes(300)"));
        c.add(new Case(new PyByteArray(new byte[] {'a', 'b'}), "bytearray(b'ab')"));
        c.add(new Case(new PyByteArray(new byte[0]), "bytearray()"));
        c.add(new Case(List.of(1, List.of()), "[1, []]"));
        c.add(new Case(PyTuple.of(), "()"));
        c.add(new Case(PyTuple.of(1), "(1,)"));
        c.add(new Case(PyTuple.of(1, 2, 3, 4), "(1, 2, 3, 4)"));
        Map<Object, Object> dict = new LinkedHashMap<>();
        dict.put(1, "a");
        dict.put(PyTuple.of(1, 2), "b");
        dict.put("k", null);
        c.add(new Case(dict, "{1: 'a', (1, 2): 'b', 'k': None}"));
        c.add(new Case(new LinkedHashSet<>(List.of(1, 2)), "{1, 2}"));
        c.add(new Case(PyFrozenSet.of("x"), "frozenset({'x'})"));
        PyOrderedDict od = new PyOrderedDict();
        od.put("z", 1);
        od.put("a", 2);
        c.add(new Case(od, "collections.OrderedDict([('z', 1), ('a', 2)])"));
        c.add(new Case(new PyComplex(1.5, -2), "complex(1.5, -2)"));
        c.add(new Case(LocalDate.of(2024, 2, 29), "dt.date(2024, 2, 29)"));
        c.add(new Case(LocalDateTime.of(2024, 2, 29, 13, 45, 7, 123_456_789), "dt.datetime(2024, 2, 29, 13, 45, 7, 123456)"));
        c.add(new Case(OffsetDateTime.of(2024, 2, 29, 13, 45, 7, 0, ZoneOffset.ofHoursMinutes(5, 30)),
                "dt.datetime(2024, 2, 29, 13, 45, 7, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))"));
        c.add(new Case(LocalTime.of(23, 59, 59, 999_999_000), "dt.time(23, 59, 59, 999999)"));
        c.add(new Case(OffsetTime.of(1, 2, 0, 0, ZoneOffset.UTC), "dt.time(1, 2, tzinfo=dt.timezone.utc)"));
        c.add(new Case(Duration.ofDays(-3).plusSeconds(5).plusNanos(6000), "dt.timedelta(days=-3, seconds=5, microseconds=6)"));
        c.add(new Case(ZoneOffset.ofHours(-8), "dt.timezone(dt.timedelta(hours=-8))"));
        c.add(new Case(PyObject.reduce(PyObject.global("fractions", "Fraction"), PyTuple.of("1/3")), "fractions.Fraction(1, 3)"));
        c.add(new Case(PyObject.newObjEx(PyObject.global("fractions", "Fraction"), PyTuple.of(2), Map.of("denominator", 5)),
                "fractions.Fraction(2, 5)"));
        PyObject ns = PyObject.reduce(PyObject.global("types", "SimpleNamespace"), PyTuple.of());
        ns.setState(Map.of("a", 1));
        c.add(new Case(ns, "types.SimpleNamespace(a=1)"));
        PyObject counter = PyObject.newObj(PyObject.global("collections", "Counter"), PyTuple.of());
        counter.setItem("a", 2);
        counter.setItem("b", 3);
        c.add(new Case(counter, "collections.Counter(a=2, b=3)"));
        PyObject deque = PyObject.newObj(PyObject.global("collections", "deque"), PyTuple.of());
        deque.appendItems(List.of(1, 2));
        c.add(new Case(deque, "collections.deque([1, 2])"));
        c.add(new Case(PyObject.global("builtins", "len"), "len"));
        List<Integer> big = new ArrayList<>();
        Map<Integer, Integer> bigDict = new LinkedHashMap<>();
        for (int i = 0; i < 1000; i++) {
            big.add(i);
            bigDict.put(i, i);
        }
        big.add(1000);
        c.add(new Case(big, "list(range(1001))"));
        c.add(new Case(bigDict, "{i: i for i in range(1000)}"));
        c.add(new Case(new LinkedHashSet<>(bigDict.keySet()), "set(range(1000))"));
        return c;
    }

    private static List<Case> numpyCases() {
        return List.of(
                new Case(PyNumpyScalar.ofBool(true), "np.bool_(True)"),
                new Case(PyNumpyScalar.ofInt8((byte) -3), "np.int8(-3)"),
                new Case(PyNumpyScalar.ofInt16((short) -300), "np.int16(-300)"),
                new Case(PyNumpyScalar.ofInt32(-4), "np.int32(-4)"),
                new Case(PyNumpyScalar.ofInt64(Long.MIN_VALUE), "np.int64(-2**63)"),
                new Case(PyNumpyScalar.ofUInt8(255), "np.uint8(255)"),
                new Case(PyNumpyScalar.ofUInt16(65535), "np.uint16(65535)"),
                new Case(PyNumpyScalar.ofUInt32(4_000_000_000L), "np.uint32(4000000000)"),
                new Case(PyNumpyScalar.ofUInt64(BigInteger.TWO.pow(64).subtract(BigInteger.ONE)), "np.uint64(2**64 - 1)"),
                new Case(PyNumpyScalar.ofFloat16(0.5f), "np.float16(0.5)"),
                new Case(PyNumpyScalar.ofFloat32(1.5f), "np.float32(1.5)"),
                new Case(PyNumpyScalar.ofDouble(2.5), "np.float64(2.5)"),
                new Case(PyNumpyScalar.ofComplex64(1, 2), "np.complex64(1+2j)"),
                new Case(PyNumpyScalar.ofComplex128(1, -2), "np.complex128(1-2j)"),
                new Case(PyNumpyScalar.ofDatetime64(5, "ns"), "np.datetime64(5, 'ns')"),
                new Case(PyNumpyScalar.ofDatetime64(19_000, "D"), "np.datetime64(19000, 'D')"),
                new Case(PyNumpyScalar.ofTimedelta64(3, "10us"), "np.timedelta64(3, '10us')"),
                new Case(PyNumpyScalar.ofBytes(new byte[] {'a', 'b'}), "np.bytes_(b'ab')"),
                new Case(PyNumpyScalar.ofStr("\u00e9\u2713"), "np.str_('\u00e9\u2713')"),
                new Case(PyNumpyScalar.of(">i4", new byte[] {0, 0, 1, 0}), "np.int32(256)"),
                new Case(PyNumpyScalar.of(">f8", new byte[] {0x40, 0, 0, 0, 0, 0, 0, 0}), "np.float64(2.0)"));
    }

    /** Writes the Java values as one list into a full pickle (PROTO 4, the value, STOP). */
    private Path writeJava(List<Case> cases, Object extra) throws IOException {
        List<Object> values = new ArrayList<>();
        cases.forEach(c -> values.add(c.java()));
        values.add(extra);
        byte[] body = Pickler.dumpValue(values, 1).bytes();
        byte[] file = new byte[body.length + 3];
        file[0] = (byte) 0x80;
        file[1] = 4;
        System.arraycopy(body, 0, file, 2, body.length);
        file[file.length - 1] = '.';
        return Files.write(tmp.resolve("java.pkl"), file);
    }

    private static final String CHECK = """
            import pickle, sys, math, collections, fractions, types, datetime as dt
            %s
            got = pickle.loads(open(sys.argv[1], 'rb').read())
            expected = [%s]
            def same(a, b):
                if type(a) is not type(b):
                    return False
                if isinstance(a, float):
                    return repr(a) == repr(b)
                if isinstance(a, collections.OrderedDict):
                    return list(a.items()) == list(b.items())
                if isinstance(a, types.SimpleNamespace):
                    return vars(a) == vars(b)
                return bool(a == b)  # numpy scalars: same type (so same dtype) and value
            bad = [(i, repr(g), repr(e)) for i, (g, e) in enumerate(zip(got, expected)) if not same(g, e)]
            if len(got) != len(expected) + 1:
                bad.append(('length', len(got), len(expected) + 1))
            shared = got[-1]
            if not all(p[0] is p[1] for p in shared):
                bad.append(('shared', 'not the same object', ''))
            print('OK' if not bad else bad)
            """;

    private void checkInPython(String executable, List<Case> cases, boolean numpy) throws Exception {
        List<Object> shared = new ArrayList<>();
        for (int i = 0; i < 300; i++) { // 300 shared objects: memo indices past 255 use LONG_BINPUT
            List<Object> x = new ArrayList<>(List.of(i));
            shared.add(List.of(x, x));
        }
        Path file = writeJava(cases, shared);
        StringBuilder exprs = new StringBuilder();
        cases.forEach(c -> exprs.append(c.python()).append(",\n"));
        String code = String.format(CHECK, numpy ? "import numpy as np" : "", exprs);
        List<String> cmd = new ArrayList<>(List.of("-W", "error::DeprecationWarning", "-c", code, file.toString()));
        Python.Result r;
        if (executable.equals(Python.executable())) {
            r = Python.run(cmd, 120);
        } else {
            cmd.addFirst(executable);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            r = new Python.Result(p.waitFor(), out, "");
        }
        assertEquals("OK", r.out().strip(), r.err());
    }

    @Test
    void pythonLoadsWhatJavaWrites() throws Exception {
        requirePython();
        checkInPython(Python.executable(), coreCases(), false);
    }

    @Test
    void numpyLoadsTheScalarsJavaWrites() throws Exception {
        requirePython();
        assumeTrue(hasNumpy, "numpy is not installed for " + Python.executable() + ": numpy interop skipped");
        checkInPython(Python.executable(), numpyCases(), true);
    }

    @Test
    void numpy126LoadsTheScalarsJavaWrites() throws Exception {
        String py126 = System.getProperty("mmappickle.python126", "");
        assumeTrue(!py126.isBlank() && Files.isExecutable(Path.of(py126)),
                "mmappickle.python126 (a Python with numpy 1.26) is not set: numpy 1.26 interop skipped");
        checkInPython(py126, numpyCases(), true);
        checkInPython(py126, coreCases(), false);
    }

    private static final String WRITE = """
            import pickle, sys, collections, datetime as dt
            x = [1]
            v = {'none': None, 'true': True, 'false': False, 'int': -1, 'int40': 2**40, 'int100': -2**100,
                 'float': 1.5, 'str': 'h\\xe9llo \\u2713', 'bytes': b'\\x00\\xff', 'bytes0': b'',
                 'ba': bytearray(b'ab'), 'ba0': bytearray(), 'list': [1, [2]], 't0': (), 't1': (1,), 't4': (1, 2, 3, 4),
                 'dict': {1: 'a', (1, 2): None}, 'set': {1, 2}, 'fs': frozenset({3}), 'fs0': frozenset(),
                 'od': collections.OrderedDict(a=1), 'complex': complex(1, -2), 'date': dt.date(2000, 1, 2),
                 'dtm': dt.datetime(2000, 1, 2, 3, 4, 5, 6), 'utc': dt.datetime(2000, 1, 2, tzinfo=dt.timezone.utc),
                 'm5': dt.datetime(2000, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=-5))), 'time': dt.time(1, 2, 3, 4),
                 'timetz': dt.time(1, 2, tzinfo=dt.timezone(dt.timedelta(hours=1))), 'td': dt.timedelta(-1, 5, 7),
                 'tz': dt.timezone(dt.timedelta(hours=2)), 'shared': [x, x]}
            %s
            for p in range(6):
                print(pickle.dumps(v, p).hex())
            """;

    private static Map<String, Object> expectedFromPython(boolean numpy) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("none", null);
        m.put("true", true);
        m.put("false", false);
        m.put("int", -1);
        m.put("int40", 1L << 40);
        m.put("int100", BigInteger.TWO.pow(100).negate());
        m.put("float", 1.5);
        m.put("str", "h\u00e9llo \u2713");
        m.put("bytes", new byte[] {0, (byte) 0xFF});
        m.put("bytes0", new byte[0]);
        m.put("ba", new PyByteArray(new byte[] {'a', 'b'}));
        m.put("ba0", new PyByteArray(new byte[0]));
        m.put("list", List.of(1, List.of(2)));
        m.put("t0", PyTuple.of());
        m.put("t1", PyTuple.of(1));
        m.put("t4", PyTuple.of(1, 2, 3, 4));
        Map<Object, Object> d = new LinkedHashMap<>();
        d.put(1, "a");
        d.put(PyTuple.of(1, 2), null);
        m.put("dict", d);
        m.put("set", new LinkedHashSet<>(List.of(1, 2)));
        m.put("fs", PyFrozenSet.of(3));
        m.put("fs0", PyFrozenSet.of());
        PyOrderedDict od = new PyOrderedDict();
        od.put("a", 1);
        m.put("od", od);
        m.put("complex", new PyComplex(1, -2));
        m.put("date", LocalDate.of(2000, 1, 2));
        m.put("dtm", LocalDateTime.of(2000, 1, 2, 3, 4, 5, 6000));
        m.put("utc", OffsetDateTime.of(2000, 1, 2, 0, 0, 0, 0, ZoneOffset.UTC));
        m.put("m5", OffsetDateTime.of(2000, 1, 2, 0, 0, 0, 0, ZoneOffset.ofHours(-5)));
        m.put("time", LocalTime.of(1, 2, 3, 4000));
        m.put("timetz", OffsetTime.of(1, 2, 0, 0, ZoneOffset.ofHours(1)));
        m.put("td", Duration.ofDays(-1).plusSeconds(5).plusNanos(7000));
        m.put("tz", ZoneOffset.ofHours(2));
        List<Object> x = List.of(1);
        m.put("shared", List.of(x, x));
        if (numpy) {
            m.put("f8", PyNumpyScalar.ofDouble(2.5));
            m.put("i4", PyNumpyScalar.ofInt32(-4));
            m.put("b1", PyNumpyScalar.ofBool(true));
            m.put("U2", PyNumpyScalar.ofStr("ab"));
            m.put("M8", PyNumpyScalar.ofDatetime64(5, "ns"));
            m.put("c16", PyNumpyScalar.ofComplex128(1, 2));
        }
        return m;
    }

    @Test
    void javaLoadsWhatPythonWritesWithEveryProtocol() throws Exception {
        requirePython();
        String numpyPart = hasNumpy ? """
                import numpy as np
                v.update({'f8': np.float64(2.5), 'i4': np.int32(-4), 'b1': np.bool_(True), 'U2': np.str_('ab'),
                          'M8': np.datetime64(5, 'ns'), 'c16': np.complex128(1+2j)})
                """ : "";
        Python.Result r = Python.run(List.of("-c", String.format(WRITE, numpyPart)), 60);
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(6, lines.length);
        Object expected = norm(expectedFromPython(hasNumpy), true);
        for (int p = 0; p < 6; p++) {
            byte[] pickle = PickleTestSupport.hex(lines[p]);
            Object v = Unpickler.loadPickle(MemorySegment.ofArray(pickle), null);
            assertEquals(expected, norm(v, true), "protocol " + p);
            List<?> shared = (List<?>) ((Map<?, ?>) v).get("shared");
            assertEquals(true, shared.get(0) == shared.get(1), "protocol " + p + " keeps shared objects shared");
            if (p == 4) {
                // and Java writes the dict back as CPython's renumbered stream would be: check by reloading
                Object again = PickleTestSupport.value(Pickler.dumpValue(v, 1).bytes());
                assertEquals(expected, norm(again, true));
            }
        }
    }

    private static final String ARRAYS = """
            import pickle, numpy as np
            a = np.arange(6, dtype='>i4').reshape(2, 3)
            for p in (2, 4, 5):
                print(pickle.dumps(a, p).hex())
            """;

    /** numpy's own array pickles load as opaque objects that keep what a later conversion needs. */
    @Test
    void numpyArraysLoadAsObjectsWithTheirDtype() throws Exception {
        requirePython();
        assumeTrue(hasNumpy, "numpy is not installed for " + Python.executable() + ": skipped");
        Python.Result r = Python.run(List.of("-c", ARRAYS), 60);
        assertEquals(0, r.exit(), r.err());
        for (String line : r.out().strip().split("\n")) {
            PyObject a = (PyObject) Unpickler.loadPickle(MemorySegment.ofArray(PickleTestSupport.hex(line)), null);
            Object dtype = a.hasState()
                    ? ((PyTuple) a.state()).get(2) // _reconstruct(ndarray, (0,), b'b') then BUILD (1, shape, dtype, fortran, data)
                    : a.args().get(1); // protocol 5: _frombuffer(buffer, dtype, shape, order)
            assertEquals(">i4", NumpyDtypes.dtypeStr(dtype), line);
        }
    }
}
