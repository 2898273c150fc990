package org.mmappickle.internal.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.mmappickle.internal.pickle.Opcodes.*;
import static org.mmappickle.internal.pickle.PickleTestSupport.b;
import static org.mmappickle.internal.pickle.PickleTestSupport.entries;
import static org.mmappickle.internal.pickle.PickleTestSupport.le32;
import static org.mmappickle.internal.pickle.PickleTestSupport.le64;
import static org.mmappickle.internal.pickle.PickleTestSupport.read;
import static org.mmappickle.internal.pickle.PickleTestSupport.value;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mmappickle.PickleFormatException;
import org.mmappickle.internal.pickle.PickleTestSupport.Entry;

/** Malformed and hostile input: only PickleFormatException, never another exception, an OutOfMemoryError or a stack overflow. */
class HostileInputTest {

    private static List<byte[]> corpus() throws Exception {
        List<byte[]> out = new ArrayList<>();
        byte[] values = read("values.mmdpickle");
        for (Entry e : entries(values)) {
            out.add(Arrays.copyOfRange(values, e.valueStart(), e.valueEnd()));
        }
        for (int p = 0; p <= 5; p++) {
            out.add(read("plain-protocol" + p + ".pkl"));
        }
        return out;
    }

    /** Loads as both a value stream and a whole pickle; anything but a PickleFormatException fails the test. */
    private static int tryLoad(byte[] bytes, String what) {
        int failures = 0;
        for (boolean whole : new boolean[] {false, true}) {
            try {
                MemorySegment seg = MemorySegment.ofArray(bytes);
                if (whole) {
                    Unpickler.loadPickle(seg, null);
                } else {
                    Unpickler.loadValue(seg, 0, bytes.length, null, 7);
                }
            } catch (PickleFormatException e) {
                failures++;
                assertTrue(e.offset() >= 0 && e.offset() <= bytes.length + 7, what + ": offset " + e.offset());
            } catch (Throwable t) {
                fail(what + " (" + PickleTestSupport.hex(bytes) + ") threw " + t, t);
            }
        }
        return failures;
    }

    @Test
    void mutationsAndTruncationsOfTheGoldenValuesOnlyRaiseFormatErrors() throws Exception {
        Random random = new Random(20240229);
        List<byte[]> corpus = corpus();
        int runs = 0;
        int rejected = 0;
        long deadline = System.nanoTime() + 8_000_000_000L;
        for (int i = 0; i < 6000 && System.nanoTime() < deadline; i++) {
            byte[] base = corpus.get(random.nextInt(corpus.size()));
            byte[] m = mutate(base, random);
            rejected += tryLoad(m, "mutation " + i);
            runs++;
        }
        for (byte[] base : corpus) {
            for (int cut = 0; cut < base.length; cut += 1 + base.length / 40) {
                rejected += tryLoad(Arrays.copyOf(base, cut), "truncation");
                runs++;
            }
        }
        assertTrue(runs > 2000, "ran " + runs);
        assertTrue(rejected > runs / 2, "most mutants are malformed: " + rejected + " of " + 2 * runs);
    }

    private static byte[] mutate(byte[] base, Random r) {
        byte[] m = base.clone();
        int edits = 1 + r.nextInt(3);
        for (int k = 0; k < edits && m.length > 0; k++) {
            int at = r.nextInt(m.length);
            switch (r.nextInt(6)) {
                case 0 -> m[at] = (byte) r.nextInt(256);
                case 1 -> m[at] ^= (byte) (1 << r.nextInt(8));
                case 2 -> { // a huge length where a length may be
                    for (int j = at; j < Math.min(m.length, at + 8); j++) {
                        m[j] = (byte) 0xFF;
                    }
                }
                case 3 -> m = Arrays.copyOf(m, at); // truncation
                case 4 -> { // duplicate a slice
                    int len = Math.min(m.length - at, 1 + r.nextInt(16));
                    byte[] n = new byte[m.length + len];
                    System.arraycopy(m, 0, n, 0, at + len);
                    System.arraycopy(m, at, n, at + len, m.length - at);
                    m = n;
                }
                default -> { // delete a byte
                    byte[] n = new byte[m.length - 1];
                    System.arraycopy(m, 0, n, 0, at);
                    System.arraycopy(m, at + 1, n, at, m.length - at - 1);
                    m = n;
                }
            }
        }
        return m;
    }

    private static byte[] repeat(int n, int... ops) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            for (int op : ops) {
                out.write(op);
            }
        }
        return out.toByteArray();
    }

    @Test
    void hugeLengthsAreRefusedBeforeAllocating() {
        for (byte[] bad : List.of(b(BINBYTES8, le64(1L << 62)), b(BINUNICODE8, le64(Long.MAX_VALUE)), b(BYTEARRAY8, le64(-1)),
                b(BINBYTES, le32(-1)), b(BINSTRING, le32(Integer.MAX_VALUE)), b(LONG4, le32(Integer.MAX_VALUE)),
                b(FRAME, le64(-2), NONE))) {
            PickleFormatException e = assertThrows(PickleFormatException.class, () -> value(bad));
            assertEquals(0, e.offset());
        }
    }

    @Test
    void deepNestingIsRefusedWithoutStackOverflow() {
        int n = 200_000;
        byte[] lists = b(repeat(n, EMPTY_LIST), repeat(n - 1, APPEND));
        assertTrue(assertThrows(PickleFormatException.class, () -> value(lists)).expected().contains("nested"));
        byte[] tuples = b(NONE, repeat(n, TUPLE1));
        assertThrows(PickleFormatException.class, () -> value(tuples));
        byte[] objects = b(SHORT_BINUNICODE, 1, "m", SHORT_BINUNICODE, 1, "f", STACK_GLOBAL, BINPUT, 0,
                repeat(n, BINGET, 0, EMPTY_TUPLE, REDUCE), repeat(n, BUILD));
        assertThrows(PickleFormatException.class, () -> value(objects));
        // a deep key is refused when it is hashed, before Java's recursive hashCode could overflow
        byte[] key = b(EMPTY_DICT, NONE, repeat(n, TUPLE1), NONE, SETITEM);
        assertTrue(assertThrows(PickleFormatException.class, () -> value(key)).expected().contains("key"));
        // exactly the limit loads
        int max = Unpickler.MAX_DEPTH;
        Object ok = value(b(repeat(max, EMPTY_LIST), repeat(max - 1, APPEND)));
        assertInstanceOf(List.class, ok);
        assertThrows(PickleFormatException.class, () -> value(b(repeat(max + 1, EMPTY_LIST), repeat(max, APPEND))));
    }

    @Test
    void keysNestAtMost100LevelsEvenWhenBuiltFromCheckedKeys() {
        byte[] ok = b(EMPTY_DICT, NONE, repeat(Unpickler.MAX_KEY_DEPTH, TUPLE1), NONE, SETITEM);
        assertInstanceOf(java.util.Map.class, value(ok));
        assertThrows(PickleFormatException.class, () -> value(b(EMPTY_DICT, NONE, repeat(Unpickler.MAX_KEY_DEPTH + 1, TUPLE1),
                NONE, SETITEM)));
        // a checked 60-deep key, then the same key 60 levels deeper: the cached height still counts
        byte[] chained = b(EMPTY_SET, MARK, NONE, repeat(60, TUPLE1), BINPUT, 0, ADDITEMS,
                MARK, BINGET, 0, repeat(60, TUPLE1), ADDITEMS);
        assertTrue(assertThrows(PickleFormatException.class, () -> value(chained)).expected().contains("key nested"));
        byte[] frozen = b(EMPTY_SET, MARK, MARK, NONE, repeat(60, TUPLE1), FROZENSET, BINPUT, 0, ADDITEMS,
                MARK, BINGET, 0, repeat(60, TUPLE1), ADDITEMS);
        assertThrows(PickleFormatException.class, () -> value(frozen));
    }

    @Test
    void cyclesAreRefused() {
        assertThrows(PickleFormatException.class, () -> value(b(EMPTY_DICT, BINPUT, 0, NONE, BINGET, 0, SETITEM)));
        assertThrows(PickleFormatException.class, () -> value(b(SHORT_BINUNICODE, 1, "m", SHORT_BINUNICODE, 1, "f",
                STACK_GLOBAL, EMPTY_TUPLE, REDUCE, BINPUT, 0, BINGET, 0, TUPLE1, BUILD)));
        assertThrows(PickleFormatException.class, () -> value(b(EMPTY_LIST, BINPUT, 0, BINGET, 0, TUPLE1, APPEND)));
    }

    @Test
    void exponentialKeysAreRefusedAndSharedValuesAreMeasuredOnce() {
        // T(k+1) = (T(k), T(k)): 2^64 nodes when expanded, 64 distinct objects
        byte[] tower = b(NONE, repeat(64, BINPUT, 0, BINGET, 0, TUPLE2));
        Object v = value(tower); // as a value it is fine: the nesting check visits each object once
        assertInstanceOf(org.mmappickle.py.PyTuple.class, v);
        byte[] asKey = b(EMPTY_DICT, tower, NONE, SETITEM);
        assertTrue(assertThrows(PickleFormatException.class, () -> value(asKey)).expected().contains("hash cost"));
        byte[] inSet = b(MARK, tower, FROZENSET);
        assertThrows(PickleFormatException.class, () -> value(inSet));
    }

    @Test
    void hashingWorkIsBoundedByTheInputSize() {
        // one key of cost ~4000 inserted 50,000 times: each insertion costs 3 bytes of input
        byte[] key = b(MARK, repeat(4000, NONE), TUPLE, BINPUT, 0, POP);
        byte[] bomb = b(key, EMPTY_DICT, MARK, repeat(50_000, BINGET, 0, NONE), SETITEMS);
        assertTrue(assertThrows(PickleFormatException.class, () -> value(bomb)).expected().contains("hashing"));
    }

    @Test
    void memoIndicesMayBeLarge() {
        assertEquals(1, value(b(BININT1, 1, LONG_BINPUT, le32(0xFFFF_FFFFL), POP, LONG_BINGET, le32(0xFFFF_FFFFL))));
        assertEquals(1, value(b(BININT1, 1, PUT, "99999999999999\n", POP, GET, "99999999999999\n")));
        assertThrows(PickleFormatException.class, () -> value(b(BININT1, 1, PUT, "9".repeat(30) + "\n")));
    }

    @Test
    void wrongTypesAreFormatErrors() {
        for (byte[] bad : List.of(b(NONE, NONE, APPEND), b(EMPTY_LIST, MARK, APPENDS, NONE, SETITEM),
                b(BININT1, 1, EMPTY_TUPLE, REDUCE), b(NONE, NONE, NEWOBJ), b(SHORT_BINUNICODE, 1, "a", BININT1, 2, STACK_GLOBAL),
                b(EMPTY_SET, MARK, EMPTY_SET, ADDITEMS), b(MARK, EMPTY_LIST, FROZENSET), b(NONE, EMPTY_DICT, BUILD),
                b(MARK, MARK, TUPLE1), b(EMPTY_DICT, MARK, NONE, SETITEMS))) {
            tryLoad(bad, "wrong types");
            assertThrows(PickleFormatException.class, () -> value(bad), PickleTestSupport.hex(bad));
        }
    }
}
