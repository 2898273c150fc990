package org.mmappickle.cli.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mmappickle.DType;
import org.mmappickle.MaskedArray;
import org.mmappickle.NDArray;
import org.mmappickle.py.PyByteArray;
import org.mmappickle.py.PyComplex;
import org.mmappickle.py.PyFrozenSet;
import org.mmappickle.py.PyNumpyScalar;
import org.mmappickle.py.PyOrderedDict;
import org.mmappickle.py.PyTuple;

class TaggedJsonTest {

    private static JsonNode manifest() throws Exception {
        return TaggedJson.read(Files.readString(Interop.vectors().resolve("manifest.json"), StandardCharsets.UTF_8));
    }

    /** Whether the tagged value holds an array given only by its sha256 (its elements cannot be rebuilt). */
    private static boolean hasDigestOnlyArray(JsonNode n) {
        if (n.isObject() && n.has("$ndarray") && !n.get("$ndarray").has("data")) {
            return true;
        }
        for (JsonNode c : n) {
            if (hasDigestOnlyArray(c)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyManifestValueSurvivesFromTaggedAndBack() throws Exception {
        int checked = 0;
        int digestOnly = 0;
        for (Map.Entry<String, JsonNode> file : manifest().get("files").properties()) {
            for (Map.Entry<String, JsonNode> key : file.getValue().get("keys").properties()) {
                JsonNode x = key.getValue();
                String where = file.getKey() + " / " + key.getKey();
                if (hasDigestOnlyArray(x)) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaggedJson.fromTagged(x), where);
                    assertTrue(e.getMessage().contains("sha256"), e.getMessage());
                    digestOnly++;
                    continue;
                }
                Object value = TaggedJson.fromTagged(x);
                assertEquals(TaggedJson.canonical(x), TaggedJson.canonical(TaggedJson.toTagged(value)), where);
                // the text too: sets keep their JSON order through LinkedHashSet, so nothing needs sorting here
                assertEquals(TaggedJson.write(x), TaggedJson.write(TaggedJson.toTagged(value, Long.MAX_VALUE)), where);
                checked++;
            }
        }
        assertTrue(checked > 80, "only " + checked + " values checked");
        assertEquals(2, digestOnly, "random_1mib and empty_stub are given by sha256");
    }

    @Test
    void manifestTextIsWrittenExactlyAsPythonWritesIt() throws Exception {
        String code = """
                import json, sys
                m = json.load(open(sys.argv[1], encoding='utf-8'))
                out = {'whole': json.dumps(m, ensure_ascii=False), 'values': []}
                for f, d in m['files'].items():
                    for k, v in d.get('keys', {}).items():
                        out['values'].append([f, k, json.dumps(v, ensure_ascii=False)])
                print(json.dumps(out))
                """;
        JsonNode py = TaggedJson.read(Interop.run(code, Interop.vectors().resolve("manifest.json").toString()));
        JsonNode manifest = manifest();
        assertEquals(py.get("whole").textValue(), TaggedJson.write(manifest));
        for (JsonNode v : py.get("values")) {
            String expected = v.get(2).textValue();
            String where = v.get(0).textValue() + " / " + v.get(1).textValue();
            assertEquals(expected, TaggedJson.write(TaggedJson.read(expected)), where);
            assertEquals(expected, TaggedJson.write(manifest.get("files").get(v.get(0).textValue()).get("keys").get(v.get(1).textValue())), where);
        }
        assertTrue(py.get("values").size() > 80);
    }

    @Test
    void samplesAreWrittenExactlyAsPythonWritesThem() throws Exception {
        String code = """
                import json
                samples = [
                    'tab\\t quote" back\\\\ nl\\n cr\\r bs\\b ff\\f nul\\x00 us\\x1f del\\x7f nbsp\\xa0 ls\\u2028 check\\u2713 rocket\\U0001f680',
                    {'': [], 'k\\u00e9y': {}, 'nested': [[[]], {'a': {'b': None}}], '\\U0001f680': True},
                    [0, -1, 2**31, -2**63, 2**64, -2**200, 10**300],
                    [1e-300, 1e308, 3.0, 0.1, -0.0, 0.0, 1e16, 1234567890123456.0, 5e-324, 2.2250738585072014e-308,
                     1.7976931348623157e308, 1e22, 1e23, 0.0001, 1e-05, 123456789012345678.0, 1.5, -2.5e-7, 100.0],
                    [float('nan'), float('inf'), float('-inf')],
                    {'$tuple': [1, 'a']},
                    [True, False, None, '', 'x' * 300],
                ]
                print(json.dumps([json.dumps(s, ensure_ascii=False) for s in samples]))
                """;
        JsonNode texts = TaggedJson.read(Interop.run(code));
        assertEquals(7, texts.size());
        for (JsonNode t : texts) {
            assertEquals(t.textValue(), TaggedJson.write(TaggedJson.read(t.textValue())));
        }
    }

    // ---------------------------------------------------------------------------------------- Java values vs to_tagged

    private static final String PY_VALUES = """
            import collections, datetime, json
            import numpy as np
            from tagged_json import to_tagged
            nan, inf = float('nan'), float('inf')
            tz = datetime.timezone
            td = datetime.timedelta
            V = {
              'none': None,
              'bools': [True, False],
              'ints': [0, -7, 2**31, -2**70, -2**63, 2**63],
              'floats': [3.25, -1e-300, 1e16, 0.1, -0.0, nan, inf, -inf, float(np.float32(0.1))],
              'complex': complex(1.5, -0.0),
              'complex_nan': complex(nan, -inf),
              'str': 'tab\\t quote" back\\\\ nul\\x00 del\\x7f \\u2713 \\U0001f680 \\u2028',
              'bytes': b'\\x00\\x01\\x02\\xff',
              'bytearray': bytearray(b'abc'),
              'tuple': (1, 'a', (2.5,), ()),
              'dict': {'z': 1, 'a': [{}], '\\u00e9': collections.OrderedDict([('x', None)])},
              'dict_keys': {1: 'a', (3, 4): 'c', None: 'n', 2.5: 'f'},
              'set': {1, 2, 3},
              'frozenset': frozenset({'y', 'x'}),
              'datetime': datetime.datetime(2024, 2, 29, 13, 45, 7, 123456),
              'datetime_midnight': datetime.datetime(2024, 1, 1),
              'datetime_tz': datetime.datetime(2024, 1, 1, 12, 0, 0, 500000, tzinfo=tz(td(hours=-5, minutes=-30))),
              'datetime_utc': datetime.datetime(2000, 1, 1, tzinfo=tz.utc),
              'datetime_odd_offset': datetime.datetime(1999, 12, 31, 23, 59, 59, tzinfo=tz(td(seconds=3723))),
              'date': datetime.date(5, 1, 2),
              'npscalars': [np.bool_(True), np.int8(-5), np.uint64(2**64 - 1), np.float16(0.1), np.float32(0.1),
                            np.float64(2.5), np.complex64(1 - 2j), np.bytes_(b'ab'), np.str_('h\\u00e9\\U0001f680'),
                            np.datetime64(1704067200, 's'), np.timedelta64(5, 's'), np.int32(-4), np.float64(nan)],
              'a_f4': np.array([0.1, -2.5, 1e-40, 3.4e38, nan, -inf], '<f4').reshape(2, 3),
              'a_f2': np.array([0.5, -2.0, 65504.0, 0.1], '<f2'),
              'a_f8_be': np.array([0.0, 1.0, -0.0, 1e308], '>f8'),
              'a_i4_be': np.array([1, -1, 256], '>i4'),
              'a_u8': np.array([0, 2**64 - 1, 2**63], '<u8'),
              'a_i8': np.array([-2**63, 2**63 - 1], '<i8'),
              'a_u1': np.array([0, 255], '|u1'),
              'a_i1': np.array([-128, 127], '|i1'),
              'a_u2_u4': [np.array([65535], '<u2'), np.array([4294967295], '<u4')],
              'a_c8': np.array([1 + 2j, complex(-0.0, -3.5)], '<c8'),
              'a_c16_be': np.array([0.1 + 0.2j], '>c16'),
              'a_bool': np.array([True, False, False, True]).reshape(2, 2),
              'a_S3': np.array([b'abc', b'd', b'', b'a\\x00b'], '|S3'),
              'a_U3': np.array(['ab', '\\u00e9\\U0001f680', ''], '<U3'),
              'a_U2_be': np.array(['ab', 'c'], '>U2'),
              'a_M8': np.array([1704067200000000000, -2**63], '<M8[ns]'),
              'a_m8': np.array([5, -3], '<m8[s]'),
              'a_0d': np.array(7.25),
              'a_empty': np.zeros((0, 3), '<f4'),
              'a_8d': np.ones((1, 2, 1, 2, 1, 2, 1, 2), '|u1'),
              'a_i2_2d': np.arange(-6, 6, dtype='<i2').reshape(3, 4),
              'a_limit': np.arange(8192) * 0.5,
              'a_over_limit': np.arange(8193) * 0.5,
              'a_big_be': np.arange(20000, dtype='>i4'),
              'masked': np.ma.MaskedArray([1.0, 2.0, 3.0], mask=[False, True, False]),
              'masked_nomask': np.ma.MaskedArray(np.zeros(2, '<i8')),
            }
            print(json.dumps({k: json.dumps(to_tagged(v), ensure_ascii=False) for k, v in V.items()}))
            """;

    private static NDArray array(DType dtype, long[] shape, double... values) {
        NDArray a = NDArray.zeros(dtype, shape);
        for (int i = 0; i < values.length; i++) {
            a.setFlatDouble(i, values[i]);
        }
        return a;
    }

    private static NDArray longs(DType dtype, long... values) {
        NDArray a = NDArray.zeros(dtype, values.length);
        for (int i = 0; i < values.length; i++) {
            a.setFlatLong(i, values[i]);
        }
        return a;
    }

    private static Map<String, Object> javaValues() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("none", null);
        v.put("bools", List.of(true, false));
        v.put("ints", List.of(0, -7, 2147483648L, BigInteger.TWO.pow(70).negate(), Long.MIN_VALUE, BigInteger.TWO.pow(63)));
        v.put("floats", Arrays.asList(3.25, -1e-300, 1e16, 0.1, -0.0, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, 0.1f));
        v.put("complex", new PyComplex(1.5, -0.0));
        v.put("complex_nan", new PyComplex(Double.NaN, Double.NEGATIVE_INFINITY));
        v.put("str", "tab\t quote\" back\\ nul\u0000 del\u007f \u2713 \uD83D\uDE80 \u2028");
        v.put("bytes", new byte[] {0, 1, 2, (byte) 0xFF});
        v.put("bytearray", new PyByteArray("abc".getBytes(StandardCharsets.US_ASCII)));
        v.put("tuple", PyTuple.of(1, "a", PyTuple.of(2.5), PyTuple.of()));
        Map<Object, Object> dict = new LinkedHashMap<>();
        dict.put("z", 1);
        dict.put("a", List.of(Map.of()));
        PyOrderedDict od = new PyOrderedDict();
        od.put("x", null);
        dict.put("\u00e9", od);
        v.put("dict", dict);
        Map<Object, Object> keys = new LinkedHashMap<>();
        keys.put(1, "a");
        keys.put(PyTuple.of(3, 4), "c");
        keys.put(null, "n");
        keys.put(2.5, "f");
        v.put("dict_keys", keys);
        v.put("set", new LinkedHashSet<>(List.of(1, 2, 3)));
        v.put("frozenset", PyFrozenSet.of("x", "y"));
        v.put("datetime", LocalDateTime.of(2024, 2, 29, 13, 45, 7, 123_456_000));
        v.put("datetime_midnight", LocalDateTime.of(2024, 1, 1, 0, 0));
        v.put("datetime_tz", OffsetDateTime.of(2024, 1, 1, 12, 0, 0, 500_000_000, ZoneOffset.ofHoursMinutes(-5, -30)));
        v.put("datetime_utc", OffsetDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC));
        v.put("datetime_odd_offset", OffsetDateTime.of(1999, 12, 31, 23, 59, 59, 0, ZoneOffset.ofTotalSeconds(3723)));
        v.put("date", LocalDate.of(5, 1, 2));
        v.put("npscalars", List.of(PyNumpyScalar.ofBool(true), PyNumpyScalar.ofInt8((byte) -5),
                PyNumpyScalar.ofUInt64(BigInteger.TWO.pow(64).subtract(BigInteger.ONE)), PyNumpyScalar.ofFloat16(0.1f),
                PyNumpyScalar.ofFloat32(0.1f), PyNumpyScalar.ofDouble(2.5), PyNumpyScalar.ofComplex64(1, -2),
                PyNumpyScalar.ofBytes(new byte[] {'a', 'b'}), PyNumpyScalar.ofStr("h\u00e9\uD83D\uDE80"),
                PyNumpyScalar.ofDatetime64(1704067200, "s"), PyNumpyScalar.ofTimedelta64(5, "s"), PyNumpyScalar.ofInt32(-4),
                PyNumpyScalar.ofDouble(Double.NaN)));
        v.put("a_f4", array(DType.FLOAT32, new long[] {2, 3}, 0.1, -2.5, 1e-40, 3.4e38, Double.NaN, Double.NEGATIVE_INFINITY));
        v.put("a_f2", array(DType.FLOAT16, new long[] {4}, 0.5, -2.0, 65504.0, 0.1));
        v.put("a_f8_be", array(DType.FLOAT64.withOrder(ByteOrder.BIG_ENDIAN), new long[] {4}, 0.0, 1.0, -0.0, 1e308));
        v.put("a_i4_be", longs(DType.INT32.withOrder(ByteOrder.BIG_ENDIAN), 1, -1, 256));
        v.put("a_u8", longs(DType.UINT64, 0, -1, Long.MIN_VALUE));
        v.put("a_i8", longs(DType.INT64, Long.MIN_VALUE, Long.MAX_VALUE));
        v.put("a_u1", longs(DType.UINT8, 0, 255));
        v.put("a_i1", longs(DType.INT8, -128, 127));
        v.put("a_u2_u4", List.of(longs(DType.UINT16, 65535), longs(DType.UINT32, 4294967295L)));
        NDArray c8 = NDArray.zeros(DType.COMPLEX64, 2);
        c8.setFlatComplex(0, new PyComplex(1, 2));
        c8.setFlatComplex(1, new PyComplex(-0.0, -3.5));
        v.put("a_c8", c8);
        NDArray c16 = NDArray.zeros(DType.COMPLEX128.withOrder(ByteOrder.BIG_ENDIAN), 1);
        c16.setFlatComplex(0, new PyComplex(0.1, 0.2));
        v.put("a_c16_be", c16);
        v.put("a_bool", NDArray.of(new boolean[] {true, false, false, true}, 2, 2));
        NDArray s3 = NDArray.zeros(DType.bytes(3), 4);
        s3.setBytes("abc".getBytes(StandardCharsets.US_ASCII), 0);
        s3.setBytes("d".getBytes(StandardCharsets.US_ASCII), 1);
        s3.setBytes(new byte[] {'a', 0, 'b'}, 3);
        v.put("a_S3", s3);
        NDArray u3 = NDArray.zeros(DType.unicode(3), 3);
        u3.setString("ab", 0);
        u3.setString("\u00e9\uD83D\uDE80", 1);
        v.put("a_U3", u3);
        NDArray u2 = NDArray.zeros(DType.unicode(2, ByteOrder.BIG_ENDIAN), 2);
        u2.setString("ab", 0);
        u2.setString("c", 1);
        v.put("a_U2_be", u2);
        v.put("a_M8", longs(DType.DATETIME64_NS, 1704067200000000000L, Long.MIN_VALUE));
        v.put("a_m8", longs(DType.timedelta64(DType.TimeUnit.SECOND), 5, -3));
        v.put("a_0d", array(DType.FLOAT64, new long[0], 7.25));
        v.put("a_empty", NDArray.zeros(DType.FLOAT32, 0, 3));
        NDArray ones = NDArray.zeros(DType.UINT8, 1, 2, 1, 2, 1, 2, 1, 2);
        ones.segment().fill((byte) 1);
        v.put("a_8d", ones);
        NDArray i2 = NDArray.zeros(DType.INT16, 3, 4);
        for (int i = 0; i < 12; i++) {
            i2.setFlatLong(i, i - 6);
        }
        v.put("a_i2_2d", i2);
        double[] limit = new double[8192];
        Arrays.setAll(limit, i -> i * 0.5);
        v.put("a_limit", NDArray.of(limit));
        double[] over = new double[8193];
        Arrays.setAll(over, i -> i * 0.5);
        v.put("a_over_limit", NDArray.of(over));
        NDArray bigBe = NDArray.zeros(DType.INT32.withOrder(ByteOrder.BIG_ENDIAN), 20000);
        for (int i = 0; i < 20000; i++) {
            bigBe.setFlatLong(i, i);
        }
        v.put("a_big_be", bigBe);
        v.put("masked", new MaskedArray(NDArray.of(new double[] {1, 2, 3}), NDArray.of(new boolean[] {false, true, false})));
        v.put("masked_nomask", MaskedArray.unmasked(NDArray.zeros(DType.INT64, 2)));
        return v;
    }

    @Test
    void javaValuesAreTaggedAsToTaggedTagsThePythonOnes() throws Exception {
        JsonNode py = TaggedJson.read(Interop.run(PY_VALUES));
        Map<String, Object> java = javaValues();
        assertEquals(new ArrayList<>(java.keySet()), new ArrayList<>(iterable(py.fieldNames())));
        Set<String> unordered = Set.of("set", "frozenset");
        for (Map.Entry<String, Object> e : java.entrySet()) {
            String expected = py.get(e.getKey()).textValue();
            JsonNode tagged = TaggedJson.toTagged(e.getValue());
            if (unordered.contains(e.getKey())) {
                assertEquals(TaggedJson.canonical(TaggedJson.read(expected)), TaggedJson.canonical(tagged), e.getKey());
            } else {
                assertEquals(expected, TaggedJson.write(tagged), e.getKey());
            }
            // and back: what Python wrote becomes Java values that tag to the same thing
            JsonNode parsed = TaggedJson.read(expected);
            if (!hasDigestOnlyArray(parsed)) {
                assertEquals(TaggedJson.canonical(parsed), TaggedJson.canonical(TaggedJson.toTagged(TaggedJson.fromTagged(parsed))), e.getKey());
            }
        }
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    // ---------------------------------------------------------------------------------------- the Java side alone

    @Test
    void readKeepsIntegersExactAndFloatsFloats() {
        assertTrue(TaggedJson.read("1").isInt());
        assertTrue(TaggedJson.read("9223372036854775807").isLong());
        JsonNode big = TaggedJson.read("-123456789012345678901234567890");
        assertTrue(big.isBigInteger());
        assertEquals("-123456789012345678901234567890", TaggedJson.write(big));
        assertTrue(TaggedJson.read("1.0").isDouble());
        assertEquals("1.0", TaggedJson.write(TaggedJson.read("1.0")));
        assertEquals("[NaN, Infinity, -Infinity]", TaggedJson.write(TaggedJson.read("[NaN, Infinity, -Infinity]")));
        assertEquals("{\"a\": 2}", TaggedJson.write(TaggedJson.read("{\"a\": 1, \"a\": 2}")));
        assertInstanceOf(Integer.class, TaggedJson.fromTagged(TaggedJson.read("5")));
        assertInstanceOf(Long.class, TaggedJson.fromTagged(TaggedJson.read("5000000000")));
        assertInstanceOf(BigInteger.class, TaggedJson.fromTagged(TaggedJson.read("18446744073709551615")));
        assertInstanceOf(Double.class, TaggedJson.fromTagged(TaggedJson.read("5.0")));
    }

    @Test
    void readRejectsWhatIsNotOneJsonValue() {
        assertThrows(IllegalArgumentException.class, () -> TaggedJson.read(""));
        assertThrows(IllegalArgumentException.class, () -> TaggedJson.read("1 2"));
        assertThrows(IllegalArgumentException.class, () -> TaggedJson.read("[1,"));
        assertThrows(IllegalArgumentException.class, () -> TaggedJson.read("{'a': 1}"));
    }

    @Test
    void fromTaggedBuildsTheJavaTypes() {
        Object v = TaggedJson.fromTagged(TaggedJson.read("""
                {"t": {"$tuple": [1]}, "s": {"$set": [1]}, "f": {"$frozenset": []}, "b": {"$bytes": "AAE="},
                 "ba": {"$bytearray": ""}, "c": {"$complex": [1.0, {"$float": "-inf"}]}, "d": {"$dict": [[1, 2]]},
                 "dt": {"$datetime": "2024-02-29T13:45:07.123456"}, "dtz": {"$datetime": "2024-01-01T00:00:00+05:30"},
                 "day": {"$date": "1999-12-31"}, "n": {"$npscalar": {"dtype": "<i4", "value": -4}},
                 "plain": {"$unknown": 1}}
                """));
        Map<?, ?> m = assertInstanceOf(Map.class, v);
        assertEquals(PyTuple.of(1), m.get("t"));
        assertEquals(Set.of(1), m.get("s"));
        assertEquals(PyFrozenSet.of(), m.get("f"));
        assertEquals(List.of((byte) 0, (byte) 1), toList((byte[]) m.get("b")));
        assertEquals(new PyByteArray(new byte[0]), m.get("ba"));
        assertEquals(new PyComplex(1.0, Double.NEGATIVE_INFINITY), m.get("c"));
        assertEquals(Map.of(1, 2), m.get("d"));
        assertEquals(LocalDateTime.of(2024, 2, 29, 13, 45, 7, 123_456_000), m.get("dt"));
        assertEquals(OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHoursMinutes(5, 30)), m.get("dtz"));
        assertEquals(LocalDate.of(1999, 12, 31), m.get("day"));
        assertEquals(PyNumpyScalar.ofInt32(-4), m.get("n"));
        assertEquals(Map.of("$unknown", 1), m.get("plain"));
    }

    private static List<Byte> toList(byte[] b) {
        List<Byte> l = new ArrayList<>();
        for (byte x : b) {
            l.add(x);
        }
        return l;
    }

    @Test
    void fromTaggedNamesThePlaceOfWhatItRejects() {
        IllegalArgumentException digest = assertThrows(IllegalArgumentException.class, () -> TaggedJson.fromTagged(TaggedJson.read(
                "{\"x\": {\"$ndarray\": {\"dtype\": \"<f8\", \"shape\": [131072], \"sha256\": \"00\"}}}")));
        assertTrue(digest.getMessage().contains("/x/$ndarray") && digest.getMessage().contains("sha256"), digest.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> TaggedJson.fromTagged(TaggedJson.read(
                "[{\"$ndarray\": {\"dtype\": \"|u1\", \"shape\": [2], \"data\": [1, 300]}}]")));
        assertTrue(range.getMessage().contains("/0/$ndarray/data/1") && range.getMessage().contains("300"), range.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TaggedJson.fromTagged(TaggedJson.read(
                "{\"$ndarray\": {\"dtype\": \"<f8\", \"shape\": [3], \"data\": [1.0]}}")));
        assertThrows(IllegalArgumentException.class, () -> TaggedJson.fromTagged(TaggedJson.read(
                "{\"$ndarray\": {\"dtype\": \"|O\", \"shape\": [1], \"data\": [1]}}")));
        assertThrows(IllegalArgumentException.class, () -> TaggedJson.fromTagged(TaggedJson.read("{\"$float\": \"NaN\"}")));
        assertThrows(IllegalArgumentException.class, () -> TaggedJson.fromTagged(TaggedJson.read("{\"$bytes\": \"@@\"}")));
        assertThrows(IllegalArgumentException.class, () -> TaggedJson.fromTagged(TaggedJson.read("{\"$datetime\": \"yesterday\"}")));
    }

    @Test
    void arraysWithBothDataAndDigestAreChecked() {
        String data = "{\"$ndarray\": {\"dtype\": \"|u1\", \"shape\": [3], \"data\": [1, 2, 3], \"sha256\": \"%s\"}}";
        String right = "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81";
        NDArray a = assertInstanceOf(NDArray.class, TaggedJson.fromTagged(TaggedJson.read(data.formatted(right))));
        assertEquals(3, a.size());
        assertEquals(right, TaggedJson.toTagged(a, 2).get("$ndarray").get("sha256").textValue());
        assertThrows(IllegalArgumentException.class, () -> TaggedJson.fromTagged(TaggedJson.read(data.formatted("00" + right.substring(2)))));
    }

    @Test
    void toTaggedRefusesWhatHasNoForm() {
        assertThrows(IllegalArgumentException.class, () -> TaggedJson.toTagged(new Object()));
        assertThrows(IllegalArgumentException.class, () -> TaggedJson.toTagged(java.time.Duration.ofSeconds(1)));
        List<Object> self = new ArrayList<>();
        self.add(self);
        assertThrows(IllegalArgumentException.class, () -> TaggedJson.toTagged(self));
        assertThrows(IllegalArgumentException.class, () -> TaggedJson.toTagged(LocalDate.of(0, 1, 1)));
        // a value shared (not cyclic) is fine
        List<Object> shared = List.of("s");
        assertEquals("[[\"s\"], [\"s\"]]", TaggedJson.write(TaggedJson.toTagged(List.of(shared, shared))));
    }

    @Test
    void canonicalSortsSetsAndNormalizesNumbers() {
        JsonNode a = TaggedJson.read("{\"$set\": [3, \"b\", 1.5, {\"$tuple\": [1]}, \"a\"]}");
        JsonNode b = TaggedJson.read("{\"$set\": [\"a\", {\"$tuple\": [1]}, 1.5, 3, \"b\"]}");
        assertEquals(TaggedJson.canonical(a), TaggedJson.canonical(b));
        // Python: sorted by json.dumps(canon(e), sort_keys=True); floats are repr strings there
        assertEquals("{\"$set\": [1.5, \"a\", \"b\", 3, {\"$tuple\": [1]}]}", TaggedJson.write(TaggedJson.canonical(a)));
        assertEquals(TaggedJson.canonical(TaggedJson.read("5")),
                TaggedJson.canonical(com.fasterxml.jackson.databind.node.LongNode.valueOf(5)));
        assertTrue(!TaggedJson.canonical(TaggedJson.read("0.0")).equals(TaggedJson.canonical(TaggedJson.read("-0.0"))));
    }

    @Test
    void canonicalOrdersSetsAsPythonsCanonDoes() throws Exception {
        String set = "{\"$set\": [3, \"b\", 1.5, {\"$tuple\": [1]}, \"a\", \"\\u00e9\", \"\\ud83d\\ude80\", \"\\uffff\", -1, [2, {\"z\": 1, \"a\": 2}], null, true]}";
        String code = """
                import json, sys
                from tagged_json import canon
                c = canon(json.loads(sys.argv[1]))
                print(json.dumps([json.dumps(e, sort_keys=True) for e in c['$set']]))
                """;
        JsonNode py = TaggedJson.read(Interop.run(code, set));
        JsonNode java = TaggedJson.canonical(TaggedJson.read(set)).get("$set");
        assertEquals(py.size(), java.size());
        for (int i = 0; i < py.size(); i++) {
            // Python's canon made floats strings; compare the elements in their plain form
            JsonNode expected = TaggedJson.read(py.get(i).textValue());
            JsonNode actual = java.get(i);
            if (actual.isDouble()) {
                assertEquals(TaggedJson.pythonRepr(actual.doubleValue()), expected.textValue());
            } else {
                assertEquals(TaggedJson.canonical(expected), actual, "element " + i);
            }
        }
    }
}
