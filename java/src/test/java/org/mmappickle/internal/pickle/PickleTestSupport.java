package org.mmappickle.internal.pickle;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
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
import org.mmappickle.testing.Python;

/** Helpers for the pickle tests: byte strings, value normalization, the golden vectors and their manifest. */
final class PickleTestSupport {
    private PickleTestSupport() {
    }

    /** Bytes from parts: an Integer is one byte, a String its latin-1 bytes, a byte[] itself. */
    static byte[] b(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            switch (p) {
                case Integer i -> out.write(i);
                case String s -> out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
                case byte[] a -> out.writeBytes(a);
                default -> throw new IllegalArgumentException(String.valueOf(p));
            }
        }
        return out.toByteArray();
    }

    static byte[] le32(long v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
    }

    static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** Loads a bare value stream. */
    static Object value(byte[] bytes) {
        return Unpickler.loadValue(MemorySegment.ofArray(bytes), 0, bytes.length, null, 0);
    }

    /** Loads a whole pickle. */
    static Object pickle(byte[] bytes) {
        return Unpickler.loadPickle(MemorySegment.ofArray(bytes), null);
    }

    // ---- normalization: a form where equal Python values give equal Java objects --------------

    /** Tags for Python types that Java would otherwise confuse. */
    record Bytes(String hex) {
    }

    record ByteArr(String hex) {
    }

    record Tup(List<Object> items) {
    }

    record FSet(Set<Object> items) {
    }

    record ODict(Map<Object, Object> items) {
    }

    record Np(String dtype, Object value) {
    }

    record Obj(PyObject.Kind kind, String module, String name, Object callable, Object args, Object kwargs,
            Object listItems, Object dictItems, boolean hasState, Object state) {
    }

    /**
     * Normalizes a value for comparison: ints to BigInteger, floats to Double, chars to String, byte
     * arrays by content. With {@code strict} an OrderedDict differs from a dict; without, it does not
     * (tagged JSON has no OrderedDict).
     */
    @SuppressWarnings("unchecked")
    static Object norm(Object v, boolean strict) {
        return switch (v) {
            case null -> null;
            case Byte x -> BigInteger.valueOf(x);
            case Short x -> BigInteger.valueOf(x);
            case Integer x -> BigInteger.valueOf(x);
            case Long x -> BigInteger.valueOf(x);
            case Float x -> (double) x;
            case Character c -> String.valueOf(c);
            case byte[] a -> new Bytes(hex(a));
            case PyByteArray a -> new ByteArr(hex(a.bytes()));
            case List<?> l -> {
                List<Object> out = new ArrayList<>();
                l.forEach(o -> out.add(norm(o, strict)));
                yield out;
            }
            case PyTuple t -> new Tup((List<Object>) norm(t.items(), strict));
            case PyOrderedDict d when strict -> new ODict(normMap(d, strict));
            case Map<?, ?> m -> normMap(m, strict);
            case Set<?> s -> normSet(s, strict);
            case PyFrozenSet f -> new FSet(normSet(f.items(), strict));
            case PyNumpyScalar n -> new Np(n.dtype(), norm(n.value(), strict));
            case PyObject p -> new Obj(p.kind(), p.module(), p.name(), norm(p.callable(), strict), norm(p.args(), strict),
                    norm(p.kwargs(), strict), norm(p.listItems(), strict),
                    norm(p.dictItems().stream().map(e -> PyTuple.of(e.getKey(), e.getValue())).toList(), strict),
                    p.hasState(), norm(p.state(), strict));
            default -> v; // Boolean, BigInteger, Double, String, PyComplex, java.time
        };
    }

    private static Map<Object, Object> normMap(Map<?, ?> m, boolean strict) {
        Map<Object, Object> out = new LinkedHashMap<>();
        m.forEach((k, x) -> out.put(norm(k, strict), norm(x, strict)));
        return out;
    }

    private static Set<Object> normSet(Set<?> s, boolean strict) {
        Set<Object> out = new HashSet<>();
        s.forEach(o -> out.add(norm(o, strict)));
        return out;
    }

    // ---- golden vectors -------------------------------------------------------------------------

    /** The folder of the golden vectors written by mmappickle 1.0.1 (the repository's test resources). */
    static Path vectors() {
        return Python.vectors();
    }

    /** One entry of an mmappickle file (docs/format.md "Entries"). */
    record Entry(String key, int valueStart, int valueEnd, int memoMax, boolean valid) {
    }

    /** Parses the entries of an mmappickle file, from offset 24 to size - 11. */
    static List<Entry> entries(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Entry> out = new ArrayList<>();
        int o = 24;
        while (o < file.length - 11) {
            int f = (int) b.getLong(o + 1);
            int k = file[o + 10] & 0xFF;
            String key = new String(file, o + 11, k, StandardCharsets.UTF_8);
            int d = f - 2 - k - 8;
            int vs = o + 11 + k;
            int memo = b.getInt(vs + d + 1);
            boolean valid = file[o + 9 + f - 2] == (byte) 0x88;
            out.add(new Entry(key, vs, vs + d, memo, valid));
            o += 9 + f;
        }
        return out;
    }

    static byte[] read(String name) throws Exception {
        return Files.readAllBytes(vectors().resolve(name));
    }

    /** The manifest's tagged JSON for one file's keys. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> manifestKeys(String file) throws Exception {
        Map<String, Object> m = (Map<String, Object>) new Json(Files.readString(vectors().resolve("manifest.json"))).parse();
        Map<String, Object> files = (Map<String, Object>) m.get("files");
        return (Map<String, Object>) ((Map<String, Object>) files.get(file)).get("keys");
    }

    /** Converts tagged JSON (docs/tagged-json.md) to the normalized form of the Java value the unpickler gives. */
    @SuppressWarnings("unchecked")
    static Object tagged(Object j) {
        return switch (j) {
            case null -> null;
            case List<?> l -> l.stream().map(PickleTestSupport::tagged).toList();
            case Map<?, ?> m when m.size() == 1 && m.keySet().iterator().next().toString().startsWith("$") -> {
                Map.Entry<String, Object> e = ((Map<String, Object>) m).entrySet().iterator().next();
                Object x = e.getValue();
                yield switch (e.getKey()) {
                    case "$float" -> switch ((String) x) {
                        case "nan" -> Double.NaN;
                        case "inf" -> Double.POSITIVE_INFINITY;
                        default -> Double.NEGATIVE_INFINITY;
                    };
                    case "$bytes" -> new Bytes(hex(Base64.getDecoder().decode((String) x)));
                    case "$bytearray" -> new ByteArr(hex(Base64.getDecoder().decode((String) x)));
                    case "$tuple" -> new Tup((List<Object>) tagged(x));
                    case "$set" -> new HashSet<>((List<Object>) tagged(x));
                    case "$frozenset" -> new FSet(new HashSet<>((List<Object>) tagged(x)));
                    case "$dict" -> {
                        Map<Object, Object> d = new LinkedHashMap<>();
                        for (Object pair : (List<Object>) x) {
                            List<Object> kv = (List<Object>) pair;
                            d.put(tagged(kv.get(0)), tagged(kv.get(1)));
                        }
                        yield d;
                    }
                    case "$complex" -> {
                        List<Object> c = (List<Object>) tagged(x);
                        yield new PyComplex((Double) c.get(0), (Double) c.get(1));
                    }
                    case "$npscalar" -> {
                        Map<String, Object> s = (Map<String, Object>) x;
                        yield new Np((String) s.get("dtype"), tagged(s.get("value")));
                    }
                    case "$datetime" -> ((String) x).length() > 26
                            ? OffsetDateTime.parse((String) x) : LocalDateTime.parse((String) x);
                    case "$date" -> LocalDate.parse((String) x);
                    default -> throw new IllegalArgumentException("tag " + e.getKey());
                };
            }
            case Map<?, ?> m -> {
                Map<Object, Object> d = new LinkedHashMap<>();
                m.forEach((k, x) -> d.put(k, tagged(x)));
                yield d;
            }
            default -> j; // String, Boolean, BigInteger, Double
        };
    }

    /** A small recursive-descent JSON reader: objects keep their order, integers are BigInteger. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object parse() {
            Object v = value();
            ws();
            if (i != s.length()) {
                throw error("end of input");
            }
            return v;
        }

        private Object value() {
            ws();
            char c = s.charAt(i);
            switch (c) {
                case '{' -> {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    ws();
                    if (s.charAt(i) == '}') {
                        i++;
                        return m;
                    }
                    do {
                        ws();
                        String k = string();
                        ws();
                        expect(':');
                        m.put(k, value());
                        ws();
                    } while (s.charAt(i++) == ',');
                    if (s.charAt(i - 1) != '}') {
                        throw error("}");
                    }
                    return m;
                }
                case '[' -> {
                    i++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (s.charAt(i) == ']') {
                        i++;
                        return l;
                    }
                    do {
                        l.add(value());
                        ws();
                    } while (s.charAt(i++) == ',');
                    if (s.charAt(i - 1) != ']') {
                        throw error("]");
                    }
                    return l;
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    if (s.startsWith("true", i)) {
                        i += 4;
                        return Boolean.TRUE;
                    }
                    if (s.startsWith("false", i)) {
                        i += 5;
                        return Boolean.FALSE;
                    }
                    if (s.startsWith("null", i)) {
                        i += 4;
                        return null;
                    }
                    int start = i;
                    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                        i++;
                    }
                    String num = s.substring(start, i);
                    if (num.isEmpty()) {
                        throw error("a value");
                    }
                    return num.matches("-?\\d+") ? new BigInteger(num) : (Object) Double.parseDouble(num);
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append(e); // \" \\ \/
                }
            }
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private void expect(char c) {
            if (s.charAt(i++) != c) {
                throw error(String.valueOf(c));
            }
        }

        private IllegalArgumentException error(String expected) {
            return new IllegalArgumentException("JSON: expected " + expected + " at " + i);
        }
    }
}
