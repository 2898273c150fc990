package org.mmappickle.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.mmappickle.DType;
import org.mmappickle.Durability;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ingest of a 1 GiB float32 array into a new file, one write per invocation (single shot):
 * <ul>
 *   <li>{@code array}: {@code set(key, float[])} (payload written straight from the heap array);</li>
 *   <li>{@code segment}: {@code set(key, NDArray.wrap(offHeapSegment))};</li>
 *   <li>{@code allocate}: {@code allocate} then {@code MemorySegment.copy} into the mapped view;</li>
 *   <li>{@code pwrite}: baseline, {@code FileChannel.write} of the segment (one pwrite) to a plain file;</li>
 *   <li>{@code memcpy}: baseline, {@code MemorySegment.copy} into a warm off-heap segment (no file).</li>
 * </ul>
 * With {@code fsync=true} the dict is opened {@link Durability#DURABLE} ({@code flush()} after the
 * fill for {@code allocate}) and the baseline calls {@code force(true)}. Before each invocation the
 * previous file is deleted, {@code sync} runs, and as much anonymous memory as the write needs is
 * touched and freed ({@code prefault=huge}; huge pages: a 4 KiB-page prefault does not help here,
 * see bench/README.md), because these VMs return pages free for ~2 s to the host and the first
 * touch of such a page is slow. {@code -p prefault=cold} waits 3 s instead. The sources (the
 * off-heap segment, and the heap with {@code -XX:+UseTransparentHugePages}) use huge pages, as
 * numpy's arrays do (see {@link Bench#allocateHuge}). Throughput = size / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx3g", "-XX:+UseTransparentHugePages"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class IngestBenchmark {
    @Param({"1073741824"})
    public long size;

    @Param({"array", "segment", "allocate", "pwrite", "memcpy"})
    public String way;

    @Param({"false", "true"})
    public boolean fsync;

    /** Before each invocation: "huge" (touch and free huge-page memory), "none", or "cold" (wait 3 s). */
    @Param({"huge"})
    public String prefault;

    private Path dir;
    private Path file;
    private Arena arena;
    private MemorySegment src;
    private MemorySegment dst;
    private float[] heap;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("mmappickle-jmh-");
        file = dir.resolve("ingest.mmdpickle");
        arena = Arena.ofShared();
        src = Bench.allocateHuge(size, arena);
        Bench.fillPattern(src);
        if (way.equals("array")) {
            heap = new float[Math.toIntExact(size / 4)];
            MemorySegment.copy(src, 0, MemorySegment.ofArray(heap), 0, size);
        }
        if (way.equals("memcpy")) {
            dst = Bench.allocateHuge(size, arena);
            dst.fill((byte) 0);
        }
    }

    @Setup(Level.Invocation)
    public void before() throws InterruptedException {
        Bench.delete(file);
        Bench.syncAll();
        if (!way.equals("memcpy")) {
            switch (prefault) {
                case "huge" -> Bench.prefault(size + (64L << 20));
                case "cold" -> Thread.sleep(3000);
                case "none" -> {
                }
                default -> throw new IllegalArgumentException("prefault: huge, none or cold");
            }
        }
    }

    @TearDown(Level.Invocation)
    public void after() {
        Bench.delete(file);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        Bench.deleteTree(dir);
    }

    @Benchmark
    public void ingest() throws IOException {
        MmapDict.Options o = new MmapDict.Options().durability(fsync ? Durability.DURABLE : Durability.PAGE_CACHE);
        switch (way) {
            case "array" -> {
                try (MmapDict d = MmapDict.open(file, o)) {
                    d.set("x", heap);
                }
            }
            case "segment" -> {
                try (MmapDict d = MmapDict.open(file, o)) {
                    d.set("x", NDArray.wrap(src, DType.FLOAT32, size / 4));
                }
            }
            case "allocate" -> {
                try (MmapDict d = MmapDict.open(file, o)) {
                    NDArray a = d.allocate("x", DType.FLOAT32, size / 4);
                    MemorySegment.copy(src, 0, a.segment(), 0, size);
                    if (fsync) {
                        d.flush();
                    }
                }
            }
            case "pwrite" -> {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    for (long off = 0; off < size; ) {
                        long len = Math.min(1L << 30, size - off);
                        ByteBuffer b = src.asSlice(off, len).asByteBuffer();
                        while (b.hasRemaining()) {
                            ch.write(b, off + b.position());
                        }
                        off += len;
                    }
                    if (fsync) {
                        ch.force(true);
                    }
                }
            }
            case "memcpy" -> MemorySegment.copy(src, 0, dst, 0, size);
            default -> throw new IllegalArgumentException(way);
        }
    }
}
