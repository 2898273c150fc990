package org.mmappickle.cli.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.DType;
import org.mmappickle.NDArray;
import org.mmappickle.cli.json.Interop;
import org.mmappickle.cli.json.TaggedJson;
import org.mmappickle.py.PyComplex;

class NpyFileTest {

    @TempDir
    Path dir;

    /** Arrays of the dtypes and shapes worth a round trip, built in Java. */
    static Map<String, NDArray> javaArrays() {
        Map<String, NDArray> m = new LinkedHashMap<>();
        NDArray f4 = NDArray.zeros(DType.FLOAT32, 3, 4);
        for (int i = 0; i < 12; i++) {
            f4.setFlatDouble(i, i * 0.25 - 1);
        }
        m.put("f4_2d", f4);
        NDArray scalar = NDArray.zeros(DType.FLOAT64);
        scalar.setFlatDouble(0, 7.25);
        m.put("f8_0d", scalar);
        m.put("f4_zero", NDArray.zeros(DType.FLOAT32, 0, 3));
        m.put("S3_zero", NDArray.zeros(DType.bytes(3), 0));
        NDArray i4 = NDArray.zeros(DType.INT32, 2, 3, 4);
        for (int i = 0; i < 24; i++) {
            i4.setFlatLong(i, i - 12);
        }
        m.put("i4_3d", i4);
        NDArray f8be = NDArray.zeros(DType.FLOAT64.withOrder(ByteOrder.BIG_ENDIAN), 5);
        double[] f8v = {0.0, 1.5, -0.0, 1e308, Double.NaN};
        for (int i = 0; i < f8v.length; i++) {
            f8be.setFlatDouble(i, f8v[i]);
        }
        m.put("f8_be", f8be);
        NDArray i4be = NDArray.zeros(DType.INT32.withOrder(ByteOrder.BIG_ENDIAN), 3);
        i4be.setFlatLong(0, 1);
        i4be.setFlatLong(1, -1);
        i4be.setFlatLong(2, 256);
        m.put("i4_be", i4be);
        NDArray u5 = NDArray.zeros(DType.unicode(5), 2, 3);
        String[] strings = {"hello", "", "\u00e9\uD83D\uDE80", "a", "ab c", "\u2713"};
        for (int i = 0; i < strings.length; i++) {
            u5.setString(strings[i], i / 3, i % 3);
        }
        m.put("U5_2d", u5);
        NDArray u2be = NDArray.zeros(DType.unicode(2, ByteOrder.BIG_ENDIAN), 2);
        u2be.setString("ab", 0);
        u2be.setString("c", 1);
        m.put("U2_be", u2be);
        NDArray s3 = NDArray.zeros(DType.bytes(3), 3);
        s3.setBytes("abc".getBytes(StandardCharsets.US_ASCII), 0);
        s3.setBytes("d".getBytes(StandardCharsets.US_ASCII), 1);
        s3.setBytes(new byte[] {'a', 0, 'b'}, 2);
        m.put("S3", s3);
        m.put("bool", NDArray.of(new boolean[] {true, false, true, true}, 2, 2));
        NDArray u8 = NDArray.zeros(DType.UINT64, 2);
        u8.setFlatLong(0, -1);
        m.put("u8", u8);
        NDArray c16 = NDArray.zeros(DType.COMPLEX128, 2);
        c16.setFlatComplex(0, new PyComplex(0.1, -0.2));
        c16.setFlatComplex(1, new PyComplex(Double.POSITIVE_INFINITY, -0.0));
        m.put("c16", c16);
        NDArray c8be = NDArray.zeros(DType.COMPLEX64.withOrder(ByteOrder.BIG_ENDIAN), 1);
        c8be.setFlatComplex(0, new PyComplex(1.5, 2.5));
        m.put("c8_be", c8be);
        NDArray f2 = NDArray.zeros(DType.FLOAT16, 3);
        f2.setFlatDouble(0, 0.5);
        f2.setFlatDouble(1, 65504);
        f2.setFlatDouble(2, -2);
        m.put("f2", f2);
        NDArray dt = NDArray.zeros(DType.DATETIME64_NS, 2);
        dt.setFlatLong(0, 1704067200000000000L);
        dt.setFlatLong(1, Long.MIN_VALUE);
        m.put("M8_ns", dt);
        NDArray td = NDArray.zeros(DType.timedelta64(DType.TimeUnit.SECOND), 2);
        td.setFlatLong(0, 5);
        td.setFlatLong(1, -3);
        m.put("m8_s", td);
        NDArray ones = NDArray.zeros(DType.UINT8, 1, 2, 1, 2, 1, 2, 1, 2);
        ones.segment().fill((byte) 1);
        m.put("u1_8d", ones);
        m.put("wide_first_dim", NDArray.zeros(DType.UINT8, 12345678901L, 0));
        m.put("zero_first_dim", NDArray.zeros(DType.INT16, 0, 12345678901L));
        m.put("u1_long", NDArray.zeros(DType.UINT8, 100000));
        // larger than the 1 MiB copy chunk, off-heap (written from a ByteBuffer view) and on the heap (through a buffer)
        NDArray bigNative = NDArray.zeros(DType.FLOAT64, 300_000);
        for (int i = 0; i < 300_000; i++) {
            bigNative.setFlatDouble(i, i * 1.5);
        }
        m.put("big_native", bigNative);
        double[] heap = new double[300_001];
        Arrays.setAll(heap, i -> -i / 7.0);
        m.put("big_heap", NDArray.of(heap));
        return m;
    }

    private static ObjectNode tagged(Map<String, NDArray> arrays) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        arrays.forEach((k, a) -> o.set(k, TaggedJson.toTagged(a, Long.MAX_VALUE)));
        return o;
    }

    @Test
    void numpyLoadsWhatJavaWritesAndSavesTheSameBytes() throws Exception {
        Map<String, NDArray> arrays = javaArrays();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NpyFile.write(dir.resolve(e.getKey() + ".npy"), e.getValue());
        }
        Files.writeString(dir.resolve("expected.json"), TaggedJson.write(tagged(arrays)), StandardCharsets.UTF_8);
        String code = """
                import json, os, sys
                import numpy as np
                from tagged_json import to_tagged, canon
                d = sys.argv[1]
                expected = json.load(open(os.path.join(d, 'expected.json'), encoding='utf-8'))
                res = {}
                for name, t in expected.items():
                    a = np.load(os.path.join(d, name + '.npy'))
                    res[name] = canon(to_tagged(a, big=1 << 62)) == canon(t)
                    np.save(os.path.join(d, name + '.py.npy'), a)
                print(json.dumps(res))
                """;
        JsonNode res = TaggedJson.read(Interop.run(code, dir.toString()));
        assertEquals(arrays.size(), res.size());
        for (String name : arrays.keySet()) {
            assertTrue(res.get(name).booleanValue(), name + ": numpy.load gives other values");
            assertArrayEquals(Files.readAllBytes(dir.resolve(name + ".py.npy")), Files.readAllBytes(dir.resolve(name + ".npy")),
                    name + ": not the bytes numpy.save writes");
        }
    }

    static final String PY_ARRAYS = """
            import json, os, sys
            import numpy as np
            from tagged_json import to_tagged
            A = {
              'f4_2d': np.arange(12, dtype='<f4').reshape(3, 4) / np.float32(3),
              'f8_0d': np.array(7.25),
              'f4_zero': np.zeros((0, 3), '<f4'),
              'i4_3d': np.arange(24, dtype='<i4').reshape(2, 3, 4),
              'f8_be': np.array([0.0, 1.5, -0.0, 1e308, np.nan, -np.inf], '>f8'),
              'i8_be': np.array([-2**63, 2**63 - 1], '>i8'),
              'u2_be': np.array([1, 65535], '>u2'),
              'U4': np.array([['ab', '\\u00e9\\U0001f680'], ['', 'abcd']], '<U4'),
              'U3_be': np.array(['x', 'yz'], '>U3'),
              'S4': np.array([b'ab', b'a\\x00b', b''], '|S4'),
              'bool': np.array([[True, False], [False, True]]),
              'c8': np.array([1 + 2j, complex(-0.0, np.inf)], '<c8'),
              'c16_be': np.array([0.1 - 0.2j], '>c16'),
              'f2': np.array([0.5, 65504, -2, 0.1], '<f2'),
              'M8_ns': np.array(['2024-01-01T00:00:00', 'NaT'], 'M8[ns]'),
              'm8_us': np.array([5, -3], 'm8[us]'),
              'u1_8d': np.ones((1, 2, 1, 2, 1, 2, 1, 2), '|u1'),
              'fortran_2d': np.asfortranarray(np.arange(6, dtype='<f8').reshape(2, 3)),
              'fortran_3d': np.asfortranarray(np.arange(24, dtype='>i2').reshape(2, 3, 4)),
              'fortran_U': np.asfortranarray(np.array([['a', 'b', 'c'], ['d', 'e', 'f']], '<U1')),
              'fortran_zero': np.asfortranarray(np.zeros((0, 3), '<f4')),
              'strided': np.arange(20).reshape(4, 5)[:, ::2],
              'big': np.random.default_rng(1).standard_normal(200_000),
            }
            """;

    @Test
    void javaReadsWhatNumpySaves() throws Exception {
        String code = PY_ARRAYS + """
                d = sys.argv[1]
                for name, a in A.items():
                    np.save(os.path.join(d, name + '.npy'), a)
                for v in [(2, 0), (3, 0)]:
                    for name in ['i4_3d', 'U4', 'fortran_3d']:
                        with open(os.path.join(d, 'v%d_%s.npy' % (v[0], name)), 'wb') as f:
                            np.lib.format.write_array(f, A[name], version=v)
                print(json.dumps({k: to_tagged(a, big=1 << 62) for k, a in A.items()}))
                """;
        JsonNode expected = TaggedJson.read(Interop.run(code, dir.toString()));
        for (Map.Entry<String, JsonNode> e : expected.properties()) {
            String name = e.getKey();
            try (Arena arena = Arena.ofConfined()) {
                NDArray a = NpyFile.read(dir.resolve(name + ".npy"), arena);
                assertTrue(a.isReadOnly(), name);
                assertEquals(TaggedJson.canonical(e.getValue()), TaggedJson.canonical(TaggedJson.toTagged(a, Long.MAX_VALUE)), name);
            }
            NpyFile.Header h = NpyFile.readHeader(dir.resolve(name + ".npy"));
            assertEquals(name.startsWith("fortran") && !name.equals("fortran_zero"), h.fortranOrder(), name);
            assertEquals(1, h.majorVersion(), name);
            assertEquals(0, h.dataOffset() % 64, name);
        }
        for (int v : new int[] {2, 3}) {
            for (String name : new String[] {"i4_3d", "U4", "fortran_3d"}) {
                Path p = dir.resolve("v" + v + "_" + name + ".npy");
                assertEquals(v, NpyFile.readHeader(p).majorVersion());
                NDArray a = NpyFile.read(p);
                assertEquals(TaggedJson.canonical(expected.get(name)), TaggedJson.canonical(TaggedJson.toTagged(a, Long.MAX_VALUE)), p.toString());
            }
        }
    }

    @Test
    void closingTheArenaUnmapsTheArray() throws IOException {
        Path p = dir.resolve("a.npy");
        NpyFile.write(p, NDArray.of(new double[] {1, 2, 3}));
        NDArray a;
        try (Arena arena = Arena.ofConfined()) {
            a = NpyFile.read(p, arena);
            assertEquals(2.0, a.flatDouble(1));
            assertTrue(a.segment().isMapped());
        }
        NDArray closed = a;
        assertThrows(IllegalStateException.class, () -> closed.flatDouble(1));
    }

    @Test
    void headersAreNumpysText() {
        byte[] h = NpyFile.header(DType.FLOAT32, 3, 4);
        assertEquals(128, h.length);
        String text = new String(h, 10, h.length - 10, StandardCharsets.ISO_8859_1);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }" + " ".repeat(58) + "\n", text);
        assertTrue(new String(NpyFile.header(DType.FLOAT64), StandardCharsets.ISO_8859_1).contains("'shape': (), }     "));
        assertTrue(new String(NpyFile.header(DType.bytes(3), 5), StandardCharsets.ISO_8859_1).contains("{'descr': '|S3', 'fortran_order': False, 'shape': (5,), }"));
        assertTrue(new String(NpyFile.header(DType.BOOL, 5), StandardCharsets.ISO_8859_1).contains("'|b1'"));
        for (long n = 0; n < 200; n++) {
            assertEquals(0, NpyFile.header(DType.FLOAT64, n).length % 64);
        }
    }

    /**
     * Headers of many lengths (so that some fall just before or after a 64-byte boundary, where numpy's spare
     * spaces change the padding) against numpy's own, for zero-size and one-element arrays.
     */
    @Test
    void headersOfEveryLengthMatchNumpys() throws Exception {
        List<String> dtypes = List.of("<f8", "|S3", "<U10", "<M8[ns]", ">m8[10us]", "|b1");
        List<long[]> shapes = new ArrayList<>();
        for (int k = 0; k <= 40; k++) {
            long[] ones = new long[k];
            Arrays.fill(ones, 1);
            shapes.add(ones);
        }
        for (int digits = 1; digits <= 16; digits++) { // numpy refuses larger ones for U10 even at size 0
            long big = Long.parseLong("9".repeat(digits));
            shapes.add(new long[] {big, 0});
            shapes.add(new long[] {0, big});
            shapes.add(new long[] {0, 7, big, 1});
        }
        StringBuilder cases = new StringBuilder();
        for (String dt : dtypes) {
            for (long[] shape : shapes) {
                cases.append(dt).append(' ').append(Arrays.toString(shape).replaceAll("[\\[\\] ]", "")).append('\n');
            }
        }
        Files.writeString(dir.resolve("cases.txt"), cases);
        String code = """
                import io, sys
                import numpy as np
                out = []
                for line in open(sys.argv[1]):
                    dt, shape = line.rstrip('\\n').split(' ')
                    shape = tuple(int(x) for x in shape.split(',') if x)
                    b = io.BytesIO()
                    np.save(b, np.zeros(shape, dt))
                    v = b.getvalue()
                    out.append(v[:v.index(b'\\n') + 1].hex())
                print('\\n'.join(out))
                """;
        String[] expected = Interop.run(code, dir.resolve("cases.txt").toString()).strip().split("\n");
        int i = 0;
        for (String dt : dtypes) {
            for (long[] shape : shapes) {
                assertEquals(expected[i++], HexFormat.of().formatHex(NpyFile.header(DType.parse(dt), shape)),
                        dt + " " + Arrays.toString(shape));
            }
        }
        assertEquals(expected.length, i);
    }

    // ---------------------------------------------------------------------------------------- rejected files

    /** A version 1.0 file with the given header text and payload, padded as numpy pads. */
    private Path handMade(String name, String header, byte[] payload) throws IOException {
        byte[] text = header.getBytes(StandardCharsets.ISO_8859_1);
        int hlen = text.length + 1;
        int pad = 64 - ((10 + hlen) % 64);
        ByteBuffer b = ByteBuffer.allocate(10 + hlen + pad + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) (hlen + pad)).put(text);
        for (int i = 0; i < pad; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n').put(payload);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    @Test
    void headersWrittenByOtherHandsAreRead() throws IOException {
        byte[] payload = new byte[48];
        ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).putLong(40, 7);
        // Python 2 wrote longs with an L; double quotes and odd spacing are still Python literals
        Path p = handMade("py2.npy", "{\"descr\" :'<i8','fortran_order':False , 'shape':(2L, 3L)}", payload);
        NDArray a = NpyFile.read(p);
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertEquals(7, a.getLong(1, 2));
        assertEquals(1, NpyFile.read(handMade("group.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': ((1),)}", new byte[8])).size());
    }

    private void assertRejected(Path p, String... fragments) {
        IOException e = assertThrows(IOException.class, () -> NpyFile.read(p));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "\"" + e.getMessage() + "\" does not say " + f);
        }
        assertTrue(e.getMessage().contains(p.getFileName().toString()), e.getMessage());
    }

    @Test
    void malformedFilesAreRejectedWithTheReason() throws IOException {
        Path notNpy = dir.resolve("hello.npy");
        Files.writeString(notNpy, "hello, world");
        assertRejected(notNpy, "not a .npy file");
        Path empty = dir.resolve("empty.npy");
        Files.write(empty, new byte[0]);
        assertRejected(empty, "truncated");
        byte[] v4 = NpyFile.header(DType.FLOAT64, 1);
        v4[6] = 4;
        Path version = dir.resolve("v4.npy");
        Files.write(version, v4);
        assertRejected(version, "version 4.0");
        assertRejected(handMade("keys.npy", "{'descr': '<f8', 'shape': (1,), }", new byte[8]), "keys");
        assertRejected(handMade("extra.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", new byte[8]), "keys");
        assertRejected(handMade("order.npy", "{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}", new byte[8]), "fortran_order");
        assertRejected(handMade("shape.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': [1]}", new byte[8]), "shape");
        assertRejected(handMade("negative.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", new byte[8]), "shape");
        assertRejected(handMade("syntax.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)", new byte[8]), "cannot parse");
        assertRejected(handMade("trailing.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} x", new byte[8]), "cannot parse");
        assertRejected(handMade("call.npy", "{'descr': '<f8', 'fortran_order': __import__('os'), 'shape': (1,)}", new byte[8]), "cannot parse");
        assertRejected(handMade("short.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}", new byte[16]), "truncated", "24 bytes");
        Path cut = dir.resolve("cut.npy");
        NpyFile.write(cut, NDArray.of(new double[] {1, 2, 3}));
        byte[] bytes = Files.readAllBytes(cut);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 1));
        assertRejected(cut, "truncated");
    }

    @Test
    void dtypesTheLibraryLacksAreRejectedByName() throws Exception {
        String code = """
                import os, sys
                import numpy as np
                d = sys.argv[1]
                np.save(os.path.join(d, 'structured.npy'), np.zeros(3, dtype=[('a', '<i4'), ('b', '<f8')]))
                np.save(os.path.join(d, 'object.npy'), np.array([1, 'a', None], dtype=object), allow_pickle=True)
                np.save(os.path.join(d, 'longdouble.npy'), np.zeros(2, np.longdouble))
                np.save(os.path.join(d, 'void.npy'), np.zeros(2, 'V4'))
                np.save(os.path.join(d, 'subarray.npy'), np.zeros(2, dtype=('<i4', (3,))))
                """;
        Interop.run(code, dir.toString());
        assertRejected(dir.resolve("structured.npy"), "structured");
        assertRejected(dir.resolve("object.npy"), "'|O'", "not supported");
        assertRejected(dir.resolve("longdouble.npy"), "'<f16'");
        assertRejected(dir.resolve("void.npy"), "'|V4'");
        // numpy folds a subarray dtype into the shape when saving: it reads as (2, 3) int32
        assertArrayEquals(new long[] {2, 3}, NpyFile.read(dir.resolve("subarray.npy")).shape());
        assertFalse(Files.exists(dir.resolve("nothing.npy")));
        assertThrows(IOException.class, () -> NpyFile.read(dir.resolve("nothing.npy")));
    }
}
