package org.mmappickle.internal.pickle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mmappickle.internal.pickle.Opcodes.*;
import static org.mmappickle.internal.pickle.PickleTestSupport.b;
import static org.mmappickle.internal.pickle.PickleTestSupport.le32;
import static org.mmappickle.internal.pickle.PickleTestSupport.le64;
import static org.mmappickle.internal.pickle.PickleTestSupport.pickle;
import static org.mmappickle.internal.pickle.PickleTestSupport.value;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mmappickle.PickleFormatException;
import org.mmappickle.py.PyByteArray;
import org.mmappickle.py.PyComplex;
import org.mmappickle.py.PyFrozenSet;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyOrderedDict;
import org.mmappickle.py.PyTuple;

/** One test per opcode on hand-written byte strings, as razorvine's UnpickleOpcodesTest. */
class UnpicklerOpcodesTest {

    private static PickleFormatException fails(byte[] bytes) {
        return assertThrows(PickleFormatException.class, () -> value(bytes));
    }

    private static byte[] global(String module, String name) {
        return b(SHORT_BINUNICODE, module.length(), module, SHORT_BINUNICODE, name.length(), name, STACK_GLOBAL);
    }

    @Test
    void testMARK() {
        assertEquals(PyTuple.of(1, 2), value(b(MARK, BININT1, 1, BININT1, 2, TUPLE)));
        assertEquals("a MARK that is never closed", fails(b(MARK, NONE)).found());
    }

    @Test
    void testSTOP() {
        assertNull(pickle(b(NONE, STOP)));
        // inside an entry's value a STOP would end Python's reading of the whole file there
        assertEquals("STOP", fails(b(NONE, STOP)).found());
        assertEquals(1, fails(b(NONE, STOP, NONE)).offset());
        assertEquals(1, assertThrows(PickleFormatException.class, () -> pickle(b(NONE, STOP, NONE))).offset());
        assertEquals("STOP", assertThrows(PickleFormatException.class, () -> pickle(b(NONE))).expected());
    }

    @Test
    void testPOP() {
        assertEquals(1, value(b(BININT1, 1, BININT1, 2, POP)));
        // with nothing above the topmost mark, POP discards the mark (as Python does)
        assertEquals(1, value(b(BININT1, 1, MARK, POP)));
        assertEquals(0, fails(b(POP)).offset());
    }

    @Test
    void testPOP_MARK() {
        assertEquals(7, value(b(BININT1, 7, MARK, BININT1, 1, BININT1, 2, POP_MARK)));
        fails(b(NONE, POP_MARK));
    }

    @Test
    void testDUP() {
        List<?> l = assertInstanceOf(List.class, value(b(EMPTY_LIST, EMPTY_LIST, DUP, POP, APPEND)));
        assertEquals(List.of(List.of()), l);
        fails(b(DUP));
    }

    @Test
    void testFLOAT() {
        assertEquals(1.5, value(b(FLOAT, "1.5\n")));
        assertEquals(-1e300, value(b(FLOAT, "-1e+300\n")));
        assertEquals(Double.NEGATIVE_INFINITY, value(b(FLOAT, "-inf\n")));
        assertTrue(Double.isNaN((Double) value(b(FLOAT, "nan\n"))));
        fails(b(FLOAT, "0x1p3\n")); // Java would parse hex floats and "1d": refused
        fails(b(FLOAT, "1.5d\n"));
        fails(b(FLOAT, "1.5"));
    }

    @Test
    void testINT() {
        assertEquals(Boolean.TRUE, value(b(INT, "01\n")));
        assertEquals(Boolean.FALSE, value(b(INT, "00\n")));
        assertEquals(-42, value(b(INT, "-42\n")));
        assertEquals(1L << 40, value(b(INT, "1099511627776\n")));
        assertEquals(new BigInteger("123456789012345678901234567890"), value(b(INT, "123456789012345678901234567890\n")));
        fails(b(INT, "0x10\n"));
        fails(b(INT, "010\n"));
        fails(b(INT, "1".repeat(4301) + "\n")); // Python's default limit on int digits
    }

    @Test
    void testBININT() {
        assertEquals(-2, value(b(BININT, le32(-2))));
        assertEquals(Integer.MAX_VALUE, value(b(BININT, le32(Integer.MAX_VALUE))));
        fails(b(BININT, 1, 2));
    }

    @Test
    void testBININT1() {
        assertEquals(255, value(b(BININT1, 255)));
    }

    @Test
    void testBININT2() {
        assertEquals(65535, value(b(BININT2, 0xFF, 0xFF)));
    }

    @Test
    void testLONG() {
        assertEquals(5, value(b(LONG, "5L\n")));
        assertEquals(BigInteger.TWO.pow(80), value(b(LONG, "1208925819614629174706176L\n")));
        assertEquals(-3, value(b(LONG, "-3\n")));
    }

    @Test
    void testLONG1() {
        assertEquals(0, value(b(LONG1, 0)));
        assertEquals(-1, value(b(LONG1, 1, 0xFF)));
        assertEquals(255, value(b(LONG1, 2, 0xFF, 0)));
        assertEquals(Long.MIN_VALUE, value(b(LONG1, 8, 0, 0, 0, 0, 0, 0, 0, 0x80)));
        assertEquals(BigInteger.ONE.shiftLeft(64), value(b(LONG1, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1)));
        fails(b(LONG1, 3, 1));
    }

    @Test
    void testLONG4() {
        assertEquals(258, value(b(LONG4, le32(2), 2, 1)));
        assertEquals("a non-negative length", fails(b(LONG4, le32(-1))).expected());
        fails(b(LONG4, le32(100), 1));
    }

    @Test
    void testNONE() {
        assertNull(value(b(NONE)));
    }

    @Test
    void testNEWTRUE() {
        assertEquals(Boolean.TRUE, value(b(NEWTRUE)));
    }

    @Test
    void testNEWFALSE() {
        assertEquals(Boolean.FALSE, value(b(NEWFALSE)));
    }

    @Test
    void testBINFLOAT() {
        assertEquals(-2.0, value(b(BINFLOAT, 0xC0, 0, 0, 0, 0, 0, 0, 0)));
        fails(b(BINFLOAT, 0x40));
    }

    @Test
    void testSTRING() {
        assertEquals("ab'c", value(b(STRING, "'ab\\'c'\n")));
        assertEquals("\u0000\n\u00e9\\q\u0007", value(b(STRING, "\"\\x00\\n\\351\\q\\a\"\n")));
        fails(b(STRING, "abc\n"));
        fails(b(STRING, "'abc\"\n"));
        fails(b(STRING, "'\\x4'\n"));
        fails(b(STRING, "'abc\\'\n"));
    }

    @Test
    void testBINSTRING() {
        assertEquals("h\u00e9", value(b(BINSTRING, le32(2), "h", 0xE9))); // a Python 2 str reads as latin-1
        fails(b(BINSTRING, le32(-1)));
        fails(b(BINSTRING, le32(5), "ab"));
    }

    @Test
    void testSHORT_BINSTRING() {
        assertEquals("ab", value(b(SHORT_BINSTRING, 2, "ab")));
    }

    @Test
    void testUNICODE() {
        assertEquals("a\\b\u00e9\u2713\uD83D\uDE80\n", value(b(UNICODE, "a\\u005cb", 0xE9, "\\u2713\\U0001f680\\u000a\n")));
        assertEquals("\\\\u0041", value(b(UNICODE, "\\\\u0041\n"))); // an escaped backslash does not start an escape
        fails(b(UNICODE, "\\u12\n"));
        fails(b(UNICODE, "\\U00110000\n"));
    }

    @Test
    void testBINUNICODE() {
        assertEquals("h\u00e9", value(b(BINUNICODE, le32(3), "h", 0xC3, 0xA9)));
        assertEquals("UTF-8 text", fails(b(BINUNICODE, le32(1), 0xFF)).expected());
        assertEquals("UTF-8 text", fails(b(BINUNICODE, le32(3), 0xED, 0xA0, 0x80)).expected()); // a surrogate
    }

    @Test
    void testSHORT_BINUNICODE() {
        assertEquals("abc", value(b(SHORT_BINUNICODE, 3, "abc")));
        fails(b(SHORT_BINUNICODE, 3, "ab"));
    }

    @Test
    void testBINUNICODE8() {
        assertEquals("xy", value(b(BINUNICODE8, le64(2), "xy")));
        fails(b(BINUNICODE8, le64(-1), "xy"));
    }

    @Test
    void testBINBYTES() {
        assertArrayEquals(new byte[] {1, 2}, (byte[]) value(b(BINBYTES, le32(2), 1, 2)));
        fails(b(BINBYTES, le32(0xFFFF_FFFFL), 1, 2));
    }

    @Test
    void testSHORT_BINBYTES() {
        assertArrayEquals(new byte[0], (byte[]) value(b(SHORT_BINBYTES, 0)));
    }

    @Test
    void testBINBYTES8() {
        assertArrayEquals(new byte[] {9}, (byte[]) value(b(BINBYTES8, le64(1), 9)));
        PickleFormatException e = fails(b(BINBYTES8, le64(1L << 40), 9));
        assertEquals(0, e.offset());
    }

    @Test
    void testBYTEARRAY8() {
        assertEquals(new PyByteArray(new byte[] {1, 2, 3}), value(b(BYTEARRAY8, le64(3), 1, 2, 3)));
    }

    @Test
    void testNEXT_BUFFER() {
        assertTrue(fails(b(NEXT_BUFFER)).expected().contains("out-of-band"));
    }

    @Test
    void testREADONLY_BUFFER() {
        assertTrue(fails(b(BYTEARRAY8, le64(0), READONLY_BUFFER)).expected().contains("out-of-band"));
    }

    @Test
    void testPERSID() {
        assertTrue(fails(b(PERSID, "id\n")).expected().contains("persistent"));
    }

    @Test
    void testBINPERSID() {
        assertTrue(fails(b(NONE, BINPERSID)).expected().contains("persistent"));
    }

    @Test
    void testEXT1() {
        PickleFormatException e = fails(b(EXT1, 7));
        assertTrue(e.expected().contains("extension"));
        assertEquals("EXT1 code 7", e.found());
    }

    @Test
    void testEXT2() {
        assertEquals("EXT2 code 258", fails(b(EXT2, 2, 1)).found());
    }

    @Test
    void testEXT4() {
        assertEquals("EXT4 code 65536", fails(b(EXT4, le32(65536))).found());
    }

    @Test
    void testEMPTY_LIST() {
        assertInstanceOf(ArrayList.class, value(b(EMPTY_LIST)));
    }

    @Test
    void testAPPEND() {
        assertEquals(Arrays.asList((Object) null), value(b(EMPTY_LIST, NONE, APPEND)));
        assertEquals("a list below the appended items", fails(b(EMPTY_DICT, NONE, APPEND)).expected());
    }

    @Test
    void testAPPENDS() {
        assertEquals(List.of(1, 2), value(b(EMPTY_LIST, MARK, BININT1, 1, BININT1, 2, APPENDS)));
        fails(b(EMPTY_LIST, BININT1, 1, APPENDS));
        fails(b(MARK, BININT1, 1, APPENDS)); // the list would be below the mark: nothing there
    }

    @Test
    void testLIST() {
        assertEquals(List.of("a"), value(b(MARK, SHORT_BINUNICODE, 1, "a", LIST)));
        assertInstanceOf(ArrayList.class, value(b(MARK, LIST)));
    }

    @Test
    void testEMPTY_TUPLE() {
        assertEquals(PyTuple.of(), value(b(EMPTY_TUPLE)));
    }

    @Test
    void testTUPLE() {
        assertEquals(PyTuple.of(1, 2, 3, 4), value(b(MARK, BININT1, 1, BININT1, 2, BININT1, 3, BININT1, 4, TUPLE)));
    }

    @Test
    void testTUPLE1() {
        assertEquals(PyTuple.of((Object) null), value(b(NONE, TUPLE1)));
        fails(b(TUPLE1));
    }

    @Test
    void testTUPLE2() {
        assertEquals(PyTuple.of(1, 2), value(b(BININT1, 1, BININT1, 2, TUPLE2)));
        fails(b(MARK, BININT1, 1, TUPLE2, POP)); // one item above the mark is not two
    }

    @Test
    void testTUPLE3() {
        assertEquals(PyTuple.of(1, 2, 3), value(b(BININT1, 1, BININT1, 2, BININT1, 3, TUPLE3)));
    }

    @Test
    void testEMPTY_DICT() {
        assertInstanceOf(LinkedHashMap.class, value(b(EMPTY_DICT)));
    }

    @Test
    void testDICT() {
        Map<?, ?> m = (Map<?, ?>) value(b(MARK, BININT1, 1, SHORT_BINUNICODE, 1, "a", BININT1, 1, SHORT_BINUNICODE, 1, "b", DICT));
        assertEquals(Map.of(1, "b"), m); // a later key wins
        assertTrue(fails(b(MARK, BININT1, 1, DICT)).found().contains("odd"));
    }

    @Test
    void testSETITEM() {
        assertEquals(Map.of("k", 1), value(b(EMPTY_DICT, SHORT_BINUNICODE, 1, "k", BININT1, 1, SETITEM)));
        assertEquals("a dict below the items", fails(b(EMPTY_LIST, NONE, NONE, SETITEM)).expected());
        assertEquals("unhashable type: 'list'", fails(b(EMPTY_DICT, EMPTY_LIST, NONE, SETITEM)).found());
        assertEquals("unhashable type: 'list'", fails(b(EMPTY_DICT, EMPTY_LIST, TUPLE1, NONE, SETITEM)).found());
    }

    @Test
    void testSETITEMS() {
        Map<?, ?> m = (Map<?, ?>) value(b(EMPTY_DICT, MARK, BININT1, 2, NONE, BININT1, 1, NONE, SETITEMS));
        assertEquals(List.of(2, 1), new ArrayList<>(m.keySet()));
        fails(b(EMPTY_SET, MARK, NONE, NONE, SETITEMS));
    }

    @Test
    void testEMPTY_SET() {
        assertInstanceOf(LinkedHashSet.class, value(b(EMPTY_SET)));
    }

    @Test
    void testADDITEMS() {
        assertEquals(Set.of(1, 2), value(b(EMPTY_SET, MARK, BININT1, 1, BININT1, 2, BININT1, 1, ADDITEMS)));
        assertEquals("a set below the MARK", fails(b(EMPTY_LIST, MARK, ADDITEMS)).expected());
        assertEquals("unhashable type: 'dict'", fails(b(EMPTY_SET, MARK, EMPTY_DICT, ADDITEMS)).found());
    }

    @Test
    void testFROZENSET() {
        assertEquals(PyFrozenSet.of("x", "y"), value(b(MARK, SHORT_BINUNICODE, 1, "y", SHORT_BINUNICODE, 1, "x", FROZENSET)));
        assertEquals(PyFrozenSet.of(), value(b(MARK, FROZENSET)));
    }

    @Test
    void testGET() {
        assertEquals(PyTuple.of("a", "a"), value(b(SHORT_BINUNICODE, 1, "a", PUT, "0\n", GET, "0\n", TUPLE2)));
        // Python allows a list that contains itself; Java's equals and hashCode would never end
        assertEquals("a list inside itself", fails(b(EMPTY_LIST, PUT, "0\n", GET, "0\n", APPEND)).found());
    }

    @Test
    void testBINGET() {
        List<?> l = (List<?>) value(b(EMPTY_LIST, EMPTY_LIST, BINPUT, 3, APPEND, BINGET, 3, POP));
        assertEquals(List.of(List.of()), l);
        assertEquals("a memo index stored by an earlier PUT", fails(b(BINGET, 0)).expected());
    }

    @Test
    void testLONG_BINGET() {
        List<?> l = (List<?>) value(b(MARK, SHORT_BINUNICODE, 1, "s", LONG_BINPUT, le32(0xFFFF_FFFFL),
                LONG_BINGET, le32(0xFFFF_FFFFL), LIST));
        assertSame(l.get(0), l.get(1));
        assertEquals("index 4294967295", fails(b(LONG_BINGET, le32(0xFFFF_FFFFL))).found());
    }

    @Test
    void testPUT() {
        assertEquals(PyTuple.of(5, 5), value(b(BININT1, 5, PUT, "12\n", GET, "12\n", TUPLE2)));
        fails(b(NONE, PUT, "-1\n"));
        fails(b(PUT, "1\n")); // nothing to store
    }

    @Test
    void testBINPUT() {
        assertEquals(PyTuple.of("a", "a"), value(b(SHORT_BINUNICODE, 1, "a", BINPUT, 0, BINGET, 0, TUPLE2)));
    }

    @Test
    void testLONG_BINPUT() {
        assertEquals(PyTuple.of(1, 1), value(b(BININT1, 1, LONG_BINPUT, le32(300), LONG_BINGET, le32(300), TUPLE2)));
    }

    @Test
    void testMEMOIZE() {
        // MEMOIZE uses the memo's size as the index
        assertEquals("a", pickle(b(NONE, MEMOIZE, SHORT_BINUNICODE, 1, "a", MEMOIZE, POP, POP, BINGET, 1, STOP)));
        assertNull(pickle(b(NONE, MEMOIZE, POP, BINGET, 0, STOP)));
        // in an entry's value its index would be the whole file's memo size, not the value's
        assertEquals("MEMOIZE", fails(b(NONE, MEMOIZE)).found());
        assertEquals("a list below the appended items", fails(b(EMPTY_LIST, NONE, NONE, APPEND)).expected());
    }

    @Test
    void testGLOBAL() {
        PyObject g = (PyObject) value(b(GLOBAL, "numpy\nndarray\n"));
        assertEquals(PyObject.global("numpy", "ndarray"), g);
        assertEquals(PyObject.global("builtins", "len"), value(b(GLOBAL, "__builtin__\nlen\n")));
        fails(b(GLOBAL, "numpy\n"));
    }

    @Test
    void testSTACK_GLOBAL() {
        assertEquals(PyObject.global("collections", "OrderedDict"), value(global("collections", "OrderedDict")));
        assertTrue(fails(b(BININT1, 1, SHORT_BINUNICODE, 1, "x", STACK_GLOBAL)).expected().contains("STACK_GLOBAL"));
    }

    @Test
    void testREDUCE() {
        assertEquals(new PyComplex(1, 2), value(b(global("builtins", "complex"), BININT1, 1, BININT1, 2, TUPLE2, REDUCE)));
        PyObject o = (PyObject) value(b(global("mod", "f"), BININT1, 1, TUPLE1, REDUCE));
        assertEquals(PyObject.Kind.REDUCE, o.kind());
        assertEquals("mod", o.module());
        assertEquals(PyTuple.of(1), o.args());
        assertEquals("an argument tuple", fails(b(global("mod", "f"), NONE, REDUCE)).expected());
        assertTrue(fails(b(NONE, EMPTY_TUPLE, REDUCE)).expected().contains("callable"));
    }

    @Test
    void testREDUCEOfKnownGlobals() {
        byte[] latin1 = b(GLOBAL, "_codecs\nencode\n", SHORT_BINUNICODE, 2, 0xC3, 0xA9, SHORT_BINUNICODE, 6, "latin1", TUPLE2, REDUCE);
        assertArrayEquals(new byte[] {(byte) 0xE9}, (byte[]) value(latin1));
        assertArrayEquals(new byte[0], (byte[]) value(b(GLOBAL, "__builtin__\nbytes\n", EMPTY_TUPLE, REDUCE)));
        assertEquals(new PyByteArray(new byte[] {(byte) 0xE9}), value(b(GLOBAL, "__builtin__\nbytearray\n", latin1, TUPLE1, REDUCE)));
        assertEquals(Set.of(1), value(b(GLOBAL, "__builtin__\nset\n", EMPTY_LIST, BININT1, 1, APPEND, TUPLE1, REDUCE)));
        assertEquals(PyFrozenSet.of(), value(b(GLOBAL, "builtins\nfrozenset\n", EMPTY_TUPLE, REDUCE)));
        PyOrderedDict od = (PyOrderedDict) value(b(global("collections", "OrderedDict"), EMPTY_TUPLE, REDUCE,
                SHORT_BINUNICODE, 1, "k", NONE, SETITEM));
        assertTrue(od.containsKey("k"));
        assertEquals(LocalDate.of(2000, 1, 2), value(b(global("datetime", "date"), SHORT_BINBYTES, 4, 0x07, 0xD0, 1, 2, TUPLE1, REDUCE)));
        assertEquals(LocalDate.of(2000, 1, 2), value(b(global("datetime", "date"), MARK, INT, "2000\n", BININT1, 1, BININT1, 2, TUPLE, REDUCE)));
        byte[] td = b(global("datetime", "timedelta"), BININT, le32(-1), BININT, le32(68400), BININT1, 7, TUPLE3, REDUCE);
        assertEquals(Duration.ofHours(-5).plusNanos(7000), value(td));
        assertEquals(ZoneOffset.ofHours(-5), value(b(global("datetime", "timezone"), global("datetime", "timedelta"),
                BININT, le32(-1), BININT, le32(68400), BININT1, 0, TUPLE3, REDUCE, TUPLE1, REDUCE)));
        byte[] dt = b(global("datetime", "datetime"), SHORT_BINBYTES, 10, 0x07, 0xD0, 0x81, 2, 3, 4, 5, 0, 0, 6);
        assertEquals(LocalDateTime.of(2000, 1, 2, 3, 4, 5, 6000), value(b(dt, TUPLE1, REDUCE))); // the fold bit is dropped
        assertEquals(OffsetDateTime.of(2000, 1, 2, 3, 4, 5, 6000, ZoneOffset.UTC), value(b(dt, global("datetime", "timezone"),
                global("datetime", "timedelta"), BININT1, 0, BININT1, 0, BININT1, 0, TUPLE3, REDUCE, TUPLE1, REDUCE, TUPLE2, REDUCE)));
        assertEquals(LocalTime.of(1, 2, 3, 4000), value(b(global("datetime", "time"), SHORT_BINBYTES, 6, 1, 2, 3, 0, 0, 4, TUPLE1, REDUCE)));
        // a datetime with a tzinfo of another class stays an object, as does a date out of range
        PyObject other = (PyObject) value(b(dt, global("zoneinfo", "ZoneInfo"), SHORT_BINUNICODE, 3, "UTC", TUPLE1, REDUCE, TUPLE2, REDUCE));
        assertEquals("datetime", other.name());
        assertInstanceOf(PyObject.class, value(b(global("datetime", "date"), SHORT_BINBYTES, 4, 0x07, 0xD0, 13, 2, TUPLE1, REDUCE)));
    }

    @Test
    void testBUILD() {
        PyObject o = (PyObject) value(b(global("m", "C"), EMPTY_TUPLE, REDUCE, EMPTY_DICT, BUILD));
        assertTrue(o.hasState());
        assertEquals(Map.of(), o.state());
        assertTrue(fails(b(EMPTY_LIST, NONE, BUILD)).expected().contains("REDUCE or NEWOBJ"));
        assertEquals("a second BUILD", fails(b(global("m", "C"), EMPTY_TUPLE, REDUCE, NONE, BUILD, NONE, BUILD)).found());
    }

    @Test
    void testINST() {
        PyObject o = (PyObject) value(b(MARK, BININT1, 1, INST, "m\nC\n"));
        assertEquals(PyObject.reduce(PyObject.global("m", "C"), PyTuple.of(1)), o);
        assertEquals(PyObject.newObj(PyObject.global("m", "C"), PyTuple.of()), value(b(MARK, INST, "m\nC\n")));
        assertEquals(new PyComplex(2, 0), value(b(MARK, BININT1, 2, INST, "__builtin__\ncomplex\n")));
    }

    @Test
    void testOBJ() {
        PyObject o = (PyObject) value(b(MARK, GLOBAL, "m\nC\n", BININT1, 1, OBJ));
        assertEquals(PyObject.reduce(PyObject.global("m", "C"), PyTuple.of(1)), o);
        fails(b(MARK, OBJ));
        fails(b(MARK, NONE, OBJ));
    }

    @Test
    void testNEWOBJ() {
        PyObject o = (PyObject) value(b(global("m", "C"), BININT1, 1, TUPLE1, NEWOBJ, EMPTY_LIST, BUILD));
        assertEquals(PyObject.Kind.NEWOBJ, o.kind());
        assertEquals(PyTuple.of(1), o.args());
        assertEquals(List.of(), o.state());
        assertEquals("a class", fails(b(NONE, EMPTY_TUPLE, NEWOBJ)).expected());
    }

    @Test
    void testNEWOBJ_EX() {
        PyObject o = (PyObject) value(b(global("m", "C"), EMPTY_TUPLE, EMPTY_DICT, SHORT_BINUNICODE, 1, "k",
                BININT1, 2, SETITEM, NEWOBJ_EX));
        assertEquals(PyObject.Kind.NEWOBJ_EX, o.kind());
        assertEquals(Map.of("k", 2), o.kwargs());
        assertEquals("a dict of keyword arguments", fails(b(global("m", "C"), EMPTY_TUPLE, NONE, NEWOBJ_EX)).expected());
    }

    @Test
    void testAPPENDSandSETITEMSonObjects() {
        PyObject o = (PyObject) value(b(global("m", "C"), EMPTY_TUPLE, REDUCE, MARK, BININT1, 1, BININT1, 2, APPENDS,
                EMPTY_LIST, NONE, SETITEM));
        assertEquals(List.of(1, 2), o.listItems());
        assertEquals(List.of(), o.dictItems().get(0).getKey()); // any key is fine on an opaque object
        fails(b(global("m", "C"), NONE, APPEND)); // a bare global takes no items
    }

    @Test
    void testPROTO() {
        assertNull(pickle(b(PROTO, 5, NONE, STOP)));
        assertEquals("protocol 6", fails(b(PROTO, 6, NONE)).found());
    }

    @Test
    void testFRAME() {
        assertNull(pickle(b(PROTO, 4, FRAME, le64(2), NONE, STOP)));
        fails(b(FRAME, le64(5), NONE));
        assertEquals("FRAME", fails(b(FRAME, le64(1), NONE)).found());
    }

    @Test
    void unknownOpcodeIsAFormatErrorWithItsOffset() {
        PickleFormatException e = fails(b(EMPTY_LIST, NONE, 0xFF));
        assertEquals(2, e.offset());
        assertEquals("a pickle opcode", e.expected());
        assertEquals("byte 0xff", e.found());
        PickleFormatException shifted = assertThrows(PickleFormatException.class, () -> Unpickler.loadValue(
                MemorySegment.ofArray(b(NONE, NONE, (int) 'Z')), 1, 3, java.nio.file.Path.of("x.pkl"), 100));
        assertEquals(102, shifted.offset());
        assertTrue(shifted.getMessage().startsWith("x.pkl at offset 102"), shifted.getMessage());
    }

    @Test
    void aStreamMustLeaveExactlyOneValue() {
        assertEquals("2 values", fails(b(NONE, NONE)).found());
        assertEquals("0 values", fails(new byte[0]).found());
    }
}
