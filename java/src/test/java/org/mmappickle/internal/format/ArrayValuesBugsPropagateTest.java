package org.mmappickle.internal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmappickle.MaskedArray;
import org.mmappickle.NDArray;
import org.mmappickle.py.PyByteArray;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyTuple;

/**
 * Turning numpy objects into arrays tells "not an array" (the object stays opaque) from a failure:
 * objects that are not arrays come back unchanged, while an exception raised on the way (a bug, or
 * a collection the converter cannot change) propagates instead of silently leaving the value
 * opaque.
 */
class ArrayValuesBugsPropagateTest {

    private static PyObject ndarray(Object shape, Object dtype, Object data) {
        return PyObject.reduce(PyObject.global("numpy", "ndarray"), PyTuple.of(shape, dtype, data));
    }

    private static PyObject masked(Object data, Object mask) {
        return PyObject.reduce(PyObject.global("numpy.ma", "MaskedArray"), PyTuple.of(data, mask));
    }

    @Test
    void objectsThatOnlyLookLikeArraysStayOpaque() {
        List<PyObject> notArrays = List.of(
                ndarray(PyTuple.of(2), "<f8", new byte[8]),             // data of the wrong size
                ndarray(PyTuple.of(2.0), "<u1", new byte[2]),           // a float dimension
                ndarray(PyTuple.of(-1), "<u1", new byte[0]),            // a negative dimension
                ndarray(PyTuple.of(true), "<u1", new byte[1]),          // a bool dimension
                ndarray(PyTuple.of(2), "<no such dtype", new byte[2]),  // an unknown dtype
                ndarray(PyTuple.of(2), 17, new byte[2]),                // a dtype that is no dtype
                ndarray(PyTuple.of(2), "<u1", 5),                       // data that is no bytes
                ndarray("2", "<u1", new byte[2]),                       // a shape that is no shape
                masked(ndarray(PyTuple.of(1), "<u1", new byte[1]), "no mask"));
        for (PyObject o : notArrays) {
            assertSame(o, ArrayValues.toJava(o), o.toString());
        }
    }

    @Test
    void theFormsReadStillBecomeArrays() {
        NDArray a = assertInstanceOf(NDArray.class,
                ArrayValues.toJava(ndarray(PyTuple.of(2, 1), "|u1", new PyByteArray(new byte[] {7, 9}))));
        assertArrayEquals(new long[] {2, 1}, a.shape());
        assertInstanceOf(MaskedArray.class, ArrayValues.toJava(masked(ndarray(PyTuple.of(1), "<u1", new byte[] {3}),
                ndarray(PyTuple.of(1), "|b1", new byte[] {1}))));
    }

    /**
     * The data of a masked array is converted in place; an unmodifiable list there makes the
     * conversion fail, which used to be taken for "not an array" (the masked array came back as an
     * opaque object with its data unconverted).
     */
    @Test
    void aFailureInsideAnArraysConversionPropagates() {
        List<Object> unmodifiable = List.of(ndarray(PyTuple.of(1), "<u1", new byte[] {3}));
        PyObject m = masked(unmodifiable, ndarray(PyTuple.of(1), "|b1", new byte[] {1}));
        assertThrows(UnsupportedOperationException.class, () -> ArrayValues.toJava(m));
        // the same value in a list that can be changed is converted (and is not an array: opaque)
        List<Object> modifiable = new ArrayList<>(unmodifiable);
        PyObject ok = masked(modifiable, ndarray(PyTuple.of(1), "|b1", new byte[] {1}));
        assertSame(ok, ArrayValues.toJava(ok));
        assertInstanceOf(NDArray.class, modifiable.get(0));
    }
}
