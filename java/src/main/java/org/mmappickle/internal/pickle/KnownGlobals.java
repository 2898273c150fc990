package org.mmappickle.internal.pickle;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.mmappickle.py.PyByteArray;
import org.mmappickle.py.PyComplex;
import org.mmappickle.py.PyFrozenSet;
import org.mmappickle.py.PyNumpyScalar;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyOrderedDict;
import org.mmappickle.py.PyTuple;

/**
 * The closed table of globals whose calls ({@code REDUCE}) the unpickler turns into Java values, with
 * the argument forms CPython's pickler writes for them under every protocol. A call in any other form
 * yields null, and the caller keeps it as an opaque {@link PyObject}, which writes back unchanged.
 */
final class KnownGlobals {
    /** Python's timedelta bound on days (datetime.timedelta.max.days). */
    private static final long MAX_DAYS = 999_999_999L;
    private static final BigInteger MICROS_PER_DAY = BigInteger.valueOf(86_400_000_000L);

    private KnownGlobals() {
    }

    /**
     * Converts {@code module.name(*args)} to a Java value, or returns null when the global is not in
     * the table or the arguments are not in a form it converts.
     *
     * @param requireHashable called with the collection being built and each element that
     *     becomes one of its set elements or dict keys (before it is added), also when a collection
     *     is copied: every insertion costs hashing and comparing
     */
    static Object reduce(String module, String name, PyTuple args, BiConsumer<Object, Object> requireHashable) {
        List<Object> a = args.items();
        try {
            return switch (module + "." + name) {
                case "builtins.complex" -> complex(a);
                case "builtins.bytes", "_codecs.encode" -> bytes(a, name.equals("encode"));
                case "builtins.bytearray" -> {
                    byte[] b = bytes(a, false);
                    yield b == null ? null : new PyByteArray(b);
                }
                case "builtins.set" -> a.isEmpty() ? new LinkedHashSet<>() : a.size() == 1 ? set(a.get(0), requireHashable) : null;
                case "builtins.frozenset" -> {
                    Set<Object> s = a.isEmpty() ? Set.of() : a.size() == 1 ? set(a.get(0), requireHashable) : null;
                    if (s == null) {
                        yield null;
                    }
                    Object copy = new Object();   // the frozenset hashes every element again
                    s.forEach(o -> requireHashable.accept(copy, o));
                    yield new PyFrozenSet(s);
                }
                case "collections.OrderedDict" -> orderedDict(a, requireHashable);
                case "datetime.date" -> date(a);
                case "datetime.datetime" -> dateTime(a);
                case "datetime.time" -> time(a);
                case "datetime.timedelta" -> timedelta(a);
                case "datetime.timezone" -> timezone(a);
                case "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar" -> numpyScalar(a);
                default -> null;
            };
        } catch (DateTimeException | ArithmeticException e) {
            return null; // out of range for Java or for Python: keep the call as it is
        }
    }

    private static PyComplex complex(List<Object> a) {
        if (a.size() > 2) {
            return null;
        }
        Double re = a.isEmpty() ? Double.valueOf(0) : real(a.get(0));
        Double im = a.size() < 2 ? Double.valueOf(0) : real(a.get(1));
        return re == null || im == null ? null : new PyComplex(re, im);
    }

    /** A real number argument as a double; null for other types and for ints too large (Python: OverflowError). */
    private static Double real(Object o) {
        return switch (o) {
            case Double x -> x;
            case Integer x -> (double) x;
            case Long x -> (double) x;
            case BigInteger x -> Double.isInfinite(x.doubleValue()) ? null : x.doubleValue();
            case null, default -> null;
        };
    }

    /** bytes(), bytes(b), bytes(str, encoding), _codecs.encode(str[, encoding]); the result is a new array. */
    private static byte[] bytes(List<Object> a, boolean isEncode) {
        if (isEncode) {
            return a.size() >= 1 && a.size() <= 2 && a.get(0) instanceof String s
                    ? encode(s, a.size() == 2 ? a.get(1) : "utf-8") : null;
        }
        return switch (a.size()) {
            case 0 -> new byte[0];
            case 1 -> a.get(0) instanceof byte[] b ? b.clone() : null;
            case 2 -> a.get(0) instanceof String s ? encode(s, a.get(1)) : null;
            default -> null;
        };
    }

    private static byte[] encode(String s, Object encoding) {
        if (!(encoding instanceof String e)) {
            return null;
        }
        String norm = e.toLowerCase(Locale.ROOT).replace('_', '-').replace(' ', '-');
        return switch (norm) {
            case "latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1", "latin" -> latin1(s, 0xFF);
            case "ascii", "us-ascii" -> latin1(s, 0x7F);
            case "utf-8", "utf8" -> s.getBytes(StandardCharsets.UTF_8);
            default -> null;
        };
    }

    /** Returns the chars of a string as bytes when all are at most {@code max}, else null. */
    static byte[] latin1(String s, int max) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < out.length; i++) {
            char c = s.charAt(i);
            if (c > max) {
                return null;
            }
            out[i] = (byte) c;
        }
        return out;
    }

    private static Set<Object> set(Object iterable, BiConsumer<Object, Object> requireHashable) {
        Collection<?> items = switch (iterable) {
            case List<?> l -> l;
            case PyTuple t -> t.items();
            case Set<?> s -> s;
            case PyFrozenSet f -> f.items();
            case null, default -> null;
        };
        if (items == null) {
            return null;
        }
        Set<Object> out = new LinkedHashSet<>();
        for (Object o : items) {
            requireHashable.accept(out, o);
            out.add(o);
        }
        return out;
    }

    /** OrderedDict() or the Python 2 form OrderedDict([[k, v], ...]) (pairs as lists or tuples). */
    private static PyOrderedDict orderedDict(List<Object> a, BiConsumer<Object, Object> requireHashable) {
        PyOrderedDict d = new PyOrderedDict();
        if (a.isEmpty()) {
            return d;
        }
        if (a.size() != 1) {
            return null;
        }
        if (a.get(0) instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                requireHashable.accept(d, k);   // checked when the dict was built; copying costs as much again
                d.put(k, v);
            });
            return d;
        }
        if (!(a.get(0) instanceof List<?> pairs)) {
            return null;
        }
        List<Object[]> checked = new ArrayList<>(pairs.size());
        for (Object p : pairs) {
            List<?> kv = p instanceof List<?> l ? l : p instanceof PyTuple t ? t.items() : null;
            if (kv == null || kv.size() != 2) {
                return null;
            }
            checked.add(new Object[] {kv.get(0), kv.get(1)});
        }
        for (Object[] kv : checked) {
            requireHashable.accept(d, kv[0]);
            d.put(kv[0], kv[1]);
        }
        return d;
    }

    /** The state bytes of a date/datetime/time: bytes, or a Python 2 str read as latin-1. */
    private static byte[] state(Object o, int length) {
        byte[] b = switch (o) {
            case byte[] x -> x;
            case String s -> latin1(s, 0xFF);
            case null, default -> null;
        };
        return b != null && b.length == length ? b : null;
    }

    private static LocalDate date(List<Object> a) {
        if (a.size() == 1) {
            byte[] b = state(a.get(0), 4);
            return b == null ? null : checkedDate(u8(b, 0) << 8 | u8(b, 1), u8(b, 2), u8(b, 3));
        }
        int[] v = ints(a, 3, 3);
        return v == null ? null : checkedDate(v[0], v[1], v[2]);
    }

    private static LocalDate checkedDate(int year, int month, int day) {
        // Python's range: datetime.MINYEAR..MAXYEAR; LocalDate.of checks month and day
        return year >= 1 && year <= 9999 ? LocalDate.of(year, month, day) : null;
    }

    /** datetime(state10[, tz]) or datetime(y, m, d[, h[, mi[, s[, us[, tz]]]]]). The fold bit is dropped. */
    private static Object dateTime(List<Object> a) {
        byte[] b = a.isEmpty() || a.size() > 2 ? null : state(a.get(0), 10);
        LocalDateTime ldt;
        Object tz;
        if (b != null) {
            LocalDate d = checkedDate(u8(b, 0) << 8 | u8(b, 1), u8(b, 2) & 0x7F, u8(b, 3));
            ldt = d == null ? null : d.atTime(time(u8(b, 4), u8(b, 5), u8(b, 6), u8(b, 7) << 16 | u8(b, 8) << 8 | u8(b, 9)));
            tz = a.size() == 2 ? a.get(1) : null;
        } else {
            int n = Math.min(a.size(), 7);
            int[] v = ints(a.subList(0, n), 3, 7);
            if (v == null || a.size() > 8) {
                return null;
            }
            LocalDate d = checkedDate(v[0], v[1], v[2]);
            ldt = d == null ? null : d.atTime(time(v[3], v[4], v[5], v[6]));
            tz = a.size() == 8 ? a.get(7) : null;
        }
        if (ldt == null) {
            return null;
        }
        return switch (tz) {
            case null -> ldt;
            case ZoneOffset z -> OffsetDateTime.of(ldt, z);
            default -> null; // another tzinfo: the datetime stays an opaque object
        };
    }

    /** time(state6[, tz]) or time([h[, mi[, s[, us[, tz]]]]]). The fold bit is dropped. */
    private static Object time(List<Object> a) {
        byte[] b = a.isEmpty() || a.size() > 2 ? null : state(a.get(0), 6);
        LocalTime t;
        Object tz;
        if (b != null) {
            t = time(u8(b, 0) & 0x7F, u8(b, 1), u8(b, 2), u8(b, 3) << 16 | u8(b, 4) << 8 | u8(b, 5));
            tz = a.size() == 2 ? a.get(1) : null;
        } else {
            int n = Math.min(a.size(), 4);
            int[] v = ints(a.subList(0, n), 0, 4);
            if (v == null || a.size() > 5) {
                return null;
            }
            t = time(v[0], v[1], v[2], v[3]);
            tz = a.size() == 5 ? a.get(4) : null;
        }
        return switch (tz) {
            case null -> t;
            case ZoneOffset z -> OffsetTime.of(t, z);
            default -> null;
        };
    }

    private static LocalTime time(int hour, int minute, int second, int micros) {
        if (micros > 999_999) {
            throw new DateTimeException("microsecond out of range: " + micros);
        }
        return LocalTime.of(hour, minute, second, micros * 1000);
    }

    /** timedelta([days[, seconds[, microseconds]]]) with int arguments, normalized as Python does. */
    private static Duration timedelta(List<Object> a) {
        if (a.size() > 3) {
            return null;
        }
        BigInteger total = BigInteger.ZERO;
        long[] unitMicros = {86_400_000_000L, 1_000_000L, 1L};
        for (int i = 0; i < a.size(); i++) {
            BigInteger v = switch (a.get(i)) {
                case Integer x -> BigInteger.valueOf(x);
                case Long x -> BigInteger.valueOf(x);
                case BigInteger x -> x;
                case null, default -> null;
            };
            if (v == null) {
                return null;
            }
            total = total.add(v.multiply(BigInteger.valueOf(unitMicros[i])));
        }
        BigInteger[] dr = total.divideAndRemainder(MICROS_PER_DAY);
        long days = dr[0].longValueExact() - (dr[1].signum() < 0 ? 1 : 0);
        if (Math.abs(days) > MAX_DAYS) {
            return null; // Python raises OverflowError
        }
        // beyond about 106 million days the microseconds no longer fit a long: split with BigInteger
        BigInteger[] sm = total.divideAndRemainder(BigInteger.valueOf(1_000_000L));
        BigInteger seconds = sm[0];
        BigInteger micros = sm[1];
        if (micros.signum() < 0) {
            seconds = seconds.subtract(BigInteger.ONE);
            micros = micros.add(BigInteger.valueOf(1_000_000L));
        }
        return Duration.ofSeconds(seconds.longValueExact(), micros.longValueExact() * 1000L);
    }

    /** timezone(offset) without a name, as a ZoneOffset when Java can hold it (whole seconds, within 18 hours). */
    private static ZoneOffset timezone(List<Object> a) {
        if (a.size() != 1 || !(a.get(0) instanceof Duration d) || d.getNano() != 0) {
            return null;
        }
        return ZoneOffset.ofTotalSeconds(Math.toIntExact(d.getSeconds()));
    }

    /** numpy's scalar(dtype, data): data are bytes, or a Python 2 str read as latin-1. */
    private static PyNumpyScalar numpyScalar(List<Object> a) {
        if (a.size() != 2) {
            return null;
        }
        String dtype = NumpyDtypes.dtypeStrOrNull(a.get(0));
        byte[] data = switch (a.get(1)) {
            case byte[] b -> b;
            case String s -> latin1(s, 0xFF);
            case null, default -> null;
        };
        if (dtype == null || data == null) {
            return null;
        }
        try {
            return PyNumpyScalar.of(dtype, data);
        } catch (IllegalArgumentException e) {
            return null; // a dtype without scalars of its own (object) or a wrong length
        }
    }

    /** Reads between min and max int arguments (missing ones are 0), or returns null. */
    private static int[] ints(List<Object> a, int min, int max) {
        if (a.size() < min || a.size() > max) {
            return null;
        }
        int[] v = new int[max];
        for (int i = 0; i < a.size(); i++) {
            if (!(a.get(i) instanceof Integer x)) {
                return null;
            }
            v[i] = x;
        }
        return v;
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }
}
