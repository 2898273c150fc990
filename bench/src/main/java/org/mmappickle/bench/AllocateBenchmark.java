package org.mmappickle.bench;

import java.io.IOException;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code allocate} of a sparse 64 GiB float32 array into a fresh file (single shot per
 * invocation; the file is created before and deleted after the timed call). The teardown checks
 * that the file stayed sparse. Target (issue 9): constant time, under 10 ms, file sparse.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 5)
@Measurement(iterations = 20)
public class AllocateBenchmark {
    private static final long BYTES = 64L << 30;

    private Path dir;
    private Path file;
    private MmapDict dict;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("mmappickle-jmh-");
        file = dir.resolve("sparse.mmdpickle");
    }

    @Setup(Level.Invocation)
    public void open() throws IOException {
        Bench.delete(file);
        dict = MmapDict.open(file);
    }

    @TearDown(Level.Invocation)
    public void close() throws IOException {
        dict.close();
        long onDisk = Bench.allocatedBytes(file);
        if (Files.size(file) < BYTES || onDisk > (64L << 20)) {
            throw new IllegalStateException("not a sparse 64 GiB file: size " + Files.size(file) + ", "
                    + onDisk + " bytes on disk");
        }
        Bench.delete(file);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Bench.deleteTree(dir);
    }

    @Benchmark
    public NDArray allocate64GiB() throws IOException {
        return dict.allocate("big", DType.FLOAT32, BYTES / 4);
    }
}
