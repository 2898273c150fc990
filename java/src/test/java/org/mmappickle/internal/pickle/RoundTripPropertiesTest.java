package org.mmappickle.internal.pickle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mmappickle.internal.pickle.PickleTestSupport.norm;

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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mmappickle.py.PyByteArray;
import org.mmappickle.py.PyComplex;
import org.mmappickle.py.PyFrozenSet;
import org.mmappickle.py.PyNumpyScalar;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyOrderedDict;
import org.mmappickle.py.PyTuple;
import org.mmappickle.testsupport.Gen;
import org.mmappickle.testsupport.Tries;

/**
 * Random nested values of every type survive dumpValue then loadValue. Ints compare by value (a
 * Byte, Short, Integer, Long or BigInteger comes back as the smallest of Integer, Long, BigInteger
 * that holds it), floats as doubles, chars as strings (see {@link PickleTestSupport#norm}).
 */
class RoundTripPropertiesTest {

    @Test
    void valuesRoundTrip() {
        Tries.check(300, r -> {
            Object v = value(r);
            Pickler.Result res = Pickler.dumpValue(v, 1);
            Object back = PickleTestSupport.value(res.bytes());
            assertEquals(norm(v, true), norm(back, true));
            // writing what was read gives the same bytes again
            assertArrayEquals(res.bytes(), Pickler.dumpValue(back, 1).bytes());
        });
    }

    /** Found by valuesRoundTrip: timedeltas beyond ~106 million days overflowed a long of microseconds on read. */
    @Test
    void hugeNegativeDurationsRoundTrip() {
        for (Duration d : List.of(Duration.parse("PT-7528195867H-35M-41.998887S"),
                Duration.ofDays(999_999_999L), Duration.ofDays(-999_999_999L))) {
            assertEquals(d, PickleTestSupport.value(Pickler.dumpValue(d, 1).bytes()));
        }
    }

    @Test
    void sharedObjectsStayShared() {
        Tries.check(100, r -> {
            Object v = value(r);
            int memoStart = r.nextInt(4) == 0 ? Integer.MAX_VALUE - 1000 : Gen.intBetween(r, 0, 300);
            List<Object> shared = new ArrayList<>(java.util.Arrays.asList("x", v));
            List<Object> outer = List.of(shared, shared);
            Pickler.Result res = Pickler.dumpValue(outer, memoStart);
            assertEquals(memoStart + 1 + extraMemo(v), res.memoMax());
            List<?> back = (List<?>) PickleTestSupport.value(res.bytes());
            assertEquals(true, back.get(0) == back.get(1));
        });
    }

    /** Memo slots the value itself needs (objects or globals it reaches twice), counted by writing it alone. */
    private static int extraMemo(Object v) {
        return Pickler.dumpValue(java.util.Arrays.asList(v), 0).memoMax();
    }

    /** A random value of any type the pickler writes, nested up to 4 containers deep. */
    static Object value(SplittableRandom r) {
        return value(r, r.nextInt(5));
    }

    private static Object value(SplittableRandom r, int depth) {
        return depth == 0 || r.nextInt(3) == 0 ? leaf(r) : container(r, depth - 1);
    }

    private static Object container(SplittableRandom r, int depth) {
        List<Object> items = Gen.list(r, 4, x -> value(x, depth));
        return switch (r.nextInt(7)) {
            case 0 -> items;
            case 1 -> new PyTuple(items);
            case 2 -> new LinkedHashMap<>(map(r, depth));
            case 3 -> new PyOrderedDict(map(r, depth));
            case 4 -> new LinkedHashSet<>(Gen.list(r, 4, RoundTripPropertiesTest::hashable));
            case 5 -> new PyFrozenSet(new LinkedHashSet<>(Gen.list(r, 4, RoundTripPropertiesTest::hashable)));
            default -> {
                Object state = value(r, depth);
                PyObject o = switch (r.nextInt(4)) {
                    case 0 -> PyObject.reduce(PyObject.global("mod", "f"), new PyTuple(items));
                    case 1 -> PyObject.newObj(PyObject.global("mod.sub", "C"), new PyTuple(items));
                    case 2 -> PyObject.newObjEx(PyObject.global("mod", "C"), new PyTuple(items), Map.of("k", "v"));
                    default -> PyObject.reduce(PyObject.reduce(PyObject.global("builtins", "getattr"),
                            PyTuple.of(PyObject.global("mod", "C"), "make")), PyTuple.of());
                };
                o.appendItems(items);
                o.setItem("key", state);
                o.setState(state);
                yield o;
            }
        };
    }

    private static Map<Object, Object> map(SplittableRandom r, int depth) {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            m.put(hashable(r), value(r, depth));
        }
        return m;
    }

    /** Keys Python can hash whose Java equality matches Python's (no 1 versus 1.0 versus True). */
    private static Object hashable(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> Gen.string(r, 5);
            case 1 -> Gen.anyInt(r);
            default -> {
                int i = Gen.anyInt(r);
                yield PyTuple.of(i, Gen.string(r, 3), PyTuple.of(i));
            }
        };
    }

    private static Object leaf(SplittableRandom r) {
        return switch (r.nextInt(18)) {
            case 0 -> null;
            case 1 -> r.nextBoolean();
            case 2 -> (byte) Gen.intBetween(r, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case 3 -> (short) Gen.intBetween(r, Short.MIN_VALUE, Short.MAX_VALUE);
            case 4 -> Gen.anyInt(r);
            case 5 -> Gen.anyLong(r);
            case 6 -> Gen.bigInteger(r, 2100);
            case 7 -> Gen.anyFloat(r);
            case 8 -> Gen.anyDouble(r);
            case 9 -> {
                char c;
                do {
                    c = Gen.anyChar(r);
                } while (Character.isSurrogate(c));
                yield c;
            }
            case 10 -> withoutLoneSurrogates(Gen.string(r, 300));
            case 11 -> Gen.bytes(r, 300);
            case 12 -> new PyByteArray(Gen.bytes(r, 20));
            case 13 -> new PyComplex(Gen.anyDouble(r), Gen.anyDouble(r));
            case 14 -> time(r);
            case 15 -> numpyScalar(r);
            case 16 -> PyObject.global(Gen.pick(r, "numpy", "a.b.c", "builtins"), "name");
            default -> Gen.string(r, 5);
        };
    }

    private static Object withoutLoneSurrogates(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().filter(cp -> !Character.isSurrogate((char) cp) || cp > 0xFFFF).forEach(b::appendCodePoint);
        return b.toString();
    }

    private static Object time(SplittableRandom r) {
        LocalDate date = LocalDate.ofEpochDay(Gen.longBetween(r, LocalDate.of(1, 1, 1).toEpochDay(),
                LocalDate.of(9999, 12, 31).toEpochDay()));
        LocalTime time = LocalTime.ofNanoOfDay(Gen.longBetween(r, 0, 86_400_000_000L - 1) * 1000);
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(Gen.intBetween(r, -18 * 3600, 18 * 3600));
        return switch (r.nextInt(7)) {
            case 0 -> date;
            case 1 -> time;
            case 2 -> LocalDateTime.of(date, time);
            case 3 -> OffsetDateTime.of(date, time, offset);
            case 4 -> OffsetTime.of(time, offset);
            case 5 -> Duration.ofSeconds(Gen.longBetween(r, -999_999_999L * 86_400, 999_999_999L * 86_400 + 86_399),
                    Gen.intBetween(r, 0, 999_999) * 1000L);
            default -> offset;
        };
    }

    private static Object numpyScalar(SplittableRandom r) {
        return switch (r.nextInt(14)) {
            case 0 -> PyNumpyScalar.ofBool(r.nextBoolean());
            case 1 -> PyNumpyScalar.ofInt8((byte) Gen.intBetween(r, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case 2 -> PyNumpyScalar.ofInt32(Gen.anyInt(r));
            case 3 -> PyNumpyScalar.ofInt64(Gen.anyLong(r));
            case 4 -> PyNumpyScalar.ofUInt16(Gen.intBetween(r, 0, 65535));
            case 5 -> PyNumpyScalar.ofUInt64(Gen.bigInteger(r, 64).abs().min(BigInteger.TWO.pow(64).subtract(BigInteger.ONE)));
            case 6 -> PyNumpyScalar.ofFloat16(Gen.anyFloat(r));
            case 7 -> PyNumpyScalar.ofDouble(Gen.anyDouble(r));
            case 8 -> {
                double d = Gen.anyDouble(r);
                yield PyNumpyScalar.ofComplex128(d, -d);
            }
            case 9 -> PyNumpyScalar.ofDatetime64(Gen.anyLong(r), "us");
            case 10 -> PyNumpyScalar.ofTimedelta64(Gen.anyLong(r), "10ms");
            case 11 -> PyNumpyScalar.ofStr(Gen.string(r, 5));
            case 12 -> PyNumpyScalar.ofBytes(Gen.bytes(r, 5));
            default -> {
                byte[] b = new byte[8];
                for (int i = 0; i < 8; i++) {
                    b[i] = (byte) r.nextInt(256);
                }
                yield PyNumpyScalar.of(">i8", b);
            }
        };
    }
}
