package org.mmappickle.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.mmappickle.EntryInfo;
import org.mmappickle.MmapDict;

/** Helpers shared by the JMH benchmarks and the comparison harness. */
public final class Bench {
    /** The element layout the sum loops read (the payloads we write are 4096-aligned anyway). */
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** One gibibyte. */
    public static final long GIB = 1L << 30;
    /** One mebibyte. */
    public static final long MIB = 1L << 20;

    private Bench() {
    }

    /**
     * Touches and frees {@code bytes} of anonymous memory backed by transparent huge pages. These
     * VMs hand pages that stay free for about two seconds back to the host, and the first touch of
     * such a page costs a hypervisor fault; touching then freeing right before a timed write leaves
     * enough host-backed free memory for the page cache or the destination buffer.
     *
     * <p>The memory must be advised {@code MADV_HUGEPAGE}: measured on these VMs (bench/README.md),
     * touching 4 KiB pages runs at ~0.3 GB/s and the page-cache write right after it stays slow
     * (~0.4 GB/s), while a huge-page prefault brings the write back to ~5-7 GB/s.
     */
    public static void prefault(long bytes) {
        if (bytes <= 0) {
            return;
        }
        Libc.touchHugeAndFree(bytes);
    }

    /**
     * Allocates {@code bytes} of off-heap memory backed by transparent huge pages where the kernel
     * offers them ({@code mmap} + {@code MADV_HUGEPAGE}, 2 MiB aligned), freed when the arena
     * closes. numpy advises its large arrays the same way. On these VMs 4 KiB-page buffers are a
     * poor source for timed writes: the huge-page prefault before each write makes the kernel
     * compact memory, which migrates 4 KiB pages (the source data among them) to pages the host has
     * to fault in again.
     */
    public static MemorySegment allocateHuge(long bytes, Arena arena) {
        return Libc.allocateHuge(bytes, arena);
    }

    /** Fills a segment of float32 values with the pattern {@code (i % 4096) * 0.25f}. */
    public static void fillPattern(MemorySegment s) {
        long n = s.byteSize() / 4;
        for (long i = 0; i < n; i++) {
            s.set(F32, i * 4, (i & 4095) * 0.25f);
        }
    }

    /** Returns a float[] of {@code n} elements holding {@link #fillPattern}'s values. */
    public static float[] patternArray(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (i & 4095) * 0.25f;
        }
        return a;
    }

    /**
     * The sequential read loop: sums a segment of float32 values with eight independent
     * accumulators (a single accumulator would be bound by the latency of the add, not by memory).
     * The same method runs over a mapped array and over an in-RAM one.
     */
    public static float sum(MemorySegment s) {
        long n = s.byteSize() >>> 2;
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        long i = 0;
        long blocks = n & ~7L;
        for (; i < blocks; i += 8) {
            long o = i << 2;
            a0 += s.get(F32, o);
            a1 += s.get(F32, o + 4);
            a2 += s.get(F32, o + 8);
            a3 += s.get(F32, o + 12);
            a4 += s.get(F32, o + 16);
            a5 += s.get(F32, o + 20);
            a6 += s.get(F32, o + 24);
            a7 += s.get(F32, o + 28);
        }
        for (; i < n; i++) {
            a0 += s.get(F32, i << 2);
        }
        return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
    }

    /** Runs {@code sync(1)}: pushes out dirty pages and the journal (freed blocks, discards) between runs. */
    public static void syncAll() {
        try {
            Process p = new ProcessBuilder("sync").inheritIO().start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes a file if present. */
    public static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a directory tree if present. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(s.toList());
            java.util.Collections.reverse(all);
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Key of the i-th small entry ({@code k0000042}). */
    public static String key(int i) {
        return String.format(Locale.ROOT, "k%07d", i);
    }

    /** A small value (a short string, about 20 bytes pickled). */
    public static String smallValue(int i) {
        return "value-" + i;
    }

    /** Creates (or replaces) a file holding {@code n} small entries; returns the puts per second it took. */
    public static double buildSmallFile(Path file, int n) throws IOException {
        delete(file);
        String[] keys = new String[n];
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            keys[i] = key(i);
            values[i] = smallValue(i);
        }
        long t0 = System.nanoTime();
        try (MmapDict d = MmapDict.open(file)) {
            for (int i = 0; i < n; i++) {
                d.set(keys[i], values[i]);
            }
        }
        long t = System.nanoTime() - t0;
        return n / (t / 1e9);
    }

    /**
     * Returns the file offset of a 1-d array entry's payload (our layout ends the value with the
     * payload, then {@code TUPLE3 REDUCE}), so numpy can map the same bytes.
     */
    public static long payloadOffset(MmapDict d, String key, long payloadBytes) {
        for (EntryInfo e : d.entries()) {
            if (e.valid() && e.key().equals(key)) {
                return e.valueOffset() + e.valueLength() - 2 - payloadBytes;
            }
        }
        throw new IllegalArgumentException("no entry " + key);
    }

    /** Allocated bytes of a file on disk ({@code st_blocks * 512}), read with {@code stat(1)}. */
    public static long allocatedBytes(Path p) {
        try {
            Process pr = new ProcessBuilder("stat", "-c", "%b %B", p.toString()).redirectErrorStream(true).start();
            String out = new String(pr.getInputStream().readAllBytes()).trim();
            pr.waitFor();
            String[] f = out.split("\\s+");
            return Long.parseLong(f[0]) * Long.parseLong(f[1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException | RuntimeException e) {
            return -1;
        }
    }

    /** The 1, 5 and 15 minute load averages ({@code /proc/loadavg}), or "?" off Linux. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** Parses sizes such as {@code 1g}, {@code 512m}, {@code 64k} or a byte count. */
    public static long parseSize(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ib")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        long mult = 1;
        char c = t.charAt(t.length() - 1);
        switch (c) {
            case 'k' -> mult = 1L << 10;
            case 'm' -> mult = 1L << 20;
            case 'g' -> mult = 1L << 30;
            case 't' -> mult = 1L << 40;
            default -> {
            }
        }
        if (mult != 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Math.round(Double.parseDouble(t) * mult);
    }

    /** Formats a byte count as {@code 1 GiB}, {@code 64 MiB}. */
    public static String formatSize(long bytes) {
        if (bytes % GIB == 0) {
            return (bytes / GIB) + " GiB";
        }
        if (bytes % MIB == 0) {
            return (bytes / MIB) + " MiB";
        }
        return bytes + " B";
    }
}
