package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.py.PyTuple;
import org.mmappickle.testing.Python;

class MmapDictTest {
    @TempDir
    Path dir;

    @Test
    void quickStartAsInTheSeed() throws Exception {
        Path p = dir.resolve("test.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.put("a_sample_key", "value");
            m.put("other_key", List.of(1, 2, 3));
            assertEquals("value", m.get("a_sample_key"));
            assertEquals(3, ((List<?>) m.get("other_key")).get(2));
            m.remove("a_sample_key");
            assertEquals(Set.of("other_key"), m.keySet());
            assertEquals(List.of("other_key"), new ArrayList<>(m.keySet()));
        }
        try (MmapDict m = MmapDict.open(p)) {   // "in another interpreter"
            assertEquals(List.of(1, 2, 3), m.get("other_key"));
            assertEquals(1, m.size());
        }
    }

    @Test
    void mapSemantics() throws Exception {
        try (MmapDict m = MmapDict.open(dir.resolve("m.mmdpickle"))) {
            assertTrue(m.isEmpty());
            assertNull(m.put("a", 1));
            assertEquals(1, m.put("a", 2));
            assertNull(m.get("missing"));
            assertNull(m.get(42));
            assertFalse(m.containsKey(42));
            m.put("b", null);
            assertTrue(m.containsKey("b"));
            assertNull(m.get("b"));
            m.put("c", PyTuple.of(1, "x"));
            Map<String, Object> expected = new LinkedHashMap<>();
            expected.put("a", 2);
            expected.put("b", null);
            expected.put("c", PyTuple.of(1, "x"));
            assertEquals(expected, m);
            assertEquals(m, expected);
            assertEquals(expected.hashCode(), m.hashCode());
            assertEquals(List.of("a", "b", "c"), new ArrayList<>(m.keySet()));
            var it = m.entrySet().iterator();
            it.next();
            it.remove();
            assertFalse(m.containsKey("a"));
            m.keySet().remove("b");
            assertEquals(Set.of("c"), m.keySet());
            m.put("a", "again");
            assertEquals(List.of("c", "a"), new ArrayList<>(m.keySet()), "a replaced key moves to the end, as in the file");
            m.clear();
            assertEquals(0, m.size());
            assertTrue(m.delete("nothing") == false);
        }
    }

    @Test
    void keysLongerThan255BytesAreRejectedAndTheFileIsUntouched() throws Exception {
        Path p = dir.resolve("k.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.put("k".repeat(255), "longest");
            byte[] before = Files.readAllBytes(p);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.put("k".repeat(256), 1));
            assertTrue(e.getMessage().contains("255"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.put("é".repeat(128), 1));
            assertArrayEquals(before, Files.readAllBytes(p));
            assertEquals("longest", m.get("k".repeat(255)));
        }
    }

    @Test
    void unpicklableValuesAreRejectedBeforeTheFileIsTouched() throws Exception {
        Path p = dir.resolve("u.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.put("a", 1);
            byte[] before = Files.readAllBytes(p);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.put("t", new Thread()));
            assertTrue(e.getMessage().contains("java.lang.Thread"), e.getMessage());
            List<Object> cyclic = new ArrayList<>();
            cyclic.add(cyclic);
            assertThrows(IllegalArgumentException.class, () -> m.put("c", cyclic));
            assertArrayEquals(before, Files.readAllBytes(p));
        }
    }

    @Test
    void readOnlyRejectsEveryChangeAndLeavesTheBytes() throws Exception {
        Path p = dir.resolve("ro.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.put("x", List.of(1, 2));
            m.put("arr", new double[] {1, 2, 3});
        }
        byte[] before = Files.readAllBytes(p);
        try (MmapDict r = MmapDict.openReadOnly(p)) {
            assertTrue(r.isReadOnly());
            assertEquals(List.of(1, 2), r.get("x"));
            List<Runnable> changes = List.of(
                    () -> r.put("y", 1), () -> r.remove("x"), () -> r.clear(), () -> r.set("y", 2),
                    () -> r.delete("x"), () -> r.putAll(Map.of("z", 1)), () -> r.keySet().remove("x"),
                    () -> r.entrySet().clear(), () -> r.replace("x", 3), () -> r.putIfAbsent("q", 1),
                    () -> r.compute("x", (k, v) -> 5), () -> r.merge("x", 1, (a, b) -> b));
            for (Runnable c : changes) {
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, c::run);
                assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            }
            assertThrows(UnsupportedOperationException.class, () -> r.allocate("big", DType.FLOAT32, 10));
            NDArray a = (NDArray) r.get("arr");
            assertTrue(a.isReadOnly());
            assertThrows(RuntimeException.class, () -> a.setDouble(5.0, 0));
        }
        assertArrayEquals(before, Files.readAllBytes(p));
    }

    @Test
    void openReadOnlyOfAMissingFileThrowsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> MmapDict.openReadOnly(dir.resolve("missing.mmdpickle")));
        assertFalse(Files.exists(dir.resolve("missing.mmdpickle")));
        assertThrows(NoSuchFileException.class,
                () -> MmapDict.open(dir.resolve("missing2"), new MmapDict.Options().create(false)));
    }

    @Test
    void commitNumberAndEntryFacts() throws Exception {
        try (MmapDict m = MmapDict.open(dir.resolve("c.mmdpickle"))) {
            assertEquals(0, m.commitNumber());
            m.put("a", 1);
            m.put("a", 2);
            m.remove("a");
            m.put("b", "x");
            assertEquals(4, m.commitNumber());
            List<EntryInfo> es = m.entries();
            assertEquals(3, es.size());
            assertEquals(List.of(false, false, true), es.stream().map(EntryInfo::valid).toList());
            assertEquals(24, es.get(0).offset());
            assertEquals(es.get(0).offset() + es.get(0).length(), es.get(1).offset());
        }
    }

    static final String[] BAD_HEADERS_HEX = {
        "80",                                                       // truncated
        "8004",
        "8004950d00000000000000",
        "8004950d000000000000004a01000000304a00000000",            // 22 bytes
        "8004950c000000000000004a01000000304a000000003028" + "950200000000000000642e",   // frame 12
        "8004950d000000000000004a02000000304a000000003028" + "950200000000000000642e",   // version 2
        "8003950d000000000000004a01000000304a000000003028" + "950200000000000000642e",   // protocol 3
        "8004950d000000000000004a01000000304a000000003029" + "950200000000000000642e",   // no MARK
        "00112233445566778899aabbccddeeff00112233445566778899",     // garbage
        "8004950d000000000000004b01000000304a000000003028" + "950200000000000000642e",   // BININT1 version
    };

    @Test
    void badHeadersFailWithTheFormatExceptionAndLeaveTheFile() throws Exception {
        for (String hex : BAD_HEADERS_HEX) {
            Path p = dir.resolve("bad.mmdpickle");
            byte[] b = java.util.HexFormat.of().parseHex(hex);
            Files.write(p, b);
            for (boolean ro : new boolean[] {false, true}) {
                PickleFormatException e = assertThrows(PickleFormatException.class,
                        () -> MmapDict.open(p, new MmapDict.Options().readOnly(ro)).close(), hex);
                assertEquals(p, e.file());
                assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
                assertArrayEquals(b, Files.readAllBytes(p), "unchanged: " + hex);
            }
        }
    }

    @Test
    void filesNotInTheLayoutSayWhatTheyAre() throws Exception {
        Path empty = dir.resolve("empty");
        Files.write(empty, new byte[0]);
        assertEquals(NotMmapPickleException.Kind.EMPTY,
                assertThrows(NotMmapPickleException.class, () -> MmapDict.openReadOnly(empty)).kind());
        Path plain = dir.resolve("plain.pkl");
        Files.copy(Python.vectors().resolve("plain-protocol4.pkl"), plain);
        byte[] before = Files.readAllBytes(plain);
        NotMmapPickleException e = assertThrows(NotMmapPickleException.class, () -> MmapDict.open(plain));
        assertEquals(NotMmapPickleException.Kind.CONVERTIBLE_DICT, e.kind());
        assertArrayEquals(before, Files.readAllBytes(plain));
        Path list = dir.resolve("list.pkl");
        Files.write(list, java.util.HexFormat.of().parseHex("80045d942e"));   // pickle of []
        assertEquals(NotMmapPickleException.Kind.OTHER_PICKLE,
                assertThrows(NotMmapPickleException.class, () -> MmapDict.open(list)).kind());
        Path text = dir.resolve("text");
        Files.writeString(text, "hello, world, this is not a pickle at all");
        assertEquals(NotMmapPickleException.Kind.NOT_A_PICKLE,
                assertThrows(NotMmapPickleException.class, () -> MmapDict.open(text)).kind());
        // a writable open of an empty file writes the empty dict, as the original does
        try (MmapDict m = MmapDict.open(empty)) {
            assertEquals(0, m.size());
        }
        assertArrayEquals(Files.readAllBytes(Python.vectors().resolve("empty.mmdpickle")), Files.readAllBytes(empty));
    }

    @Test
    void goldenValuesFileReadsEveryKey() throws Exception {
        try (MmapDict m = MmapDict.openReadOnly(Python.vectors().resolve("values.mmdpickle"))) {
            assertEquals(40, m.commitNumber());
            assertEquals(40, m.size());
            assertEquals("value", m.get("str_ascii"));
            assertEquals(new java.math.BigInteger("1267650600228229401496703205379"), m.get("int_big"));
            assertEquals(Long.MAX_VALUE, m.get("int_64"));
            assertEquals("unicode key", m.get("clé ✓"));
            assertEquals("longest key (255 bytes)", m.get("k".repeat(255)));
            List<?> shared = (List<?>) m.get("shared_refs");
            assertSame(shared.get(0), shared.get(1), "shared references stay shared");
        }
    }

    @Test
    void historyFileCountsDeletedEntries() throws Exception {
        try (MmapDict m = MmapDict.openReadOnly(Python.vectors().resolve("history.mmdpickle"))) {
            assertEquals(11, m.commitNumber());
            assertEquals(4, m.entries().stream().filter(e -> !e.valid()).count());
            assertEquals("second", m.get("c"));
            assertEquals(List.of(1, 2), m.get("e"));
        }
        try (MmapDict m = MmapDict.openReadOnly(Python.vectors().resolve("vacuumed.mmdpickle"))) {
            assertEquals(0, m.commitNumber());
            assertEquals(0, m.entries().stream().filter(e -> !e.valid()).count());
            assertEquals(Set.of("b", "c", "e"), m.keySet());
        }
    }

    @Test
    void pythonWriterAndJavaShareAFile() throws Exception {
        Path p = dir.resolve("shared.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.put("java", List.of("from", "java"));
            m.put("shared", List.of(List.of(1), List.of(1)));
            py(p, "put", "py", "{'from': 'python', 'n': [1, 2, 3]}");
            assertEquals(Map.of("from", "python", "n", List.of(1, 2, 3)), m.get("py"), "java sees python's append at once");
            py(p, "del", "java");
            assertFalse(m.containsKey("java"));
            m.put("after", PyTuple.of(1.5, "x"));
            assertEquals("(1.5, 'x')", py(p, "get", "after").strip());
            assertEquals("{'from': 'python', 'n': [1, 2, 3]}", py(p, "get", "py").strip());
            py(p, "put", "py", "'replaced by python'");
            assertEquals("replaced by python", m.get("py"));
            assertEquals(List.of("shared", "after", "py"), new ArrayList<>(m.keySet()));
        }
        Python.Result r = Python.run(List.of("-c", "import pickle,sys; d=pickle.load(open(sys.argv[1],'rb')); print(sorted(d.items()))", p.toString()), 60);
        assertEquals(0, r.exit(), r.err());
        assertEquals("[('after', (1.5, 'x')), ('py', 'replaced by python'), ('shared', [[1], [1]])]", r.out().strip());
    }

    static String py(Path file, String... args) throws Exception {
        Path script = Path.of(MmapDictTest.class.getResource("/python/mmapdict_py.py").toURI());
        List<String> cmd = new ArrayList<>(List.of(script.toString(), file.toString()));
        cmd.addAll(Arrays.asList(args));
        Python.Result r = Python.run(cmd, 60);
        assertEquals(0, r.exit(), r.err());
        return r.out();
    }

    static String sha(Path p) throws IOException {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

}
