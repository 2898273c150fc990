package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmappickle.testing.Jvm;
import org.mmappickle.testing.PendingChild;
import org.mmappickle.testing.Python;

/**
 * Issue 16 item 3: an array allocated with {@link MmapDict#allocatePending} is invisible (to this
 * dict, to another Java process, to Python's {@code pickle.load}) until it is published; closing
 * unpublished or a crash leaves a deleted entry; publishing replaces an existing value in one step.
 */
class PendingAllocationTest {
    private static final String PY_STATE = String.join("\n",
            "import pickle, sys, numpy as np",
            "d = pickle.load(open(sys.argv[1], 'rb'))",
            "f = d.get('frame')",
            "print(sorted(d), None if f is None else bool(np.all(f == np.float32(0.405))))");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "filled by {0}")
    @ValueSource(strings = {"fill", "copy"})
    void aPendingArrayIsInvisibleToOtherProcessesUntilPublished(String how) throws Exception {
        Path p = dir.resolve("pending.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.set("small", "kept");
        }
        Process child = Jvm.start(PendingChild.class, p.toString(), how);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            Writer in = new java.io.OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
            assertEquals("filled", out.readLine());
            assertEquals("['small'] None", python(p), "pickle.load before publish");
            try (MmapDict m = MmapDict.openReadOnly(p)) {
                assertFalse(m.containsKey("frame"));
                assertNull(m.get("frame"));
                assertEquals(List.of("small"), List.copyOf(m.keySet()));
                assertTrue(m.entries().stream().anyMatch(e -> e.key().equals("frame") && e.pending()), m.entries().toString());
            }
            in.write("publish\n");
            in.flush();
            assertEquals("published", out.readLine());
            assertEquals("['frame', 'small'] True", python(p), "pickle.load after publish");
            try (MmapDict m = MmapDict.openReadOnly(p)) {
                NDArray f = (NDArray) m.get("frame");
                assertEquals(0.405f, f.getFloat(0, 0));
                assertEquals(0.405f, f.getFloat(1023, 1023));
            }
            in.close();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue());
        } finally {
            child.toHandle().destroyForcibly();
        }
    }

    @ParameterizedTest(name = "filled by {0}")
    @ValueSource(strings = {"fill", "copy"})
    void aWriterKilledBeforePublishingLeavesADeletedEntry(String how) throws Exception {
        Path p = dir.resolve("killed.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.set("small", "kept");
        }
        Process child = Jvm.start(PendingChild.class, p.toString(), how);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("filled", out.readLine());
        } finally {
            child.toHandle().destroyForcibly();   // SIGKILL
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals("['small'] None", python(p));
        try (MmapDict m = MmapDict.open(p)) {
            EntryInfo frame = m.entries().stream().filter(e -> e.key().equals("frame")).findFirst().orElseThrow();
            assertFalse(frame.valid());
            assertFalse(frame.pending(), "its writer is dead: " + frame);
            assertFalse(m.containsKey("frame"));
            assertTrue(m.lastRepair().isEmpty(), m.lastRepair().toString());
        }
    }

    @Test
    void closingWithoutPublishingGivesTheEntryUpAndPublishingReplacesTheOldValue() throws Exception {
        Path p = dir.resolve("close.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.set("frame", new float[] {1f});
            try (ArrayWriter w = m.allocatePending("frame", DType.FLOAT32, 300_000)) {
                w.array().setFloat(0.405f, 0);
                assertEquals(1f, ((NDArray) m.get("frame")).getFloat(0), "the old value until publish");
            }
            assertEquals(1f, ((NDArray) m.get("frame")).getFloat(0), "given up: the old value stays");
            assertEquals(1, m.entries().stream().filter(e -> e.key().equals("frame") && !e.valid() && !e.pending()).count());
            try (ArrayWriter w = m.allocatePending("frame", DType.FLOAT32, 512, 512)) {
                NDArray a = w.array();
                for (long i = 0; i < 512; i++) {
                    for (long j = 0; j < 512; j++) {
                        a.setFloat(0.405f, i, j);
                    }
                }
                w.publish();
                assertSame(a, w.array());
                assertThrows(IllegalStateException.class, w::publish);
            }
            NDArray f = (NDArray) m.get("frame");
            assertArrayEquals(new long[] {512, 512}, f.shape());
            assertEquals(0.405f, f.getFloat(511, 511));
            assertEquals(1, m.size());
        }
        assertEquals("['frame'] True", python(p));
    }

    @Test
    void copyFromWritesTheWholePayloadThroughTheDescriptor() throws Exception {
        long seed = new SplittableRandom().nextLong();
        Path p = dir.resolve("copy.mmdpickle");
        long n = (5L << 20) + 3;   // three pieces, the last one odd
        try (MmapDict m = MmapDict.open(p, new MmapDict.Options().ingestThreads(3));
             Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(n);
            SplittableRandom r = new SplittableRandom(seed);
            for (long i = 0; i < n; i++) {
                src.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
            }
            try (ArrayWriter w = m.allocatePending("bytes", DType.UINT8, n)) {
                assertThrows(IllegalArgumentException.class, () -> w.copyFrom(src.asSlice(1)));
                w.copyFrom(src);
                assertFalse(m.containsKey("bytes"));
                assertEquals(-1, w.array().segment().mismatch(src), "seed " + seed + ": the view sees the copy");
                w.publish();
            }
            assertEquals(-1, ((NDArray) m.get("bytes")).segment().mismatch(src), "seed " + seed);
        }
    }

    @Test
    void allocatedArraysAreViewsOfTheFileWhateverTheirPadding() throws Exception {
        // this sequence puts the second array's value after 55 bytes of padding, which end 3 bytes
        // before the end of the 64-byte head: that value was read as a generic heap copy, so what
        // was written into the "view" never reached the file
        Path p = dir.resolve("padding.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            try (ArrayWriter w = m.allocatePending("frame", DType.FLOAT32, 300_000)) {
                w.publish();
            }
            NDArray plain = m.allocate("plain", DType.FLOAT32, 300_000);
            assertTrue(plain.segment().isNative(), "allocate: " + plain.segment());
            plain.setFloat(0.405f, 299_999);
            try (ArrayWriter w = m.allocatePending("pending", DType.FLOAT32, 300_000)) {
                assertTrue(w.array().segment().isNative(), "allocatePending: " + w.array().segment());
                w.array().setFloat(0.5f, 299_999);
                w.publish();
            }
        }
        Python.Result r = Python.run(List.of("-c", String.join("\n",
                "import pickle, sys",
                "d = pickle.load(open(sys.argv[1], 'rb'))",
                "print(d['plain'][-1], d['pending'][-1])"), p.toString()), 120);
        assertEquals(0, r.exit(), r.err());
        assertEquals("0.405 0.5", r.out().strip());
    }

    private static String python(Path p) throws Exception {
        Python.Result r = Python.run(List.of("-c", PY_STATE, p.toString()), 120);
        assertEquals(0, r.exit(), r.err());
        return r.out().strip();
    }
}
