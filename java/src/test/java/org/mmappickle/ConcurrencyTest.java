package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.testing.Jvm;
import org.mmappickle.testing.Python;
import org.mmappickle.testing.StressReader;
import org.mmappickle.testing.StressWriter;

class ConcurrencyTest {
    @TempDir
    Path dir;

    static Path helper() throws Exception {
        return Path.of(ConcurrencyTest.class.getResource("/python/mmapdict_py.py").toURI());
    }

    @Test
    void aPutWaitsWhilePythonHoldsTheFlock() throws Exception {
        Path p = dir.resolve("locked.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.put("before", 1);
            Process py = Python.start("""
                    import fcntl, sys
                    f = open(sys.argv[1], 'rb')
                    fcntl.flock(f, fcntl.LOCK_EX)
                    print('locked', flush=True)
                    sys.stdin.read()
                    print('releasing', flush=True)
                    fcntl.flock(f, fcntl.LOCK_UN)
                    """, p.toString());
            BufferedReader out = new BufferedReader(new InputStreamReader(py.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            AtomicBoolean released = new AtomicBoolean();
            AtomicBoolean putBeforeRelease = new AtomicBoolean();
            CountDownLatch done = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                m.put("during", 2);
                putBeforeRelease.set(!released.get());
                done.countDown();
            });
            t.start();
            assertFalse(done.await(300, TimeUnit.MILLISECONDS), "the put waits for python's lock");
            released.set(true);
            py.getOutputStream().close();
            assertEquals("releasing", out.readLine());
            assertTrue(done.await(30, TimeUnit.SECONDS));
            assertFalse(putBeforeRelease.get());
            assertEquals(2, m.get("during"));
            py.waitFor();
        }
    }

    @Test
    void fourWritersJavaAndPythonWithAReaderLoseNothing() throws Exception {
        Path p = dir.resolve("stress.mmdpickle");
        Path stop = dir.resolve("stop");
        int n = Boolean.getBoolean("mmappickle.long") ? 10_000 : 2_000;
        try (MmapDict m = MmapDict.open(p)) {
            m.put("seed0", List.of(0, "seed", 0));
        }
        Process reader = Jvm.start(StressReader.class, p.toString(), stop.toString());
        BufferedReader rout = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("started", rout.readLine());
        List<Process> writers = List.of(
                Jvm.start(StressWriter.class, p.toString(), "jA", Integer.toString(n)),
                Jvm.start(StressWriter.class, p.toString(), "jB", Integer.toString(n)),
                new ProcessBuilder(Python.executable(), helper().toString(), p.toString(), "stress", Integer.toString(n), "pA")
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start(),
                new ProcessBuilder(Python.executable(), helper().toString(), p.toString(), "stress", Integer.toString(n), "pB")
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start());
        for (Process w : writers) {
            assertTrue(w.waitFor(10, TimeUnit.MINUTES), "writer finished");
            assertEquals(0, w.exitValue(), "writer exit status");
        }
        Files.createFile(stop);
        String last = null;
        for (String line; (line = rout.readLine()) != null; ) {
            last = line;
        }
        assertTrue(reader.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, reader.exitValue(), "the reader saw only whole values: " + last);
        assertTrue(last.startsWith("reads "), last);
        try (MmapDict m = MmapDict.openReadOnly(p)) {
            assertEquals(4 * n + 1, m.size());
            for (String prefix : List.of("jA", "jB")) {
                for (int i = 0; i < n; i++) {
                    Object v = m.get(prefix + i);
                    Object expected = StressWriter.value(prefix, i);
                    if (expected instanceof float[] f) {
                        assertArrayEquals(f, ((NDArray) v).toFloatArray(), prefix + i);
                    } else {
                        assertEquals(expected, v, prefix + i);
                    }
                }
            }
            for (String prefix : List.of("pA", "pB")) {
                for (int i = 0; i < n; i++) {
                    assertEquals(List.of(i, prefix, i * i), m.get(prefix + i), prefix + i);
                }
            }
        }
        Python.Result r = Python.run(List.of("-W", "error::DeprecationWarning", "-c",
                "import pickle,sys; d=pickle.load(open(sys.argv[1],'rb')); print(len(d), d['pA7'], float(d['jB" + (n - 1) + "'][0]))",
                p.toString()), 120);
        assertEquals(0, r.exit(), r.err());
        assertEquals((4 * n + 1) + " [7, 'pA', 49] " + (float) (n - 1), r.out().strip());
    }

    @Test
    void aLargeCopyDoesNotHoldReadersOff() throws Exception {
        Path p = dir.resolve("ingest.mmdpickle");
        List<String> events = new ArrayList<>();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        AtomicBoolean firstChunk = new AtomicBoolean();
        try (Arena arena = Arena.ofShared()) {
            long bytes = 1L << 30;
            MemorySegment src = arena.allocate(bytes, 4096);
            src.fill((byte) 1);
            CopyProgress during = (key, copied, total) -> {
                // after the first chunk, while most of the gigabyte is still to copy: another process
                // (python, taking the same flock) lists the keys and reads an existing array
                if (copied < total && firstChunk.compareAndSet(false, true)) {
                    try {
                        Python.Result r = Python.run(List.of("-W", "error::DeprecationWarning", "-c", """
                                import fcntl, pickle, sys
                                sys.path.insert(0, sys.argv[2])
                                import mmapdict_py as m
                                with open(sys.argv[1], 'rb') as f:
                                    fcntl.flock(f, fcntl.LOCK_EX)
                                    es, _ = m.entries(f)
                                    print(sorted(e['key'] for e in es if e['valid']))
                                    fcntl.flock(f, fcntl.LOCK_UN)
                                d = pickle.load(open(sys.argv[1], 'rb'))
                                print(d['small'].sum(), 'big' in d)
                                """, p.toString(), helper().getParent().toString()), 60);
                        synchronized (events) {
                            events.add("reader done (exit " + r.exit() + "): " + r.out().strip().replace('\n', '|') + r.err());
                        }
                    } catch (Exception e) {
                        readerFailure.set(e);
                    }
                }
            };
            try (MmapDict m = MmapDict.open(p, new MmapDict.Options().progress(during))) {
                m.put("small", new double[] {1, 2, 3});
                m.put("big", NDArray.wrap(src, DType.UINT8, bytes));
                synchronized (events) {
                    events.add("copy done");
                }
                NDArray big = (NDArray) m.get("big");
                assertEquals(1, big.getByte(bytes - 1));
            }
        }
        assertNull(readerFailure.get());
        assertEquals(2, events.size(), events.toString());
        assertEquals("reader done (exit 0): ['small']|6.0 False", events.get(0),
                "the other process read while the copy was under way, and saw no half-written entry");
        assertEquals("copy done", events.get(1));
    }

    @Test
    void aViewerSeesAppendsFromAnotherProcessWithinAPollInterval() throws Exception {
        Path p = dir.resolve("viewer.mmdpickle");
        try (MmapDict viewer = MmapDict.open(p)) {
            ChangeWatcher w = viewer.watcher(Duration.ofMillis(20));
            assertTrue(w.poll(Duration.ofMillis(50)).isEmpty());
            Process py = new ProcessBuilder(Python.executable(), helper().toString(), p.toString(), "put", "frame0", "[1, 2]")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Changes c = w.poll(Duration.ofSeconds(30));
            assertEquals(List.of("frame0"), c.added());
            assertTrue(py.waitFor(30, TimeUnit.SECONDS));
            assertEquals(List.of(1, 2), viewer.get("frame0"));
            new ProcessBuilder(Python.executable(), helper().toString(), p.toString(), "put", "frame0", "'again'")
                    .start().waitFor();
            Changes c2 = w.poll(Duration.ofSeconds(30));
            assertEquals(List.of("frame0"), c2.replaced());
            new ProcessBuilder(Python.executable(), helper().toString(), p.toString(), "del", "frame0").start().waitFor();
            Changes c3 = w.poll(Duration.ofSeconds(30));
            assertEquals(List.of("frame0"), c3.deleted());
            int seen = viewer.commitNumber();
            assertFalse(viewer.awaitChange(seen, Duration.ofMillis(30)));
        }
    }

    @Test
    void viewsSurviveChangesByOtherProcesses() throws Exception {
        Path p = dir.resolve("views.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.put("frame0", new float[] {1, 2, 3});
            NDArray v = (NDArray) m.get("frame0");
            Python.Result r = Python.run(List.of(helper().toString(), p.toString(), "put", "other", "[1]"), 60);
            assertEquals(0, r.exit(), r.err());
            assertSame(v, m.get("frame0"), "a rescan keeps the cached view of an entry that did not change");
            r = Python.run(List.of(helper().toString(), p.toString(), "del", "frame0"), 60);
            assertEquals(0, r.exit(), r.err());
            assertNull(m.get("frame0"));
            assertEquals(2f, v.getFloat(1), "the old view still reads until close");
        }
    }

    @Test
    void eightThreadsShareOneDict() throws Exception {
        Path p = dir.resolve("threads.mmdpickle");
        Map<String, Object> expected = new ConcurrentHashMap<>();
        try (MmapDict m = MmapDict.open(p)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                fs.add(pool.submit(() -> {
                    java.util.Random rnd = new java.util.Random(id);
                    for (int i = 0; i < 300; i++) {
                        String k = "t" + id + "-" + rnd.nextInt(40);
                        switch (rnd.nextInt(4)) {
                            case 0, 1 -> {
                                Object v = rnd.nextBoolean() ? List.of(id, i) : new double[] {id, i};
                                m.put(k, v);
                                expected.put(k, v instanceof double[] d ? List.of((double) d[0], (double) d[1]) : v);
                            }
                            case 2 -> {
                                m.remove(k);
                                expected.remove(k);
                            }
                            default -> {
                                Object v = m.get(k);
                                Object e = expected.get(k);
                                Object got = v instanceof NDArray a ? List.of(a.getDouble(0), a.getDouble(1)) : v;
                                if (!java.util.Objects.equals(e, got)) {
                                    throw new AssertionError(k + ": " + got + " != " + e);
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(5, TimeUnit.MINUTES);
            }
            pool.shutdown();
            assertEquals(expected.keySet(), m.keySet());
        }
        try (MmapDict m = MmapDict.openReadOnly(p)) {
            for (var e : expected.entrySet()) {
                Object v = m.get(e.getKey());
                Object got = v instanceof NDArray a ? List.of(a.getDouble(0), a.getDouble(1)) : v;
                assertEquals(e.getValue(), got, e.getKey());
            }
        }
    }

}
