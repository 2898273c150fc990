package org.mmappickle.internal.pickle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mmappickle.internal.pickle.PickleTestSupport.entries;
import static org.mmappickle.internal.pickle.PickleTestSupport.hex;
import static org.mmappickle.internal.pickle.PickleTestSupport.manifestKeys;
import static org.mmappickle.internal.pickle.PickleTestSupport.norm;
import static org.mmappickle.internal.pickle.PickleTestSupport.read;
import static org.mmappickle.internal.pickle.PickleTestSupport.tagged;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.mmappickle.PickleFormatException;
import org.mmappickle.internal.pickle.PickleTestSupport.Entry;
import org.mmappickle.py.PyByteArray;
import org.mmappickle.py.PyComplex;
import org.mmappickle.py.PyFrozenSet;
import org.mmappickle.py.PyNumpyScalar;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyOrderedDict;
import org.mmappickle.py.PyTuple;

/** The golden files of mmappickle 1.0.1: plain pickles of every protocol and the generic values of values.mmdpickle. */
class GoldenVectorsTest {

    /** {'a': 1, 'b': (1, 2, 3), 'c': 'test', 'd': [1.5, None, True], 'e': {'nested': b'\x00\x01'}, 'f': 2**80}. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void plainPicklesOfEveryProtocolLoad(int protocol) throws Exception {
        byte[] file = read("plain-protocol" + protocol + ".pkl");
        Object v = Unpickler.loadPickle(MemorySegment.ofArray(file), Path.of("plain-protocol" + protocol + ".pkl"));
        Map<?, ?> m = assertInstanceOf(LinkedHashMap.class, v);
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), new ArrayList<>(m.keySet()));
        assertEquals(1, m.get("a"));
        assertEquals(PyTuple.of(1, 2, 3), m.get("b"));
        assertEquals("test", m.get("c"));
        assertEquals(Arrays.asList(1.5, null, true), m.get("d"));
        assertInstanceOf(ArrayList.class, m.get("d"));
        Map<?, ?> e = assertInstanceOf(LinkedHashMap.class, m.get("e"));
        assertArrayEquals(new byte[] {0, 1}, (byte[]) e.get("nested"));
        assertEquals(BigInteger.TWO.pow(80), m.get("f"));
        // and the same as the manifest says
        assertEquals(tagged(manifestKeys("plain-protocol" + protocol + ".pkl")), norm(v, false));
    }

    @Test
    void everyValueOfValuesMmdpickleLoadsAsTheManifestSays() throws Exception {
        byte[] file = read("values.mmdpickle");
        Map<String, Object> expected = manifestKeys("values.mmdpickle");
        List<Entry> entries = entries(file);
        assertEquals(expected.keySet(), new LinkedHashSet<>(entries.stream().map(Entry::key).toList()));
        MemorySegment seg = MemorySegment.ofArray(file);
        for (Entry en : entries) {
            Object v = Unpickler.loadValue(seg, en.valueStart(), en.valueEnd(), Path.of("values.mmdpickle"), 0);
            assertEquals(tagged(expected.get(en.key())), norm(v, false), en.key());
        }
    }

    @Test
    void valuesMmdpickleGivesTheDocumentedJavaTypes() throws Exception {
        Map<String, Object> v = loadAll();
        assertEquals(Integer.MAX_VALUE, v.get("int_32"));
        assertEquals(Long.MAX_VALUE, v.get("int_64"));
        assertInstanceOf(BigInteger.class, v.get("int_big"));
        assertEquals(new PyComplex(1.5, -2.0), v.get("complex"));
        assertEquals(new PyByteArray(new byte[] {'a', 'b', 'c'}), v.get("bytearray"));
        assertEquals(PyFrozenSet.of("x", "y"), v.get("frozenset"));
        assertInstanceOf(LinkedHashSet.class, v.get("set"));
        PyOrderedDict od = assertInstanceOf(PyOrderedDict.class, v.get("ordered"));
        assertEquals(List.of("z", "a"), new ArrayList<>(od.keySet()));
        assertEquals(LocalDateTime.of(2024, 2, 29, 13, 45, 7, 123_456_000), v.get("datetime"));
        assertEquals(LocalDate.of(1999, 12, 31), v.get("date"));
        assertEquals(PyNumpyScalar.ofDouble(2.5), v.get("np_float64"));
        assertEquals(PyNumpyScalar.ofInt32(-4), v.get("np_int32"));
        assertEquals(PyTuple.of(), v.get("tuple_empty"));
        List<?> shared = assertInstanceOf(List.class, v.get("shared_refs"));
        assertTrue(shared.get(0) == shared.get(1) && shared.get(1) == ((Map<?, ?>) shared.get(2)).get("again"),
                "the memo keeps one object for the three references");
    }

    private static Map<String, Object> loadAll() throws Exception {
        byte[] file = read("values.mmdpickle");
        Map<String, Object> out = new LinkedHashMap<>();
        for (Entry en : entries(file)) {
            out.put(en.key(), Unpickler.loadValue(MemorySegment.ofArray(file), en.valueStart(), en.valueEnd(), null, 0));
        }
        return out;
    }

    /**
     * Every golden value, loaded and written again with the entry's memo start, gives the golden bytes:
     * the pickler writes what CPython and the original's memo renumbering write.
     */
    @Test
    void everyValueWrittenAgainGivesTheGoldenBytes() throws Exception {
        byte[] file = read("values.mmdpickle");
        int memoStart = 1;
        for (Entry en : entries(file)) {
            byte[] golden = Arrays.copyOfRange(file, en.valueStart(), en.valueEnd());
            Object v = PickleTestSupport.value(golden);
            Pickler.Result r = Pickler.dumpValue(v, memoStart);
            assertEquals(hex(golden), hex(r.bytes()), en.key());
            assertEquals(en.memoMax(), r.memoMax(), en.key());
            memoStart = Math.max(memoStart, en.memoMax());
        }
    }

    /** The brief's cases written from Java values built by hand (not loaded), against the golden bytes. */
    @Test
    void handBuiltValuesGiveTheGoldenBytes() throws Exception {
        byte[] file = read("values.mmdpickle");
        Map<String, byte[]> golden = new LinkedHashMap<>();
        Map<String, Integer> memoMax = new LinkedHashMap<>();
        for (Entry en : entries(file)) {
            golden.put(en.key(), Arrays.copyOfRange(file, en.valueStart(), en.valueEnd()));
            memoMax.put(en.key(), en.memoMax());
        }
        List<Object> inner = new ArrayList<>(List.of(4, PyTuple.of(5, 6)));
        check(golden, memoMax, "list", Arrays.asList(1, "two", 3.0, null, inner), 1);
        check(golden, memoMax, "tuple", PyTuple.of(1, "a", PyTuple.of(2.5)), 1);
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("a", List.of(1, 2, Map.of("b", PyTuple.of(3, 4))));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("d", null);
        dict.put("c", c);
        check(golden, memoMax, "dict", dict, 1);
        check(golden, memoMax, "set", new LinkedHashSet<>(List.of(1, 2, 3)), 1);
        List<Object> shared = List.of("shared", 1);
        check(golden, memoMax, "shared_refs", List.of(shared, shared, Map.of("again", shared)), 1);
        List<Object> strings = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            strings.add("s" + i + "s" + i);
        }
        check(golden, memoMax, "memo_long", List.of(strings, strings), 2);
        check(golden, memoMax, "complex", new PyComplex(1.5, -2.0), 1);
        check(golden, memoMax, "bytearray", new PyByteArray("abc".getBytes()), 1);
        check(golden, memoMax, "frozenset", PyFrozenSet.of("y", "x"), 1);
        PyOrderedDict od = new PyOrderedDict();
        od.put("z", 1);
        od.put("a", 2);
        check(golden, memoMax, "ordered", od, 3);
        check(golden, memoMax, "datetime", LocalDateTime.of(2024, 2, 29, 13, 45, 7, 123_456_789), 3);
        check(golden, memoMax, "date", LocalDate.of(1999, 12, 31), 3);
        check(golden, memoMax, "np_float64", PyNumpyScalar.ofDouble(2.5), 3);
        check(golden, memoMax, "np_int32", PyNumpyScalar.ofInt32(-4), 3);
        check(golden, memoMax, "int_big", new BigInteger("1267650600228229401496703205379"), 1);
        check(golden, memoMax, "int_neg_big", BigInteger.TWO.pow(70).negate(), 1);
        check(golden, memoMax, "int_neg", (byte) -7, 1);
        check(golden, memoMax, "int_word", 65535L, 1);
        check(golden, memoMax, "float_nan", Float.NaN, 1);
        check(golden, memoMax, "bytes", new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 1);
    }

    private static void check(Map<String, byte[]> golden, Map<String, Integer> memoMax, String key, Object value, int memoStart) {
        Pickler.Result r = Pickler.dumpValue(value, memoStart);
        assertEquals(hex(golden.get(key)), hex(r.bytes()), key);
        assertEquals(memoMax.get(key), r.memoMax(), key);
    }

    /**
     * Every entry of every golden file loads as a generic value: arrays and masked arrays in the
     * original layout stay opaque objects that keep the whole recipe, and write back equivalently.
     */
    @ParameterizedTest
    @ValueSource(strings = {"arrays.mmdpickle", "masked.mmdpickle", "history.mmdpickle", "vacuumed.mmdpickle",
            "converted.mmdpickle", "values.mmdpickle"})
    void everyEntryOfEveryGoldenFileLoadsAndWritesBack(String name) throws Exception {
        byte[] file = read(name);
        MemorySegment seg = MemorySegment.ofArray(file);
        for (Entry en : entries(file)) {
            Object v = Unpickler.loadValue(seg, en.valueStart(), en.valueEnd(), Path.of(name), 0);
            Object again = PickleTestSupport.value(Pickler.dumpValue(v, 1).bytes());
            assertEquals(norm(v, true), norm(again, true), name + " " + en.key());
        }
    }

    @Test
    void arraysInTheOriginalLayoutKeepTheirRecipe() throws Exception {
        byte[] file = read("arrays.mmdpickle");
        Entry en = entries(file).stream().filter(x -> x.key().equals("i16_2d")).findFirst().orElseThrow();
        PyObject reshape = assertInstanceOf(PyObject.class,
                Unpickler.loadValue(MemorySegment.ofArray(file), en.valueStart(), en.valueEnd(), null, 0));
        assertTrue(reshape.is("numpy.core.fromnumeric", "reshape"));
        assertEquals(PyTuple.of(3, 4), reshape.args().get(1));
        PyObject fromstring = (PyObject) reshape.args().get(0);
        assertTrue(fromstring.is("numpy.core.multiarray", "fromstring"));
        assertEquals(24, ((byte[]) fromstring.args().get(0)).length);
        assertEquals("int16", fromstring.args().get(1));
    }

    @Test
    void offsetsInErrorsAreAbsolute() throws Exception {
        byte[] file = read("values.mmdpickle");
        Entry en = entries(file).stream().filter(x -> x.key().equals("list")).findFirst().orElseThrow();
        byte[] copy = file.clone();
        copy[en.valueStart() + 2] = (byte) 0xFF; // an unknown opcode instead of the list's first BININT1
        PickleFormatException e = org.junit.jupiter.api.Assertions.assertThrows(PickleFormatException.class,
                () -> Unpickler.loadValue(MemorySegment.ofArray(copy), en.valueStart(), en.valueEnd(), Path.of("f"), 1000));
        assertEquals(1000 + en.valueStart() + 2, e.offset());
        assertEquals(Path.of("f"), e.file());
    }
}
