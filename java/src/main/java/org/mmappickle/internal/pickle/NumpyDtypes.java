package org.mmappickle.internal.pickle;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyTuple;

/**
 * Converts between numpy's type strings ({@code dtype.str}: {@code "<f8"}, {@code "|u1"},
 * {@code "<U5"}, {@code "<M8[ns]"}) and the {@code numpy.dtype} objects pickle builds: a
 * {@code REDUCE} of the global {@code numpy.dtype} with args {@code (code, False, True)}, then a
 * {@code BUILD} with the state tuple {@code (version, byteorder, subarray, names, fields, elsize,
 * alignment, flags[, metadata])} (version 3, or 4 with datetime metadata).
 */
public final class NumpyDtypes {
    private static final Pattern DTYPE_STR = Pattern.compile(
            "([<>|])([biufcSUVOMm])(\\d{1,9})(?:\\[([1-9]\\d{0,8})?(Y|M|W|D|h|m|s|ms|us|ns|ps|fs|as)])?");
    private static final Pattern CODE = Pattern.compile("([biufcSUVOMm])(\\d{0,9})");

    private NumpyDtypes() {
    }

    /**
     * Returns numpy's {@code dtype.str} of a dtype object as the unpickler loads it.
     *
     * @param dtypeObject a {@link PyObject} that is {@code numpy.dtype(code, align, copy)} with its
     *     state, as pickle writes a dtype
     * @return the type string, e.g. {@code "<f8"}, {@code "|u1"}, {@code ">i4"}, {@code "<U5"},
     *     {@code "|S3"}, {@code "<M8[ns]"}, {@code "|O"}
     * @throws IllegalArgumentException if the object is not such a dtype, or is a structured or
     *     sub-array dtype (which have no single type string)
     */
    public static String dtypeStr(Object dtypeObject) {
        String s = dtypeStrOrNull(dtypeObject);
        if (s == null) {
            throw new IllegalArgumentException("not a simple numpy dtype: " + dtypeObject);
        }
        return s;
    }

    /**
     * Returns {@link #dtypeStr(Object)}, or null where that throws: the result to test when an
     * object that is not a simple dtype is an expected outcome rather than an error.
     *
     * @param dtypeObject any object the unpickler returned
     * @return the type string, or null when the object is not a simple numpy dtype
     */
    public static String dtypeStrOrNull(Object dtypeObject) {
        if (!(dtypeObject instanceof PyObject p) || p.kind() != PyObject.Kind.REDUCE
                || p.callable().kind() != PyObject.Kind.GLOBAL || !p.is("numpy", "dtype")
                || p.args().size() < 1 || !(p.args().get(0) instanceof String code)) {
            return null;
        }
        Matcher m = CODE.matcher(code);
        if (!m.matches()) {
            return null;
        }
        char kind = m.group(1).charAt(0);
        int codeSize = m.group(2).isEmpty() ? 0 : Integer.parseInt(m.group(2));
        char order = '<'; // numpy writes '=' as the writer's order; without a state assume little-endian
        int elsize = -1;
        String unit = "";
        if (p.hasState()) {
            if (!(p.state() instanceof PyTuple st) || st.size() < 8 || !(st.get(0) instanceof Integer version)
                    || version < 3 || !(st.get(1) instanceof String endian) || endian.length() != 1
                    || st.get(2) != null || st.get(3) != null || st.get(4) != null
                    || !(st.get(5) instanceof Integer size)) {
                return null;
            }
            order = endian.charAt(0) == '=' ? '<' : endian.charAt(0);
            elsize = size;
            if (kind == 'M' || kind == 'm') {
                unit = datetimeUnit(version == 4 && st.size() > 8 ? st.get(8) : null);
                if (unit == null) {
                    return null;
                }
            }
        }
        String result = switch (kind) {
            case 'b' -> "|b1";
            case 'O' -> "|O";
            case 'S', 'V' -> "|" + kind + (elsize >= 0 ? elsize : codeSize);
            case 'U' -> order + "U" + (elsize >= 0 ? elsize / 4 : codeSize);
            case 'M', 'm' -> order + String.valueOf(kind) + "8" + unit;
            default -> (codeSize == 1 ? '|' : order) + String.valueOf(kind) + codeSize; // i u f c
        };
        return DTYPE_STR.matcher(result).matches() || result.equals("|O") ? result : null;
    }

    /** Returns "[unit]", "[Nunit]" or "" (generic) from numpy's datetime metadata, or null if malformed. */
    private static String datetimeUnit(Object metadata) {
        if (metadata == null) {
            return "";
        }
        if (!(metadata instanceof PyTuple md) || md.size() != 2 || !(md.get(1) instanceof PyTuple dt) || dt.size() < 2
                || !(dt.get(1) instanceof Integer num) || num < 1) {
            return null;
        }
        String unit = switch (dt.get(0)) {
            case byte[] b -> new String(b, StandardCharsets.ISO_8859_1);
            case String s -> s;
            case null, default -> null;
        };
        if (unit == null) {
            return null;
        }
        return unit.equals("generic") ? "" : "[" + (num == 1 ? "" : num.toString()) + unit + "]";
    }

    /**
     * Builds the dtype object numpy 2.x pickles for a type string, with its state (numpy 1.26 loads it
     * too).
     *
     * @param dtypeStr numpy's {@code dtype.str}, e.g. {@code "<f8"} or {@code "<M8[ns]"}
     * @throws IllegalArgumentException if the string is not a simple numpy type string
     */
    public static PyObject dtypeObject(String dtypeStr) {
        Matcher m = DTYPE_STR.matcher(dtypeStr);
        if (!m.matches() && !dtypeStr.equals("|O")) {
            throw new IllegalArgumentException("not a simple numpy type string: " + dtypeStr);
        }
        char order = dtypeStr.charAt(0);
        char kind = dtypeStr.charAt(1);
        int n = kind == 'O' ? 8 : Integer.parseInt(m.group(3));
        int elsize = -1;
        int alignment = -1;
        int flags = 0;
        switch (kind) {
            case 'S', 'V' -> {
                elsize = n;
                alignment = 1;
            }
            case 'U' -> {
                elsize = 4 * n;
                alignment = 4;
                flags = 8; // NPY_NEEDS_INIT... as numpy reports it for unicode
            }
            case 'O' -> flags = 63; // NPY_OBJECT_DTYPE_FLAGS
            default -> {
            }
        }
        PyObject dtype = PyObject.reduce(PyObject.global("numpy", "dtype"), PyTuple.of(kind + Integer.toString(n), false, true));
        if (kind == 'M' || kind == 'm') {
            String unit = m.group(5) == null ? "generic" : m.group(5);
            int num = m.group(4) == null ? 1 : Integer.parseInt(m.group(4));
            dtype.setState(PyTuple.of(4, String.valueOf(order), null, null, null, elsize, alignment, flags,
                    PyTuple.of(null, PyTuple.of(unit.getBytes(StandardCharsets.US_ASCII), num, 1, 1))));
        } else {
            dtype.setState(PyTuple.of(3, String.valueOf(order), null, null, null, elsize, alignment, flags));
        }
        return dtype;
    }
}
