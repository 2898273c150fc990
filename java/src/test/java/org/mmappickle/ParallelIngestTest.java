package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.testing.Jvm;
import org.mmappickle.testing.ParallelCopyChild;
import org.mmappickle.testing.Python;

/**
 * Issue 16 item 2: large payloads copied by several threads in disjoint 2 MiB-aligned pieces
 * arrive byte for byte (odd sizes, unaligned file offsets, native and heap sources), report
 * progress in increasing order, and a writer killed in the middle leaves a deleted entry in a file
 * that plain pickle loads.
 */
class ParallelIngestTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void parallelCopiesOfOddSizesArriveByteForByte() throws Exception {
        long seed = new SplittableRandom().nextLong();
        long[] sizes = {1, 2 * MIB - 1, 2 * MIB, 2 * MIB + 1, 64 * MIB + 3};
        for (int threads : new int[] {1, 2, 4}) {
            Path p = dir.resolve("odd-" + threads + ".mmdpickle");
            try (MmapDict m = MmapDict.open(p, new MmapDict.Options().ingestThreads(threads));
                 Arena arena = Arena.ofConfined()) {
                for (int i = 0; i < sizes.length; i++) {
                    long n = sizes[i];
                    String ctx = "seed " + seed + ", threads " + threads + ", size " + n;
                    MemorySegment src = arena.allocate(n);
                    fill(src, seed + i);
                    String key = "native-" + "x".repeat(i) + n;   // keys of varied length: offsets off 2 MiB
                    m.set(key, NDArray.wrap(src, DType.UINT8, n));
                    assertEquals(-1, ((NDArray) m.get(key)).segment().mismatch(src), ctx + ": native source");
                    if (n < Integer.MAX_VALUE) {
                        byte[] heap = new byte[(int) n];
                        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 0, heap, 0, heap.length);
                        heap[0] ^= 0x5a;
                        heap[heap.length - 1] ^= 0x33;
                        m.set("heap-" + n, NDArray.of(heap, n));
                        assertEquals(-1, ((NDArray) m.get("heap-" + n)).segment().mismatch(MemorySegment.ofArray(heap)),
                                ctx + ": heap source");
                    }
                }
            }
            try (MmapDict m = MmapDict.openReadOnly(p)) {
                String key = "native-xxx" + (2 * MIB + 1);
                String digest = sha256(((NDArray) m.get(key)).segment());
                Python.Result r = Python.run(List.of("-c", String.join("\n",
                        "import pickle, sys, hashlib",
                        "d = pickle.load(open(sys.argv[1], 'rb'))",
                        "print(hashlib.sha256(d[sys.argv[2]].tobytes()).hexdigest())"), p.toString(), key), 120);
                assertEquals(0, r.exit(), r.err());
                assertEquals(digest, r.out().strip(), "seed " + seed + ", threads " + threads + ": numpy reads the same bytes");
            }
        }
    }

    @Test
    void aParallelCopyOfOneGibPlusThreeBytesArrivesByteForByte() throws Exception {
        long seed = new SplittableRandom().nextLong();
        long n = (1L << 30) + 3;
        Path p = dir.resolve("large.mmdpickle");
        try (MmapDict m = MmapDict.open(p, new MmapDict.Options().ingestThreads(2));
             Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(n);
            fill(src, seed);
            m.set("some key of odd length", NDArray.wrap(src, DType.UINT8, n));
            assertEquals(-1, ((NDArray) m.get("some key of odd length")).segment().mismatch(src), "seed " + seed);
        }
    }

    @Test
    void progressFromSeveralThreadsIsReportedInIncreasingOrderUpToTheTotal() throws Exception {
        List<long[]> calls = new ArrayList<>();
        CopyProgress listener = (key, done, total) -> {
            synchronized (calls) {
                calls.add(new long[] {done, total});
            }
        };
        long bytes = 100 * MIB + 12;
        try (MmapDict m = MmapDict.open(dir.resolve("progress.mmdpickle"),
                new MmapDict.Options().ingestThreads(4).progress(listener))) {
            m.set("big", new float[(int) (bytes / 4)]);
        }
        assertTrue(calls.size() >= 7, "one report per 16 MiB piece at least: " + calls.size());
        long last = 0;
        for (long[] c : calls) {
            assertTrue(c[0] > last, "copied goes up: " + c[0] + " after " + last);
            assertEquals(bytes, c[1]);
            last = c[0];
        }
        assertEquals(bytes, last);
    }

    @Test
    void aWriterKilledDuringAParallelCopyLeavesADeletedEntryAndALoadableFile() throws Exception {
        Path p = dir.resolve("killed.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.set("small", "kept");
        }
        Process child = Jvm.start(ParallelCopyChild.class, p.toString(), "3");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertNotNull(line);
            assertTrue(line.startsWith("copying big "), line);
            try (MmapDict m = MmapDict.openReadOnly(p)) {
                assertTrue(m.entries().stream().anyMatch(e -> e.key().equals("big") && e.pending()), m.entries().toString());
                assertFalse(m.containsKey("big"));
            }
        } finally {
            child.toHandle().destroyForcibly();   // SIGKILL
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        Python.Result r = Python.run(List.of("-c", "import pickle,sys; d=pickle.load(open(sys.argv[1],'rb')); print(sorted(d.items()))",
                p.toString()), 120);
        assertEquals(0, r.exit(), r.err());
        assertEquals("[('small', 'kept')]", r.out().strip());
        try (MmapDict m = MmapDict.open(p)) {
            EntryInfo big = m.entries().stream().filter(e -> e.key().equals("big")).findFirst().orElseThrow();
            assertFalse(big.valid(), big.toString());
            assertFalse(big.pending(), "its writer is dead: " + big);
            assertEquals("kept", m.get("small"));
            m.set("big", new float[] {1f, 2f});
            assertEquals(2f, ((NDArray) m.get("big")).getFloat(1));
        }
    }

    private static void fill(MemorySegment s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long i = 0;
        for (; i + 8 <= s.byteSize(); i += 8) {
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong());
        }
        for (; i < s.byteSize(); i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
        }
    }

    private static String sha256(MemorySegment s) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(s.asByteBuffer());
        return HexFormat.of().formatHex(md.digest());
    }
}
