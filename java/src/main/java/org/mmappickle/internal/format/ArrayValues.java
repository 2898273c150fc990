package org.mmappickle.internal.format;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mmappickle.DType;
import org.mmappickle.MaskedArray;
import org.mmappickle.NDArray;
import org.mmappickle.PickleFormatException;
import org.mmappickle.internal.pickle.NumpyDtypes;
import org.mmappickle.py.PyByteArray;
import org.mmappickle.py.PyNumpyScalar;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyOrderedDict;
import org.mmappickle.py.PyTuple;

/**
 * numpy arrays inside generic values (a list of arrays, a dict holding a mask...). The unpickler
 * leaves every object it does not know as a {@link PyObject}; {@link #toJava} replaces those that
 * are numpy arrays or masked arrays, in any of the forms pickle and mmappickle write, by in-memory
 * {@link NDArray}s and {@link MaskedArray}s. {@link #toPickle} does the reverse before pickling,
 * writing an array as {@code numpy.ndarray(shape, dtype, bytearray)}, which plain pickle loads on
 * numpy 1.x and 2.x. Shared references stay shared; other values pass through untouched.
 */
public final class ArrayValues {
    private ArrayValues() {
    }

    // ------------------------------------------------------------------ reading

    /**
     * Returns the value with numpy arrays turned into NDArrays (the same object when there were none).
     *
     * @param value a value the unpickler returned
     * @return the value with arrays converted
     * @throws PickleFormatException (without a file or offset) where numpy would refuse an
     *     array's pickled state
     */
    public static Object toJava(Object value) {
        return toJava(value, null, 0);
    }

    /**
     * Returns the value with numpy arrays turned into NDArrays (the same object when there were
     * none). An array pickled by numpy itself ({@code _reconstruct} then {@code __setstate__}) is
     * read by numpy's rules exactly: a state numpy refuses is refused here too, never read
     * differently.
     *
     * @param value a value the unpickler returned
     * @param file the file, for the error (may be null)
     * @param offset the file offset of the value, for the error
     * @return the value with arrays converted
     * @throws PickleFormatException where numpy would refuse an array's pickled state
     */
    public static Object toJava(Object value, java.nio.file.Path file, long offset) {
        try {
            return new ToJava().convert(value, 0);
        } catch (Refused r) {
            throw new PickleFormatException(file, offset, "an array state numpy's ndarray.__setstate__ accepts", r.getMessage());
        }
    }

    /** What numpy's {@code ndarray.__setstate__} raises on a state: the value is refused, not left opaque. */
    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** An array's state read as numpy's {@code ndarray.__setstate__} reads it. */
    private record State(long[] shape, long size, Object dtype, boolean fortran, byte[] data) {
    }

    /**
     * Reads {@code (version, shape, dtype, is_fortran, data)} or {@code (shape, dtype, is_fortran,
     * data)} as numpy 2's {@code array_setstate} does: version and flag are C ints (a bool counts,
     * a float or a larger int does not), any non-zero flag means Fortran order; the shape is a
     * tuple of ints (not bools, not floats) below 2^63, non-negative, whose running product and
     * byte size fit in 63 bits; the data is bytes, or a str of latin-1 characters (Python 2), of
     * exactly the array's size.
     */
    private static State state(Object state, int extra) {
        if (!(state instanceof PyTuple st)) {
            throw new Refused("a state that is not a tuple");
        }
        List<Object> items = st.items();
        int n = items.size() - extra;
        int base;
        if (n == 5 && isCInt(items.get(0))) {
            long version = cInt(items.get(0));
            if (version != 0 && version != 1) {
                throw new Refused("can't handle version " + version + " of numpy.ndarray pickle");
            }
            base = 1;
        } else if (n == 4) {
            base = 0;
        } else {
            throw new Refused("__setstate__() argument 1 must be sequence of length 4, not " + n);
        }
        Object shapeObject = items.get(base);
        Object dtype = items.get(base + 1);
        Object flag = items.get(base + 2);
        Object data = items.get(base + 3);
        if (!(shapeObject instanceof PyTuple shapeTuple) || !(dtype instanceof PyObject) || !isCInt(flag)) {
            throw new Refused("__setstate__() argument 1 must be (int, tuple, dtype, int, object)");
        }
        List<Object> dims = shapeTuple.items();
        if (dims.size() > ArrayLayout.MAX_DIMS) {
            throw new Refused("more than " + ArrayLayout.MAX_DIMS + " dimensions");
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            Object d = dims.get(i);
            BigInteger v = d instanceof Boolean ? null : integer(d);
            if (v == null) {
                throw new Refused(d instanceof Double ? "'float' object cannot be interpreted as an integer"
                        : "an integer is required (a dimension of type " + (d == null ? "None" : d.getClass().getSimpleName()) + ")");
            }
            if (v.bitLength() >= 64) {
                throw new Refused("Maximum allowed dimension exceeded");
            }
            if (v.signum() < 0) {
                throw new Refused("impossible dimension while unpickling array");
            }
            shape[i] = v.longValue();
        }
        long size = 1;
        for (long d : shape) {   // numpy multiplies left to right and refuses any overflow on the way
            size = multiply(size, d);
        }
        byte[] bytes = switch (data) {
            case byte[] b -> b;
            case String text -> {
                if (!text.chars().allMatch(c -> c <= 0xFF)) {
                    throw new Refused("Failed to encode latin1 string when unpickling a Numpy array");
                }
                yield text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            }
            default -> throw new Refused("pickle not returning string");
        };
        return new State(shape, size, dtype, cInt(flag) != 0, bytes);
    }

    private static long multiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new Refused("array too big (MemoryError)");
        }
    }

    /** A Python int, or a numpy integer scalar (numpy takes any object with __index__); null for anything else. */
    private static BigInteger integer(Object o) {
        return switch (o) {
            case Integer x -> BigInteger.valueOf(x);
            case Long x -> BigInteger.valueOf(x);
            case BigInteger x -> x;
            case Boolean x -> x ? BigInteger.ONE : BigInteger.ZERO;
            case PyNumpyScalar x when (x.kind() == 'i' || x.kind() == 'u') && x.value() instanceof Number n ->
                    n instanceof BigInteger b ? b : BigInteger.valueOf(n.longValue());
            case null, default -> null;
        };
    }

    /** What PyArg_ParseTuple's "i" takes: an integer (bool included) that fits a C int. */
    private static boolean isCInt(Object o) {
        BigInteger v = integer(o);
        return v != null && v.bitLength() < 32;
    }

    private static long cInt(Object o) {
        return integer(o).longValue();
    }

    /** Builds the array of a state, after numpy's checks; null when the dtype is one this library has no type for. */
    private static NDArray fromState(State s) {
        DType dt = supported(NumpyDtypes.dtypeStrOrNull(s.dtype()));
        if (dt == null) {
            return null;
        }
        long nbytes = multiply(s.size(), dt.itemSize());
        if (ArrayLayout.sizeInBytes(dt, s.shape()) < 0) {
            // numpy allows it because it has no elements; its strides do not fit in 63 bits here
            throw new Refused("an empty array whose other dimensions multiply past 2^63 bytes (no NDArray can have that shape)");
        }
        if (nbytes != s.data().length) {
            throw new Refused("buffer size does not match array size");
        }
        NDArray a = NDArray.wrap(MemorySegment.ofArray(s.data()), dt, s.shape());
        return s.fortran() ? fromFortran(a) : a;
    }

    private static final class ToJava {
        private final IdentityHashMap<Object, Object> done = new IdentityHashMap<>();

        Object convert(Object v, int depth) {
            if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean || v instanceof byte[]) {
                return v;
            }
            if (depth > 2_000) {
                throw new IllegalArgumentException("value nested too deeply");
            }
            Object known = done.get(v);
            if (known != null) {
                return known;
            }
            Object out = switch (v) {
                case PyObject o -> {
                    Object arr = array(o, depth);
                    yield arr != null ? arr : o;
                }
                case PyTuple t -> {
                    List<Object> items = new ArrayList<>(t.size());
                    boolean changed = false;
                    for (Object x : t.items()) {
                        Object c = convert(x, depth + 1);
                        changed |= c != x;
                        items.add(c);
                    }
                    yield changed ? new PyTuple(items) : t;
                }
                case List<?> l -> {
                    done.put(v, v);   // before the elements: a list may hold itself no more than Python allows
                    @SuppressWarnings("unchecked")
                    List<Object> ml = (List<Object>) l;
                    for (int i = 0; i < ml.size(); i++) {
                        Object x = ml.get(i);
                        Object c = convert(x, depth + 1);
                        if (c != x) {
                            ml.set(i, c);
                        }
                    }
                    yield v;
                }
                case Map<?, ?> m -> {
                    done.put(v, v);
                    @SuppressWarnings("unchecked")
                    Map<Object, Object> mm = (Map<Object, Object>) m;
                    for (Map.Entry<Object, Object> e : mm.entrySet()) {
                        Object c = convert(e.getValue(), depth + 1);
                        if (c != e.getValue()) {
                            e.setValue(c);
                        }
                    }
                    yield v;
                }
                default -> v;   // sets and frozensets cannot hold arrays (unhashable in Python)
            };
            done.put(v, out);
            return out;
        }

        /**
         * Returns the array an object pickles, or null when it is not one of the forms read here
         * (then it stays opaque). Every "not an array" outcome is that null, decided by checking the
         * parts, so an exception from here is either numpy's refusal ({@link Refused}) or a bug,
         * and both propagate.
         */
        private Object array(PyObject o, int depth) {
            if (o.kind() != PyObject.Kind.REDUCE) {
                return null;
            }
            PyObject f = o.callable();
            List<Object> a = o.args().items();
            String fn = f.module() + "." + f.name();
            switch (fn) {
                case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct" -> {
                    // numpy's own pickles: _reconstruct(ndarray, (0,), b'b') then BUILD (version, shape, dtype, fortran, data)
                    if (!o.hasState()) {
                        return null;
                    }
                    return fromState(state(o.state(), 0));
                }
                case "numpy.ndarray" -> {   // this project's layout: ndarray(shape, dtype, buffer)
                    if (a.size() != 3 || o.hasState()) {
                        return null;
                    }
                    return build(shape(a.get(0)), dtype(a.get(1)), false, bytes(a.get(2)));
                }
                case "numpy.core.fromnumeric.reshape", "numpy._core.fromnumeric.reshape" -> {
                    // mmappickle 1.0.1: reshape(fromstring(data, dtype), shape)
                    if (a.size() != 2 || !(a.get(0) instanceof PyObject inner) || inner.kind() != PyObject.Kind.REDUCE
                            || !inner.callable().name().equals("fromstring") || inner.args().size() != 2) {
                        return null;
                    }
                    return build(shape(a.get(1)), dtype(inner.args().get(1)), false, bytes(inner.args().get(0)));
                }
                case "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer" -> {
                    // protocol 5 in-band: _frombuffer(buffer, dtype, shape, order)
                    if (a.size() != 4) {
                        return null;
                    }
                    return build(shape(a.get(2)), dtype(a.get(1)), "F".equals(a.get(3)), bytes(a.get(0)));
                }
                case "numpy.ma.MaskedArray", "numpy.ma.core.MaskedArray" -> {
                    if (a.size() != 2) {
                        return null;
                    }
                    Object d = convert(a.get(0), depth + 1);
                    Object m = convert(a.get(1), depth + 1);
                    return d instanceof NDArray dn && m instanceof NDArray mn ? new MaskedArray(dn, mn) : null;
                }
                case "numpy.ma.core._mareconstruct" -> {
                    // numpy's own masked pickles: BUILD (version, shape, dtype, fortran, data, mask, fill)
                    // numpy.ma's __setstate__: ndarray.__setstate__((shape, dtype, fortran, data)) for the
                    // data, then the same for the mask with a bool dtype
                    if (!o.hasState() || !(o.state() instanceof PyTuple st) || st.size() != 7) {
                        return null;
                    }
                    List<Object> fields = st.items();
                    State data = state(new PyTuple(fields.subList(1, 5)), 0);
                    NDArray d = fromState(data);
                    if (d == null) {
                        return null;
                    }
                    State mask = state(PyTuple.of(fields.get(1), NumpyDtypes.dtypeObject("|b1"), fields.get(3), fields.get(5)), 0);
                    return new MaskedArray(d, fromState(mask));
                }
                default -> {
                    return null;
                }
            }
        }
    }

    /** The dtype string of a dtype argument (a string, or a pickled numpy.dtype); null for anything else. */
    private static String dtype(Object d) {
        return d instanceof String s ? s : NumpyDtypes.dtypeStrOrNull(d);
    }

    /**
     * The dtype of a type string, or null when it is none this library has a type for (an
     * unsupported dtype is an expected outcome for an opaque value, so it is a result here; the
     * parser's exception is its only way to say so).
     */
    private static DType supported(String dtypeStr) {
        if (dtypeStr == null) {
            return null;
        }
        try {
            return DType.parse(dtypeStr);
        } catch (IllegalArgumentException unsupported) {
            return null;
        }
    }

    /** A shape argument (an int, or a tuple of ints, each in 0..2^63); null for anything else. */
    private static long[] shape(Object s) {
        if (!(s instanceof PyTuple t)) {
            long d = dimension(s);
            return d < 0 ? null : new long[] {d};
        }
        List<Object> dims = t.items();
        if (dims.size() > ArrayLayout.MAX_DIMS) {
            return null;
        }
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dimension(dims.get(i));
            if (out[i] < 0) {
                return null;
            }
        }
        return out;
    }

    /** A Python int that can be a dimension; -1 for anything else (a float, a bool, a negative or huge int). */
    private static long dimension(Object d) {
        BigInteger v = d instanceof Boolean ? null : integer(d);
        return v == null || v.signum() < 0 || v.bitLength() >= 64 ? -1 : v.longValue();
    }

    /** Array data as pickle carries it; null for anything else. */
    private static byte[] bytes(Object b) {
        return switch (b) {
            case byte[] x -> x;
            case PyByteArray x -> x.bytes();
            // Python 2 pickles carry array data as a latin-1 str
            case String s -> s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            case null, default -> null;
        };
    }

    /** The array of a shape, dtype and data; null when one is missing or they do not fit together. */
    private static NDArray build(long[] shape, String dtypeStr, boolean fortran, byte[] data) {
        DType dt = supported(dtypeStr);
        if (shape == null || dt == null || data == null || ArrayLayout.sizeInBytes(dt, shape) != data.length) {
            return null;
        }
        NDArray a = NDArray.wrap(MemorySegment.ofArray(data), dt, shape);
        return fortran ? fromFortran(a) : a;
    }

    /** Reorders a Fortran-order payload into C order (element by element: arrays in generic values are small). */
    private static NDArray fromFortran(NDArray f) {
        long[] shape = f.shape();
        int nd = shape.length;
        if (nd < 2) {
            return f;
        }
        NDArray c = NDArray.zeros(f.dtype(), shape);
        long item = f.dtype().itemSize();
        long[] idx = new long[nd];
        long size = f.size();
        for (long flat = 0; flat < size; flat++) {
            long fOff = 0;
            long stride = 1;
            for (int d = 0; d < nd; d++) {
                fOff += idx[d] * stride;
                stride *= shape[d];
            }
            MemorySegment.copy(f.segment(), fOff * item, c.segment(), flat * item, item);
            for (int d = nd - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return c;
    }

    // ------------------------------------------------------------------ writing

    /** Returns the value with NDArrays and MaskedArrays turned into the PyObjects that pickle them. */
    public static Object toPickle(Object value) {
        return new ToPickle().convert(value, 0);
    }

    private static final class ToPickle {
        private final IdentityHashMap<Object, Object> done = new IdentityHashMap<>();

        Object convert(Object v, int depth) {
            if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean || v instanceof byte[]) {
                return v;
            }
            if (depth > 2_000) {
                return v;   // the pickler reports values nested too deeply
            }
            Object known = done.get(v);
            if (known != null) {
                return known;
            }
            done.put(v, v);   // a cycle reaches the original, which the pickler rejects with a clear message
            Object out = switch (v) {
                case NDArray a -> ndarray(a);
                case MaskedArray m -> PyObject.reduce(PyObject.global("numpy.ma", "MaskedArray"),
                        PyTuple.of(ndarray(m.data()), ndarray(m.mask())));
                case PyTuple t -> {
                    List<Object> items = new ArrayList<>(t.size());
                    boolean changed = false;
                    for (Object x : t.items()) {
                        Object c = convert(x, depth + 1);
                        changed |= c != x;
                        items.add(c);
                    }
                    yield changed ? new PyTuple(items) : t;
                }
                case PyOrderedDict od -> {
                    PyOrderedDict copy = new PyOrderedDict();
                    boolean changed = false;
                    for (Map.Entry<Object, Object> e : od.entrySet()) {
                        Object c = convert(e.getValue(), depth + 1);
                        changed |= c != e.getValue();
                        copy.put(e.getKey(), c);
                    }
                    yield changed ? copy : od;
                }
                case List<?> l -> {
                    List<Object> copy = new ArrayList<>(l.size());
                    boolean changed = false;
                    for (Object x : l) {
                        Object c = convert(x, depth + 1);
                        changed |= c != x;
                        copy.add(c);
                    }
                    yield changed ? copy : l;
                }
                case Map<?, ?> m -> {
                    Map<Object, Object> copy = new LinkedHashMap<>();
                    boolean changed = false;
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        Object c = convert(e.getValue(), depth + 1);
                        changed |= c != e.getValue();
                        copy.put(e.getKey(), c);
                    }
                    yield changed ? copy : m;
                }
                default -> v;   // sets and frozensets cannot hold arrays (unhashable in Python)
            };
            done.put(v, out);
            return out;
        }

        private static PyObject ndarray(NDArray a) {
            if (a.byteSize() > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("an array of " + a.byteSize() + " bytes inside a generic value:"
                        + " store it as an entry of its own (put(key, array)), which has no size limit");
            }
            List<Object> dims = new ArrayList<>();
            for (long d : a.shape()) {
                dims.add(d);
            }
            byte[] data = a.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            return PyObject.reduce(PyObject.global("numpy", "ndarray"),
                    PyTuple.of(new PyTuple(dims), a.dtype().pythonStr(), new PyByteArray(data)));
        }
    }

}
