package org.mmappickle.internal.pickle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mmappickle.internal.pickle.PickleTestSupport.norm;
import static org.mmappickle.internal.pickle.PickleTestSupport.value;

import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mmappickle.py.PyByteArray;
import org.mmappickle.py.PyComplex;
import org.mmappickle.py.PyFrozenSet;
import org.mmappickle.py.PyNumpyScalar;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyOrderedDict;
import org.mmappickle.py.PyTuple;

/**
 * Random nested values of every type survive dumpValue then loadValue. Ints compare by value (a
 * Byte, Short, Integer, Long or BigInteger comes back as the smallest of Integer, Long, BigInteger
 * that holds it), floats as doubles, chars as strings (see {@link PickleTestSupport#norm}).
 */
class RoundTripPropertiesTest {

    @Property(tries = 300)
    void valuesRoundTrip(@ForAll("values") Object v) {
        Pickler.Result r = Pickler.dumpValue(v, 1);
        Object back = value(r.bytes());
        assertEquals(norm(v, true), norm(back, true));
        // writing what was read gives the same bytes again
        assertArrayEquals(r.bytes(), Pickler.dumpValue(back, 1).bytes());
    }

    /** Found by valuesRoundTrip: timedeltas beyond ~106 million days overflowed a long of microseconds on read. */
    @net.jqwik.api.Example
    void hugeNegativeDurationsRoundTrip() {
        for (java.time.Duration d : List.of(java.time.Duration.parse("PT-7528195867H-35M-41.998887S"),
                java.time.Duration.ofDays(999_999_999L), java.time.Duration.ofDays(-999_999_999L))) {
            assertEquals(d, value(Pickler.dumpValue(d, 1).bytes()));
        }
    }

    @Property(tries = 100)
    void sharedObjectsStayShared(@ForAll("values") Object v, @ForAll("memoStarts") int memoStart) {
        List<Object> shared = new ArrayList<>(java.util.Arrays.asList("x", v));
        List<Object> outer = List.of(shared, shared);
        Pickler.Result r = Pickler.dumpValue(outer, memoStart);
        assertEquals(memoStart + 1 + extraMemo(v), r.memoMax());
        List<?> back = (List<?>) value(r.bytes());
        assertEquals(true, back.get(0) == back.get(1));
    }

    /** Memo slots the value itself needs (objects or globals it reaches twice), counted by writing it alone. */
    private static int extraMemo(Object v) {
        return Pickler.dumpValue(java.util.Arrays.asList(v), 0).memoMax();
    }

    @Provide
    Arbitrary<Integer> memoStarts() {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 300), Arbitraries.just(Integer.MAX_VALUE - 1000));
    }

    @Provide
    Arbitrary<Object> values() {
        return Arbitraries.recursive(this::leaf, this::container, 0, 4);
    }

    private Arbitrary<Object> container(Arbitrary<Object> inner) {
        Arbitrary<List<Object>> items = inner.list().ofMaxSize(4);
        Arbitrary<Object> key = hashable();
        return Arbitraries.oneOf(
                items.map(l -> (Object) new ArrayList<>(l)),
                items.map(l -> (Object) new PyTuple(l)),
                Arbitraries.maps(key, inner).ofMaxSize(4).map(m -> (Object) new LinkedHashMap<>(m)),
                Arbitraries.maps(key, inner).ofMaxSize(4).map(m -> (Object) new PyOrderedDict(m)),
                key.set().ofMaxSize(4).map(s -> (Object) new LinkedHashSet<>(s)),
                key.set().ofMaxSize(4).map(s -> (Object) new PyFrozenSet(s)),
                Combinators.combine(items, inner, Arbitraries.integers().between(0, 3)).as((l, state, how) -> {
                    PyObject o = switch (how) {
                        case 0 -> PyObject.reduce(PyObject.global("mod", "f"), new PyTuple(l));
                        case 1 -> PyObject.newObj(PyObject.global("mod.sub", "C"), new PyTuple(l));
                        case 2 -> PyObject.newObjEx(PyObject.global("mod", "C"), new PyTuple(l), Map.of("k", "v"));
                        default -> PyObject.reduce(PyObject.reduce(PyObject.global("builtins", "getattr"),
                                PyTuple.of(PyObject.global("mod", "C"), "make")), PyTuple.of());
                    };
                    o.appendItems(l);
                    o.setItem("key", state);
                    o.setState(state);
                    return o;
                }));
    }

    /** Keys Python can hash whose Java equality matches Python's (no 1 versus 1.0 versus True). */
    private Arbitrary<Object> hashable() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(5).map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i),
                Combinators.combine(Arbitraries.integers(), Arbitraries.strings().ofMaxLength(3))
                        .as((i, s) -> (Object) PyTuple.of(i, s, PyTuple.of(i))));
    }

    private Arbitrary<Object> leaf() {
        return Arbitraries.oneOf(
                Arbitraries.just((Object) null),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.bytes().map(b -> (Object) b),
                Arbitraries.shorts().map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.bigIntegers().between(BigInteger.TWO.pow(2100).negate(), BigInteger.TWO.pow(2100)).map(b -> (Object) b),
                Arbitraries.floats().withSpecialValue(Float.NaN).map(f -> (Object) f),
                Arbitraries.doubles().withSpecialValue(Double.NaN).withSpecialValue(Double.NEGATIVE_INFINITY)
                        .withSpecialValue(-0.0).map(d -> (Object) d),
                Arbitraries.chars().filter(c -> !Character.isSurrogate(c)).map(c -> (Object) c),
                Arbitraries.strings().ofMaxLength(300).map(RoundTripPropertiesTest::withoutLoneSurrogates),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(b -> (Object) b),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(20).map(b -> (Object) new PyByteArray(b)),
                Combinators.combine(Arbitraries.doubles(), Arbitraries.doubles()).as((a, b) -> (Object) new PyComplex(a, b)),
                times(),
                numpyScalars(),
                Arbitraries.of("numpy", "a.b.c", "builtins").map(m -> (Object) PyObject.global(m, "name")));
    }

    private static Object withoutLoneSurrogates(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().filter(cp -> !Character.isSurrogate((char) cp) || cp > 0xFFFF).forEach(b::appendCodePoint);
        return b.toString();
    }

    private Arbitrary<Object> times() {
        Arbitrary<LocalDate> date = Arbitraries.longs().between(LocalDate.of(1, 1, 1).toEpochDay(), LocalDate.of(9999, 12, 31).toEpochDay())
                .map(LocalDate::ofEpochDay);
        Arbitrary<LocalTime> time = Arbitraries.longs().between(0, 86_400_000_000L - 1).map(us -> LocalTime.ofNanoOfDay(us * 1000));
        Arbitrary<ZoneOffset> offset = Arbitraries.integers().between(-18 * 3600, 18 * 3600).map(ZoneOffset::ofTotalSeconds);
        Arbitrary<Duration> duration = Combinators.combine(
                Arbitraries.longs().between(-999_999_999L * 86_400, 999_999_999L * 86_400 + 86_399),
                Arbitraries.integers().between(0, 999_999)).as((s, us) -> Duration.ofSeconds(s, us * 1000L));
        return Arbitraries.oneOf(
                date.map(d -> (Object) d),
                time.map(t -> (Object) t),
                Combinators.combine(date, time).as((d, t) -> (Object) LocalDateTime.of(d, t)),
                Combinators.combine(date, time, offset).as((d, t, o) -> (Object) OffsetDateTime.of(d, t, o)),
                Combinators.combine(time, offset).as((t, o) -> (Object) OffsetTime.of(t, o)),
                duration.map(d -> (Object) d),
                offset.map(o -> (Object) o));
    }

    private Arbitrary<Object> numpyScalars() {
        return Arbitraries.oneOf(
                Arbitraries.of(true, false).map(b -> (Object) PyNumpyScalar.ofBool(b)),
                Arbitraries.bytes().map(b -> (Object) PyNumpyScalar.ofInt8(b)),
                Arbitraries.integers().map(i -> (Object) PyNumpyScalar.ofInt32(i)),
                Arbitraries.longs().map(l -> (Object) PyNumpyScalar.ofInt64(l)),
                Arbitraries.integers().between(0, 65535).map(i -> (Object) PyNumpyScalar.ofUInt16(i)),
                Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.TWO.pow(64).subtract(BigInteger.ONE))
                        .map(b -> (Object) PyNumpyScalar.ofUInt64(b)),
                Arbitraries.floats().map(f -> (Object) PyNumpyScalar.ofFloat16(f)),
                Arbitraries.doubles().map(d -> (Object) PyNumpyScalar.ofDouble(d)),
                Arbitraries.doubles().map(d -> (Object) PyNumpyScalar.ofComplex128(d, -d)),
                Arbitraries.longs().map(l -> (Object) PyNumpyScalar.ofDatetime64(l, "us")),
                Arbitraries.longs().map(l -> (Object) PyNumpyScalar.ofTimedelta64(l, "10ms")),
                Arbitraries.strings().ofMaxLength(5).map(s -> (Object) PyNumpyScalar.ofStr(s)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(5).map(b -> (Object) PyNumpyScalar.ofBytes(b)),
                Arbitraries.bytes().array(byte[].class).ofSize(8).map(b -> (Object) PyNumpyScalar.of(">i8", b)));
    }
}
