package org.mmappickle.internal.pickle;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mmappickle.py.PyByteArray;
import org.mmappickle.py.PyComplex;
import org.mmappickle.py.PyFrozenSet;
import org.mmappickle.py.PyNumpyScalar;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyOrderedDict;
import org.mmappickle.py.PyTuple;

/**
 * Writes Java values as generic values (docs/format.md): the opcodes {@code pickle.dumps(obj, 4)} (CPython's C
 * pickler) produces for the corresponding Python value, without PROTO, FRAME and STOP, with a compact
 * memo. Java values become Python values by this table:
 *
 * <table>
 * <caption>Java to Python</caption>
 * <tr><th>Java</th><th>Python</th><th>opcodes</th></tr>
 * <tr><td>{@code null}</td><td>None</td><td>NONE</td></tr>
 * <tr><td>{@link Boolean}</td><td>bool</td><td>NEWTRUE, NEWFALSE</td></tr>
 * <tr><td>{@link Byte}, {@link Short}, {@link Integer}, {@link Long}, {@link BigInteger}</td><td>int</td>
 *     <td>BININT1, BININT2, BININT, LONG1 or LONG4 by value, as Python picks them</td></tr>
 * <tr><td>{@link Float}, {@link Double}</td><td>float</td><td>BINFLOAT</td></tr>
 * <tr><td>{@link String}, {@link Character}</td><td>str</td><td>SHORT_BINUNICODE, BINUNICODE, BINUNICODE8</td></tr>
 * <tr><td>{@code byte[]}</td><td>bytes</td><td>SHORT_BINBYTES, BINBYTES, BINBYTES8</td></tr>
 * <tr><td>{@link PyByteArray}</td><td>bytearray</td><td>{@code builtins.bytearray(bytes)} (not BYTEARRAY8,
 *     so that any Python 3 reads it)</td></tr>
 * <tr><td>{@link List}</td><td>list</td><td>EMPTY_LIST, APPEND / MARK..APPENDS in batches of 1000</td></tr>
 * <tr><td>{@link PyTuple}</td><td>tuple</td><td>EMPTY_TUPLE, TUPLE1..3, MARK..TUPLE</td></tr>
 * <tr><td>{@link PyOrderedDict}</td><td>collections.OrderedDict</td><td>{@code OrderedDict()} then SETITEM(S)</td></tr>
 * <tr><td>other {@link Map}</td><td>dict</td><td>EMPTY_DICT, SETITEM / MARK..SETITEMS in batches of 1000</td></tr>
 * <tr><td>{@link Set}</td><td>set</td><td>EMPTY_SET, MARK..ADDITEMS in batches of 1000</td></tr>
 * <tr><td>{@link PyFrozenSet}</td><td>frozenset</td><td>MARK..FROZENSET</td></tr>
 * <tr><td>{@link PyComplex}</td><td>complex</td><td>{@code builtins.complex(real, imag)}</td></tr>
 * <tr><td>{@link LocalDate}</td><td>datetime.date</td><td>{@code datetime.date(bytes)}</td></tr>
 * <tr><td>{@link LocalDateTime}, {@link OffsetDateTime}</td><td>datetime.datetime</td>
 *     <td>{@code datetime.datetime(bytes[, timezone])}</td></tr>
 * <tr><td>{@link LocalTime}, {@link OffsetTime}</td><td>datetime.time</td><td>{@code datetime.time(bytes[, timezone])}</td></tr>
 * <tr><td>{@link Duration}</td><td>datetime.timedelta</td><td>{@code datetime.timedelta(days, seconds, microseconds)}</td></tr>
 * <tr><td>{@link ZoneOffset}</td><td>datetime.timezone</td><td>{@code datetime.timezone(timedelta)}</td></tr>
 * <tr><td>{@link PyNumpyScalar}</td><td>numpy scalar</td><td>{@code numpy._core.multiarray.scalar(dtype, bytes)}
 *     as numpy 2 writes it (numpy 1.26 reads it too)</td></tr>
 * <tr><td>{@link PyObject}</td><td>the recorded object</td><td>STACK_GLOBAL, then its REDUCE / NEWOBJ / NEWOBJ_EX,
 *     APPENDS, SETITEMS and BUILD steps</td></tr>
 * </table>
 *
 * <p>Times are rounded down to the microsecond (Python's resolution): sub-microsecond digits of
 * {@code LocalTime}, {@code LocalDateTime}, {@code OffsetDateTime}, {@code OffsetTime} and
 * {@code Duration} are dropped. Years must be 1 to 9999 and durations within Python's
 * 999,999,999 days. Dict keys and set elements must be hashable in Python (no list, dict, set or
 * bytearray, also inside tuples and frozensets).
 *
 * <p>Memo: an object reached more than once is written once, stored with BINPUT or LONG_BINPUT right
 * where Python memoizes it, and fetched again with BINGET or LONG_BINGET. Strings, bytes, containers
 * and the types written through a call are shared by identity; numbers and java.time values (value
 * types) never are. Globals are shared by name, and the module strings of globals by value, as
 * CPython does with its interned names, so output matches CPython's after the renumbering of docs/format.md.
 */
public final class Pickler {
    /**
     * The written value.
     *
     * @param bytes the opcodes
     * @param memoMax the next unused memo index (the {@code memoStart} given when nothing was memoized)
     */
    public record Result(byte[] bytes, int memoMax) {
    }

    private static final int BATCHSIZE = 1000;
    private static final int MAX_DEPTH = Unpickler.MAX_DEPTH;
    private static final PyObject BYTEARRAY = PyObject.global("builtins", "bytearray");
    private static final PyObject COMPLEX = PyObject.global("builtins", "complex");
    private static final PyObject ORDERED_DICT = PyObject.global("collections", "OrderedDict");
    private static final PyObject DATE = PyObject.global("datetime", "date");
    private static final PyObject DATETIME = PyObject.global("datetime", "datetime");
    private static final PyObject TIME = PyObject.global("datetime", "time");
    private static final PyObject TIMEDELTA = PyObject.global("datetime", "timedelta");
    private static final PyObject TIMEZONE = PyObject.global("datetime", "timezone");
    private static final PyObject NUMPY_SCALAR = PyObject.global("numpy._core.multiarray", "scalar");
    private static final long MAX_DAYS = 999_999_999L;

    /** Memo keys: objects by identity, globals by name, module names of globals by value. */
    private record Identity(Object o) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Identity i && i.o == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(o);
        }
    }

    private record GlobalKey(String module, String name) {
    }

    private record ModuleKey(String module) {
    }

    /** Bytes written without a memo slot: the inner arguments of values written as calls, fresh in Python too. */
    private record RawBytes(byte[] b) {
    }

    private static final class Slot {
        int refs;
        long index = -1;
    }

    private final HashMap<Object, Slot> slots = new HashMap<>();
    private final IdentityHashMap<Object, Boolean> onPath = new IdentityHashMap<>();
    private final IdentityHashMap<Object, Integer> keyHeights = new IdentityHashMap<>();
    private final Out out = new Out();
    private long memoNext;

    private Pickler() {
    }

    /**
     * Pickles a Java value as a generic value (docs/format.md): the opcodes {@code pickle.dumps(obj, 4)} would
     * produce for the corresponding Python value, without PROTO/FRAME/STOP, where only objects
     * referenced more than once get a memo slot (BINPUT/LONG_BINPUT, never MEMOIZE), numbered from
     * memoStart upward; memoMax is the next unused index (== memoStart when nothing was memoized).
     *
     * @param value the value, of the types in the class description (nested to any depth up to
     *     {@value Unpickler#MAX_DEPTH} containers)
     * @param memoStart the first memo index to use, at least 0
     * @throws IllegalArgumentException naming the Java class of any value it cannot write (before
     *     producing anything), for a cycle (a container that contains itself), for values out of
     *     Python's range (years, durations, unhashable keys, strings with unpaired surrogates), for
     *     nesting deeper than the unpickler reads (or than the thread's stack allows: values nested
     *     about 1000 levels deep need about 1 MiB, the JVM's default), or if the result would exceed
     *     2 GiB
     */
    public static Result dumpValue(Object value, int memoStart) {
        if (memoStart < 0) {
            throw new IllegalArgumentException("memoStart must be at least 0, not " + memoStart);
        }
        Pickler p = new Pickler();
        try {
            p.count(value, 0);
            p.memoNext = memoStart;
            p.save(value);
        } catch (StackOverflowError e) {
            // both passes recurse once or twice per level: near MAX_DEPTH that needs about 1 MiB of
            // stack (the JVM's default), which a thread started with a smaller one may not have
            throw new IllegalArgumentException("cannot pickle a value nested this deeply with this thread's stack size", e);
        }
        if (p.memoNext > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("memo indices would pass 2^31-1 (memoStart " + memoStart + ")");
        }
        return new Result(p.out.toByteArray(), (int) p.memoNext);
    }

    // ---- pass 1: check every value and count references ----------------------------------------

    /** Counts a reference to a memo key and tells whether it is the first (whose content must be visited). */
    private boolean ref(Object key) {
        return ++slots.computeIfAbsent(key, k -> new Slot()).refs == 1;
    }

    private void count(Object v, int depth) {
        switch (v) {
            case null -> { }
            case Boolean b -> { }
            case Byte b -> { }
            case Short s -> { }
            case Integer i -> { }
            case Long l -> { }
            case BigInteger b -> { }
            case Float f -> { }
            case Double d -> { }
            case Character c -> checkText(String.valueOf(c));
            case String s -> {
                if (ref(new Identity(s))) {
                    checkText(s);
                }
            }
            case byte[] b -> ref(new Identity(b));
            case RawBytes r -> { }
            case PyObject p when p.kind() == PyObject.Kind.GLOBAL -> countGlobal(p);
            case PyObject p -> {
                if (enter(p, depth)) {
                    countRecipe(p, depth + 1);
                    onPath.remove(p);
                }
            }
            case PyTuple t when t.size() == 0 -> {
                if (depth >= MAX_DEPTH) {
                    throw tooDeep();
                }
            }
            case PyTuple t -> {
                if (enter(t, depth)) {
                    for (Object o : t.items()) {
                        count(o, depth + 1);
                    }
                    onPath.remove(t);
                }
            }
            case List<?> l -> {
                if (enter(l, depth)) {
                    for (Object o : l) {
                        count(o, depth + 1);
                    }
                    onPath.remove(l);
                }
            }
            case PyOrderedDict d -> {
                if (enter(d, depth)) {
                    countGlobal(ORDERED_DICT);
                    countItems(d, depth + 1);
                    onPath.remove(d);
                }
            }
            case Map<?, ?> m -> {
                if (enter(m, depth)) {
                    countItems(m, depth + 1);
                    onPath.remove(m);
                }
            }
            case Set<?> s -> {
                if (enter(s, depth)) {
                    for (Object o : s) {
                        requireHashable(o, 0);
                        count(o, depth + 1);
                    }
                    onPath.remove(s);
                }
            }
            case PyFrozenSet f -> {
                if (enter(f, depth)) {
                    for (Object o : f) {
                        requireHashable(o, 0);
                        count(o, depth + 1);
                    }
                    onPath.remove(f);
                }
            }
            // written as calls of globals, but leaves to the unpickler; the rest of the call is fresh
            case PyComplex c -> {
                if (ref(new Identity(c))) {
                    countGlobals(expand(c));
                }
            }
            case PyByteArray b -> {
                if (ref(new Identity(b))) {
                    countGlobals(expand(b));
                }
            }
            case PyNumpyScalar n -> {
                if (ref(new Identity(n))) {
                    countGlobals(expand(n));
                }
            }
            default -> {
                PyObject recipe = expandTime(v);
                if (recipe == null) {
                    throw new IllegalArgumentException("cannot pickle a value of class " + v.getClass().getName()
                            + ": supported are null, Boolean, Byte, Short, Integer, Long, BigInteger, Float, Double,"
                            + " Character, String, byte[], List, Map, Set, the org.mmappickle.py types and"
                            + " java.time LocalDate, LocalDateTime, LocalTime, OffsetDateTime, OffsetTime,"
                            + " Duration and ZoneOffset");
                }
                countGlobals(recipe);
            }
        }
    }

    private void countItems(Map<?, ?> m, int depth) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
            requireHashable(e.getKey(), 0);
            count(e.getKey(), depth);
            count(e.getValue(), depth);
        }
    }

    /** Counts the globals inside a fresh recipe built here (nothing else in it can be shared). */
    private void countGlobals(Object o) {
        switch (o) {
            case PyObject p when p.kind() == PyObject.Kind.GLOBAL -> countGlobal(p);
            case PyObject p -> {
                countGlobals(p.callable());
                countGlobals(p.args());
                if (p.hasState()) {
                    countGlobals(p.state());
                }
            }
            case PyTuple t -> t.items().forEach(this::countGlobals);
            case null, default -> { }
        }
    }

    /**
     * Enters a container: refuses cycles and nesting the unpickler would refuse, counts the
     * reference, and tells whether this is the first (whose content the caller then visits, leaving
     * it off the path afterwards).
     */
    private boolean enter(Object c, int depth) {
        if (onPath.containsKey(c)) {
            throw new IllegalArgumentException("cannot pickle a " + c.getClass().getSimpleName()
                    + " that contains itself (a cycle)");
        }
        if (depth >= MAX_DEPTH) {
            throw tooDeep();
        }
        if (!ref(new Identity(c))) {
            return false;
        }
        onPath.put(c, Boolean.TRUE);
        return true;
    }

    private static IllegalArgumentException tooDeep() {
        return new IllegalArgumentException("cannot pickle values nested more than " + MAX_DEPTH + " levels deep");
    }

    private void countGlobal(PyObject g) {
        if (ref(new GlobalKey(g.module(), g.name()))) {
            ref(new ModuleKey(g.module()));
            checkText(g.module());
            checkText(g.name());
        }
    }

    /** Visits what a recipe writes, in the order {@link #saveRecipe} writes it; children sit at {@code depth}. */
    private void countRecipe(PyObject r, int depth) {
        count(r.callable(), depth);
        count(r.args(), depth);
        if (r.kind() == PyObject.Kind.NEWOBJ_EX) {
            count(r.kwargs(), depth);
        }
        for (Object o : r.listItems()) {
            count(o, depth);
        }
        for (Map.Entry<Object, Object> e : r.dictItems()) {
            count(e.getKey(), depth);
            count(e.getValue(), depth);
        }
        if (r.hasState()) {
            count(r.state(), depth);
        }
    }

    /**
     * Refuses keys Python cannot hash, and keys nested deeper than the unpickler reads; returns the
     * key's height (0 for a flat value). Tuples and frozensets are measured once.
     */
    private int requireHashable(Object k, int depth) {
        int height = switch (k) {
            case List<?> l -> throw unhashable(k);
            case Map<?, ?> m -> throw unhashable(k);
            case Set<?> s -> throw unhashable(k);
            case PyByteArray b -> throw unhashable(k);
            case PyTuple t -> keyHeight(t, t.items(), depth);
            case PyFrozenSet f -> keyHeight(f, f.items(), depth);
            case null, default -> 0;
        };
        if (depth + height > Unpickler.MAX_KEY_DEPTH) {
            throw keyTooDeep();
        }
        return height;
    }

    private int keyHeight(Object container, Iterable<Object> parts, int depth) {
        Integer known = keyHeights.get(container);
        if (known != null) {
            return known;
        }
        if (depth >= Unpickler.MAX_KEY_DEPTH) {
            throw keyTooDeep();
        }
        int height = 0;
        for (Object o : parts) {
            height = Math.max(height, requireHashable(o, depth + 1));
        }
        keyHeights.put(container, height + 1);
        return height + 1;
    }

    private static IllegalArgumentException keyTooDeep() {
        return new IllegalArgumentException("cannot pickle a dict key or set element nested more than "
                + Unpickler.MAX_KEY_DEPTH + " levels deep");
    }

    private static IllegalArgumentException unhashable(Object k) {
        return new IllegalArgumentException("cannot pickle a " + k.getClass().getName()
                + " as a dict key or set element: Python cannot hash it");
    }

    /** Refuses unpaired surrogates, which have no UTF-8 form (Python would need 'surrogatepass'). */
    private static void checkText(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("cannot pickle a string with an unpaired surrogate (U+"
                        + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + " at index " + i + ")");
            }
        }
    }

    // ---- recipes of the types written through calls --------------------------------------------

    private static PyObject call(PyObject callable, Object... args) {
        return PyObject.reduce(callable, PyTuple.of(args));
    }

    private static PyObject expand(PyComplex c) {
        return call(COMPLEX, c.real(), c.imag());
    }

    private static PyObject expand(PyByteArray b) {
        // as bytearray.__reduce_ex__(4): bytearray() when empty, else bytearray(bytes)
        return b.length() == 0 ? call(BYTEARRAY) : call(BYTEARRAY, new RawBytes(b.bytes()));
    }

    private static PyObject expand(PyNumpyScalar n) {
        return call(NUMPY_SCALAR, NumpyDtypes.dtypeObject(n.dtype()), new RawBytes(n.data()));
    }

    private static PyObject expand(PyOrderedDict d) {
        PyObject r = call(ORDERED_DICT);
        d.forEach(r::setItem);
        return r;
    }

    /** The datetime recipes, as CPython's datetime pickles itself; null for a class that is not a time. */
    private static PyObject expandTime(Object v) {
        return switch (v) {
            case LocalDate d -> call(DATE, new RawBytes(dateBytes(d)));
            case LocalDateTime t -> call(DATETIME, new RawBytes(dateTimeBytes(t)));
            case OffsetDateTime t -> call(DATETIME, new RawBytes(dateTimeBytes(t.toLocalDateTime())), timezone(t.getOffset()));
            case LocalTime t -> call(TIME, new RawBytes(timeBytes(t)));
            case OffsetTime t -> call(TIME, new RawBytes(timeBytes(t.toLocalTime())), timezone(t.getOffset()));
            case Duration d -> timedelta(d);
            case ZoneOffset z -> timezone(z);
            default -> null;
        };
    }

    private static byte[] dateBytes(LocalDate d) {
        int y = d.getYear();
        if (y < 1 || y > 9999) {
            throw new IllegalArgumentException("cannot pickle " + d + ": Python's years are 1 to 9999");
        }
        return new byte[] {(byte) (y >> 8), (byte) y, (byte) d.getMonthValue(), (byte) d.getDayOfMonth()};
    }

    private static byte[] timeBytes(LocalTime t) {
        int us = t.getNano() / 1000;
        return new byte[] {(byte) t.getHour(), (byte) t.getMinute(), (byte) t.getSecond(),
                (byte) (us >> 16), (byte) (us >> 8), (byte) us};
    }

    private static byte[] dateTimeBytes(LocalDateTime t) {
        byte[] b = Arrays.copyOf(dateBytes(t.toLocalDate()), 10);
        System.arraycopy(timeBytes(t.toLocalTime()), 0, b, 4, 6);
        return b;
    }

    private static PyObject timezone(ZoneOffset z) {
        return call(TIMEZONE, timedelta(Duration.ofSeconds(z.getTotalSeconds())));
    }

    /** timedelta(days, seconds, microseconds), normalized as Python stores it (0 <= seconds < 86400, 0 <= us < 10^6). */
    private static PyObject timedelta(Duration d) {
        long seconds = d.getSeconds(); // the nano part is never negative, so dropping it rounds down
        long days = Math.floorDiv(seconds, 86_400L);
        if (Math.abs(days) > MAX_DAYS) {
            throw new IllegalArgumentException("cannot pickle " + d + ": Python's timedelta holds at most "
                    + MAX_DAYS + " days");
        }
        return call(TIMEDELTA, (int) days, (int) Math.floorMod(seconds, 86_400L), d.getNano() / 1000);
    }

    // ---- pass 2: write ------------------------------------------------------------------------

    /** Writes a memo fetch if the key was written before. */
    private boolean fetched(Object key) {
        Slot s = slots.get(key);
        if (s == null || s.index < 0) {
            return false;
        }
        if (s.index < 256) {
            out.write(Opcodes.BINGET);
            out.write((int) s.index);
        } else {
            out.write(Opcodes.LONG_BINGET);
            out.writeU32(s.index);
        }
        return true;
    }

    /** Stores the value just written in the memo if it is referenced again. */
    private void memoize(Object key) {
        Slot s = slots.get(key);
        if (s == null || s.refs < 2) {
            return;
        }
        s.index = memoNext++;
        if (s.index < 256) {
            out.write(Opcodes.BINPUT);
            out.write((int) s.index);
        } else {
            out.write(Opcodes.LONG_BINPUT);
            out.writeU32(s.index);
        }
    }

    private void save(Object v) {
        switch (v) {
            case null -> out.write(Opcodes.NONE);
            case Boolean b -> out.write(b ? Opcodes.NEWTRUE : Opcodes.NEWFALSE);
            case Byte b -> saveInt(b);
            case Short s -> saveInt(s);
            case Integer i -> saveInt(i);
            case Long l -> saveInt(l);
            case BigInteger b -> {
                if (b.bitLength() < 64) {
                    saveInt(b.longValue());
                } else {
                    saveLong(b);
                }
            }
            case Float f -> saveFloat(f);
            case Double d -> saveFloat(d);
            case Character c -> saveStr(String.valueOf(c));
            case String s -> {
                Identity key = new Identity(s);
                if (!fetched(key)) {
                    saveStr(s);
                    memoize(key);
                }
            }
            case byte[] b -> {
                Identity key = new Identity(b);
                if (!fetched(key)) {
                    saveBytes(b);
                    memoize(key);
                }
            }
            case RawBytes r -> saveBytes(r.b());
            case PyObject p when p.kind() == PyObject.Kind.GLOBAL -> saveGlobal(p);
            case PyObject p -> saveRecipe(p, new Identity(p));
            case PyTuple t -> saveTuple(t);
            case List<?> l -> saveList(l);
            case PyOrderedDict d -> saveRecipe(expand(d), new Identity(d));
            case Map<?, ?> m -> saveDict(m);
            case Set<?> s -> saveSet(s);
            case PyFrozenSet f -> saveFrozenSet(f);
            case PyComplex c -> saveRecipe(expand(c), new Identity(c));
            case PyByteArray b -> saveRecipe(expand(b), new Identity(b));
            case PyNumpyScalar n -> saveRecipe(expand(n), new Identity(n));
            default -> saveRecipe(expandTime(v), null);
        }
    }

    private void saveInt(long v) {
        if (v >= 0 && v <= 0xFF) {
            out.write(Opcodes.BININT1);
            out.write((int) v);
        } else if (v >= 0 && v <= 0xFFFF) {
            out.write(Opcodes.BININT2);
            out.write((int) v);
            out.write((int) (v >> 8));
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write(Opcodes.BININT);
            out.writeU32(v);
        } else {
            saveLong(BigInteger.valueOf(v));
        }
    }

    /** LONG1 or LONG4: the shortest little-endian two's complement, as pickle's encode_long. */
    private void saveLong(BigInteger v) {
        byte[] be = v.toByteArray();
        if (be.length < 256) {
            out.write(Opcodes.LONG1);
            out.write(be.length);
        } else {
            out.write(Opcodes.LONG4);
            out.writeU32(be.length);
        }
        for (int i = be.length - 1; i >= 0; i--) {
            out.write(be[i]);
        }
    }

    private void saveFloat(double d) {
        out.write(Opcodes.BINFLOAT);
        long bits = Double.doubleToRawLongBits(d);
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (bits >>> shift));
        }
    }

    private void saveStr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= 0xFF) {
            out.write(Opcodes.SHORT_BINUNICODE);
            out.write(b.length);
        } else if (b.length <= 0xFFFF_FFFFL) {
            out.write(Opcodes.BINUNICODE);
            out.writeU32(b.length);
        } else {
            out.write(Opcodes.BINUNICODE8);
            out.writeU64(b.length);
        }
        out.write(b);
    }

    private void saveBytes(byte[] b) {
        if (b.length <= 0xFF) {
            out.write(Opcodes.SHORT_BINBYTES);
            out.write(b.length);
        } else if (b.length <= 0xFFFF_FFFFL) {
            out.write(Opcodes.BINBYTES);
            out.writeU32(b.length);
        } else {
            out.write(Opcodes.BINBYTES8);
            out.writeU64(b.length);
        }
        out.write(b);
    }

    private void saveGlobal(PyObject g) {
        GlobalKey key = new GlobalKey(g.module(), g.name());
        if (fetched(key)) {
            return;
        }
        ModuleKey moduleKey = new ModuleKey(g.module());
        if (!fetched(moduleKey)) {
            saveStr(g.module());
            memoize(moduleKey);
        }
        saveStr(g.name());
        out.write(Opcodes.STACK_GLOBAL);
        memoize(key);
    }

    private void saveTuple(PyTuple t) {
        if (t.size() == 0) {
            out.write(Opcodes.EMPTY_TUPLE);
            return;
        }
        Identity key = new Identity(t);
        if (fetched(key)) {
            return;
        }
        if (t.size() <= 3) {
            for (Object o : t.items()) {
                save(o);
            }
            out.write(switch (t.size()) {
                case 1 -> Opcodes.TUPLE1;
                case 2 -> Opcodes.TUPLE2;
                default -> Opcodes.TUPLE3;
            });
        } else {
            out.write(Opcodes.MARK);
            for (Object o : t.items()) {
                save(o);
            }
            out.write(Opcodes.TUPLE);
        }
        memoize(key);
    }

    /** As CPython's save_list and batch_list_exact: one item with APPEND, else batches of MARK..APPENDS. */
    private void saveList(List<?> l) {
        Identity key = new Identity(l);
        if (fetched(key)) {
            return;
        }
        out.write(Opcodes.EMPTY_LIST);
        memoize(key);
        if (l.size() == 1) {
            save(l.get(0));
            out.write(Opcodes.APPEND);
        } else if (!l.isEmpty()) {
            Iterator<?> it = l.iterator();
            do {
                out.write(Opcodes.MARK);
                for (int n = 0; n < BATCHSIZE && it.hasNext(); n++) {
                    save(it.next());
                }
                out.write(Opcodes.APPENDS);
            } while (it.hasNext());
        }
    }

    /**
     * As CPython's save_dict and batch_dict_exact: one item with SETITEM, else batches of
     * MARK..SETITEMS, the last one empty when the size is a multiple of 1000.
     */
    private void saveDict(Map<?, ?> m) {
        Identity key = new Identity(m);
        if (fetched(key)) {
            return;
        }
        out.write(Opcodes.EMPTY_DICT);
        memoize(key);
        if (m.size() == 1) {
            Map.Entry<?, ?> e = m.entrySet().iterator().next();
            save(e.getKey());
            save(e.getValue());
            out.write(Opcodes.SETITEM);
        } else if (!m.isEmpty()) {
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            int n;
            do {
                out.write(Opcodes.MARK);
                for (n = 0; n < BATCHSIZE && it.hasNext(); n++) {
                    Map.Entry<?, ?> e = it.next();
                    save(e.getKey());
                    save(e.getValue());
                }
                out.write(Opcodes.SETITEMS);
            } while (n == BATCHSIZE);
        }
    }

    /** As CPython's save_set: batches of MARK..ADDITEMS, the last one empty when the size is a multiple of 1000. */
    private void saveSet(Set<?> s) {
        Identity key = new Identity(s);
        if (fetched(key)) {
            return;
        }
        out.write(Opcodes.EMPTY_SET);
        memoize(key);
        if (!s.isEmpty()) {
            Iterator<?> it = s.iterator();
            int n;
            do {
                out.write(Opcodes.MARK);
                for (n = 0; n < BATCHSIZE && it.hasNext(); n++) {
                    save(it.next());
                }
                out.write(Opcodes.ADDITEMS);
            } while (n == BATCHSIZE);
        }
    }

    private void saveFrozenSet(PyFrozenSet f) {
        Identity key = new Identity(f);
        if (fetched(key)) {
            return;
        }
        out.write(Opcodes.MARK);
        for (Object o : f) {
            save(o);
        }
        out.write(Opcodes.FROZENSET);
        memoize(key);
    }

    /** As CPython's save_reduce: create, memoize, then list items, dict items and state. */
    private void saveRecipe(PyObject r, Object key) {
        if (key != null && fetched(key)) {
            return;
        }
        save(r.callable());
        save(r.args());
        switch (r.kind()) {
            case REDUCE -> out.write(Opcodes.REDUCE);
            case NEWOBJ -> out.write(Opcodes.NEWOBJ);
            default -> { // NEWOBJ_EX
                save(r.kwargs());
                out.write(Opcodes.NEWOBJ_EX);
            }
        }
        if (key != null) {
            memoize(key);
        }
        saveItems(r.listItems().iterator(), Opcodes.APPEND, Opcodes.APPENDS, false);
        saveItems(r.dictItems().iterator(), Opcodes.SETITEM, Opcodes.SETITEMS, true);
        if (r.hasState()) {
            save(r.state());
            out.write(Opcodes.BUILD);
        }
    }

    /** As CPython's batch_list and batch_dict over an iterator: one item alone, batches of MARK..op otherwise. */
    private void saveItems(Iterator<?> it, int single, int batch, boolean pairs) {
        int n;
        do {
            if (!it.hasNext()) {
                return;
            }
            Object first = it.next();
            if (!it.hasNext()) {
                saveItem(first, pairs);
                out.write(single);
                return;
            }
            out.write(Opcodes.MARK);
            saveItem(first, pairs);
            for (n = 1; n < BATCHSIZE && it.hasNext(); n++) {
                saveItem(it.next(), pairs);
            }
            out.write(batch);
        } while (n == BATCHSIZE);
    }

    private void saveItem(Object item, boolean pair) {
        if (pair) {
            Map.Entry<?, ?> e = (Map.Entry<?, ?>) item;
            save(e.getKey());
            save(e.getValue());
        } else {
            save(item);
        }
    }

    /** A growing byte buffer that refuses to pass the largest Java array. */
    private static final class Out {
        private byte[] buf = new byte[64];
        private int len;

        void write(int b) {
            ensure(1);
            buf[len++] = (byte) b;
        }

        void write(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
        }

        void writeU32(long v) {
            for (int i = 0; i < 4; i++) {
                write((int) (v >>> (8 * i)));
            }
        }

        void writeU64(long v) {
            for (int i = 0; i < 8; i++) {
                write((int) (v >>> (8 * i)));
            }
        }

        private void ensure(int n) {
            long need = (long) len + n;
            if (need > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("cannot pickle a value of more than 2 GiB into one array");
            }
            if (need > buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(need, 2L * buf.length)));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, len);
        }
    }
}
