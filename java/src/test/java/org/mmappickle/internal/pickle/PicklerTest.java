package org.mmappickle.internal.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mmappickle.internal.pickle.PickleTestSupport.hex;
import static org.mmappickle.internal.pickle.PickleTestSupport.value;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.mmappickle.py.PyByteArray;
import org.mmappickle.py.PyComplex;
import org.mmappickle.py.PyFrozenSet;
import org.mmappickle.py.PyNumpyScalar;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyOrderedDict;
import org.mmappickle.py.PyTuple;

/**
 * Exact bytes for each Java type, as CPython 3.11 writes the corresponding value with
 * {@code pickle.dumps(obj, 4)} after the memo renumbering of docs/format.md from 1 (the expected strings were
 * printed by CPython; PythonInteropTest checks more of them against a live python3).
 */
class PicklerTest {

    private static void dumps(String expectedHex, Object value) {
        dumps(expectedHex, 1, value);
    }

    private static void dumps(String expectedHex, int expectedMemoMax, Object value) {
        Pickler.Result r = Pickler.dumpValue(value, 1);
        assertEquals(expectedHex, hex(r.bytes()), String.valueOf(value));
        assertEquals(expectedMemoMax, r.memoMax(), String.valueOf(value));
    }

    private static final String NP_SCALAR = "8c166e756d70792e5f636f72652e6d756c746961727261798c067363616c6172938c056e756d70798c05647479706593";

    @Test
    void noneAndBooleans() {
        dumps("4e", null);
        dumps("88", true);
        dumps("89", false);
    }

    @Test
    void intsPickTheOpcodePythonPicks() {
        dumps("4b00", 0);
        dumps("4bff", 255);
        dumps("4d0001", (short) 256);
        dumps("4dffff", 65535);
        dumps("4a00000100", 65536L);
        dumps("4affffffff", (byte) -1);
        dumps("4affffff7f", Integer.MAX_VALUE);
        dumps("8a050000008000", 1L << 31);
        dumps("8a05ffffff7fff", -(1L << 31) - 1);
        dumps("8a09000000000000008000", BigInteger.ONE.shiftLeft(63));
        dumps("8a080000000000000080", Long.MIN_VALUE);
        dumps("4b07", BigInteger.valueOf(7));
        byte[] big = Pickler.dumpValue(BigInteger.ONE.shiftLeft(2048), 1).bytes();
        assertEquals("8b01010000", hex(Arrays.copyOf(big, 5))); // LONG4 beyond 255 bytes
        assertEquals(BigInteger.ONE.shiftLeft(2048), value(big));
    }

    @Test
    void floats() {
        dumps("473ff8000000000000", 1.5);
        dumps("473ff8000000000000", 1.5f);
    }

    @Test
    void stringsAndChars() {
        dumps("8c0668c3a96c6c6f", "h\u00e9llo");
        dumps("8c0178", 'x');
        byte[] b = Pickler.dumpValue("x".repeat(256), 1).bytes();
        assertEquals("5800010000", hex(Arrays.copyOf(b, 5)));
        assertEquals(261, b.length);
    }

    @Test
    void bytesAndByteArrays() {
        dumps("430161", new byte[] {'a'});
        byte[] b = Pickler.dumpValue(new byte[256], 1).bytes();
        assertEquals("4200010000", hex(Arrays.copyOf(b, 5)));
        dumps("8c086275696c74696e738c0962797465617272617993430261628552", new PyByteArray(new byte[] {'a', 'b'}));
        dumps("8c086275696c74696e738c09627974656172726179932952", new PyByteArray(new byte[0]));
    }

    @Test
    void lists() {
        dumps("5d", new ArrayList<>());
        dumps("5d4b0161", List.of(1));
        dumps("5d284b014b0265", List.of(1, 2));
    }

    @Test
    void tuples() {
        dumps("29", PyTuple.of());
        dumps("4b0185", PyTuple.of(1));
        dumps("4b014b0286", PyTuple.of(1, 2));
        dumps("4b014b024b0387", PyTuple.of(1, 2, 3));
        dumps("284b014b024b034b0474", PyTuple.of(1, 2, 3, 4));
    }

    @Test
    void dictsSetsAndFrozensets() {
        dumps("7d", Map.of());
        dumps("7d4b014b0273", Map.of(1, 2));
        Map<Object, Object> two = new LinkedHashMap<>();
        two.put(1, 2);
        two.put(3, 4);
        dumps("7d284b014b024b034b0475", two);
        dumps("8f", Set.of());
        dumps("8f284b0190", Set.of(1));
        dumps("2891", PyFrozenSet.of());
        dumps("284b0191", PyFrozenSet.of(1));
    }

    @Test
    void orderedDicts() {
        dumps("8c0b636f6c6c656374696f6e738c0b4f72646572656444696374932952", new PyOrderedDict());
        PyOrderedDict od = new PyOrderedDict();
        od.put("a", 1);
        dumps("8c0b636f6c6c656374696f6e738c0b4f726465726564446963749329528c01614b0173", od);
    }

    @Test
    void complexNumbers() {
        dumps("8c086275696c74696e738c07636f6d706c657893473ff00000000000004780000000000000008652", new PyComplex(1, -0.0));
        // the global is memoized and fetched, as CPython does
        dumps("5d288c086275696c74696e738c07636f6d706c6578937101473ff000000000000047400000000000000086526801474008000000000000474010000000000000865265",
                2, List.of(new PyComplex(1, 2), new PyComplex(3, 4)));
    }

    @Test
    void datesAndTimes() {
        dumps("8c086461746574696d658c046461746593430407d001028552", LocalDate.of(2000, 1, 2));
        dumps("8c086461746574696d658c086461746574696d6593430a07d001020304050000068552", LocalDateTime.of(2000, 1, 2, 3, 4, 5, 6000));
        // the module string is shared by the three globals, as CPython shares its interned name
        dumps("8c086461746574696d6571018c086461746574696d6593430a07d0010203040500000668018c0874696d657a6f6e659368018c0974696d6564656c7461934b004b004b00875285528652",
                2, OffsetDateTime.of(2000, 1, 2, 3, 4, 5, 6000, ZoneOffset.UTC));
        dumps("8c086461746574696d6571018c086461746574696d6593430a07d0010203040500000668018c0874696d657a6f6e659368018c0974696d6564656c7461934affffffff4a300b01004b00875285528652",
                2, OffsetDateTime.of(2000, 1, 2, 3, 4, 5, 6000, ZoneOffset.ofHours(-5)));
        dumps("8c086461746574696d658c0474696d659343060102030000048552", LocalTime.of(1, 2, 3, 4000));
        dumps("8c086461746574696d6571018c0474696d6593430601020300000468018c0874696d657a6f6e659368018c0974696d6564656c7461934b004d584d4b00875285528652",
                2, OffsetTime.of(1, 2, 3, 4000, ZoneOffset.ofHoursMinutes(5, 30)));
        dumps("8c086461746574696d658c0974696d6564656c7461934affffffff4b054b078752", Duration.ofDays(-1).plusSeconds(5).plusNanos(7000));
        dumps("8c086461746574696d6571018c0874696d657a6f6e659368018c0974696d6564656c7461934b004d201c4b0087528552", 2, ZoneOffset.ofHours(2));
        dumps("5d288c086461746574696d6571018c046461746593430407d00102855268018c086461746574696d6593430a07d00102000000000000855265",
                2, List.of(LocalDate.of(2000, 1, 2), LocalDateTime.of(2000, 1, 2, 0, 0)));
    }

    @Test
    void timesAreRoundedDownToTheMicrosecond() {
        assertEquals(LocalTime.of(1, 2, 3, 123_456_000), value(Pickler.dumpValue(LocalTime.of(1, 2, 3, 123_456_789), 1).bytes()));
        assertEquals(Duration.ofNanos(-1000), value(Pickler.dumpValue(Duration.ofNanos(-1), 1).bytes()));
        assertEquals(Duration.ofNanos(1000), value(Pickler.dumpValue(Duration.ofNanos(1999), 1).bytes()));
    }

    @Test
    void numpyScalarsAsNumpy2WritesThem() {
        dumps(NP_SCALAR + "8c02623189888752284b038c017c4e4e4e4affffffff4affffffff4b0074624301018652", PyNumpyScalar.ofBool(true));
        dumps(NP_SCALAR + "8c02693189888752284b038c017c4e4e4e4affffffff4affffffff4b0074624301fd8652", PyNumpyScalar.ofInt8((byte) -3));
        dumps(NP_SCALAR + "8c02753889888752284b038c013c4e4e4e4affffffff4affffffff4b0074624308ffffffffffffffff8652",
                PyNumpyScalar.ofUInt64(BigInteger.TWO.pow(64).subtract(BigInteger.ONE)));
        dumps(NP_SCALAR + "8c02663289888752284b038c013c4e4e4e4affffffff4affffffff4b007462430200388652", PyNumpyScalar.ofFloat16(0.5f));
        dumps(NP_SCALAR + "8c02663489888752284b038c013c4e4e4e4affffffff4affffffff4b00746243040000c03f8652", PyNumpyScalar.ofFloat32(1.5f));
        dumps(NP_SCALAR + "8c02633889888752284b038c013c4e4e4e4affffffff4affffffff4b00746243080000803f000000408652", PyNumpyScalar.ofComplex64(1, 2));
        dumps(NP_SCALAR + "8c0363313689888752284b038c013c4e4e4e4affffffff4affffffff4b0074624310000000000000f03f00000000000000c08652",
                PyNumpyScalar.ofComplex128(1, -2));
        dumps(NP_SCALAR + "8c024d3889888752284b048c013c4e4e4e4affffffff4affffffff4b004e2843026e734b014b014b0174867462430805000000000000008652",
                PyNumpyScalar.ofDatetime64(5, "ns"));
        dumps(NP_SCALAR + "8c026d3889888752284b048c013c4e4e4e4affffffff4affffffff4b004e28430275734b0a4b014b0174867462430803000000000000008652",
                PyNumpyScalar.ofTimedelta64(3, "10us"));
        dumps(NP_SCALAR + "8c02533289888752284b038c017c4e4e4e4b024b014b007462430261628652", PyNumpyScalar.ofBytes(new byte[] {'a', 'b'}));
        dumps(NP_SCALAR + "8c02553189888752284b038c013c4e4e4e4b044b044b0874624304e90000008652", PyNumpyScalar.ofStr("\u00e9"));
    }

    @Test
    void opaqueObjectsReplayTheirSteps() {
        PyObject ns = PyObject.reduce(PyObject.global("types", "SimpleNamespace"), PyTuple.of());
        ns.setState(Map.of("a", 1));
        dumps("8c0574797065738c0f53696d706c654e616d6573706163659329527d8c01614b017362", ns);
        PyObject obj = PyObject.newObj(PyObject.global("__main__", "C"), PyTuple.of());
        obj.setState(Map.of("x", 1));
        dumps("8c085f5f6d61696e5f5f8c01439329817d8c01784b017362", obj);
        PyObject listSub = PyObject.newObj(PyObject.global("__main__", "L"), PyTuple.of());
        listSub.appendItems(List.of(1, 2));
        dumps("8c085f5f6d61696e5f5f8c014c932981284b014b0265", listSub);
        PyObject dictSub = PyObject.newObj(PyObject.global("__main__", "D"), PyTuple.of());
        dictSub.setItem("a", 1);
        dumps("8c085f5f6d61696e5f5f8c01449329818c01614b0173", dictSub);
        dumps("8c056e756d70798c05647479706593", PyObject.global("numpy", "dtype"));
    }

    @Test
    void opaqueObjectsLoadedAreWrittenBackTheSameWay() {
        PyObject o = PyObject.newObjEx(PyObject.global("m", "C"), PyTuple.of(1), Map.of("k", "v"));
        o.appendItems(List.of("x"));
        o.setItem(List.of(), 2); // any key is fine on an object: only its __setitem__ sees it
        o.setState(PyTuple.of(null, Map.of("s", 1)));
        byte[] b = Pickler.dumpValue(o, 1).bytes();
        assertEquals(o, value(b));
        assertEquals(hex(b), hex(Pickler.dumpValue(value(b), 1).bytes()));
    }

    @Test
    void batchesOf1000AsCPythonsCPickler() {
        List<Integer> list = new ArrayList<>();
        Map<Integer, Integer> dict = new LinkedHashMap<>();
        Set<Integer> set = new LinkedHashSet<>();
        for (int i = 0; i < 1000; i++) {
            list.add(0);
            dict.put(i, 0);
            set.add(i);
        }
        list.add(0);
        String l = hex(Pickler.dumpValue(list, 1).bytes());
        assertEquals("5d28" + "4b00".repeat(1000) + "6528" + "4b00" + "65", l);
        // CPython's C pickler ends a dict or set whose size is a multiple of 1000 with an empty batch
        assertTrue(hex(Pickler.dumpValue(dict, 1).bytes()).endsWith("752875"));
        assertTrue(hex(Pickler.dumpValue(set, 1).bytes()).endsWith("902890"));
        PyObject o = PyObject.newObj(PyObject.global("m", "L"), PyTuple.of());
        o.appendItems(list);
        // an object's items go through the iterator form: no empty batch, a single last item uses APPEND
        assertTrue(hex(Pickler.dumpValue(o, 1).bytes()).endsWith("65" + "4b00" + "61"));
        assertEquals(list, ((PyObject) value(Pickler.dumpValue(o, 1).bytes())).listItems());
    }

    @Test
    void sharedObjectsAreWrittenOnceAndFetched() {
        List<Object> inner = new ArrayList<>(List.of("s"));
        List<Object> outer = List.of(inner, inner, new String("s"), new String("s"));
        Pickler.Result r = Pickler.dumpValue(outer, 5);
        assertEquals("5d28" + "5d71058c017361" + "6805" + "8c0173" + "8c0173" + "65", hex(r.bytes()));
        assertEquals(6, r.memoMax());
        List<?> back = (List<?>) value(r.bytes());
        assertSame(back.get(0), back.get(1));
    }

    @Test
    void memoIndicesFrom256UseTheLongForms() {
        List<Object> shared = new ArrayList<>();
        List<Object> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            List<Object> x = new ArrayList<>();
            shared.add(x);
            all.add(x);
            all.add(x);
        }
        Pickler.Result r = Pickler.dumpValue(all, 250);
        assertEquals(260, r.memoMax());
        String h = hex(r.bytes());
        assertTrue(h.contains("5d71ff"), h); // BINPUT 255
        assertTrue(h.contains("5d7200010000"), h); // LONG_BINPUT 256
        assertTrue(h.contains("6a00010000"), h); // LONG_BINGET 256
        List<?> back = (List<?>) value(r.bytes());
        for (int i = 0; i < 20; i += 2) {
            assertSame(back.get(i), back.get(i + 1));
        }
    }

    @Test
    void unsupportedClassesAreRefusedByName() {
        for (Object bad : new Object[] {new AtomicInteger(1), new Object[0], new int[0], Instant.EPOCH, new StringBuilder()}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Pickler.dumpValue(List.of("ok", Map.of("k", bad)), 1));
            assertTrue(e.getMessage().startsWith("cannot pickle a value of class " + bad.getClass().getName()), e.getMessage());
        }
    }

    @Test
    void cyclesAreRefused() {
        List<Object> l = new ArrayList<>();
        l.add(l);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pickler.dumpValue(l, 1)).getMessage().contains("contains itself"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("t", PyTuple.of(List.of(1), m));
        assertThrows(IllegalArgumentException.class, () -> Pickler.dumpValue(m, 1));
        PyObject o = PyObject.reduce(PyObject.global("m", "f"), PyTuple.of());
        o.setState(o);
        assertThrows(IllegalArgumentException.class, () -> Pickler.dumpValue(o, 1));
    }

    @Test
    void valuesPythonCannotHoldAreRefused() {
        Map<Object, Object> listKey = new LinkedHashMap<>();
        listKey.put(List.of(1), 1);
        assertThrows(IllegalArgumentException.class, () -> Pickler.dumpValue(listKey, 1));
        assertThrows(IllegalArgumentException.class, () -> Pickler.dumpValue(Set.of(PyTuple.of(1, Map.of())), 1));
        assertThrows(IllegalArgumentException.class, () -> Pickler.dumpValue(PyFrozenSet.of(new PyByteArray(new byte[0])), 1));
        assertThrows(IllegalArgumentException.class, () -> Pickler.dumpValue("a\uD800b", 1));
        assertThrows(IllegalArgumentException.class, () -> Pickler.dumpValue('\uDC00', 1));
        Pickler.dumpValue("\uD83D\uDE80", 1); // a pair is fine
        assertThrows(IllegalArgumentException.class, () -> Pickler.dumpValue(LocalDate.of(0, 1, 1), 1));
        assertThrows(IllegalArgumentException.class, () -> Pickler.dumpValue(Duration.ofDays(1_000_000_000L), 1));
        assertThrows(IllegalArgumentException.class, () -> Pickler.dumpValue(null, -1));
    }

    @Test
    void keysNestAtMost100LevelsAsTheUnpicklerReadsThem() {
        Object k = 1;
        for (int i = 0; i < Unpickler.MAX_KEY_DEPTH; i++) {
            k = PyTuple.of(k);
        }
        Object key = k;
        Map<Object, Object> ok = new LinkedHashMap<>();
        ok.put(key, 1);
        assertEquals(ok, value(Pickler.dumpValue(ok, 1).bytes()));
        Object deeper = PyTuple.of(key);
        assertThrows(IllegalArgumentException.class, () -> Pickler.dumpValue(Set.of(deeper), 1));
        // checked once as a key, the tuple still counts its height inside a deeper key
        assertThrows(IllegalArgumentException.class, () -> Pickler.dumpValue(List.of(Set.of(key), Set.of(deeper)), 1));
    }

    @Test
    void nestingIsBoundedAsTheUnpicklerBoundsIt() {
        Object v = 1;
        for (int i = 0; i < Unpickler.MAX_DEPTH; i++) {
            v = List.of(v);
        }
        assertEquals(PickleTestSupport.norm(v, true), PickleTestSupport.norm(value(Pickler.dumpValue(v, 1).bytes()), true));
        Object deeper = List.of(v);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pickler.dumpValue(deeper, 1)).getMessage().contains("nested"));
    }
}
