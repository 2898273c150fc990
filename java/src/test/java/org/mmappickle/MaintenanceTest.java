package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.internal.io.IoFeature;
import org.mmappickle.internal.io.NativeFile;
import org.mmappickle.py.PyTuple;
import org.mmappickle.testing.CompactChild;
import org.mmappickle.testing.Jvm;
import org.mmappickle.testing.Python;

class MaintenanceTest {
    @TempDir
    Path dir;

    static String loadAll(List<Path> files) throws Exception {
        List<String> args = new ArrayList<>(List.of("-W", "error::DeprecationWarning", "-c", """
                import pickle, sys
                for f in sys.argv[1:]:
                    d = pickle.load(open(f, 'rb'))
                    print(len(d), sorted(d))
                """));
        files.forEach(f -> args.add(f.toString()));
        Python.Result r = Python.run(args, 300);
        assertEquals(0, r.exit(), r.err());
        return r.out();
    }

    @Test
    void everyTruncationOfTheLastTwoEntriesRepairsToTheCompleteOnes() throws Exception {
        Path whole = dir.resolve("whole.mmdpickle");
        try (MmapDict m = MmapDict.open(whole)) {
            m.put("a", 1);
            m.put("b", PyTuple.of(1, 2, 3));
            m.put("c", "test");
            m.put("d", new float[] {1, 2});
            m.remove("a");
            m.put("e", List.of("x", 2.5));
        }
        byte[] b = Files.readAllBytes(whole);
        List<EntryInfo> es;
        try (MmapDict m = MmapDict.openReadOnly(whole)) {
            es = m.entries();
        }
        long from = es.get(es.size() - 2).offset();
        List<Path> repaired = new ArrayList<>();
        List<String> expectedLines = new ArrayList<>();
        for (long cut = from; cut < b.length; cut++) {
            Path p = dir.resolve("cut" + cut + ".mmdpickle");
            Files.write(p, Arrays.copyOf(b, (int) cut));
            long at = cut;
            List<String> complete = es.stream().filter(e -> e.offset() + e.length() <= at && e.valid())
                    .map(EntryInfo::key).sorted().toList();
            try (MmapDict r = MmapDict.openReadOnly(p)) {
                assertEquals(complete, r.keySet().stream().sorted().toList(), "read-only at cut " + cut);
            }
            assertEquals(cut, Files.size(p), "a read-only open leaves the torn file as it is");
            try (MmapDict w = MmapDict.open(p)) {
                assertEquals(complete, w.keySet().stream().sorted().toList(), "repaired at cut " + cut);
                boolean wasWhole = cut == b.length;
                assertEquals(!wasWhole, w.lastRepair().isPresent());
                w.put("after_repair", cut);   // the repaired file takes appends
            }
            repaired.add(p);
            List<String> withNew = new ArrayList<>(complete);
            withNew.add("after_repair");
            expectedLines.add(withNew.size() + " " + pyList(withNew.stream().sorted().toList()));
        }
        assertEquals(String.join("\n", expectedLines), loadAll(repaired).strip());
    }

    /** Array views die with their dict: keep a heap copy to compare after closing. */
    static Object heapCopy(Object v) {
        return switch (v) {
            case NDArray a -> NDArray.wrap(java.lang.foreign.MemorySegment.ofArray(
                    a.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)), a.dtype(), a.shape());
            case MaskedArray m -> new MaskedArray((NDArray) heapCopy(m.data()), (NDArray) heapCopy(m.mask()));
            default -> v;
        };
    }

    static String pyList(List<String> l) {
        return "[" + String.join(", ", l.stream().map(s -> "'" + s + "'").toList()) + "]";
    }

    @Test
    void punchingVacuumFreesDeletedPayloadsAndMovesNothing() throws Exception {
        Path p = dir.resolve("vac.mmdpickle");
        long mib = 1 << 20;
        try (MmapDict m = MmapDict.open(p); NativeFile nf = NativeFile.open(p, NativeFile.Mode.READ)) {
            m.put("keep1", new double[(int) (mib / 8)]);
            for (int i = 0; i < 4; i++) {
                float[] f = new float[(int) (3 * mib / 4)];   // 3 MiB each
                Arrays.fill(f, i);
                m.put("del" + i, f);
            }
            double[] keep = new double[(int) (2 * mib / 8)];
            for (int i = 0; i < keep.length; i++) {
                keep[i] = i;
            }
            m.put("keep2", keep);
            m.put("small", "a generic value");
            m.put("small_deleted", List.of("a value long enough to hold a filler"));
            NDArray view = (NDArray) m.get("keep2");   // a live view taken before the vacuum
            for (int i = 0; i < 4; i++) {
                m.remove("del" + i);
            }
            m.remove("small_deleted");
            nf.fsync(false);
            long size = Files.size(p);
            Map<String, Long> offsets = new LinkedHashMap<>();
            m.entries().stream().filter(EntryInfo::valid).forEach(e -> offsets.put(e.key(), e.offset()));
            int commit = m.commitNumber();
            List<EntryInfo> deleted = m.entries().stream().filter(e -> !e.valid()).toList();
            VacuumReport r = m.vacuum();
            assertEquals(5, r.entriesReclaimed());
            if (IoFeature.HOLE_PUNCHING.available()) {
                long freed = r.allocatedBefore() - r.allocatedAfter();
                assertTrue(freed >= 4 * (3 * mib - 4096), "freed " + freed);
                assertTrue(r.spaceReclaimed());
                assertEquals(0, r.bytesZeroed());
            } else {
                // the channel path: the deleted values are overwritten with zeros, and the report says so
                assertFalse(r.spaceReclaimed(), r.toString());
                assertEquals(0, r.bytesPunched(), r.toString());
                assertTrue(r.bytesZeroed() >= 3 * 3 * mib, r.toString());   // del0 held zeros already: nothing to write
                assertEquals(-1, r.allocatedBefore(), "unknown on the channel path");
                byte[] disk = Files.readAllBytes(p);
                for (EntryInfo e : deleted) {
                    int from = (int) (e.valueOffset() + 9);
                    int to = (int) (e.valueOffset() + e.valueLength());
                    assertTrue(Arrays.equals(new byte[to - from], Arrays.copyOfRange(disk, from, to)),
                            e.key() + ": its value is zeros past the filler's head");
                }
            }
            assertEquals(size, Files.size(p), "the size stays");
            Map<String, Long> after = new LinkedHashMap<>();
            m.entries().stream().filter(EntryInfo::valid).forEach(e -> after.put(e.key(), e.offset()));
            assertEquals(offsets, after, "no valid entry moved");
            assertNotEquals(commit, m.commitNumber());
            assertEquals(2.0 * mib / 8 - 1, view.getDouble(keep.length - 1), "the old view still reads right");
            assertEquals("a generic value", m.get("small"));
            assertEquals(0, m.vacuum().entriesReclaimed(), "a second vacuum finds nothing new");
        }
        assertEquals("3 ['keep1', 'keep2', 'small']", loadAll(List.of(p)).strip());
        try (MmapDict m = MmapDict.open(p)) {
            assertEquals(3, m.size());
            assertEquals(9, m.entries().stream().filter(e -> !e.valid()).count() + 4);
        }
    }

    @Test
    void vacuumWorksOnOriginalLayoutFiles() throws Exception {
        Path p = dir.resolve("history.mmdpickle");
        Files.copy(Python.vectors().resolve("history.mmdpickle"), p);
        p.toFile().setWritable(true);
        byte[] before = Files.readAllBytes(p);
        try (MmapDict m = MmapDict.open(p)) {
            Map<String, Object> contents = new LinkedHashMap<>(m);
            List<EntryInfo> valid = m.entries().stream().filter(EntryInfo::valid).toList();
            m.vacuum();
            assertEquals(contents.keySet(), m.keySet());
            assertEquals(valid, m.entries().stream().filter(EntryInfo::valid).toList());
            // only the deleted entries' bytes changed
            byte[] after = Files.readAllBytes(p);
            for (EntryInfo e : valid) {
                assertArrayEquals(Arrays.copyOfRange(before, (int) e.offset(), (int) (e.offset() + e.length())),
                        Arrays.copyOfRange(after, (int) e.offset(), (int) (e.offset() + e.length())), e.key());
            }
        }
        // our own reader of the original's algorithms (as mmappickle 1.0.1 does) reads the vacuumed file
        Path helper = Path.of(getClass().getResource("/python/mmapdict_py.py").toURI());
        Python.Result r = Python.run(List.of(helper.toString(), p.toString(), "keys"), 60);
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("c", "b", "e"), List.of(r.out().strip().split("\n")));
    }

    @Test
    void compactionKeepsContentsShrinksAndChangesTheCommit() throws Exception {
        Path p = dir.resolve("compact.mmdpickle");
        Map<String, Object> expected = new LinkedHashMap<>();
        try (MmapDict m = MmapDict.open(p)) {
            for (int i = 0; i < 50; i++) {
                m.put("k" + i, List.of(i, "v" + i));
                m.put("a" + i, new float[1000 + i * 100]);
                m.put("s" + i, List.of("shared", "memo"));
            }
            for (int i = 0; i < 50; i += 2) {
                m.remove("a" + i);
                m.remove("k" + i);
            }
            m.put("masked", new MaskedArray(NDArray.of(new double[] {1, 2}), NDArray.of(new boolean[] {true, false})));
            m.set("orig", new double[] {5, 6, 7}, ArrayFormat.ORIGINAL);
        }
        try (MmapDict r = MmapDict.openReadOnly(p)) {
            r.forEach((k, v) -> expected.put(k, heapCopy(v)));
        }
        try (MmapDict m = MmapDict.open(p)) {
            long size = Files.size(p);
            int commit = m.commitNumber();
            CompactReport r = m.compact();
            assertEquals(50, r.entriesDropped());
            assertTrue(Files.size(p) < size);
            assertEquals(Files.size(p), r.sizeAfter());
            assertNotEquals(commit, m.commitNumber());
            assertEquals(0, m.entries().stream().filter(e -> !e.valid()).count());
            assertEquals(expected, m);
            m.put("after", "compaction");   // the dict goes on working on the new file
            NDArray a1 = (NDArray) m.get("a1");
            long fileOffsetModPage = a1.segment().address() % NativeFile.PAGE_SIZE;
            assertEquals(0, fileOffsetModPage % 64, "arrays realigned at their new offsets");
        }
        try (MmapDict m = MmapDict.openReadOnly(p)) {
            expected.put("after", "compaction");
            assertEquals(expected, m);
        }
        assertFalse(Files.exists(dir.resolve("compact.mmdpickle.compacting")));
        try (MmapDict m = MmapDict.open(p)) {
            // numpy 2 cannot run the original layout's opcodes, which pickle.load executes even for a
            // deleted entry: delete it and vacuum it into a filler, and the rest must load
            m.remove("orig");
            m.vacuum();
        }
        expected.remove("orig");
        assertTrue(loadAll(List.of(p)).startsWith(expected.size() + " "));
    }

    @Test
    void compactionIsRefusedWhileAnotherJvmHasTheFileOpenOrViewsAreOut() throws Exception {
        Path p = dir.resolve("busy.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.put("a", new double[] {1});
            m.put("b", 2);
            m.remove("b");
        }
        Process other = Jvm.start(CompactChild.class, p.toString(), "hold");
        BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("starting", out.readLine());
        byte[] before = Files.readAllBytes(p);
        try (MmapDict m = MmapDict.open(p)) {
            java.io.IOException e = assertThrows(java.io.IOException.class, m::compact);
            assertTrue(e.getMessage().contains("open in another process"), e.getMessage());
        } finally {
            other.getOutputStream().close();
            assertTrue(other.waitFor(30, TimeUnit.SECONDS));
        }
        try (MmapDict m = MmapDict.open(p)) {
            m.get("a");
            IllegalStateException e = assertThrows(IllegalStateException.class, m::compact);
            assertTrue(e.getMessage().contains("views"), e.getMessage());
        }
        assertArrayEquals(before, Files.readAllBytes(p));
        try (MmapDict m = MmapDict.open(p)) {
            assertEquals(1, m.compact().entriesDropped());
        }
    }

    @Test
    void killedAtRandomPointsDuringCompactionNoValidEntryIsLost() throws Exception {
        int trials = Boolean.getBoolean("mmappickle.long") ? 300 : 50;
        Random rnd = new Random(42);
        Path p = dir.resolve("killed.mmdpickle");
        Map<String, Double> expected = new LinkedHashMap<>();
        try (MmapDict m = MmapDict.open(p)) {
            for (int i = 0; i < 120; i++) {
                double[] a = new double[20_000];
                Arrays.fill(a, i);
                m.put("a" + i, a);
                expected.put("a" + i, (double) i);
                if (i % 3 == 0) {
                    m.remove("a" + i);
                    expected.remove("a" + i);
                }
            }
        }
        int completed = 0;
        for (int t = 0; t < trials; t++) {
            try (MmapDict m = MmapDict.open(p)) {   // give compaction something to drop each time
                m.put("tmp", new double[10_000]);
                m.remove("tmp");
            }
            Process child = Jvm.start(CompactChild.class, p.toString(), "compact");
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("starting", out.readLine());
            Thread.sleep(rnd.nextInt(250));
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
            try (MmapDict m = MmapDict.open(p)) {
                assertEquals(expected.keySet(), new java.util.HashSet<>(m.keySet()), "trial " + t);
                for (var e : expected.entrySet()) {
                    NDArray a = (NDArray) m.get(e.getKey());
                    assertEquals(e.getValue(), a.getDouble(19_999), "trial " + t + " " + e.getKey());
                }
                if (m.entries().stream().noneMatch(e -> !e.valid())) {
                    completed++;
                }
            }
        }
        System.out.println("compaction kill trials: " + trials + ", of which the compaction had completed: " + completed);
        loadAll(List.of(p));
    }

    @Test
    void convertsEveryPlainPickleAndPicklesWithNumpyArrays() throws Exception {
        for (int proto = 0; proto <= 5; proto++) {
            Path src = Python.vectors().resolve("plain-protocol" + proto + ".pkl");
            Path dst = dir.resolve("converted" + proto + ".mmdpickle");
            byte[] before = Files.readAllBytes(src);
            MmapDict.convert(src, dst);
            assertArrayEquals(before, Files.readAllBytes(src), "the source is never changed");
            try (MmapDict m = MmapDict.openReadOnly(dst)) {
                assertEquals(1, m.get("a"));
                assertEquals(PyTuple.of(1, 2, 3), m.get("b"));
                assertEquals("test", m.get("c"));
                assertEquals(Arrays.asList(1.5, null, true), m.get("d"));
                assertEquals(new java.math.BigInteger("1208925819614629174706176"), m.get("f"));
            }
        }
        Path np = dir.resolve("numpy.pkl");
        Python.Result r = Python.run(List.of("-c", """
                import pickle, sys, numpy as np
                d = {'img': np.arange(12, dtype='<f4').reshape(3, 4), 'meta': {'k': np.arange(3)}, 'm': np.ma.MaskedArray([1, 2], mask=[True, False])}
                pickle.dump(d, open(sys.argv[1], 'wb'), protocol=int(sys.argv[2]))
                """, np.toString(), "5"), 60);
        assertEquals(0, r.exit(), r.err());
        MmapDict.convert(np);   // in place
        try (MmapDict m = MmapDict.openReadOnly(np)) {
            NDArray img = (NDArray) m.get("img");
            assertEquals(11f, img.getFloat(2, 3));
            assertSame(img, m.get("img"), "a top-level array became an array entry (a cached mapped view)");
            assertTrue(img.isReadOnly());
            assertTrue(((MaskedArray) m.get("m")).mask().getBoolean(0));
        }
        assertEquals("3 ['img', 'meta', 'm']", loadAll(List.of(np)).strip().replace("'img', 'm', 'meta'", "'img', 'meta', 'm'"));
    }

    @Test
    void aFailingConversionLeavesTheSourceByteIdentical() throws Exception {
        Path list = dir.resolve("list.pkl");
        Files.write(list, java.util.HexFormat.of().parseHex("80045d94284b014b02652e"));   // [1, 2]
        byte[] before = Files.readAllBytes(list);
        NotMmapPickleException e = assertThrows(NotMmapPickleException.class, () -> MmapDict.convert(list));
        assertEquals(NotMmapPickleException.Kind.OTHER_PICKLE, e.kind());
        assertArrayEquals(before, Files.readAllBytes(list));
        Path garbage = dir.resolve("garbage.pkl");
        Files.writeString(garbage, "not a pickle");
        assertThrows(NotMmapPickleException.class, () -> MmapDict.convert(garbage, dir.resolve("out")));
        assertFalse(Files.exists(dir.resolve("out")));
        assertEquals(List.of(), Files.list(dir).filter(f -> f.toString().endsWith(".converting")).toList());
    }

}
