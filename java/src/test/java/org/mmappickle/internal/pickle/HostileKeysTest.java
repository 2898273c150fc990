package org.mmappickle.internal.pickle;

import static org.junit.jupiter.api.Assertions.*;
import static org.mmappickle.internal.pickle.Opcodes.*;
import static org.mmappickle.internal.pickle.PickleTestSupport.b;
import static org.mmappickle.internal.pickle.PickleTestSupport.le32;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mmappickle.PickleFormatException;
import org.mmappickle.py.PyFrozenSet;

/**
 * Issue 13 item 5: dict keys and set elements that are expensive to hash or compare (nested deep,
 * built as a DAG of shared parts, or many with one Java hash code), of every kind that can be a
 * key (tuple, frozenset, object by REDUCE, object whose state holds the rest), put into every
 * kind of hashed container the unpickler builds (DICT, SETITEM(S), ADDITEMS, FROZENSET,
 * builtins.set, collections.OrderedDict, frozenset(...)). Each input ends in a correct value or a
 * {@link PickleFormatException}: never a stack overflow, and never work beyond a bound of the
 * input's size (the old code overflowed the stack, or ran for hours).
 */
class HostileKeysTest {
    private static final long SEED = Long.getLong("test.seed", System.nanoTime());

    /** How a key of depth or shape n is built, each kind wrapping a smaller key in one more level. */
    private enum Kind {
        TUPLE, FROZENSET, OBJECT_ARGS, OBJECT_STATE
    }

    private static byte[] global() {
        return b(SHORT_BINUNICODE, 3, "mod", SHORT_BINUNICODE, 4, "Kind", STACK_GLOBAL);
    }

    /** A key nested {@code depth} levels deep around the int 7, as one opcode stream pushing it. */
    static byte[] deepKey(Kind kind, int depth) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (kind) {
            case TUPLE -> {
                out.writeBytes(b(BININT1, 7));
                for (int i = 0; i < depth; i++) {
                    out.write(TUPLE1);
                }
            }
            case FROZENSET -> {
                for (int i = 0; i < depth; i++) {
                    out.write(MARK);
                }
                out.writeBytes(b(BININT1, 7));
                for (int i = 0; i < depth; i++) {
                    out.write(FROZENSET);
                }
            }
            case OBJECT_ARGS -> {   // mod.Kind(mod.Kind(...(7,)...),)
                for (int i = 0; i < depth; i++) {
                    out.writeBytes(global());
                }
                out.writeBytes(b(BININT1, 7));
                for (int i = 0; i < depth; i++) {
                    out.writeBytes(b(TUPLE1, REDUCE));
                }
            }
            case OBJECT_STATE -> {   // obj.__setstate__([inner]) nested
                for (int i = 0; i < depth; i++) {
                    out.writeBytes(global());
                    out.writeBytes(b(EMPTY_TUPLE, REDUCE, EMPTY_LIST));
                }
                out.writeBytes(b(BININT1, 7));
                for (int i = 0; i < depth; i++) {
                    out.writeBytes(b(APPEND, BUILD));
                }
            }
        }
        return out.toByteArray();
    }

    /**
     * A key built as a DAG: level i holds level i-1 twice (through the memo), so that walking it
     * as a tree takes 2^levels steps. Memo slots from {@code memoBase} up.
     */
    static byte[] dagKey(Kind kind, int levels, int memoBase) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(b(BININT1, 7));
        for (int i = 0; i < levels; i++) {
            out.writeBytes(b(LONG_BINPUT, le32(memoBase + i), POP));
            byte[] get = b(LONG_BINGET, le32(memoBase + i));
            switch (kind) {
                case TUPLE, FROZENSET -> out.writeBytes(b(get, get, TUPLE2));   // a frozenset would collapse the pair
                case OBJECT_ARGS -> out.writeBytes(b(global(), get, get, TUPLE2, REDUCE));
                case OBJECT_STATE -> out.writeBytes(b(global(), EMPTY_TUPLE, REDUCE, MARK, get, get, LIST, BUILD));
            }
        }
        return out.toByteArray();
    }

    /** The ways keys go into a hashed container: each takes a list of key streams, pushes one container. */
    private enum Container {
        DICT, SETITEMS, SETITEM, ADDITEMS, FROZENSET, BUILTINS_SET, ORDERED_DICT, BUILTINS_FROZENSET
    }

    static byte[] container(Container c, List<byte[]> keys) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (c) {
            case DICT, SETITEMS -> {
                out.writeBytes(c == DICT_C ? b(MARK) : b(EMPTY_DICT, MARK));
                for (byte[] k : keys) {
                    out.writeBytes(k);
                    out.writeBytes(b(BININT1, 1));
                }
                out.write(c == DICT_C ? DICT : SETITEMS);
            }
            case SETITEM -> {
                out.write(EMPTY_DICT);
                for (byte[] k : keys) {
                    out.writeBytes(k);
                    out.writeBytes(b(BININT1, 1, Opcodes.SETITEM));
                }
            }
            case ADDITEMS -> {
                out.writeBytes(b(EMPTY_SET, MARK));
                keys.forEach(out::writeBytes);
                out.write(Opcodes.ADDITEMS);
            }
            case FROZENSET -> {
                out.write(MARK);
                keys.forEach(out::writeBytes);
                out.write(Opcodes.FROZENSET);
            }
            case BUILTINS_SET, BUILTINS_FROZENSET -> {
                out.writeBytes(b(SHORT_BINUNICODE, 8, "builtins", SHORT_BINUNICODE, c == Container.BUILTINS_SET ? 3 : 9,
                        c == Container.BUILTINS_SET ? "set" : "frozenset", STACK_GLOBAL, MARK));
                keys.forEach(out::writeBytes);
                out.writeBytes(b(LIST, TUPLE1, REDUCE));
            }
            case ORDERED_DICT -> {
                out.writeBytes(b(SHORT_BINUNICODE, 11, "collections", SHORT_BINUNICODE, 11, "OrderedDict", STACK_GLOBAL, MARK));
                for (byte[] k : keys) {
                    out.writeBytes(k);
                    out.writeBytes(b(BININT1, 1, TUPLE2));
                }
                out.writeBytes(b(LIST, TUPLE1, REDUCE));
            }
        }
        return out.toByteArray();
    }

    private static final Container DICT_C = Container.DICT;

    private static int size(Object v) {
        return switch (v) {
            case Map<?, ?> m -> m.size();
            case Set<?> s -> s.size();
            case PyFrozenSet f -> f.size();
            default -> throw new AssertionError("not a container: " + v);
        };
    }

    /** Loads a value; returns null when it was refused with the format exception (anything else fails the test). */
    private static Object loadOrRefuse(byte[] value, String what) {
        try {
            return Unpickler.loadValue(java.lang.foreign.MemorySegment.ofArray(value), 0, value.length, null, 0);
        } catch (PickleFormatException refused) {
            return null;
        } catch (StackOverflowError | RuntimeException e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }

    @Test
    void deepKeysAreReadOrRefusedInEveryContainer() {
        for (Kind kind : Kind.values()) {
            for (int depth : new int[] {5, 40, 150, 1_000, 20_000}) {
                for (Container c : Container.values()) {
                    // two equal keys built separately: putting the second compares them all the way down
                    byte[] value = container(c, List.of(deepKey(kind, depth), deepKey(kind, depth)));
                    String what = kind + " keys " + depth + " deep in " + c;
                    Object v = loadOrRefuse(value, what);
                    if (depth <= 40) {   // an object is two levels: itself and its argument tuple or state list
                        assertNotNull(v, what + " is an ordinary key");
                        assertEquals(1, size(v), what + ": the two equal keys are one");
                    } else {
                        assertNull(v, what + " is refused (keys nest at most " + Unpickler.MAX_KEY_DEPTH + " levels)");
                    }
                }
            }
        }
    }

    @Test
    void keysSharingTheirPartsAreReadOrRefusedInEveryContainer() {
        for (Kind kind : Kind.values()) {
            for (int levels : new int[] {3, 10, 40, 60}) {
                for (Container c : Container.values()) {
                    byte[] value = container(c, List.of(dagKey(kind, levels, 1), dagKey(kind, levels, 1000)));
                    String what = kind + " keys of " + levels + " shared levels in " + c;
                    Object v = loadOrRefuse(value, what);
                    if (levels <= 10) {
                        assertNotNull(v, what + " is an ordinary key");
                        assertEquals(1, size(v), what + ": the two equal keys are one");
                    } else {
                        assertNull(v, what + " is refused (comparing them walks 2^" + levels + " nodes)");
                    }
                }
            }
        }
    }

    /** Keys (a, b) with 31a + b constant: PyTuple's hash code (like List's) is the same for all. */
    private static byte[] collidingKey(Kind kind, int i) {
        long a = i;
        long bb = 1_000_000_000L - 31 * a;
        byte[] pair = b(BININT, le32(a), BININT, le32(bb), TUPLE2);
        return switch (kind) {
            case TUPLE, FROZENSET -> pair;
            case OBJECT_ARGS -> b(global(), pair, TUPLE1, REDUCE);
            case OBJECT_STATE -> b(global(), pair, TUPLE1, REDUCE, BININT1, 1, BUILD);
        };
    }

    @Test
    void manyKeysWithOneHashCodeAreRefusedAndDistinctOnesRead() {
        SplittableRandom r = new SplittableRandom(SEED);
        for (Kind kind : List.of(Kind.TUPLE, Kind.OBJECT_ARGS, Kind.OBJECT_STATE)) {
            for (Container c : Container.values()) {
                List<byte[]> keys = new ArrayList<>();
                for (int i = 0; i < 50_000; i++) {
                    keys.add(collidingKey(kind, i));
                }
                String what = "seed " + SEED + ": 50,000 " + kind + " keys of one hash code in " + c;
                assertNull(loadOrRefuse(container(c, keys), what), what + " are refused");
                // the same number of keys with distinct hash codes is an ordinary dict or set
                List<byte[]> distinct = new ArrayList<>();
                java.util.HashSet<Long> seen = new java.util.HashSet<>();
                while (distinct.size() < 50_000) {
                    long a = r.nextInt(1 << 30);
                    if (seen.add(a)) {
                        byte[] pair = b(BININT, le32(a), BININT, le32(r.nextInt(1 << 30)), TUPLE2);
                        distinct.add(kind == Kind.TUPLE ? pair : b(global(), pair, TUPLE1, REDUCE));
                    }
                }
                Object v = loadOrRefuse(container(c, distinct), what);
                assertNotNull(v, what.replace("of one hash code", "of distinct values") + " are read");
                assertEquals(50_000, size(v), what);
            }
        }
    }
}
