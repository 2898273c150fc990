package org.mmappickle.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.mmappickle.DType;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;

/**
 * The larger-than-RAM section of the side-by-side harness, run by {@link Compare} in its own JVM
 * with a small heap ({@code -Xmx256m}): ingest arrays of up to tens of GiB whose source is a file
 * mapped read-only (so neither the source nor the copy ever passes through the Java heap), and
 * report GB/s and the heap actually used.
 *
 * <pre>
 * java -Xmx256m -cp benchmarks.jar org.mmappickle.bench.BigIngest DIR SIZE[,SIZE...]
 * </pre>
 *
 * <p>Writes a source file of the largest size (the float32 pattern of {@link Bench#fillPattern}),
 * flushed to disk, copies 64 MiB of it once untimed (class loading, JIT), then for each size:
 * deletes the target, runs {@code sync}, drops the source's pages from the page cache (so every
 * size reads its source from the disk, as one larger than RAM must be read), maps the first SIZE
 * bytes of the source read-only, and times {@code MmapDict.open} + {@code set("x", wrap(source))}
 * + {@code close} (page-cache durability, default copy threads). The written payload is compared
 * with the source at 18 places (both ends and 16 seeded ones). Prints one line per size:
 * {@code row SIZE SECONDS PEAK_HEAP_BYTES MAX_HEAP_BYTES GC_COUNT GC_MILLIS SOURCE_READ_BYTES DIRTY_LIMIT_BYTES}
 * and deletes both files at the end (also on failure).
 */
public final class BigIngest {
    private BigIngest() {
    }

    /**
     * Runs the section.
     *
     * @param args the directory and the comma-separated sizes
     * @throws Exception when a write fails or the written bytes differ from the source
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        List<Long> sizes = new ArrayList<>();
        for (String s : args[1].split(",")) {
            sizes.add(Bench.parseSize(s));
        }
        long max = sizes.stream().mapToLong(Long::longValue).max().orElseThrow();
        Path source = dir.resolve("big-source.f32");
        Path target = dir.resolve("big.mmdpickle");
        try {
            long t0 = System.nanoTime();
            writeSource(source, max);
            System.out.printf(Locale.ROOT, "source %d %.3f%n", max, (System.nanoTime() - t0) / 1e9);
            row(source, target, Math.min(max, 64 * Bench.MIB));   // warm-up (class loading, JIT), not reported
            for (long size : sizes) {
                Bench.delete(target);
                Bench.syncAll();
                // every size reads its source from the disk, as a source larger than RAM is read
                Libc.dropCache(source);
                System.out.println(row(source, target, size));
                System.out.flush();
            }
        } finally {
            Bench.delete(target);
            Bench.delete(source);
        }
    }

    /** The float32 pattern, written in 64 MiB blocks from one off-heap buffer, then fsynced. */
    private static void writeSource(Path source, long size) throws IOException {
        long block = Math.min(size, 64 * Bench.MIB);
        try (Arena a = Arena.ofConfined();
             FileChannel ch = FileChannel.open(source, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            MemorySegment buf = a.allocate(block, 4096);
            Bench.fillPattern(buf);   // the pattern's period (16 KiB) divides the block: blocks join seamlessly
            for (long off = 0; off < size; off += block) {
                var b = buf.asSlice(0, Math.min(block, size - off)).asByteBuffer();
                while (b.hasRemaining()) {
                    ch.write(b, off + b.position());
                }
            }
            ch.force(true);   // its write-back must not run inside the timed copies
        }
    }

    private static String row(Path source, Path target, long size) throws IOException {
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        long gc0 = gcCount();
        long gcMs0 = gcMillis();
        long in0 = vmstat("pgpgin");
        double seconds;
        try (Arena a = Arena.ofConfined(); FileChannel ch = FileChannel.open(source, StandardOpenOption.READ)) {
            MemorySegment src = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, a);
            long t0 = System.nanoTime();
            try (MmapDict d = MmapDict.open(target)) {
                d.set("x", NDArray.wrap(src, DType.FLOAT32, size / 4));
            }
            seconds = (System.nanoTime() - t0) / 1e9;
            check(target, src);
        }
        // the sum of each pool's peak: an upper bound of the heap in use at any moment of the copy
        long peak = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        long sourceRead = (vmstat("pgpgin") - in0) * 1024;
        return String.format(Locale.ROOT, "row %d %.4f %d %d %d %d %d %d", size, seconds, peak,
                Runtime.getRuntime().maxMemory(), gcCount() - gc0, gcMillis() - gcMs0, sourceRead,
                vmstat("nr_dirty_threshold") * 4096);
    }

    /** The written payload equals the source at 16 seeded 1 MiB windows (and at both ends). */
    private static void check(Path target, MemorySegment src) throws IOException {
        long size = src.byteSize();
        try (MmapDict d = MmapDict.openReadOnly(target)) {
            MemorySegment got = ((NDArray) d.get("x")).segment();
            if (got.byteSize() != size) {
                throw new IOException(target + ": payload of " + got.byteSize() + " bytes, expected " + size);
            }
            SplittableRandom rnd = new SplittableRandom(size);
            long w = Math.min(size, Bench.MIB);
            for (int i = 0; i < 18; i++) {
                long at = i == 0 ? 0 : i == 1 ? size - w : rnd.nextLong(size - w + 1);
                if (got.asSlice(at, w).mismatch(src.asSlice(at, w)) != -1) {
                    throw new IOException(target + ": the payload differs from the source near offset " + at);
                }
            }
        }
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    /** A counter of {@code /proc/vmstat} (pages or KiB, as the kernel names it), or 0 off Linux. */
    private static long vmstat(String name) throws IOException {
        Path p = Path.of("/proc/vmstat");
        if (!Files.exists(p)) {
            return 0;
        }
        for (String l : Files.readAllLines(p)) {
            if (l.startsWith(name + " ")) {
                return Long.parseLong(l.substring(name.length() + 1).trim());
            }
        }
        return 0;
    }
}
