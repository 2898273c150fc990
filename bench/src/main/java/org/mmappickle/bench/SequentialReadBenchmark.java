package org.mmappickle.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.mmappickle.DType;
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
 * Sequential read: the same Java loop ({@link Bench#sum}, eight float accumulators) over a mapped
 * 1 GiB float32 array ({@code mapped}: the view {@code get} returns; the file is in the page cache)
 * and over an aligned off-heap segment in RAM, backed by huge pages as numpy's arrays are
 * ({@code ram}) or by 4 KiB pages as {@code Arena.allocate} gives ({@code ram4k}). Throughput =
 * size / time. Target (issue 9): mapped >= 0.9 of in-RAM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SequentialReadBenchmark {
    @Param({"1073741824"})
    public long size;

    @Param({"mapped", "ram", "ram4k"})
    public String where;

    private Path dir;
    private Arena arena;
    private MmapDict dict;
    private MemorySegment data;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("mmappickle-jmh-");
        arena = Arena.ofShared();
        MemorySegment src = where.equals("ram4k") ? arena.allocate(size, 4096) : Bench.allocateHuge(size, arena);
        Bench.fillPattern(src);
        if (where.startsWith("ram")) {
            data = src;
        } else {
            Path file = dir.resolve("read.mmdpickle");
            try (MmapDict w = MmapDict.open(file)) {
                w.set("x", NDArray.wrap(src, DType.FLOAT32, size / 4));
            }
            Bench.syncAll();
            dict = MmapDict.openReadOnly(file);
            data = ((NDArray) dict.get("x")).segment();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (dict != null) {
            dict.close();
        }
        arena.close();
        Bench.deleteTree(dir);
    }

    @Benchmark
    public float sum() {
        return Bench.sum(data);
    }
}
