package org.mmappickle.cli.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.mmappickle.DType;
import org.mmappickle.MaskedArray;
import org.mmappickle.NDArray;
import org.mmappickle.py.PyByteArray;
import org.mmappickle.py.PyComplex;
import org.mmappickle.py.PyFrozenSet;
import org.mmappickle.py.PyNumpyScalar;
import org.mmappickle.py.PyTuple;

/**
 * Tagged JSON, as docs/tagged-json.md defines it: Python values as JSON, with one-key
 * objects ({@code {"$tuple": [...]}}, {@code {"$ndarray": {...}}}, ...) for what JSON lacks.
 *
 * <table>
 * <caption>Java values and their tagged JSON</caption>
 * <tr><th>Java (Python)</th><th>JSON</th></tr>
 * <tr><td>{@code null}, {@link Boolean}, {@link String}</td><td>null, true/false, string</td></tr>
 * <tr><td>{@link Integer}, {@link Long}, {@link BigInteger} (also {@link Short}, {@link Byte}) (int)</td>
 *     <td>integer of any size</td></tr>
 * <tr><td>{@link Double}, {@link Float} (float)</td><td>number with {@code .} or {@code e};
 *     {@code {"$float": "nan" | "inf" | "-inf"}} when not finite</td></tr>
 * <tr><td>{@code byte[]} / {@link PyByteArray}</td><td>{@code {"$bytes": base64}} / {@code {"$bytearray": base64}}</td></tr>
 * <tr><td>{@link List} / {@link PyTuple}</td><td>{@code [...]} / {@code {"$tuple": [...]}}</td></tr>
 * <tr><td>{@link Set} / {@link PyFrozenSet}</td><td>{@code {"$set": [...]}} / {@code {"$frozenset": [...]}}</td></tr>
 * <tr><td>{@link Map} with only {@link String} keys / other {@link Map}</td>
 *     <td>{@code {...}} / {@code {"$dict": [[k, v], ...]}}</td></tr>
 * <tr><td>{@link PyComplex}</td><td>{@code {"$complex": [re, im]}}</td></tr>
 * <tr><td>{@link NDArray}</td><td>{@code {"$ndarray": {"dtype": dtype.str, "shape": [...], "data": [...]}}},
 *     or {@code "sha256"} of the C-order bytes instead of {@code "data"} for arrays larger than the limit</td></tr>
 * <tr><td>{@link MaskedArray}</td><td>{@code {"$masked": {"data": $ndarray, "mask": $ndarray}}}</td></tr>
 * <tr><td>{@link PyNumpyScalar}</td><td>{@code {"$npscalar": {"dtype": dtype.str, "value": ...}}}, except that a
 *     {@code U} scalar ({@code numpy.str_}, a subclass of Python's str) is a plain string, as in Python</td></tr>
 * <tr><td>{@link LocalDateTime}, {@link OffsetDateTime} / {@link LocalDate}</td>
 *     <td>{@code {"$datetime": isoformat}} / {@code {"$date": isoformat}}</td></tr>
 * </table>
 *
 * <p>Array elements follow the dtype's kind: bool, integers (uint64 above 2^63 as big integers), floats (a
 * float16 or float32 element is written as the double it equals, as Python's {@code float(x)} does),
 * complex as {@code [re, im]}, {@code S} as {@code {"$bytes": base64}} of the element without its trailing
 * NULs, {@code U} as a string, datetime64 and timedelta64 as their int64 count. The sha256 is over the
 * raw bytes as stored, in the dtype's byte order.
 *
 * <p>{@link #write(JsonNode)} produces the exact text of Python's {@code json.dump(obj, f, ensure_ascii=False)}
 * (floats as Python's {@code repr}), so that the Java and Python outputs can be compared as text;
 * {@link #read(String)} keeps integers of any size and the difference between {@code 1} and {@code 1.0}.
 *
 * <p>Like the Python reference, a {@code Map} with the single string key {@code "$tuple"} (or any other tag)
 * is written as a plain object and reads back as the tagged value: the form is ambiguous for such maps.
 */
public final class TaggedJson {

    /** The array size in bytes above which {@link #toTagged(Object)} gives a sha256 instead of the elements ({@code big=1<<16} in Python). */
    public static final long DEFAULT_BIG_ARRAY_BYTES = 1L << 16;

    // a tuple is two JSON levels, so this admits values as deep as the unpickler's 1000 containers, with room
    private static final int MAX_JSON_DEPTH = 3000;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    // Python's json.loads accepts NaN, Infinity and -Infinity, and its ints and strings have no length cap
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNumberLength(1_000_000)
                            .maxStringLength(Integer.MAX_VALUE)
                            .maxNameLength(Integer.MAX_VALUE)
                            .maxNestingDepth(MAX_JSON_DEPTH)
                            .build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> TAGS = Set.of("$float", "$bytes", "$bytearray", "$tuple", "$set", "$frozenset",
            "$dict", "$complex", "$ndarray", "$masked", "$npscalar", "$datetime", "$date");

    private static final BigInteger MIN_INT64 = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX_INT64 = BigInteger.valueOf(Long.MAX_VALUE);

    private TaggedJson() {
    }

    // ============================================================================================ Java -> tagged

    /**
     * Returns the tagged JSON of a value, giving arrays of more than {@value #DEFAULT_BIG_ARRAY_BYTES} bytes by
     * their sha256, as {@code to_tagged(v)} does.
     *
     * @throws IllegalArgumentException for a value with no tagged form (see the class description) or one that
     *     contains itself
     */
    public static JsonNode toTagged(Object value) {
        return toTagged(value, DEFAULT_BIG_ARRAY_BYTES);
    }

    /**
     * Returns the tagged JSON of a value, giving arrays whose byte size exceeds {@code bigArrayBytes} by the
     * sha256 of their bytes instead of their elements, as {@code to_tagged(v, big)} does ({@code Long.MAX_VALUE}
     * lists every array's elements).
     *
     * @throws IllegalArgumentException for a value with no tagged form (see the class description), one that
     *     contains itself, or one that shares objects so often that its JSON would repeat more than
     *     {@link #REPEAT_BUDGET} nodes
     */
    public static JsonNode toTagged(Object value, long bigArrayBytes) {
        return new ToTagged(bigArrayBytes).convert(value);
    }

    /**
     * JSON nodes that {@link #toTagged} may build again for objects it has already converted once, before it
     * refuses (unless the nodes built for the first time are more: see {@link #REPEAT_RATIO}). A pickle can
     * reference one object many times at two bytes each: a few hundred bytes of memo references (a list holding
     * the previous list twice, 60 levels) would expand into 2^60 nodes.
     */
    public static final long REPEAT_BUDGET = 1L << 20;
    /** Beyond the budget, repeated nodes may still be this many times the nodes built once (memoized keys). */
    public static final long REPEAT_RATIO = 16;

    private static final class ToTagged {
        private final long big;
        // the containers being converted: a value that contains itself would otherwise recurse until the stack ends
        private final IdentityHashMap<Object, Boolean> open = new IdentityHashMap<>();
        // every object converted so far, to tell a repeat of a shared object from a first conversion
        private final IdentityHashMap<Object, Boolean> done = new IdentityHashMap<>();
        private long nodes;
        private int repeating;
        private long repeatStart;
        private long repeated;

        ToTagged(long big) {
            this.big = big;
        }

        JsonNode convert(Object v) {
            boolean shared = shareable(v) && done.put(v, Boolean.TRUE) != null;
            if (shared && repeating++ == 0) {
                repeatStart = nodes;
            }
            // a long string or bytes object repeated costs its text, not one node
            count(1 + switch (v) {
                case String str -> str.length() / 64;
                case byte[] bytes -> bytes.length / 48;
                case PyByteArray bytes -> bytes.bytes().length / 48;
                case null, default -> 0;
            });
            try {
                return convert0(v);
            } finally {
                if (shared && --repeating == 0) {
                    repeated += nodes - repeatStart;
                }
            }
        }

        /** Counts new nodes, refusing when repeats of shared objects pass the budget. */
        private void count(long n) {
            nodes += n;
            if (repeating > 0) {
                long again = repeated + nodes - repeatStart;
                if (again > REPEAT_BUDGET && again > REPEAT_RATIO * (nodes - again)) {
                    throw new IllegalArgumentException("the value references shared objects so often that its JSON"
                            + " would repeat more than " + again + " nodes (a memo DAG: each level refers to the one"
                            + " below more than once); tagged JSON has no form for sharing");
                }
            }
        }

        /** Containers, arrays and long strings: a short string repeated costs a bounded multiple of its reference. */
        private static boolean shareable(Object v) {
            return v instanceof Collection<?> || v instanceof Map<?, ?> || v instanceof PyTuple || v instanceof PyFrozenSet
                    || v instanceof String s && s.length() > 64 || v instanceof byte[] b && b.length > 48
                    || v instanceof PyByteArray || v instanceof NDArray || v instanceof MaskedArray;
        }

        private JsonNode convert0(Object v) {
            return switch (v) {
                case null -> NullNode.instance;
                case Boolean b -> BooleanNode.valueOf(b);
                case String s -> TextNode.valueOf(s);
                case MaskedArray m -> {
                    ObjectNode o = NODES.objectNode();
                    o.set("data", ndarray(m.data()));
                    o.set("mask", ndarray(m.mask()));
                    yield tag("$masked", o);
                }
                case NDArray a -> ndarray(a);
                case PyNumpyScalar s -> npscalar(s);
                case Integer i -> IntNode.valueOf(i);
                case Long l -> integer(l);
                case Short s -> IntNode.valueOf(s);
                case Byte b -> IntNode.valueOf(b);
                case BigInteger b -> integer(b);
                case Double d -> floating(d);
                case Float f -> floating(f);
                case PyComplex c -> tag("$complex", pair(floating(c.real()), floating(c.imag())));
                case byte[] b -> tag("$bytes", TextNode.valueOf(Base64.getEncoder().encodeToString(b)));
                case PyByteArray b -> tag("$bytearray", TextNode.valueOf(Base64.getEncoder().encodeToString(b.bytes())));
                case List<?> l -> container(l, () -> array(l));
                case PyTuple t -> container(t, () -> tag("$tuple", array(t.items())));
                case PyFrozenSet f -> container(f, () -> tag("$frozenset", array(f.items())));
                case Set<?> s -> container(s, () -> tag("$set", array(s)));
                case Map<?, ?> m -> container(m, () -> map(m));
                case LocalDateTime t -> tag("$datetime", TextNode.valueOf(isoDateTime(t, null)));
                case OffsetDateTime t -> tag("$datetime", TextNode.valueOf(isoDateTime(t.toLocalDateTime(), t)));
                case ZonedDateTime t -> tag("$datetime", TextNode.valueOf(isoDateTime(t.toLocalDateTime(), t.toOffsetDateTime())));
                case LocalDate d -> tag("$date", TextNode.valueOf(isoDate(new StringBuilder(10), d).toString()));
                default -> throw new IllegalArgumentException("no tagged JSON form for a " + v.getClass().getName()
                        + " (Python's to_tagged raises TypeError for the type it stands for)");
            };
        }

        private JsonNode container(Object c, java.util.function.Supplier<JsonNode> body) {
            if (open.put(c, Boolean.TRUE) != null) {
                throw new IllegalArgumentException("a " + c.getClass().getSimpleName() + " contains itself; tagged JSON has no form for it");
            }
            try {
                return body.get();
            } finally {
                open.remove(c);
            }
        }

        private ArrayNode array(Collection<?> items) {
            ArrayNode a = NODES.arrayNode(items.size());
            for (Object x : items) {
                a.add(convert(x));
            }
            return a;
        }

        private JsonNode map(Map<?, ?> m) {
            boolean strings = true;
            for (Object k : m.keySet()) {
                if (!(k instanceof String)) {
                    strings = false;
                    break;
                }
            }
            if (strings) {
                ObjectNode o = NODES.objectNode();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    o.set((String) e.getKey(), convert(e.getValue()));
                }
                return o;
            }
            ArrayNode pairs = NODES.arrayNode(m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                pairs.add(pair(convert(e.getKey()), convert(e.getValue())));
            }
            return tag("$dict", pairs);
        }

        private JsonNode ndarray(NDArray a) {
            ObjectNode o = NODES.objectNode();
            o.put("dtype", a.dtype().typeStr());
            ArrayNode shape = o.putArray("shape");
            for (long d : a.shape()) {
                shape.add(integer(d));
            }
            if (a.byteSize() > big) {
                o.put("sha256", sha256(a.segment()));
            } else {
                count(a.size());
                o.set("data", elements(a));
            }
            return tag("$ndarray", o);
        }
    }

    private static ArrayNode elements(NDArray a) {
        long n = a.size();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("an array of " + n + " elements is too large to list in JSON; give it by its sha256");
        }
        ArrayNode data = NODES.arrayNode((int) n);
        // S and U elements are read through a 1-D view: NDArray reads strings by index, not by flat position
        NDArray flat = a.reshape(n);
        for (long i = 0; i < n; i++) {
            data.add(switch (a.dtype().kind()) {
                case BOOL -> BooleanNode.valueOf(a.flatBoolean(i));
                case UINT64 -> unsigned(a.flatLong(i));
                case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, DATETIME64, TIMEDELTA64 -> integer(a.flatLong(i));
                case FLOAT16, FLOAT32, FLOAT64 -> floating(a.flatDouble(i));
                case COMPLEX64, COMPLEX128 -> {
                    PyComplex c = a.flatComplex(i);
                    yield pair(floating(c.real()), floating(c.imag()));
                }
                case BYTES -> tag("$bytes", TextNode.valueOf(Base64.getEncoder().encodeToString(flat.getBytes(i))));
                case UNICODE -> TextNode.valueOf(flat.getString(i));
            });
        }
        return data;
    }

    private static JsonNode npscalar(PyNumpyScalar s) {
        if (s.kind() == 'U') {
            // numpy.str_ is a subclass of str, which to_tagged tests for first: it is written as a plain string
            return TextNode.valueOf((String) s.value());
        }
        Object v;
        try {
            v = s.value();
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException("no tagged JSON form for the numpy scalar " + s + ": " + e.getMessage(), e);
        }
        JsonNode value = switch (s.kind()) {
            case 'b' -> BooleanNode.valueOf((Boolean) v);
            case 'i', 'u', 'M', 'm' -> v instanceof BigInteger b ? integer(b) : integer((Long) v);
            case 'f' -> floating((Double) v);
            case 'c' -> pair(floating(((PyComplex) v).real()), floating(((PyComplex) v).imag()));
            case 'S' -> tag("$bytes", TextNode.valueOf(Base64.getEncoder().encodeToString((byte[]) v)));
            default -> throw new IllegalArgumentException("no tagged JSON form for the numpy scalar " + s
                    + " (Python's to_tagged rejects dtype kind " + s.kind() + ")");
        };
        ObjectNode o = NODES.objectNode();
        o.put("dtype", s.dtype());
        o.set("value", value);
        return tag("$npscalar", o);
    }

    private static ObjectNode tag(String name, JsonNode value) {
        ObjectNode o = NODES.objectNode();
        o.set(name, value);
        return o;
    }

    private static ArrayNode pair(JsonNode a, JsonNode b) {
        ArrayNode p = NODES.arrayNode(2);
        p.add(a);
        p.add(b);
        return p;
    }

    /** An integer node of the width Jackson's parser would give it, so that parsed and built trees compare equal. */
    private static JsonNode integer(long v) {
        return (int) v == v ? IntNode.valueOf((int) v) : LongNode.valueOf(v);
    }

    private static JsonNode integer(BigInteger v) {
        int bits = v.bitLength();
        return bits < 32 ? IntNode.valueOf(v.intValue()) : bits < 64 ? LongNode.valueOf(v.longValue()) : BigIntegerNode.valueOf(v);
    }

    private static JsonNode unsigned(long v) {
        return v >= 0 ? integer(v) : BigIntegerNode.valueOf(new BigInteger(Long.toUnsignedString(v)));
    }

    private static JsonNode floating(double d) {
        if (Double.isNaN(d)) {
            return tag("$float", TextNode.valueOf("nan"));
        }
        if (Double.isInfinite(d)) {
            return tag("$float", TextNode.valueOf(d > 0 ? "inf" : "-inf"));
        }
        return DoubleNode.valueOf(d);
    }

    private static String sha256(MemorySegment segment) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        // heap segments over long[] or double[] have no ByteBuffer view, so those bytes go through a small buffer
        boolean direct = segment.isNative() || segment.heapBase().map(b -> b instanceof byte[]).orElse(false);
        long chunk = 1 << 20;
        byte[] bounce = direct ? null : new byte[(int) Math.min(chunk, segment.byteSize())];
        for (long off = 0, size = segment.byteSize(); off < size; off += chunk) {
            long len = Math.min(chunk, size - off);
            MemorySegment slice = segment.asSlice(off, len);
            if (direct) {
                md.update(slice.asByteBuffer());
            } else {
                MemorySegment.copy(slice, 0, MemorySegment.ofArray(bounce), 0, len);
                md.update(bounce, 0, (int) len);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Python's {@code datetime.isoformat()}: microseconds only when not zero, the offset with seconds only when not zero. */
    private static String isoDateTime(LocalDateTime t, OffsetDateTime offset) {
        StringBuilder b = isoDate(new StringBuilder(32), t.toLocalDate()).append('T');
        two(b, t.getHour()).append(':');
        two(b, t.getMinute()).append(':');
        two(b, t.getSecond());
        // Python's datetime has microseconds; nanoseconds are dropped, as the library's pickler drops them
        int us = t.getNano() / 1000;
        if (us != 0) {
            b.append('.').append(String.format(Locale.ROOT, "%06d", us));
        }
        if (offset != null) {
            int total = offset.getOffset().getTotalSeconds();
            int abs = Math.abs(total);
            b.append(total < 0 ? '-' : '+');
            two(b, abs / 3600).append(':');
            two(b, abs / 60 % 60);
            if (abs % 60 != 0) {
                two(b.append(':'), abs % 60);
            }
        }
        return b.toString();
    }

    private static StringBuilder isoDate(StringBuilder b, LocalDate d) {
        int y = d.getYear();
        if (y < 1 || y > 9999) {
            throw new IllegalArgumentException("no tagged JSON form for " + d + ": Python's years are 1 to 9999");
        }
        b.append(String.format(Locale.ROOT, "%04d-", y));
        two(b, d.getMonthValue()).append('-');
        return two(b, d.getDayOfMonth());
    }

    private static StringBuilder two(StringBuilder b, int v) {
        return b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }

    // ============================================================================================ tagged -> Java

    /**
     * Returns the Java value of tagged JSON: the reverse of {@link #toTagged(Object)}. Integers become
     * {@link Integer}, {@link Long} or {@link BigInteger} by size, floats {@link Double}, lists {@link ArrayList},
     * objects {@link LinkedHashMap}, sets {@link LinkedHashSet}; an {@code $ndarray} with {@code "data"} becomes a
     * new in-memory {@link NDArray}; {@code $datetime} gives a {@link LocalDateTime}, or an {@link OffsetDateTime}
     * when the text has an offset.
     *
     * @throws IllegalArgumentException naming the place in the tree, when the JSON is not tagged JSON: a malformed
     *     tag, a dtype the library does not support, an element that does not fit its dtype, or an {@code $ndarray}
     *     given only by its {@code "sha256"} (its elements are not in the JSON)
     */
    public static Object fromTagged(JsonNode node) {
        return from(node, Loc.ROOT);
    }

    /** A place in the tree, for error messages; built only along the path being converted. */
    private record Loc(Loc parent, String step) {
        static final Loc ROOT = new Loc(null, null);

        Loc at(String name) {
            return new Loc(this, name);
        }

        Loc at(long index) {
            return new Loc(this, Long.toString(index));
        }

        IllegalArgumentException error(String message) {
            return new IllegalArgumentException("at " + this + ": " + message);
        }

        IllegalArgumentException error(String message, Throwable cause) {
            return new IllegalArgumentException("at " + this + ": " + message, cause);
        }

        @Override
        public String toString() {
            if (parent == null) {
                return "the top";
            }
            StringBuilder b = new StringBuilder();
            for (Loc l = this; l.parent != null; l = l.parent) {
                b.insert(0, l.step).insert(0, '/');
            }
            return b.toString();
        }
    }

    private static Object from(JsonNode n, Loc at) {
        return switch (n.getNodeType()) {
            case NULL -> null;
            case BOOLEAN -> n.booleanValue();
            case STRING -> n.textValue();
            case NUMBER -> n.isIntegralNumber() ? pythonInt(n) : (Object) n.doubleValue();
            case ARRAY -> {
                List<Object> l = new ArrayList<>(n.size());
                for (int i = 0; i < n.size(); i++) {
                    l.add(from(n.get(i), at.at(i)));
                }
                yield l;
            }
            case OBJECT -> {
                String tag = singleKey(n);
                if (tag != null && TAGS.contains(tag)) {
                    yield fromTag(tag, n.get(tag), at.at(tag));
                }
                Map<Object, Object> m = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    m.put(e.getKey(), from(e.getValue(), at.at(e.getKey())));
                }
                yield m;
            }
            default -> throw at.error("a " + n.getNodeType() + " node is not JSON");
        };
    }

    private static String singleKey(JsonNode n) {
        return n.size() == 1 ? n.properties().iterator().next().getKey() : null;
    }

    /** Python's int in Java: Integer if it fits, else Long if it fits, else BigInteger (as the unpickler gives it). */
    private static Object pythonInt(JsonNode n) {
        if (n.canConvertToInt()) {
            return n.intValue();
        }
        if (n.canConvertToLong()) {
            return n.longValue();
        }
        return n.bigIntegerValue();
    }

    private static Object fromTag(String tag, JsonNode v, Loc at) {
        return switch (tag) {
            case "$float" -> special(v, at);
            case "$bytes" -> base64(v, at);
            case "$bytearray" -> new PyByteArray(base64(v, at));
            case "$tuple" -> new PyTuple(listOf(v, at));
            case "$set" -> new LinkedHashSet<>(listOf(v, at));
            case "$frozenset" -> new PyFrozenSet(listOf(v, at));
            case "$dict" -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                requireArray(v, at, "an array of [key, value] pairs");
                for (int i = 0; i < v.size(); i++) {
                    JsonNode p = v.get(i);
                    Loc pat = at.at(i);
                    if (!p.isArray() || p.size() != 2) {
                        throw pat.error("expected a [key, value] pair, found " + brief(p));
                    }
                    m.put(from(p.get(0), pat.at(0)), from(p.get(1), pat.at(1)));
                }
                yield m;
            }
            case "$complex" -> complex(v, at);
            case "$ndarray" -> ndarray(v, at);
            case "$masked" -> {
                requireObject(v, at, "an object with \"data\" and \"mask\"");
                NDArray data = taggedArray(v.get("data"), at.at("data"));
                NDArray mask = taggedArray(v.get("mask"), at.at("mask"));
                try {
                    yield new MaskedArray(data, mask);
                } catch (IllegalArgumentException e) {
                    throw at.error(e.getMessage(), e);
                }
            }
            case "$npscalar" -> npscalar(v, at);
            case "$datetime" -> {
                String s = text(v, at);
                try {
                    TemporalAccessor t = DateTimeFormatter.ISO_DATE_TIME.parseBest(s, OffsetDateTime::from, LocalDateTime::from);
                    yield t;
                } catch (DateTimeException e) {
                    throw at.error("not an ISO date and time: \"" + s + "\"", e);
                }
            }
            case "$date" -> {
                String s = text(v, at);
                try {
                    yield LocalDate.parse(s);
                } catch (DateTimeException e) {
                    throw at.error("not an ISO date: \"" + s + "\"", e);
                }
            }
            default -> throw new AssertionError(tag);
        };
    }

    private static List<Object> listOf(JsonNode v, Loc at) {
        requireArray(v, at, "an array");
        List<Object> l = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            l.add(from(v.get(i), at.at(i)));
        }
        return l;
    }

    private static double special(JsonNode v, Loc at) {
        return switch (v.isTextual() ? v.textValue() : "") {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> throw at.error("expected \"nan\", \"inf\" or \"-inf\", found " + brief(v));
        };
    }

    /** A float: a JSON number or {@code {"$float": ...}}. */
    private static double floatOf(JsonNode v, Loc at) {
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isObject() && "$float".equals(singleKey(v))) {
            return special(v.get("$float"), at.at("$float"));
        }
        throw at.error("expected a float, found " + brief(v));
    }

    private static PyComplex complex(JsonNode v, Loc at) {
        if (!v.isArray() || v.size() != 2) {
            throw at.error("expected [real, imag], found " + brief(v));
        }
        return new PyComplex(floatOf(v.get(0), at.at(0)), floatOf(v.get(1), at.at(1)));
    }

    private static byte[] base64(JsonNode v, Loc at) {
        String s = text(v, at);
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw at.error("not base64: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode v, Loc at) {
        if (v == null || !v.isTextual()) {
            throw at.error("expected a string, found " + brief(v));
        }
        return v.textValue();
    }

    private static BigInteger integerOf(JsonNode v, Loc at) {
        if (v == null || !v.isIntegralNumber()) {
            throw at.error("expected an integer, found " + brief(v));
        }
        return v.bigIntegerValue();
    }

    private static void requireArray(JsonNode v, Loc at, String what) {
        if (v == null || !v.isArray()) {
            throw at.error("expected " + what + ", found " + brief(v));
        }
    }

    private static void requireObject(JsonNode v, Loc at, String what) {
        if (v == null || !v.isObject()) {
            throw at.error("expected " + what + ", found " + brief(v));
        }
    }

    private static String brief(JsonNode v) {
        if (v == null) {
            return "nothing";
        }
        String s = write(v);
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static NDArray taggedArray(JsonNode v, Loc at) {
        if (v == null || !v.isObject() || !"$ndarray".equals(singleKey(v))) {
            throw at.error("expected an {\"$ndarray\": ...}, found " + brief(v));
        }
        return ndarray(v.get("$ndarray"), at.at("$ndarray"));
    }

    private static NDArray ndarray(JsonNode v, Loc at) {
        requireObject(v, at, "an object with \"dtype\", \"shape\" and \"data\"");
        DType dtype;
        try {
            dtype = DType.parse(text(v.get("dtype"), at.at("dtype")));
        } catch (IllegalArgumentException e) {
            throw at.at("dtype").error(e.getMessage(), e);
        }
        JsonNode shapeNode = v.get("shape");
        requireArray(shapeNode, at.at("shape"), "an array of dimensions");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            BigInteger d = integerOf(shapeNode.get(i), at.at("shape").at(i));
            if (d.signum() < 0 || d.bitLength() > 63) {
                throw at.at("shape").at(i).error("not a dimension: " + d);
            }
            shape[i] = d.longValue();
        }
        JsonNode data = v.get("data");
        JsonNode sha = v.get("sha256");
        if (data == null) {
            if (sha != null) {
                throw at.error(String.format(Locale.ROOT, "the %s array of shape %s is given only by the sha256 of its bytes"
                        + " (it was larger than the size limit when written), so its elements are not in the JSON",
                        dtype.typeStr(), shapeNode));
            }
            throw at.error("an $ndarray needs \"data\"");
        }
        requireArray(data, at.at("data"), "an array of elements");
        // the shape and dtype are a few bytes of text that could declare terabytes: they are checked against the
        // elements the JSON really holds before any memory is allocated
        long count = 1;
        for (long d : shape) {
            count = d == 0 || count == 0 ? 0 : count > Long.MAX_VALUE / d ? -1 : count * d;
            if (count < 0) {
                throw at.at("shape").error("the shape " + shapeNode + " holds more than 2^63 elements");
            }
        }
        if (count != data.size()) {
            throw at.at("data").error(String.format(Locale.ROOT, "%d elements for shape %s, which holds %d",
                    data.size(), shapeNode, count));
        }
        checkWidth(dtype, data, count, at);
        NDArray a;
        try {
            a = NDArray.zeros(dtype, shape);
        } catch (IllegalArgumentException e) {
            throw at.error(e.getMessage(), e);
        }
        fill(a, data, at.at("data"));
        if (sha != null && !sha256(a.segment()).equals(text(sha, at.at("sha256")))) {
            throw at.at("sha256").error("the elements' bytes do not have this sha256");
        }
        return a;
    }

    /** Bytes an S or U scalar may declare whatever its value (numpy sizes a scalar to its value anyway). */
    private static final int FREE_SCALAR_BYTES = 1 << 20;

    /** Bytes a string array may take without its elements justifying its width: what numpy would allocate too. */
    private static final long FREE_STRING_BYTES = 256L << 20;

    /**
     * Refuses an S or U array whose declared width, times its elements, would allocate far more than its
     * elements hold ({@code "<U1000000000"} over a few short strings): numpy would try to allocate it, the CLI
     * says so instead of running out of memory.
     */
    private static void checkWidth(DType dtype, JsonNode data, long count, Loc at) {
        DType.Kind kind = dtype.kind();
        if (kind != DType.Kind.BYTES && kind != DType.Kind.UNICODE) {
            return;
        }
        long longest = 0;
        for (JsonNode e : data) {
            JsonNode text = e.isObject() && e.size() == 1 && e.has("$bytes") ? e.get("$bytes") : e;
            longest = Math.max(longest, text.isTextual() ? text.textValue().length() : 0);
        }
        long bytes = Math.multiplyHigh(count, dtype.itemSize()) != 0 ? Long.MAX_VALUE : count * dtype.itemSize();
        double justified = 64.0 * count * (longest + 16);
        if (bytes > FREE_STRING_BYTES && bytes > justified) {
            throw at.at("dtype").error(String.format(Locale.ROOT, "the dtype %s over %d elements of at most %d characters"
                    + " would allocate %d bytes; give a dtype as wide as the longest element", dtype.typeStr(), count,
                    longest, bytes));
        }
    }

    private static void fill(NDArray a, JsonNode data, Loc at) {
        DType dtype = a.dtype();
        DType.Kind kind = dtype.kind();
        NDArray flat = a.reshape(a.size());
        for (int i = 0; i < data.size(); i++) {
            JsonNode e = data.get(i);
            Loc eat = at.at(i);
            switch (kind) {
                case BOOL -> {
                    if (!e.isBoolean()) {
                        throw eat.error("expected true or false, found " + brief(e));
                    }
                    a.setFlatBoolean(i, e.booleanValue());
                }
                case FLOAT16, FLOAT32, FLOAT64 -> a.setFlatDouble(i, floatOf(e, eat));
                case COMPLEX64, COMPLEX128 -> a.setFlatComplex(i, complex(e, eat));
                case BYTES -> {
                    if (!e.isObject() || !"$bytes".equals(singleKey(e))) {
                        throw eat.error("expected {\"$bytes\": base64}, found " + brief(e));
                    }
                    byte[] b = base64(e.get("$bytes"), eat.at("$bytes"));
                    if (b.length > dtype.itemSize()) {
                        throw eat.error(b.length + " bytes do not fit dtype " + dtype.typeStr());
                    }
                    flat.setBytes(b, i);
                }
                case UNICODE -> {
                    String s = text(e, eat);
                    if (s.codePointCount(0, s.length()) > dtype.stringLength()) {
                        throw eat.error("a string of " + s.codePointCount(0, s.length()) + " characters does not fit dtype " + dtype.typeStr());
                    }
                    flat.setString(s, i);
                }
                default -> a.setFlatLong(i, checkedInteger(e, eat, kind.code(), dtype.itemSize(), dtype.typeStr()));
            }
        }
    }

    /** The integer's bits for an integer of the kind and size, refusing values that do not fit (numpy 2 refuses them too). */
    private static long checkedInteger(JsonNode e, Loc at, char kind, int size, String dtype) {
        BigInteger v = integerOf(e, at);
        boolean fits = kind == 'u' ? v.signum() >= 0 && v.bitLength() <= 8 * size : v.bitLength() < 8 * size;
        if (!fits) {
            throw at.error(v + " does not fit dtype " + dtype);
        }
        return v.longValue();
    }

    private static PyNumpyScalar npscalar(JsonNode v, Loc at) {
        requireObject(v, at, "an object with \"dtype\" and \"value\"");
        String dtype = text(v.get("dtype"), at.at("dtype"));
        int size;
        try {
            size = PyNumpyScalar.itemSize(dtype);
        } catch (IllegalArgumentException e) {
            throw at.at("dtype").error(e.getMessage(), e);
        }
        JsonNode value = v.get("value");
        Loc vat = at.at("value");
        if (value == null) {
            throw vat.error("an $npscalar needs \"value\"");
        }
        char k = dtype.length() > 1 ? dtype.charAt(1) : '?';
        if ((k == 'S' || k == 'U') && size > FREE_SCALAR_BYTES) {
            // a few characters of dtype could declare a gigabyte for one short value: its width must come from it
            JsonNode text = value.isObject() && value.size() == 1 && value.has("$bytes") ? value.get("$bytes") : value;
            long content = text.isTextual() ? 4L * text.textValue().length() : 0;
            if (size > content + 64) {
                throw at.at("dtype").error(String.format(Locale.ROOT, "the dtype %s declares %d bytes for a value of"
                        + " at most %d; give the value's own width", dtype, size, content));
            }
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(dtype.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        char kind = dtype.charAt(1);
        switch (kind) {
            case 'b' -> {
                if (!value.isBoolean()) {
                    throw vat.error("expected true or false, found " + brief(value));
                }
                b.put((byte) (value.booleanValue() ? 1 : 0));
            }
            case 'i', 'u', 'M', 'm' -> {
                long bits = checkedInteger(value, vat, kind == 'u' ? 'u' : 'i', size, dtype);
                switch (size) {
                    case 1 -> b.put((byte) bits);
                    case 2 -> b.putShort((short) bits);
                    case 4 -> b.putInt((int) bits);
                    default -> b.putLong(bits);
                }
            }
            case 'f' -> {
                double d = floatOf(value, vat);
                switch (size) {
                    case 2 -> b.putShort(Float.floatToFloat16((float) d));
                    case 4 -> b.putFloat((float) d);
                    case 8 -> b.putDouble(d);
                    default -> throw vat.error("numpy longdouble scalars (" + dtype + ") have no tagged form here: their layout depends on the machine");
                }
            }
            case 'c' -> {
                PyComplex c = complex(value, vat);
                switch (size) {
                    case 8 -> b.putFloat((float) c.real()).putFloat((float) c.imag());
                    case 16 -> b.putDouble(c.real()).putDouble(c.imag());
                    default -> throw vat.error("numpy clongdouble scalars (" + dtype + ") have no tagged form here: their layout depends on the machine");
                }
            }
            case 'S' -> {
                if (!value.isObject() || !"$bytes".equals(singleKey(value))) {
                    throw vat.error("expected {\"$bytes\": base64}, found " + brief(value));
                }
                byte[] bytes = base64(value.get("$bytes"), vat.at("$bytes"));
                if (bytes.length > size) {
                    throw vat.error(bytes.length + " bytes do not fit dtype " + dtype);
                }
                b.put(bytes);
            }
            case 'U' -> {
                int[] cps = text(value, vat).codePoints().toArray();
                if (4 * cps.length > size) {
                    throw vat.error("a string of " + cps.length + " characters does not fit dtype " + dtype);
                }
                for (int cp : cps) {
                    b.putInt(cp);
                }
            }
            default -> throw at.error("numpy scalars of dtype kind " + kind + " have no tagged form (Python's to_tagged rejects them)");
        }
        return PyNumpyScalar.of(dtype, b.array());
    }

    // ============================================================================================ text

    /**
     * Returns the text Python's {@code json.dump(obj, f, ensure_ascii=False)} writes for the tree: separators
     * {@code ", "} and {@code ": "}, floats as Python's {@code repr} ({@code NaN}, {@code Infinity},
     * {@code -Infinity} when not finite), integers of any size as digits, strings with {@code \"}, {@code \\},
     * {@code \n}, {@code \r}, {@code \t}, {@code \b}, {@code \f} and other control characters as
     * <code>&#92;u00XX</code> (lowercase hex), everything else literal.
     *
     * @throws IllegalArgumentException for nodes that are not JSON (missing, binary or POJO nodes)
     */
    public static String write(JsonNode node) {
        StringBuilder b = new StringBuilder();
        try {
            new Writer(b, false, false, false).value(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringBuilder never throws
        }
        return b.toString();
    }

    /**
     * Appends the text of {@link #write(JsonNode)} to {@code out}, for output too large to hold as one string.
     *
     * @throws IOException when {@code out} fails
     * @throws IllegalArgumentException for nodes that are not JSON (missing, binary or POJO nodes)
     */
    public static void write(JsonNode node, Appendable out) throws IOException {
        new Writer(out, false, false, false).value(node);
    }

    /**
     * Parses JSON text as Python's {@code json.loads} does: integers of any size stay exact integers
     * ({@link IntNode}, {@link LongNode} or {@link BigIntegerNode} by size), numbers with a {@code .} or an
     * exponent become doubles, {@code NaN}, {@code Infinity} and {@code -Infinity} are accepted, and a repeated
     * key keeps its last value.
     *
     * @throws IllegalArgumentException when the text is not one JSON value (with the position of the problem)
     */
    public static JsonNode read(String text) {
        JsonNode n;
        try {
            n = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(jsonError(e, text), e);
        }
        if (n == null || n.isMissingNode()) {
            throw new IllegalArgumentException("not valid JSON: no value in the text");
        }
        return n;
    }

    /**
     * Says, in our words, where and why a text is not JSON: the parser's own message names its classes and
     * options, which the user of the command line never chose.
     */
    private static String jsonError(JsonProcessingException e, String text) {
        com.fasterxml.jackson.core.JsonLocation loc = e.getLocation();
        String where = loc == null || loc.getLineNr() < 1 ? ""
                : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        String why;
        if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
            why = original.contains("nesting depth") ? "nested deeper than " + MAX_JSON_DEPTH + " levels"
                    : original.contains("Number") ? "a number longer than a million digits" : "too large";
        } else if (e instanceof com.fasterxml.jackson.core.io.JsonEOFException || original.contains("end-of-input")) {
            why = "the text ends before the value is complete";
        } else if (original.startsWith("Trailing token")) {
            why = "more text after the value";
        } else {
            long at = loc == null ? -1 : loc.getCharOffset();
            if (at < 0 || at > text.length()) {
                why = "unexpected text";
            } else {
                // the offending token starts at or just before the reported offset
                int from = (int) Math.max(0, Math.min(at, text.length()) - 1);
                while (from > 0 && Character.isLetterOrDigit(text.charAt(from - 1))) {
                    from--;
                }
                while (from < text.length() && Character.isWhitespace(text.charAt(from))) {
                    from++;
                }
                String near = text.substring(from, Math.min(text.length(), from + 20)).strip();
                why = near.isEmpty() ? "unexpected text" : "unexpected \"" + near + (from + 20 < text.length() ? "...\"" : "\"")
                        + " (JSON has objects, arrays, strings in double quotes, numbers, true, false and null)";
            }
        }
        return "not valid JSON" + where + ": " + why;
    }

    /**
     * Returns Python's {@code repr(float)} of a double: the shortest digits that read back as the same double,
     * in fixed notation when the decimal exponent is between -4 and 16 ({@code 0.0001}, {@code 3.0},
     * {@code 1234567890123456.0}) and in exponent notation otherwise ({@code 1e-05}, {@code 1e+16},
     * {@code 1.5e-300}); {@code nan}, {@code inf} and {@code -inf} when not finite.
     */
    public static String pythonRepr(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (x == 0) {
            return Double.doubleToRawLongBits(x) < 0 ? "-0.0" : "0.0";
        }
        double a = Math.abs(x);
        // Java's shortest digits are Python's except where one digit suffices: Java then still gives two
        // (4.9E-324 where Python has 5e-324), so that case is redone below
        String s = Double.toString(a);
        int e = s.indexOf('E');
        String mantissa = e < 0 ? s : s.substring(0, e);
        int exp = e < 0 ? 0 : Integer.parseInt(s.substring(e + 1));
        int dot = mantissa.indexOf('.');
        String digits = mantissa.substring(0, dot) + mantissa.substring(dot + 1);
        int decpt = dot + exp; // the value is 0.DIGITS * 10^decpt
        int lead = 0;
        while (digits.charAt(lead) == '0') {
            lead++;
        }
        int end = digits.length();
        while (digits.charAt(end - 1) == '0') {
            end--;
        }
        digits = digits.substring(lead, end);
        decpt -= lead;
        if (digits.length() == 2) {
            BigDecimal one = oneDigit(a);
            if (one != null) {
                digits = one.unscaledValue().toString();
                decpt = 1 - one.scale();
            }
        }
        StringBuilder b = new StringBuilder(24);
        if (x < 0) {
            b.append('-');
        }
        int n = digits.length();
        if (decpt <= -4 || decpt > 16) {
            b.append(digits.charAt(0));
            if (n > 1) {
                b.append('.').append(digits, 1, n);
            }
            int e10 = decpt - 1;
            b.append(e10 < 0 ? "e-" : "e+");
            int abs = Math.abs(e10);
            if (abs < 10) {
                b.append('0');
            }
            b.append(abs);
        } else if (decpt <= 0) {
            b.append("0.").append("0".repeat(-decpt)).append(digits);
        } else if (decpt >= n) {
            b.append(digits).append("0".repeat(decpt - n)).append(".0");
        } else {
            b.append(digits, 0, decpt).append('.').append(digits, decpt, n);
        }
        return b.toString();
    }

    /** The one-digit decimal that reads back as {@code a} and is nearest to it, or null when there is none. */
    private static BigDecimal oneDigit(double a) {
        BigDecimal exact = new BigDecimal(a);
        BigDecimal lo = exact.round(new MathContext(1, RoundingMode.FLOOR));
        BigDecimal hi = exact.round(new MathContext(1, RoundingMode.CEILING));
        boolean loOk = Double.parseDouble(lo.toString()) == a;
        boolean hiOk = Double.parseDouble(hi.toString()) == a;
        if (loOk && hiOk) {
            int c = exact.subtract(lo).compareTo(hi.subtract(exact));
            if (c == 0) {
                return lo.unscaledValue().testBit(0) ? hi : lo;
            }
            return c < 0 ? lo : hi;
        }
        return loOk ? lo : hiOk ? hi : null;
    }

    /** Writes JSON as Python's json module does; the options give {@code canon}'s sort key besides the plain text. */
    private static final class Writer {
        private final Appendable out;
        private final boolean ensureAscii;
        private final boolean sortKeys;
        private final boolean floatsAsRepr;

        Writer(Appendable out, boolean ensureAscii, boolean sortKeys, boolean floatsAsRepr) {
            this.out = out;
            this.ensureAscii = ensureAscii;
            this.sortKeys = sortKeys;
            this.floatsAsRepr = floatsAsRepr;
        }

        void value(JsonNode n) throws IOException {
            switch (n.getNodeType()) {
                case NULL -> out.append("null");
                case BOOLEAN -> out.append(n.booleanValue() ? "true" : "false");
                case STRING -> string(n.textValue());
                case NUMBER -> number(n);
                case ARRAY -> {
                    out.append('[');
                    for (int i = 0; i < n.size(); i++) {
                        if (i > 0) {
                            out.append(", ");
                        }
                        value(n.get(i));
                    }
                    out.append(']');
                }
                case OBJECT -> {
                    List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(n.properties());
                    if (sortKeys) {
                        entries.sort((x, y) -> comparePython(x.getKey(), y.getKey()));
                    }
                    out.append('{');
                    boolean first = true;
                    for (Map.Entry<String, JsonNode> e : entries) {
                        if (!first) {
                            out.append(", ");
                        }
                        first = false;
                        string(e.getKey());
                        out.append(": ");
                        value(e.getValue());
                    }
                    out.append('}');
                }
                default -> throw new IllegalArgumentException("a " + n.getNodeType() + " node has no JSON text");
            }
        }

        private void number(JsonNode n) throws IOException {
            if (n.isIntegralNumber()) {
                out.append(n.isBigInteger() ? n.bigIntegerValue().toString() : Long.toString(n.longValue()));
                return;
            }
            double d = n.doubleValue();
            if (floatsAsRepr) {
                // canon replaces a float by its repr, a string
                out.append('"').append(pythonRepr(d)).append('"');
            } else if (Double.isNaN(d)) {
                out.append("NaN");
            } else if (Double.isInfinite(d)) {
                out.append(d > 0 ? "Infinity" : "-Infinity");
            } else {
                out.append(pythonRepr(d));
            }
        }

        private void string(String s) throws IOException {
            out.append('"');
            int start = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                String esc = switch (c) {
                    case '"' -> "\\\"";
                    case '\\' -> "\\\\";
                    case '\n' -> "\\n";
                    case '\r' -> "\\r";
                    case '\t' -> "\\t";
                    case '\b' -> "\\b";
                    case '\f' -> "\\f";
                    default -> c < 0x20 || ensureAscii && c > 0x7E ? String.format(Locale.ROOT, "\\u%04x", (int) c) : null;
                };
                if (esc != null) {
                    out.append(s, start, i).append(esc);
                    start = i + 1;
                }
            }
            out.append(s, start, s.length()).append('"');
        }
    }

    /** Python's str order: by code point (Java's compareTo orders by UTF-16 unit, which differs above U+FFFF). */
    private static int comparePython(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    // ============================================================================================ comparison

    /**
     * Returns a canonical form of a tagged value, as docs/tagged-json.md defines it, so that two tagged values
     * can be compared with {@code equals}: the elements of every {@code $set} and {@code $frozenset} sorted in
     * Python's order (by {@code json.dumps(canon(e), sort_keys=True)}), every integer node of the width its value
     * needs, every float node a {@link DoubleNode}. Unlike the Python, which compares floats by their repr
     * string, floats stay numbers: {@code -0.0} and {@code 0.0} still differ (DoubleNode compares bits), and the
     * float {@code 1.0} never equals the string {@code "1.0"}. Object key order does not matter to {@code equals},
     * as in Python.
     */
    public static JsonNode canonical(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> {
                String k = singleKey(node);
                if (("$set".equals(k) || "$frozenset".equals(k)) && node.get(k).isArray()) {
                    List<JsonNode> items = new ArrayList<>(node.get(k).size());
                    List<String> keys = new ArrayList<>(node.get(k).size());
                    for (JsonNode e : node.get(k)) {
                        JsonNode c = canonical(e);
                        items.add(c);
                        keys.add(sortKey(c));
                    }
                    Integer[] order = new Integer[items.size()];
                    for (int i = 0; i < order.length; i++) {
                        order[i] = i;
                    }
                    java.util.Arrays.sort(order, (x, y) -> keys.get(x).compareTo(keys.get(y)));
                    ArrayNode sorted = NODES.arrayNode(order.length);
                    for (Integer i : order) {
                        sorted.add(items.get(i));
                    }
                    yield tag(k, sorted);
                }
                ObjectNode o = NODES.objectNode();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    o.set(e.getKey(), canonical(e.getValue()));
                }
                yield o;
            }
            case ARRAY -> {
                ArrayNode a = NODES.arrayNode(node.size());
                for (JsonNode e : node) {
                    a.add(canonical(e));
                }
                yield a;
            }
            case NUMBER -> node.isIntegralNumber() ? integer(node.bigIntegerValue()) : DoubleNode.valueOf(node.doubleValue());
            default -> node;
        };
    }

    /** {@code json.dumps(canon(e), sort_keys=True)}: ASCII only, keys sorted, floats as repr strings. */
    private static String sortKey(JsonNode canonicalElement) {
        StringBuilder b = new StringBuilder();
        try {
            new Writer(b, true, true, true).value(canonicalElement);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toString();
    }
}
