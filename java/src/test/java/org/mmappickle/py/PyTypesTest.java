package org.mmappickle.py;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PyTypesTest {

    @Test
    void complexNumbers() {
        assertEquals(new PyComplex(1.5, -2), new PyComplex(1.5, -2));
        assertEquals("(1.5-2.0j)", new PyComplex(1.5, -2).toString());
        assertEquals("(0.0+1.0j)", new PyComplex(0, 1).toString());
        assertNotEquals(new PyComplex(0.0, 0), new PyComplex(-0.0, 0));
    }

    @Test
    void byteArraysWrapAndCompareByContent() {
        byte[] b = {1, 2};
        PyByteArray a = new PyByteArray(b);
        assertSame(b, a.bytes());
        assertEquals(new PyByteArray(new byte[] {1, 2}), a);
        assertEquals(new PyByteArray(new byte[] {1, 2}).hashCode(), a.hashCode());
        assertEquals(2, a.length());
        assertEquals("bytearray(b'\\x01\\x02')", a.toString());
        assertEquals("bytearray(b'a\\'b')", new PyByteArray(new byte[] {'a', '\'', 'b'}).toString());
        assertThrows(NullPointerException.class, () -> new PyByteArray(null));
    }

    @Test
    void frozenSetsEqualOnlyFrozenSets() {
        PyFrozenSet f = PyFrozenSet.of("x", "y", "x");
        assertEquals(2, f.size());
        assertEquals(PyFrozenSet.of("y", "x"), f);
        assertEquals(PyFrozenSet.of("y", "x").hashCode(), f.hashCode());
        assertFalse(f.equals(Set.of("x", "y")));
        assertTrue(f.contains("x"));
        assertEquals(List.of("x", "y"), List.copyOf(f.items()));
        assertThrows(UnsupportedOperationException.class, () -> f.items().add("z"));
        assertEquals("frozenset({x, y})", f.toString());
        assertEquals("frozenset()", PyFrozenSet.of().toString());
        assertEquals(0, PyFrozenSet.of().hashCode());
        assertTrue(PyFrozenSet.of((Object) null).contains(null));
    }

    @Test
    void orderedDictsAreMapsThatKeepTheirClass() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("z", 1);
        m.put("a", 2);
        PyOrderedDict od = new PyOrderedDict(m);
        assertEquals(m, od);
        assertEquals(List.of("z", "a"), List.copyOf(od.keySet()));
    }

    @Test
    void tuplesPrintLikePython() {
        assertEquals("(1,)", PyTuple.of(1).toString());
        assertEquals("(1, null)", PyTuple.of(1, null).toString());
    }

    @Test
    void objectsKeepTheirRecipe() {
        PyObject cls = PyObject.global("numpy", "dtype");
        assertEquals(PyObject.Kind.GLOBAL, cls.kind());
        assertNull(cls.callable());
        assertEquals(PyTuple.of(), cls.args());
        assertEquals("numpy.dtype", cls.toString());
        assertThrows(IllegalStateException.class, () -> cls.setState(1));
        assertThrows(IllegalStateException.class, () -> cls.appendItems(List.of(1)));

        PyObject d = PyObject.reduce(cls, PyTuple.of("f8", false, true));
        assertTrue(d.is("numpy", "dtype"));
        assertSame(cls, d.callable());
        assertFalse(d.hasState());
        d.setState(PyTuple.of(3, "<"));
        assertTrue(d.hasState());
        assertThrows(IllegalStateException.class, () -> d.setState(null));
        assertEquals("REDUCE numpy.dtype(f8, false, true) state=(3, <)", d.toString());

        PyObject e = PyObject.reduce(PyObject.global("numpy", "dtype"), PyTuple.of("f8", false, true));
        assertNotEquals(d, e);
        e.setState(PyTuple.of(3, "<"));
        assertEquals(d, e);
        assertEquals(d.hashCode(), e.hashCode());

        PyObject o = PyObject.newObjEx(PyObject.global("m", "C"), PyTuple.of(1), Map.of("k", 2));
        o.appendItems(List.of("a"));
        o.setItem("k", 1);
        o.setItem("k", 2);
        assertEquals(PyObject.Kind.NEWOBJ_EX, o.kind());
        assertEquals(Map.of("k", 2), o.kwargs());
        assertEquals(List.of("a"), o.listItems());
        assertEquals(2, o.dictItems().size()); // repeated keys are kept in order
        assertThrows(UnsupportedOperationException.class, () -> o.listItems().add("b"));

        PyObject bound = PyObject.reduce(PyObject.reduce(PyObject.global("builtins", "getattr"), PyTuple.of(cls, "x")), PyTuple.of());
        assertEquals("builtins", bound.module()); // the global it was built through
        assertEquals("getattr", bound.name());
        assertEquals(PyObject.Kind.NEWOBJ, PyObject.newObj(cls, PyTuple.of()).kind());
    }
}
