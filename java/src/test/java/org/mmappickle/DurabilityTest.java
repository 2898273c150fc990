package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.internal.io.IoFeature;
import org.mmappickle.testing.CrashChild;
import org.mmappickle.testing.Jvm;
import org.mmappickle.testing.Python;
import org.mmappickle.testing.TruncateChild;

class DurabilityTest {
    @TempDir
    Path dir;

    /** What a key holds: absent (null), or the tag of the value or array the child stored. */
    static Integer actual(MmapDict m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof NDArray a) {
            float first = a.getFloat(0);
            assertEquals(first, a.getFloat(a.size() - 1), key + ": a whole payload, never half-written");
            return (int) first;
        }
        List<?> l = (List<?>) v;
        assertEquals(key, l.get(0));
        return (Integer) l.get(1);
    }

    static Integer after(long seed, CrashChild.Op op) {
        return op.kind().equals("delete") ? null : (int) ((seed % 100) * 100_000 + op.n() % 100_000);
    }

    @Test
    void killedAtAnyInstantEveryReportedOperationSurvives() throws Exception {
        int trials = Boolean.getBoolean("mmappickle.long") ? 1000 : 100;
        Path p = dir.resolve("crash.mmdpickle");
        Map<String, Integer> model = new HashMap<>();
        Random rnd = new Random(7);
        int repaired = 0;
        int totalOps = 0;
        for (int t = 0; t < trials; t++) {
            long seed = t + 1;
            Process child = Jvm.start(CrashChild.class, p.toString(), Long.toString(seed));
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine(), "trial " + t);
            AtomicInteger last = new AtomicInteger(-1);
            Thread reader = new Thread(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        if (line.startsWith("op ")) {
                            last.set(Integer.parseInt(line.substring(3)));
                        }
                    }
                } catch (IOException ignored) {
                    // the pipe closes when the child dies
                }
            });
            reader.start();
            Thread.sleep(rnd.nextInt(200));
            child.toHandle().destroyForcibly();   // SIGKILL, leaving our end of its stdout open to drain
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            reader.join(30_000);
            int reported = last.get();
            totalOps += reported + 1;
            for (int n = 0; n <= reported; n++) {
                CrashChild.Op op = CrashChild.op(seed, n);
                model.put(op.key(), after(seed, op));
            }
            CrashChild.Op inflight = CrashChild.op(seed, reported + 1);
            try (MmapDict m = MmapDict.open(p)) {
                if (m.lastRepair().isPresent()) {
                    repaired++;
                }
                for (int k = 0; k < 12; k++) {
                    String key = "k" + k;
                    Integer got = actual(m, key);
                    if (key.equals(inflight.key())) {
                        Integer done = after(seed, inflight);
                        assertTrue(java.util.Objects.equals(got, model.get(key)) || java.util.Objects.equals(got, done),
                                "trial " + t + " " + key + " (in flight: " + inflight + "): " + got);
                        model.put(key, got);
                    } else {
                        assertEquals(model.get(key), got, "trial " + t + " " + key + " after op " + reported
                                + "; entries of the key: " + m.entries().stream().filter(e -> e.key().equals(key)).toList()
                                + "; repaired: " + m.lastRepair());
                    }
                }
            }
            if (t % 25 == 24) {
                assertPlainPickleLoads(p);
            }
        }
        System.out.println("crash trials: " + trials + ", operations reported: " + totalOps + ", repairs: " + repaired);
        assertPlainPickleLoads(p);
    }

    static void assertPlainPickleLoads(Path p) throws Exception {
        Python.Result r = Python.run(List.of("-W", "error::DeprecationWarning", "-c",
                "import pickle,sys; d=pickle.load(open(sys.argv[1],'rb')); print('ok', len(d))", p.toString()), 120);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("ok"), r.out());
    }

    /** Mounts a small tmpfs where the test may (root); null where it may not. */
    static Path smallFileSystem(Path dir, String size) throws Exception {
        Path mnt = dir.resolve("small-fs");
        Files.createDirectories(mnt);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mnt.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            System.out.println("DurabilityTest: cannot mount a tmpfs here (" + out.strip() + "); using RLIMIT_FSIZE instead");
            return null;
        }
        return mnt;
    }

    static void unmount(Path mnt) throws Exception {
        new ProcessBuilder("umount", mnt.toString()).start().waitFor(30, TimeUnit.SECONDS);
    }

    @Test
    void aFullDiskIsAnIOExceptionAndTheFileStaysWhole() throws Exception {
        Path mnt = smallFileSystem(dir, "4m");
        if (mnt == null) {
            fullDiskThroughFileSizeLimit();
            return;
        }
        try {
            Path p = mnt.resolve("full.mmdpickle");
            List<String> stored = new ArrayList<>();
            IOException full = null;
            try (MmapDict m = MmapDict.open(p)) {
                for (int i = 0; i < 100 && full == null; i++) {
                    try {
                        // small and two-phase puts, nonzero: compaction below must need the space (it
                        // leaves runs of zeros as holes)
                        double[] v = new double[(i % 2 == 0 ? 40_000 : 200_000) + i];
                        java.util.Arrays.fill(v, 1.0);
                        m.put("a" + i, v);
                        stored.add("a" + i);
                    } catch (java.io.UncheckedIOException e) {
                        full = e.getCause();
                    }
                }
                assertNotNull(full, "the 4 MiB file system filled up");
                assertTrue(full instanceof NativeIOException n && n.isDiskFull(), full.toString());
                assertEquals(stored.size(), m.size());
                IOException reserve = assertThrows(IOException.class, () -> m.allocate("r", DType.FLOAT64, true, 1 << 20));
                assertTrue(reserve instanceof NativeIOException n && n.isDiskFull(), reserve.toString());
                assertFalse(m.containsKey("r"));
                for (String k : stored) {
                    assertEquals(((NDArray) m.get(k)).size(), Integer.parseInt(k.substring(1)) % 2 == 0
                            ? 40_000 + Integer.parseInt(k.substring(1)) : 200_000 + Integer.parseInt(k.substring(1)));
                }
                // space comes back through deletion and vacuum, and puts work again
                m.remove(stored.get(stored.size() - 1));
                m.vacuum();
                m.put("after", "space came back");
            }
            try (MmapDict m = MmapDict.open(p)) {
                assertTrue(m.lastRepair().isEmpty(), "no torn tail was left");
                assertEquals("space came back", m.get("after"));
            }
            assertPlainPickleLoads(p);
            // compaction and conversion on a full disk: an IOException, the original file untouched
            try (MmapDict m = MmapDict.open(p)) {
                // nonzero payloads: compaction leaves runs of zeros as holes, which need no space
                double[] fill = new double[50_000];
                java.util.Arrays.fill(fill, 0.5);
                for (int i = 0; ; i++) {
                    try {
                        m.put("fill" + i, fill);
                    } catch (java.io.UncheckedIOException e) {
                        break;
                    }
                }
                m.remove("fill0");
            }
            byte[] before = Files.readAllBytes(p);
            try (MmapDict m = MmapDict.open(p)) {
                IOException c = assertThrows(IOException.class, m::compact);
                assertTrue(c instanceof NativeIOException n && n.isDiskFull(), c.toString());
            }
            assertArrayEquals(before, Files.readAllBytes(p), "a failed compaction leaves the file as it was");
            assertFalse(Files.exists(mnt.resolve("full.mmdpickle.compacting")));
            Path plain = dir.resolve("plain.pkl");
            Python.Result w = Python.run(List.of("-c", "import pickle,sys; pickle.dump({'a': b'x' * 3_000_000}, open(sys.argv[1], 'wb'))",
                    plain.toString()), 60);
            assertEquals(0, w.exit(), w.err());
            byte[] src = Files.readAllBytes(plain);
            Path target = mnt.resolve("converted.mmdpickle");
            assertThrows(IOException.class, () -> MmapDict.convert(plain, target));
            assertArrayEquals(src, Files.readAllBytes(plain));
            assertFalse(Files.exists(target));
            assertFalse(Files.exists(mnt.resolve("converted.mmdpickle.converting")));
            assertPlainPickleLoads(p);
            // a write through a sparse view on the full disk: the library's exception, not a crash
            if (!IoFeature.RESERVATION.available()) {
                // the channel path cannot reserve, so the failed put above found the full disk in its copy and
                // left no page free: room for the new file's header (its 64 MiB still do not fit)
                Files.delete(p);
            }
            Path q = mnt.resolve("sparse.mmdpickle");
            Process child = Jvm.start(TruncateChild.class, q.toString(), "sparsefull");
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertTrue(out.contains("caught org.mmappickle.MappedAccessException"), out);
            assertTrue(out.contains("alive"), out);
        } finally {
            unmount(mnt);
        }
    }

    /** Where no tmpfs can be mounted: a child JVM under {@code ulimit -f} sees EFBIG. */
    private void fullDiskThroughFileSizeLimit() throws Exception {
        Path p = dir.resolve("limited.mmdpickle");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = "ulimit -f 4096; exec " + java + " --enable-native-access=ALL-UNNAMED -cp '"
                + System.getProperty("java.class.path") + "' " + FullDiskChild.class.getName() + " " + p;
        Process child = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS));
        assertTrue(out.contains("full: EFBIG"), out);
        try (MmapDict m = MmapDict.open(p)) {
            assertTrue(m.lastRepair().isEmpty());
            assertTrue(m.size() > 0);
        }
        assertPlainPickleLoads(p);
    }

    /** The child of {@link #fullDiskThroughFileSizeLimit}: puts until the file size limit stops it. */
    public static final class FullDiskChild {
        private FullDiskChild() {
        }

        /** Entry point: FILE. */
        public static void main(String[] args) throws Exception {
            try (MmapDict m = MmapDict.open(Path.of(args[0]))) {
                for (int i = 0; ; i++) {
                    try {
                        m.put("a" + i, new double[100_000]);
                    } catch (java.io.UncheckedIOException e) {
                        System.out.println("full: " + ((NativeIOException) e.getCause()).errnoName());
                        return;
                    }
                }
            }
        }
    }

    @Test
    void aFileTruncatedUnderLiveViewsRaisesAndTheJvmSurvives() throws Exception {
        Path p = dir.resolve("trunc.mmdpickle");
        Process child = Jvm.start(TruncateChild.class, p.toString());
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), out);
        assertTrue(out.contains("caught org.mmappickle.MappedAccessException"), out);
        assertTrue(out.contains("alive"), out);
    }
}
