package org.mmappickle.internal.pickle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.mmappickle.PickleFormatException;
import org.mmappickle.py.PyByteArray;
import org.mmappickle.py.PyComplex;
import org.mmappickle.py.PyFrozenSet;
import org.mmappickle.py.PyNumpyScalar;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyOrderedDict;
import org.mmappickle.py.PyTuple;

/**
 * Reads pickles: a stack machine with one switch over every opcode of protocols 0 to 5, reading
 * straight from a {@link MemorySegment}. Python values become Java values by this table:
 *
 * <table>
 * <caption>Python to Java</caption>
 * <tr><th>Python</th><th>Java</th></tr>
 * <tr><td>None</td><td>{@code null}</td></tr>
 * <tr><td>bool</td><td>{@link Boolean}</td></tr>
 * <tr><td>int</td><td>{@link Integer} if it fits, else {@link Long} if it fits, else {@link BigInteger}</td></tr>
 * <tr><td>float</td><td>{@link Double}</td></tr>
 * <tr><td>complex</td><td>{@link PyComplex}</td></tr>
 * <tr><td>str</td><td>{@link String}; a Python 2 {@code str} (STRING, BINSTRING, SHORT_BINSTRING) is read
 *     as latin-1, like {@code pickle.load(..., encoding='latin1')}</td></tr>
 * <tr><td>bytes</td><td>{@code byte[]} (also the protocol 0-2 forms {@code _codecs.encode(str, 'latin1')}
 *     and {@code bytes()})</td></tr>
 * <tr><td>bytearray</td><td>{@link PyByteArray} (BYTEARRAY8 and {@code bytearray(...)})</td></tr>
 * <tr><td>list</td><td>{@link ArrayList}</td></tr>
 * <tr><td>tuple</td><td>{@link PyTuple}</td></tr>
 * <tr><td>dict</td><td>{@link LinkedHashMap}</td></tr>
 * <tr><td>set</td><td>{@link LinkedHashSet}</td></tr>
 * <tr><td>frozenset</td><td>{@link PyFrozenSet}</td></tr>
 * <tr><td>collections.OrderedDict</td><td>{@link PyOrderedDict}</td></tr>
 * <tr><td>datetime.date</td><td>{@link LocalDate}</td></tr>
 * <tr><td>datetime.datetime</td><td>{@link LocalDateTime} if naive, {@link OffsetDateTime} with a fixed
 *     {@code datetime.timezone}, else {@link PyObject}; the {@code fold} bit is dropped</td></tr>
 * <tr><td>datetime.time</td><td>{@link LocalTime}, or {@link OffsetTime} with a fixed timezone</td></tr>
 * <tr><td>datetime.timedelta</td><td>{@link Duration}</td></tr>
 * <tr><td>datetime.timezone (unnamed, whole seconds, within 18 h)</td><td>{@link ZoneOffset}</td></tr>
 * <tr><td>numpy scalar ({@code numpy.core.multiarray.scalar} or
 *     {@code numpy._core.multiarray.scalar} of a {@code numpy.dtype})</td><td>{@link PyNumpyScalar}</td></tr>
 * <tr><td>anything else: classes, functions, numpy arrays and dtypes, other objects</td><td>{@link PyObject},
 *     holding the global and the REDUCE / NEWOBJ / NEWOBJ_EX / APPENDS / SETITEMS / BUILD steps</td></tr>
 * </table>
 *
 * <p>The Python 2 module names {@code __builtin__} and {@code copy_reg} read as {@code builtins} and
 * {@code copyreg}. {@code INST} and {@code OBJ} (protocol 0 and 1 instances) read as a call
 * ({@code REDUCE}) when they have arguments, as {@code NEWOBJ} when not. A call of a known global in
 * a form the table does not convert (e.g. a datetime with a {@code tzinfo} of another class) stays a
 * {@code PyObject}. Dict keys and set elements must be hashable in Python's sense (no list, dict,
 * set or bytearray, also inside tuples), as Python itself requires. As in any Java collection,
 * {@code byte[]} keys compare by identity, and {@code 1}, {@code 1.0} and {@code True} are distinct
 * keys where Python merges them.
 *
 * <p>Never trusted: every length is checked against the bytes that remain before anything is
 * allocated; values may nest at most {@value #MAX_DEPTH} levels and may not contain themselves;
 * dict keys and set elements at most 100 (so hashing and comparing one stays shallow; the equals,
 * hashCode and toString of a value nested near the limit need about 1 MiB of stack, the JVM's
 * default); memo indices go into a map. The work spent hashing and comparing keys is bounded by
 * the input's size: a key whose parts are shared many times (a DAG that equals would walk
 * exponentially) is refused, and so are many keys of one container with one Java hash code
 * (HashMap would compare each with all the others). The heap the built value uses is estimated as
 * it is built and bounded by a budget ({@link #heapLimit}: a quarter of the maximum heap, and 256
 * bytes per input byte, set by the system properties {@value #HEAP_LIMIT_PROPERTY} and
 * {@value #HEAP_PER_BYTE_PROPERTY}). Every malformed or over-budget input raises
 * {@link PickleFormatException} with the offset of the offending opcode; no
 * other exception escapes for any input bytes. Persistent ids, extension codes and out-of-band
 * buffers are rejected. Globals are never resolved: the table above is closed and no class is loaded
 * by name.
 */
public final class Unpickler {
    /** The deepest nesting of containers a loaded value may have (Python's own recursion limit is similar). */
    public static final int MAX_DEPTH = 1000;

    private static final int HIGHEST_PROTOCOL = 5;
    /** Python's default limit on the digits of an int given as text (sys.int_info.default_max_str_digits). */
    private static final int MAX_INT_DIGITS = 4300;
    /** The largest Java array. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /**
     * The deepest nesting of a dict key or set element: hashing one recurses in Java, and real keys
     * are flat, so this is far below MAX_DEPTH to keep hashing safe on small thread stacks.
     */
    static final int MAX_KEY_DEPTH = 100;
    /** The largest hash cost of one key (nested elements, weighted by size): Python keys are small. */
    private static final long MAX_KEY_COST = 1_000_000;

    /**
     * System property: the most Java heap, in bytes, that reading one value (or one whole pickle)
     * may use; the default is a quarter of the JVM's maximum heap.
     */
    public static final String HEAP_LIMIT_PROPERTY = "org.mmappickle.readHeapLimit";
    /**
     * System property: the most Java heap, in bytes, that reading one value may use per byte of
     * its input (plus 1 MiB); the default is 256 (an empty dict, one byte of pickle, is about 100
     * bytes of Java objects).
     */
    public static final String HEAP_PER_BYTE_PROPERTY = "org.mmappickle.readHeapPerByte";
    /** What a new container costs, with its slot on the stack (estimates for a 64-bit JVM). */
    private static final long CONTAINER_BYTES = 80;
    /** What an entry of a dict or set costs. */
    private static final long ENTRY_BYTES = 48;
    /** What a slot on the stack (or a boxed number) costs. */
    private static final long SLOT_BYTES = 16;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_BE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final Pattern FLOAT_TEXT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final PyTuple EMPTY_TUPLE = PyTuple.of();

    private final MemorySegment seg;
    private final long start;
    private final long end;
    private final Path file;
    private final long fileBase;
    private long pos;
    /** Position of the opcode being executed: every error names it. */
    private long opPos;
    /** The items pushed since the topmost MARK (Python's {@code stack}). */
    private ArrayList<Object> stack = new ArrayList<>();
    /** The stacks saved by MARK (Python's {@code metastack}). */
    private final ArrayDeque<ArrayList<Object>> marks = new ArrayDeque<>();
    private final HashMap<Long, Object> memo = new HashMap<>();
    /** Tuples and frozensets already checked as keys (both are immutable). */
    private final IdentityHashMap<Object, KeyInfo> keyInfos = new IdentityHashMap<>();
    /** The hash codes of the keys put into each dict and set being built. */
    private final IdentityHashMap<Object, HashCounts> hashCounts = new IdentityHashMap<>();
    private final long hashBudget;
    private long hashWork;
    private final long heapLimit;
    /** An estimate of the heap the objects built so far use, for the budget. */
    private long heapUsed;

    private Unpickler(MemorySegment seg, long start, long end, Path file, long fileBase) {
        this.seg = seg;
        this.start = start;
        this.end = end;
        this.file = file;
        this.fileBase = fileBase;
        this.pos = start;
        this.hashBudget = 16 * Math.min(end - start, Long.MAX_VALUE / 32) + 1_000_000;
        this.heapLimit = heapLimit(end - start);
    }

    /**
     * Returns the heap a read of so many input bytes may use: the smaller of {@link
     * #HEAP_LIMIT_PROPERTY} and {@link #HEAP_PER_BYTE_PROPERTY} times the input plus 1 MiB.
     *
     * @param inputBytes the length of the input
     * @return the limit in bytes
     */
    public static long heapLimit(long inputBytes) {
        long total = Long.getLong(HEAP_LIMIT_PROPERTY, Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 4));
        long perByte = Long.getLong(HEAP_PER_BYTE_PROPERTY, 256);
        long scaled = perByte <= 0 || inputBytes > Long.MAX_VALUE / 2 / perByte ? Long.MAX_VALUE / 2
                : perByte * inputBytes + (1L << 20);
        return Math.min(total, scaled);
    }

    /** Counts heap the value being built will hold; past the budget, the input is refused. */
    private void charge(long bytes) {
        heapUsed += bytes;
        if (heapUsed > heapLimit) {
            throw fail("a value that needs at most " + heapLimit + " bytes of Java heap (system properties "
                    + HEAP_LIMIT_PROPERTY + " and " + HEAP_PER_BYTE_PROPERTY + " set the budget)", "a value that needs more");
        }
    }

    /**
     * Loads a whole pickle (an optional PROTO, the opcodes, STOP) from {@code seg[0, seg.byteSize())}.
     * STOP must be the last byte and leave exactly one value.
     *
     * @param seg the bytes
     * @param file the file named in exceptions, or null
     * @return the value, mapped as the class description says
     * @throws PickleFormatException for any malformed input, with the offset in {@code seg}
     */
    public static Object loadPickle(MemorySegment seg, Path file) {
        return new Unpickler(seg, 0, seg.byteSize(), file, 0).load(true);
    }

    /**
     * Loads a bare value stream (docs/format.md "Generic values": opcodes that push exactly one object)
     * from {@code seg[start, end)}. Offsets in exceptions are {@code fileBase} plus the position in
     * {@code seg}. Memo GETs may refer only to PUTs inside the same stream (an unknown memo index is
     * a format error). The stream is an entry's value inside a whole file that Python's
     * {@code pickle.load} reads from its start, so opcodes that would mean something else there are
     * refused: STOP (Python would stop reading the file there, returning whatever is on top of its
     * stack), FRAME (the layout frames each entry once) and MEMOIZE (its
     * index is the size of the whole file's memo, which differs from the value's own).
     *
     * @param seg the bytes
     * @param start the position of the first opcode
     * @param end the position after the last byte
     * @param file the file named in exceptions, or null
     * @param fileBase the file offset of {@code seg}'s first byte
     * @return the value, mapped as the class description says
     * @throws PickleFormatException for any malformed input
     * @throws IndexOutOfBoundsException if {@code [start, end)} is not inside {@code seg}
     */
    public static Object loadValue(MemorySegment seg, long start, long end, Path file, long fileBase) {
        Objects.checkFromToIndex(start, end, seg.byteSize());
        return new Unpickler(seg, start, end, file, fileBase).load(false);
    }

    private Object load(boolean whole) {
        try {
            boolean stopped = false;
            while (pos < end) {
                opPos = pos;
                int op = u8();
                if (op == Opcodes.STOP) {
                    if (!whole) {
                        throw fail("no STOP inside an entry's value (Python's pickle.load would stop reading the file there)",
                                "STOP");
                    }
                    stopped = true;
                    break;
                }
                if (!whole && (op == Opcodes.FRAME || op == Opcodes.MEMOIZE)) {
                    throw fail(op == Opcodes.FRAME ? "no FRAME inside an entry's value (the layout frames each entry once, around its key and value)"
                            : "BINPUT or LONG_BINPUT in an entry's value, not MEMOIZE (whose index Python takes from the whole file's memo)",
                            Opcodes.name(op));
                }
                dispatch(op);
            }
            if (stopped && pos != end) {
                throw fail("the end of the data after STOP", (end - pos) + " more bytes");
            }
            if (!stopped) {
                opPos = end;
                if (whole) {
                    throw fail("STOP", "the end of the data");
                }
            }
            if (!marks.isEmpty()) {
                throw fail("a single value", "a MARK that is never closed");
            }
            if (stack.size() != 1) {
                throw fail("exactly one value on the stack", stack.size() + " values");
            }
            Object value = stack.get(0);
            checkNesting(value);
            return value;
        } catch (RuntimeException e) {
            if (!isMalformedInput(e)) {
                throw e;
            }
            throw new PickleFormatException(file, fileBase + opPos, "a well-formed " + Opcodes.name(opAt()) + " opcode",
                    e.toString(), e);
        }
    }

    /**
     * Whether an exception from the steps of {@link #load} can only mean bad bytes that a check
     * missed: a bound, an overflow, a cast or an argument check (NumberFormatException and
     * DateTimeException included). Anything else is a bug (NullPointerException, an
     * IllegalStateException of this class) or not a property of the bytes (the segment closed or
     * confined to another thread) and must not be reported as a format error.
     */
    static boolean isMalformedInput(RuntimeException e) {
        return !(e instanceof PickleFormatException)
                && (e instanceof IndexOutOfBoundsException || e instanceof ArithmeticException
                        || e instanceof ClassCastException || e instanceof IllegalArgumentException
                        || e instanceof java.time.DateTimeException);
    }

    private int opAt() {
        return opPos < end ? Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, opPos)) : Opcodes.STOP;
    }

    private void dispatch(int op) {
        switch (op) {
            case Opcodes.MARK -> {
                charge(CONTAINER_BYTES);
                marks.push(stack);
                stack = new ArrayList<>();
            }
            case Opcodes.POP -> {
                if (!stack.isEmpty()) {
                    stack.remove(stack.size() - 1);
                } else {
                    popMark(); // as Python does: POP with nothing above the mark discards the mark
                }
            }
            case Opcodes.POP_MARK -> popMark();
            case Opcodes.DUP -> push(peek());
            case Opcodes.FLOAT -> push(parseFloat(readLineAscii()));
            case Opcodes.INT -> {
                String s = readLineAscii();
                push(s.equals("00") ? Boolean.FALSE : s.equals("01") ? Boolean.TRUE : parseInt(s, false));
            }
            case Opcodes.BININT -> push(seg.get(I32, take(4)));
            case Opcodes.BININT1 -> push(u8());
            case Opcodes.BININT2 -> push(Short.toUnsignedInt(seg.get(U16, take(2))));
            case Opcodes.LONG -> push(parseInt(readLineAscii(), true));
            case Opcodes.LONG1 -> push(readLong(u8()));
            case Opcodes.LONG4 -> push(readLong(signedLength()));
            case Opcodes.NONE -> push(null);
            case Opcodes.NEWTRUE -> push(Boolean.TRUE);
            case Opcodes.NEWFALSE -> push(Boolean.FALSE);
            case Opcodes.BINFLOAT -> push(seg.get(F64_BE, take(8)));
            case Opcodes.STRING -> push(latin1(escapeDecode(readLine())));
            case Opcodes.BINSTRING -> push(latin1(readBytes(signedLength())));
            case Opcodes.SHORT_BINSTRING -> push(latin1(readBytes(u8())));
            case Opcodes.UNICODE -> push(rawUnicodeEscape(readLine()));
            case Opcodes.BINUNICODE -> push(utf8(readBytes(u32())));
            case Opcodes.SHORT_BINUNICODE -> push(utf8(readBytes(u8())));
            case Opcodes.BINUNICODE8 -> push(utf8(readBytes(u64())));
            case Opcodes.BINBYTES -> push(readBytes(u32()));
            case Opcodes.SHORT_BINBYTES -> push(readBytes(u8()));
            case Opcodes.BINBYTES8 -> push(readBytes(u64()));
            case Opcodes.BYTEARRAY8 -> push(new PyByteArray(readBytes(u64())));
            case Opcodes.NEXT_BUFFER, Opcodes.READONLY_BUFFER ->
                    throw fail("no out-of-band buffer (a file cannot carry them)", Opcodes.name(op));
            case Opcodes.PERSID, Opcodes.BINPERSID ->
                    throw fail("no persistent id (persistent_load is not supported)", Opcodes.name(op));
            case Opcodes.EXT1 -> throw extension(u8());
            case Opcodes.EXT2 -> throw extension(Short.toUnsignedInt(seg.get(U16, take(2))));
            case Opcodes.EXT4 -> throw extension(seg.get(I32, take(4)));
            case Opcodes.EMPTY_LIST -> {
                charge(CONTAINER_BYTES);
                push(new ArrayList<>());
            }
            case Opcodes.APPEND -> {
                Object item = pop();
                append(peek(), Collections.singletonList(item));
            }
            case Opcodes.APPENDS -> {
                List<Object> items = popMark();
                append(peek(), items);
            }
            case Opcodes.LIST -> push(popMark());
            case Opcodes.EMPTY_TUPLE -> push(EMPTY_TUPLE);
            case Opcodes.TUPLE -> {
                List<Object> items = popMark();
                charge(CONTAINER_BYTES + 8L * items.size());
                push(new PyTuple(items));
            }
            case Opcodes.TUPLE1 -> push(popTuple(1));
            case Opcodes.TUPLE2 -> push(popTuple(2));
            case Opcodes.TUPLE3 -> push(popTuple(3));
            case Opcodes.EMPTY_DICT -> {
                charge(CONTAINER_BYTES);
                push(new LinkedHashMap<>());
            }
            case Opcodes.DICT -> {
                charge(CONTAINER_BYTES);
                List<Object> items = popMark();
                Map<Object, Object> d = new LinkedHashMap<>();
                setItems(d, items);
                push(d);
            }
            case Opcodes.SETITEM -> {
                Object value = pop();
                Object key = pop();
                setItems(peek(), pair(key, value));
            }
            case Opcodes.SETITEMS -> {
                List<Object> items = popMark();
                setItems(peek(), items);
            }
            case Opcodes.EMPTY_SET -> {
                charge(CONTAINER_BYTES);
                push(new LinkedHashSet<>());
            }
            case Opcodes.ADDITEMS -> {
                List<Object> items = popMark();
                if (!(peek() instanceof Set<?> s)) {
                    throw fail("a set below the MARK", typeName(peek()));
                }
                @SuppressWarnings("unchecked")
                Set<Object> set = (Set<Object>) s;
                for (Object o : items) {
                    requireHashable(set, o);
                    set.add(o);
                    charge(ENTRY_BYTES);
                }
            }
            case Opcodes.FROZENSET -> {
                List<Object> items = popMark();
                items.forEach(o -> requireHashable(items, o));
                charge(CONTAINER_BYTES + ENTRY_BYTES * (long) items.size());
                push(new PyFrozenSet(items));
            }
            case Opcodes.GET -> push(memoGet(parseIndex(readLineAscii())));
            case Opcodes.BINGET -> push(memoGet(u8()));
            case Opcodes.LONG_BINGET -> push(memoGet(u32()));
            case Opcodes.PUT -> memoPut(parseIndex(readLineAscii()));
            case Opcodes.BINPUT -> memoPut(u8());
            case Opcodes.LONG_BINPUT -> memoPut(u32());
            case Opcodes.MEMOIZE -> memoPut(memo.size());
            case Opcodes.GLOBAL -> {
                String module = utf8(readLine());
                String name = utf8(readLine());
                charge(CONTAINER_BYTES);
                push(global(module, name));
            }
            case Opcodes.STACK_GLOBAL -> {
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw fail("two str (module and name) for STACK_GLOBAL", typeName(module) + " and " + typeName(name));
                }
                charge(CONTAINER_BYTES);
                push(global(m, n));
            }
            case Opcodes.INST -> {
                PyObject cls = global(utf8(readLine()), utf8(readLine()));
                push(instantiate(cls, popMark()));
            }
            case Opcodes.OBJ -> {
                List<Object> items = popMark();
                if (items.isEmpty() || !(items.get(0) instanceof PyObject cls)) {
                    throw fail("a class after the MARK of OBJ", items.isEmpty() ? "nothing" : typeName(items.get(0)));
                }
                push(instantiate(cls, items.subList(1, items.size())));
            }
            case Opcodes.REDUCE -> {
                PyTuple args = popArgs();
                push(call(pop(), args));
            }
            case Opcodes.NEWOBJ -> {
                PyTuple args = popArgs();
                charge(2 * CONTAINER_BYTES);
                push(PyObject.newObj(popClass(), args));
            }
            case Opcodes.NEWOBJ_EX -> {
                Object kwargs = pop();
                if (!(kwargs instanceof Map<?, ?> kw)) {
                    throw fail("a dict of keyword arguments", typeName(kwargs));
                }
                PyTuple args = popArgs();
                charge(2 * CONTAINER_BYTES + ENTRY_BYTES * (long) kw.size());
                push(PyObject.newObjEx(popClass(), args, kw));
            }
            case Opcodes.BUILD -> {
                Object state = pop();
                if (!(peek() instanceof PyObject p) || p.kind() == PyObject.Kind.GLOBAL) {
                    throw fail("an object built by REDUCE or NEWOBJ below the BUILD state", typeName(peek()));
                }
                if (p.hasState()) {
                    throw fail("one BUILD per object", "a second BUILD");
                }
                p.setState(state);
            }
            case Opcodes.PROTO -> {
                int v = u8();
                if (v > HIGHEST_PROTOCOL) {
                    throw fail("a protocol from 0 to " + HIGHEST_PROTOCOL, "protocol " + v);
                }
            }
            case Opcodes.FRAME -> {
                long n = u64();
                if (n > end - pos) {
                    throw fail("a FRAME of at most the " + (end - pos) + " bytes left", "a FRAME of " + Long.toUnsignedString(n) + " bytes");
                }
            }
            default -> throw fail("a pickle opcode", String.format(Locale.ROOT, "byte 0x%02x", op));
        }
    }

    // ---- stack --------------------------------------------------------------------------------

    private void push(Object o) {
        charge(SLOT_BYTES);
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty()) {
            throw underflow();
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.isEmpty()) {
            throw underflow();
        }
        return stack.get(stack.size() - 1);
    }

    private PickleFormatException underflow() {
        return fail("a value on the stack", marks.isEmpty() ? "an empty stack" : "a MARK");
    }

    /** Returns the items pushed since the topmost MARK and removes them with the mark. */
    private ArrayList<Object> popMark() {
        if (marks.isEmpty()) {
            throw fail("a MARK on the stack", "none");
        }
        ArrayList<Object> items = stack;
        stack = marks.pop();
        return items;
    }

    private PyTuple popTuple(int n) {
        if (stack.size() < n) {
            throw underflow();
        }
        List<Object> top = stack.subList(stack.size() - n, stack.size());
        charge(CONTAINER_BYTES + 8L * n);
        PyTuple t = new PyTuple(top);
        top.clear();
        return t;
    }

    private PyTuple popArgs() {
        Object args = pop();
        if (!(args instanceof PyTuple t)) {
            throw fail("an argument tuple", typeName(args));
        }
        return t;
    }

    private PyObject popClass() {
        Object cls = pop();
        if (!(cls instanceof PyObject p)) {
            throw fail("a class", typeName(cls));
        }
        return p;
    }

    private static List<Object> pair(Object key, Object value) {
        List<Object> l = new ArrayList<>(2);
        l.add(key);
        l.add(value);
        return l;
    }

    // ---- building -----------------------------------------------------------------------------

    private void append(Object target, List<Object> items) {
        charge(8L * items.size());
        switch (target) {
            case List<?> l -> {
                @SuppressWarnings("unchecked")
                List<Object> list = (List<Object>) l;
                list.addAll(items);
            }
            case PyObject p when p.kind() != PyObject.Kind.GLOBAL -> p.appendItems(items);
            case null, default -> throw fail("a list below the appended items", typeName(target));
        }
    }

    private void setItems(Object target, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw fail("key-value pairs", "an odd number of items (" + items.size() + ")");
        }
        switch (target) {
            case Map<?, ?> m -> {
                @SuppressWarnings("unchecked")
                Map<Object, Object> map = (Map<Object, Object>) m;
                for (int i = 0; i < items.size(); i += 2) {
                    requireHashable(map, items.get(i));
                    map.put(items.get(i), items.get(i + 1));
                    charge(ENTRY_BYTES);
                }
            }
            case PyObject p when p.kind() != PyObject.Kind.GLOBAL -> {
                for (int i = 0; i < items.size(); i += 2) {
                    p.setItem(items.get(i), items.get(i + 1));
                }
            }
            case null, default -> throw fail("a dict below the items", typeName(target));
        }
    }

    private static PyObject global(String module, String name) {
        // Python 3 reads protocol 0-2 pickles of Python 2 with these names (pickle's fix_imports)
        String m = switch (module) {
            case "__builtin__" -> "builtins";
            case "copy_reg" -> "copyreg";
            default -> module;
        };
        return PyObject.global(m, name);
    }

    private Object call(Object callable, PyTuple args) {
        charge(2 * CONTAINER_BYTES);
        if (!(callable instanceof PyObject p)) {
            throw fail("a callable below the argument tuple", typeName(callable));
        }
        if (p.kind() == PyObject.Kind.GLOBAL) {
            Object converted = KnownGlobals.reduce(p.module(), p.name(), args, this::requireHashable);
            if (converted != null) {
                return converted;
            }
        }
        return PyObject.reduce(p, args);
    }

    /** INST and OBJ: {@code cls(*args)} when there are arguments, else {@code cls.__new__(cls)} (pickle's _instantiate). */
    private Object instantiate(PyObject cls, List<Object> args) {
        if (!args.isEmpty()) {
            return call(cls, new PyTuple(args));
        }
        Object converted = cls.kind() == PyObject.Kind.GLOBAL
                ? KnownGlobals.reduce(cls.module(), cls.name(), EMPTY_TUPLE, this::requireHashable) : null;
        return converted != null ? converted : PyObject.newObj(cls, EMPTY_TUPLE);
    }

    private Object memoGet(long index) {
        Object v = memo.get(index);
        if (v == null && !memo.containsKey(index)) {
            throw fail("a memo index stored by an earlier PUT", "index " + index);
        }
        return v;
    }

    private void memoPut(long index) {
        charge(ENTRY_BYTES + SLOT_BYTES);
        memo.put(index, peek());
    }

    // ---- keys ---------------------------------------------------------------------------------

    /**
     * Checks that a value can be a dict key or set element as in Python, before it is put into
     * {@code container} (a dict or set being built, or any object standing for one), and bounds the
     * work Java's hashCode and equals will do on it: deep or huge keys would otherwise overflow the
     * stack or take exponential time (a tuple or object that holds the same one twice, nested), and
     * keys with one Java hash code make HashMap compare each new key with all the others.
     */
    private void requireHashable(Object container, Object key) {
        KeyInfo k = keyInfo(key, 0, false);
        HashCounts counts = hashCounts.get(container);
        if (counts == null) {
            counts = new HashCounts();
            hashCounts.put(container, counts);
            charge(HashCounts.BYTES);
        }
        // hashing the key, then an equals with every key of the container that has its hash code
        int before = counts.increment(Objects.hashCode(key));
        charge(HashCounts.BYTES_PER_KEY);
        hashWork += k.cost() * (1 + (long) before);
        if (hashWork > hashBudget) {
            throw fail("at most " + hashBudget + " units of work hashing and comparing keys for this input"
                    + " (deep, shared or many keys with one hash code)", "more");
        }
    }

    /** What hashing or comparing a key costs (nested elements, weighted by size) and how deep it recurses. */
    private record KeyInfo(long cost, int height) {
    }

    private static final KeyInfo FLAT_KEY = new KeyInfo(1, 0);

    /**
     * Returns the key's info, checking that {@code depth} (its nesting inside the key being checked)
     * plus its height stays bounded. Inside an object ({@code inObject}) lists, dicts and sets may
     * appear (its arguments and state): they are compared by the object's equals too.
     */
    private KeyInfo keyInfo(Object key, int depth, boolean inObject) {
        KeyInfo k = switch (key) {
            case PyTuple t -> nestedKeyInfo(t, t.items(), depth, inObject, true);
            case PyFrozenSet f -> nestedKeyInfo(f, f.items(), depth, inObject, true);
            case PyObject p when p.kind() != PyObject.Kind.GLOBAL -> nestedKeyInfo(p, iterable(children(p)), depth, true, false);
            case String str -> new KeyInfo(1 + str.length() / 64, 0);
            case BigInteger b -> new KeyInfo(1 + b.bitLength() / 64, 0);
            case PyNumpyScalar n -> new KeyInfo(1 + PyNumpyScalar.itemSize(n.dtype()) / 64, 0);
            case PyByteArray b when inObject -> new KeyInfo(1 + b.length() / 64, 0);
            case List<?> l when inObject -> nestedKeyInfo(l, l, depth, true, false);
            case Set<?> set when inObject -> nestedKeyInfo(set, set, depth, true, false);
            case Map<?, ?> m when inObject -> nestedKeyInfo(m, iterable(children(m)), depth, true, false);
            case List<?> l -> throw unhashable("list");
            case Map<?, ?> m -> throw unhashable("dict");
            case Set<?> set -> throw unhashable("set");
            case PyByteArray b -> throw unhashable("bytearray");
            case null, default -> FLAT_KEY; // numbers, bytes (identity hash), globals, dates...
        };
        if (depth + k.height() > MAX_KEY_DEPTH) {
            throw fail("a key nested at most " + MAX_KEY_DEPTH + " levels deep", "a deeper key");
        }
        return k;
    }

    private static Iterable<Object> iterable(Iterator<Object> it) {
        return () -> it;
    }

    /**
     * Containers in a key: the recursion descends at most MAX_KEY_DEPTH and stops once the cost
     * passes MAX_KEY_COST, so a shared DAG is refused after a bounded walk. Tuples and frozensets
     * are immutable, so their info is computed once and kept; objects, lists and dicts may still
     * change while the pickle is read, so they are walked each time (within the same bounds).
     */
    private KeyInfo nestedKeyInfo(Object container, Iterable<?> items, int depth, boolean inObject, boolean immutable) {
        KeyInfo known = immutable ? keyInfos.get(container) : null;
        if (known != null) {
            return known;
        }
        if (depth >= MAX_KEY_DEPTH) {
            throw fail("a key nested at most " + MAX_KEY_DEPTH + " levels deep", "a deeper key");
        }
        long cost = 1;
        int height = 0;
        for (Object o : items) {
            KeyInfo k = keyInfo(o, depth + 1, inObject);
            cost += k.cost();
            height = Math.max(height, k.height());
            if (cost > MAX_KEY_COST) {
                throw fail("a key of hash cost at most " + MAX_KEY_COST, "a larger " + typeName(container)
                        + " (deep, or sharing parts many times)");
            }
        }
        KeyInfo k = new KeyInfo(cost, height + 1);
        if (immutable) {
            // a frozenset caches its own hash code: hashing it again costs nothing
            keyInfos.put(container, container instanceof PyFrozenSet ? new KeyInfo(1, k.height()) : k);
            charge(48);
        }
        return k;
    }

    /**
     * How many keys of each Java hash code one dict or set being built holds (open addressing over
     * two int arrays): a HashMap compares a new key with every key of its hash code.
     */
    private static final class HashCounts {
        static final long BYTES = 96;
        /** The slots per key at the highest load, in bytes. */
        static final long BYTES_PER_KEY = 16;
        private int[] hashes = new int[8];
        private int[] counts = new int[8];
        private int size;

        /** Counts one more key of hash code h; returns how many there were before. */
        int increment(int h) {
            if (2 * (size + 1) > hashes.length) {
                grow();
            }
            int mask = hashes.length - 1;
            int i = spread(h) & mask;
            while (counts[i] != 0 && hashes[i] != h) {
                i = (i + 1) & mask;
            }
            if (counts[i] == 0) {
                hashes[i] = h;
                size++;
            }
            return counts[i]++;
        }

        private static int spread(int h) {
            return h * 0x9E3779B9 ^ (h >>> 16);
        }

        private void grow() {
            int[] oldHashes = hashes;
            int[] oldCounts = counts;
            hashes = new int[oldHashes.length * 2];
            counts = new int[oldHashes.length * 2];
            int mask = hashes.length - 1;
            for (int j = 0; j < oldHashes.length; j++) {
                if (oldCounts[j] != 0) {
                    int i = spread(oldHashes[j]) & mask;
                    while (counts[i] != 0) {
                        i = (i + 1) & mask;
                    }
                    hashes[i] = oldHashes[j];
                    counts[i] = oldCounts[j];
                }
            }
        }
    }

    private PickleFormatException unhashable(String type) {
        return fail("a hashable dict key or set element", "unhashable type: '" + type + "'");
    }

    // ---- nesting ------------------------------------------------------------------------------

    /**
     * Checks, without recursion, that the loaded value nests at most MAX_DEPTH containers deep and
     * contains no cycle, so that equals, hashCode and toString of the result cannot overflow the
     * stack. Shared sub-values are measured once.
     */
    private void checkNesting(Object root) {
        if (children(root) == null) {
            return;
        }
        IdentityHashMap<Object, Integer> height = new IdentityHashMap<>();
        IdentityHashMap<Object, Boolean> onPath = new IdentityHashMap<>();
        ArrayDeque<Frame> path = new ArrayDeque<>();
        path.push(new Frame(root, children(root)));
        onPath.put(root, Boolean.TRUE);
        while (!path.isEmpty()) {
            Frame f = path.peek();
            if (f.children.hasNext()) {
                Object c = f.children.next();
                Iterator<Object> grandChildren = children(c);
                if (grandChildren == null) {
                    continue;
                }
                Integer h = height.get(c);
                if (h != null) {
                    f.maxChild = Math.max(f.maxChild, h);
                } else if (onPath.containsKey(c)) {
                    throw fail("a value that does not contain itself", "a " + typeName(c) + " inside itself");
                } else if (path.size() >= MAX_DEPTH) {
                    throw fail("values nested at most " + MAX_DEPTH + " levels deep", "deeper nesting");
                } else {
                    onPath.put(c, Boolean.TRUE);
                    path.push(new Frame(c, grandChildren));
                }
            } else {
                path.pop();
                onPath.remove(f.value);
                int h = f.maxChild + 1;
                if (path.size() + h > MAX_DEPTH) {
                    throw fail("values nested at most " + MAX_DEPTH + " levels deep", "deeper nesting");
                }
                height.put(f.value, h);
                if (!path.isEmpty()) {
                    path.peek().maxChild = Math.max(path.peek().maxChild, h);
                }
            }
        }
    }

    private static final class Frame {
        final Object value;
        final Iterator<Object> children;
        int maxChild;

        Frame(Object value, Iterator<Object> children) {
            this.value = value;
            this.children = children;
        }
    }

    /** Returns the values directly inside a container, or null for a value that holds no others. */
    @SuppressWarnings("unchecked")
    private static Iterator<Object> children(Object o) {
        return switch (o) {
            case List<?> l -> (Iterator<Object>) l.iterator();
            case Set<?> s -> (Iterator<Object>) s.iterator();
            case PyTuple t -> t.items().iterator();
            case PyFrozenSet f -> f.iterator();
            case Map<?, ?> m -> entries((Iterator<Map.Entry<Object, Object>>) (Iterator<?>) m.entrySet().iterator());
            case PyObject p when p.kind() != PyObject.Kind.GLOBAL -> {
                List<Iterator<Object>> parts = List.of(
                        pair(p.callable(), p.args()).iterator(),
                        entries(p.kwargs().entrySet().iterator()),
                        p.listItems().iterator(),
                        entries(p.dictItems().iterator()),
                        Collections.singletonList(p.state()).iterator());
                yield concat(parts.iterator());
            }
            case null, default -> null;
        };
    }

    /** Iterates over key, value, key, value... */
    private static Iterator<Object> entries(Iterator<Map.Entry<Object, Object>> it) {
        return new Iterator<>() {
            private Map.Entry<Object, Object> pending;

            @Override
            public boolean hasNext() {
                return pending != null || it.hasNext();
            }

            @Override
            public Object next() {
                if (pending != null) {
                    Object v = pending.getValue();
                    pending = null;
                    return v;
                }
                pending = it.next();
                return pending.getKey();
            }
        };
    }

    private static Iterator<Object> concat(Iterator<Iterator<Object>> parts) {
        return new Iterator<>() {
            private Iterator<Object> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && parts.hasNext()) {
                    current = parts.next();
                }
                return current.hasNext();
            }

            @Override
            public Object next() {
                hasNext();
                return current.next();
            }
        };
    }

    // ---- reading ------------------------------------------------------------------------------

    /** Checks that n bytes remain and returns the position of the first, moving past them. */
    private long take(long n) {
        if (n < 0 || n > end - pos) {
            throw fail(Long.toUnsignedString(n) + " bytes of data", "only " + (end - pos) + " bytes before the end");
        }
        long p = pos;
        pos += n;
        return p;
    }

    private int u8() {
        return Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, take(1)));
    }

    private long u32() {
        return Integer.toUnsignedLong(seg.get(I32, take(4)));
    }

    /** An eight-byte unsigned length; one of 2^63 or more cannot fit in what remains, so it is reported as such. */
    private long u64() {
        long n = seg.get(I64, take(8));
        if (n < 0) {
            throw fail("a length within the data", Long.toUnsignedString(n) + " bytes");
        }
        return n;
    }

    private int signedLength() {
        int n = seg.get(I32, take(4));
        if (n < 0) {
            throw fail("a non-negative length", Integer.toString(n));
        }
        return n;
    }

    private byte[] readBytes(long n) {
        if (n > MAX_ARRAY && n <= end - pos) {
            throw fail("at most " + MAX_ARRAY + " bytes in one value (a Java array)", n + " bytes");
        }
        long p = take(n);
        charge(16 + n);
        byte[] b = new byte[(int) n];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, p, b, 0, (int) n);
        return b;
    }

    /** Reads through the next newline and returns the bytes before it. */
    private byte[] readLine() {
        long p = pos;
        while (p < end && seg.get(ValueLayout.JAVA_BYTE, p) != '\n') {
            p++;
        }
        if (p == end) {
            throw fail("a line ending with a newline", "the end of the data");
        }
        byte[] line = readBytes(p - pos);
        pos++;
        return line;
    }

    private String readLineAscii() {
        byte[] line = readLine();
        for (byte b : line) {
            if (b < 0) {
                throw fail("ASCII text", "a byte above 0x7f");
            }
        }
        return new String(line, StandardCharsets.US_ASCII);
    }

    private Object readLong(long n) {
        byte[] le = readBytes(n);
        if (n == 0) {
            return 0;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        return normalize(new BigInteger(be));
    }

    /** Python int to Java: Integer if it fits, else Long if it fits, else BigInteger. */
    static Object normalize(BigInteger v) {
        if (v.bitLength() < 32) {
            return v.intValue();
        }
        if (v.bitLength() < 64) {
            return v.longValue();
        }
        return v;
    }

    /** Decimal text of INT and LONG (LONG may end in 'L'): sign, digits, no leading zeros, Python's digit limit. */
    private Object parseInt(String text, boolean allowL) {
        String s = text.strip();
        if (allowL && s.endsWith("L")) {
            s = s.substring(0, s.length() - 1);
        }
        int digits = s.startsWith("-") || s.startsWith("+") ? 1 : 0;
        boolean ok = s.length() > digits && s.length() - digits <= MAX_INT_DIGITS
                && (s.charAt(digits) != '0' || s.length() == digits + 1);
        for (int i = digits; ok && i < s.length(); i++) {
            ok = s.charAt(i) >= '0' && s.charAt(i) <= '9';
        }
        if (!ok) {
            throw fail("a decimal integer of at most " + MAX_INT_DIGITS + " digits", quote(text));
        }
        return normalize(new BigInteger(s));
    }

    private long parseIndex(String text) {
        Object v = parseInt(text, false);
        if (!(v instanceof Integer) && !(v instanceof Long) || ((Number) v).longValue() < 0) {
            throw fail("a memo index from 0 to 2^63-1", quote(text));
        }
        return ((Number) v).longValue();
    }

    private double parseFloat(String text) {
        String s = text.strip();
        String word = s.toLowerCase(Locale.ROOT);
        boolean negative = word.startsWith("-");
        if (word.startsWith("-") || word.startsWith("+")) {
            word = word.substring(1);
        }
        if (word.equals("inf") || word.equals("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (word.equals("nan")) {
            return Double.NaN;
        }
        if (!FLOAT_TEXT.matcher(s).matches()) {
            throw fail("a decimal float", quote(text));
        }
        return Double.parseDouble(s);
    }

    private static String quote(String s) {
        return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    }

    private String utf8(byte[] b) {
        charge(24 + 2L * b.length);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new PickleFormatException(file, fileBase + opPos, "UTF-8 text", "invalid UTF-8", e);
        }
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The argument of STRING: a quoted literal with Python's escapes (codecs.escape_decode). */
    private byte[] escapeDecode(byte[] line) {
        int n = line.length;
        if (n < 2 || line[0] != line[n - 1] || line[0] != '\'' && line[0] != '"') {
            throw fail("a quoted STRING argument", "unquoted text");
        }
        byte[] out = new byte[n - 2];
        int o = 0;
        for (int i = 1; i < n - 1; i++) {
            byte c = line[i];
            if (c != '\\') {
                out[o++] = c;
                continue;
            }
            if (++i == n - 1) {
                throw fail("an escape after a backslash", "a trailing backslash");
            }
            c = line[i];
            switch (c) {
                case '\n' -> { }
                case '\\', '\'', '"' -> out[o++] = c;
                case 'a' -> out[o++] = 7;
                case 'b' -> out[o++] = '\b';
                case 'f' -> out[o++] = '\f';
                case 't' -> out[o++] = '\t';
                case 'n' -> out[o++] = '\n';
                case 'r' -> out[o++] = '\r';
                case 'v' -> out[o++] = 0x0B;
                case 'x' -> {
                    int hi = i + 1 < n - 1 ? Character.digit(line[i + 1], 16) : -1;
                    int lo = i + 2 < n - 1 ? Character.digit(line[i + 2], 16) : -1;
                    if (hi < 0 || lo < 0) {
                        throw fail("two hex digits after \\x", "an invalid \\x escape");
                    }
                    out[o++] = (byte) (hi << 4 | lo);
                    i += 2;
                }
                default -> {
                    if (c >= '0' && c <= '7') {
                        int v = c - '0';
                        for (int k = 0; k < 2 && i + 1 < n - 1 && line[i + 1] >= '0' && line[i + 1] <= '7'; k++) {
                            v = v * 8 + line[++i] - '0';
                        }
                        out[o++] = (byte) v;
                    } else {
                        out[o++] = '\\'; // Python keeps unknown escapes as they are
                        out[o++] = c;
                    }
                }
            }
        }
        return java.util.Arrays.copyOf(out, o);
    }

    /** The argument of UNICODE: latin-1 text where backslash-u and backslash-U escapes give code points. */
    private String rawUnicodeEscape(byte[] b) {
        StringBuilder s = new StringBuilder(b.length);
        for (int i = 0; i < b.length; i++) {
            int c = b[i] & 0xFF;
            if (c != '\\' || i + 1 == b.length || b[i + 1] != 'u' && b[i + 1] != 'U') {
                s.append((char) c);
                if (c == '\\' && i + 1 < b.length) {
                    s.append((char) (b[++i] & 0xFF)); // a backslash escapes the next one from being an escape
                }
                continue;
            }
            int count = b[i + 1] == 'u' ? 4 : 8;
            if (i + 2 + count > b.length) {
                throw fail("a complete \\u or \\U escape", "a truncated escape");
            }
            int cp = 0;
            for (int k = 0; k < count; k++) {
                int d = Character.digit(b[i + 2 + k], 16);
                if (d < 0) {
                    throw fail("hex digits in a \\u or \\U escape", "an invalid escape");
                }
                cp = cp << 4 | d;
            }
            if (cp < 0 || cp > Character.MAX_CODE_POINT) {
                throw fail("a code point up to U+10FFFF", "an escape out of range");
            }
            s.appendCodePoint(cp);
            i += 1 + count;
        }
        return s.toString();
    }

    // ---- errors -------------------------------------------------------------------------------

    private PickleFormatException fail(String expected, String found) {
        return new PickleFormatException(file, fileBase + opPos, expected, found);
    }

    private PickleFormatException extension(long code) {
        return fail("no extension code (copyreg.add_extension registries are not supported; pickle without them)",
                Opcodes.name(opAt()) + " code " + code);
    }

    /** Python's name of a value's type, for messages (never the value itself, which may be huge). */
    static String typeName(Object o) {
        return switch (o) {
            case null -> "None";
            case Boolean b -> "bool";
            case Integer i -> "int";
            case Long l -> "int";
            case BigInteger b -> "int";
            case Double d -> "float";
            case String s -> "str";
            case byte[] b -> "bytes";
            case PyByteArray b -> "bytearray";
            case List<?> l -> "list";
            case PyTuple t -> "tuple";
            case PyOrderedDict d -> "OrderedDict";
            case Map<?, ?> m -> "dict";
            case Set<?> s -> "set";
            case PyFrozenSet f -> "frozenset";
            case PyComplex c -> "complex";
            case PyNumpyScalar n -> "numpy scalar " + n.dtype();
            case PyObject p -> p.kind() == PyObject.Kind.GLOBAL ? "global " + p.module() + "." + p.name()
                    : "object of " + p.module() + "." + p.name();
            default -> o.getClass().getSimpleName();
        };
    }
}
