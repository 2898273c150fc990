package org.mmappickle.cli;

import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mmappickle.MaskedArray;
import org.mmappickle.NDArray;
import org.mmappickle.cli.json.TaggedJson;
import org.mmappickle.py.PyByteArray;
import org.mmappickle.py.PyComplex;
import org.mmappickle.py.PyFrozenSet;
import org.mmappickle.py.PyNumpyScalar;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyOrderedDict;
import org.mmappickle.py.PyTuple;

/**
 * The text a Python user expects for a value: Python's {@code repr} for the built-in types (Python 3.12
 * spelling), numpy 2's for scalars, and the library's numpy-like rendering for arrays and masked arrays.
 * Opaque Python objects show the recipe they were built from.
 */
public final class PyRepr {
    private static final HexFormat HEX = HexFormat.of();

    /**
     * Characters that may be printed again for objects already printed once, before {@link #of} refuses (unless
     * the text printed for the first time is larger: see {@link #REPEAT_RATIO}). A pickle can reference one
     * object many times at the cost of two bytes each, so a few hundred bytes of memo references (a list holding
     * the previous list twice, 60 levels) would expand into 2^60 characters.
     */
    static final long REPEAT_BUDGET = 16L << 20;
    /** Beyond the budget, repeated text may still be this many times the text printed once (memoized keys). */
    static final long REPEAT_RATIO = 16;

    // the containers being rendered: Python prints a container that holds itself as [...] or {...}
    private final IdentityHashMap<Object, Boolean> open = new IdentityHashMap<>();
    // every object printed so far, to tell a repeat of a shared object from a first print
    private final IdentityHashMap<Object, Boolean> printed = new IdentityHashMap<>();
    private int repeating;
    private long repeatStart;
    private long repeated;

    private PyRepr() {
    }

    /**
     * Returns Python's {@code repr} of the value (see the class description).
     *
     * @throws IllegalArgumentException when the value shares objects so often that its text would repeat more
     *     than {@link #REPEAT_BUDGET} characters (and {@link #REPEAT_RATIO} times the rest): one line to print
     *     instead of running out of memory
     */
    public static String of(Object value) {
        StringBuilder b = new StringBuilder();
        new PyRepr().append(b, value);
        return b.toString();
    }

    /** Returns Python's {@code repr} of a string: quoted, with its escapes. */
    public static String str(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        appendStr(b, s);
        return b.toString();
    }

    /** Returns Python's {@code repr} of a float: the shortest digits that read back as the same double. */
    public static String floatRepr(double d) {
        return TaggedJson.pythonRepr(d);
    }

    private void append(StringBuilder b, Object v) {
        boolean shared = shareable(v) && printed.put(v, Boolean.TRUE) != null;
        if (shared && repeating++ == 0) {
            repeatStart = b.length();
        }
        if (repeating > 0) {
            long again = repeated + b.length() - repeatStart;
            if (again > REPEAT_BUDGET && again > REPEAT_RATIO * (b.length() - again)) {
                throw new IllegalArgumentException("the value references shared objects so often that its text would"
                        + " repeat more than " + again + " characters (a memo DAG: each level refers to the one below"
                        + " more than once); not printed in full");
            }
        }
        try {
            render(b, v);
        } finally {
            if (shared && --repeating == 0) {
                repeated += b.length() - repeatStart;
            }
        }
    }

    /**
     * Objects a pickle can reference many times (by memo) whose text is not a few characters: containers, arrays
     * and long strings (a short one repeated costs a bounded multiple of its two-byte reference, and tracking every
     * string would double the memory of a large listing).
     */
    private static boolean shareable(Object v) {
        return v instanceof Collection<?> || v instanceof Map<?, ?> || v instanceof PyTuple || v instanceof PyFrozenSet
                || v instanceof PyObject || v instanceof String s && s.length() > SHORT
                || v instanceof byte[] bytes && bytes.length > SHORT || v instanceof PyByteArray
                || v instanceof NDArray || v instanceof MaskedArray;
    }

    /** Strings and bytes this short are not tracked as shared (see {@link #shareable}). */
    private static final int SHORT = 64;

    private void render(StringBuilder b, Object v) {
        switch (v) {
            case null -> b.append("None");
            case Boolean x -> b.append(x ? "True" : "False");
            case Integer x -> b.append(x);
            case Long x -> b.append(x);
            case Short x -> b.append(x);
            case Byte x -> b.append(x);
            case BigInteger x -> b.append(x);
            case Double x -> b.append(floatRepr(x));
            // a Float is written to the file as a Python float: the double it equals
            case Float x -> b.append(floatRepr(x.doubleValue()));
            case PyComplex c -> appendComplex(b, c.real(), c.imag());
            case String s -> appendStr(b, s);
            case Character c -> appendStr(b, c.toString());
            case byte[] bytes -> appendBytes(b, bytes);
            case PyByteArray ba -> appendBytes(b.append("bytearray("), ba.bytes()).append(')');
            case NDArray a -> b.append(a);
            case MaskedArray m -> b.append(m);
            case PyNumpyScalar s -> appendScalar(b, s);
            case PyTuple t -> container(b, t, () -> appendTuple(b, t));
            case PyFrozenSet s -> container(b, s, () -> {
                if (s.size() == 0) {
                    b.append("frozenset()");
                } else {
                    appendItems(b.append("frozenset({"), s.items()).append("})");
                }
            });
            case PyOrderedDict d -> container(b, d, () -> appendMap(b.append("OrderedDict("), d).append(')'));
            case Map<?, ?> m -> container(b, m, () -> appendMap(b, m));
            case List<?> l -> container(b, l, () -> appendItems(b.append('['), l).append(']'));
            case Set<?> s -> container(b, s, () -> {
                if (s.isEmpty()) {
                    b.append("set()");
                } else {
                    appendItems(b.append('{'), s).append('}');
                }
            });
            case LocalDate d -> b.append("datetime.date(").append(d.getYear()).append(", ").append(d.getMonthValue())
                    .append(", ").append(d.getDayOfMonth()).append(')');
            case LocalDateTime t -> appendDateTime(b, t, null);
            case OffsetDateTime t -> appendDateTime(b, t.toLocalDateTime(), t.getOffset());
            case LocalTime t -> appendTime(b.append("datetime.time("), t).append(')');
            case OffsetTime t -> appendTzinfo(appendTime(b.append("datetime.time("), t.toLocalTime()), t.getOffset())
                    .append(')');
            case Duration d -> appendDuration(b, d);
            case ZoneOffset z -> appendZone(b, z);
            case PyObject o -> container(b, o, () -> appendObject(b, o));
            default -> b.append(v);
        }
    }

    private void container(StringBuilder b, Object c, Runnable body) {
        if (open.put(c, Boolean.TRUE) != null) {
            b.append(c instanceof Map<?, ?> || c instanceof Set<?> ? "{...}" : c instanceof PyTuple ? "(...)" : "[...]");
            return;
        }
        try {
            body.run();
        } finally {
            open.remove(c);
        }
    }

    /**
     * The recipe of an opaque object, as {@link PyObject#toString()} gives it ({@code REDUCE module.name(args)
     * state=...}) but with the values in Python's repr, under the same budget as everything else.
     */
    private void appendObject(StringBuilder b, PyObject o) {
        if (o.kind() == PyObject.Kind.GLOBAL) {
            b.append(o.module()).append('.').append(o.name());
            return;
        }
        b.append(o.kind().name()).append(' ');
        if (o.callable().kind() == PyObject.Kind.GLOBAL) {
            append(b, o.callable());
        } else {
            append(b.append('('), o.callable());
            b.append(')');
        }
        append(b, o.args());
        if (!o.kwargs().isEmpty()) {
            append(b.append(" kwargs="), o.kwargs());
        }
        if (!o.listItems().isEmpty()) {
            append(b.append(" items="), o.listItems());
        }
        if (!o.dictItems().isEmpty()) {
            b.append(" dictitems=[");
            for (int i = 0; i < o.dictItems().size(); i++) {
                Map.Entry<Object, Object> e = o.dictItems().get(i);
                append(b.append(i > 0 ? ", (" : "("), e.getKey());
                append(b.append(", "), e.getValue());
                b.append(')');
            }
            b.append(']');
        }
        if (o.hasState()) {
            append(b.append(" state="), o.state());
        }
    }

    private StringBuilder appendItems(StringBuilder b, Collection<?> items) {
        Iterator<?> it = items.iterator();
        while (it.hasNext()) {
            append(b, it.next());
            if (it.hasNext()) {
                b.append(", ");
            }
        }
        return b;
    }

    private void appendTuple(StringBuilder b, PyTuple t) {
        appendItems(b.append('('), t.items());
        b.append(t.size() == 1 ? ",)" : ")");
    }

    private StringBuilder appendMap(StringBuilder b, Map<?, ?> m) {
        b.append('{');
        Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<?, ?> e = it.next();
            append(b, e.getKey());
            b.append(": ");
            append(b, e.getValue());
            if (it.hasNext()) {
                b.append(", ");
            }
        }
        return b.append('}');
    }

    /** Python's str repr: single quotes unless the text has one and no double quote; non-printables escaped. */
    private static void appendStr(StringBuilder b, String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        b.append(quote);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == quote || c == '\\') {
                b.append('\\').append((char) c);
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c < 0x20 || c == 0x7F) {
                b.append("\\x").append(HEX.toHexDigits((byte) c));
            } else if (c < 0x7F || isPrintable(c)) {
                b.appendCodePoint(c);
            } else if (c <= 0xFF) {
                b.append("\\x").append(HEX.toHexDigits((byte) c));
            } else if (c <= 0xFFFF) {
                b.append("\\u").append(HEX.toHexDigits((short) c));
            } else {
                b.append("\\U").append(HEX.toHexDigits(c));
            }
        }
        b.append(quote);
    }

    /**
     * Returns Python's {@code str.isprintable} (space counts as printable): whether the text can be shown as is,
     * with no character a terminal would act on or a reader could not see.
     */
    static boolean printable(String s) {
        return s.codePoints().allMatch(c -> c == ' ' || c > 0x20 && c < 0x7F || c > 0x7F && isPrintable(c));
    }

    /** Python's {@code str.isprintable} for one code point: not a control, format, separator or unassigned one. */
    private static boolean isPrintable(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    private static StringBuilder appendBytes(StringBuilder b, byte[] bytes) {
        boolean single = false;
        boolean dbl = false;
        for (byte x : bytes) {
            single |= x == '\'';
            dbl |= x == '"';
        }
        char quote = single && !dbl ? '"' : '\'';
        b.append('b').append(quote);
        for (byte x : bytes) {
            int c = x & 0xFF;
            if (c == quote || c == '\\') {
                b.append('\\').append((char) c);
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c >= 0x20 && c < 0x7F) {
                b.append((char) c);
            } else {
                b.append("\\x").append(HEX.toHexDigits(x));
            }
        }
        return b.append(quote);
    }

    /** Python's complex repr: {@code 1j}, {@code (1.5-2j)}: each part as repr without a trailing {@code .0}. */
    private static void appendComplex(StringBuilder b, double re, double im) {
        String imText = complexPart(Math.abs(im)) + "j";
        if (Double.isNaN(im)) {
            imText = "nanj";
        }
        if (re == 0 && Double.doubleToRawLongBits(re) == 0) {
            b.append(im < 0 || Double.doubleToRawLongBits(im) < 0 && !Double.isNaN(im) ? "-" : "").append(imText);
            return;
        }
        boolean negIm = !Double.isNaN(im) && (im < 0 || Double.doubleToRawLongBits(im) < 0);
        b.append('(').append(complexPart(re)).append(negIm ? '-' : '+').append(imText).append(')');
    }

    private static String complexPart(double d) {
        String s = floatRepr(d);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /** numpy 2's scalar repr: {@code np.float64(2.5)}, {@code np.True_}, {@code np.str_('a')}. */
    private void appendScalar(StringBuilder b, PyNumpyScalar s) {
        Object v;
        try {
            v = s.value();
        } catch (UnsupportedOperationException e) {
            b.append(s);   // longdouble: only the raw bytes are known
            return;
        }
        char kind = s.kind();
        int size = PyNumpyScalar.itemSize(s.dtype());
        switch (kind) {
            case 'b' -> b.append(Boolean.TRUE.equals(v) ? "np.True_" : "np.False_");
            case 'i', 'u' -> b.append("np.").append(kind == 'u' ? "uint" : "int").append(size * 8).append('(')
                    .append(v).append(')');
            case 'f' -> b.append("np.float").append(size * 8).append('(')
                    .append(v instanceof Number n ? floatRepr(n.doubleValue()) : String.valueOf(v)).append(')');
            case 'c' -> {
                b.append("np.complex").append(size * 8).append('(');
                if (v instanceof PyComplex c) {
                    appendComplex(b, c.real(), c.imag());
                } else {
                    b.append(v);
                }
                b.append(')');
            }
            case 'S' -> appendBytes(b.append("np.bytes_("), (byte[]) v).append(')');
            case 'U' -> {
                b.append("np.str_(");
                appendStr(b, String.valueOf(v));
                b.append(')');
            }
            default -> b.append(s);
        }
    }

    private static void appendDateTime(StringBuilder b, LocalDateTime t, ZoneOffset zone) {
        b.append("datetime.datetime(").append(t.getYear()).append(", ").append(t.getMonthValue()).append(", ")
                .append(t.getDayOfMonth()).append(", ");
        appendTime(b, t.toLocalTime());
        if (zone != null) {
            appendTzinfo(b, zone);
        }
        b.append(')');
    }

    /** Hour and minute always, seconds when they or the microseconds are not zero, as Python's repr. */
    private static StringBuilder appendTime(StringBuilder b, LocalTime t) {
        b.append(t.getHour()).append(", ").append(t.getMinute());
        int micros = t.getNano() / 1000;
        if (t.getSecond() != 0 || micros != 0) {
            b.append(", ").append(t.getSecond());
        }
        if (micros != 0) {
            b.append(", ").append(micros);
        }
        return b;
    }

    private static StringBuilder appendTzinfo(StringBuilder b, ZoneOffset z) {
        return appendZone(b.append(", tzinfo="), z);
    }

    private static StringBuilder appendZone(StringBuilder b, ZoneOffset z) {
        if (z.getTotalSeconds() == 0) {
            return b.append("datetime.timezone.utc");
        }
        b.append("datetime.timezone(");
        appendDuration(b, Duration.ofSeconds(z.getTotalSeconds()));
        return b.append(')');
    }

    /** Python normalizes a timedelta to days (any sign), seconds in [0, 86400) and microseconds in [0, 10^6). */
    private static void appendDuration(StringBuilder b, Duration d) {
        long micros = Math.floorDiv(d.getNano(), 1000) + Math.multiplyExact(d.getSeconds(), 1_000_000L);
        long days = Math.floorDiv(micros, 86_400_000_000L);
        long rest = Math.floorMod(micros, 86_400_000_000L);
        long seconds = rest / 1_000_000;
        long us = rest % 1_000_000;
        b.append("datetime.timedelta(");
        if (days == 0 && seconds == 0 && us == 0) {
            b.append('0');
        } else {
            String sep = "";
            if (days != 0) {
                b.append("days=").append(days);
                sep = ", ";
            }
            if (seconds != 0) {
                b.append(sep).append("seconds=").append(seconds);
                sep = ", ";
            }
            if (us != 0) {
                b.append(sep).append("microseconds=").append(us);
            }
        }
        b.append(')');
    }
}
