package org.mmappickle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.mmappickle.MmapDict;
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
 * {@code get} of an array entry already seen: the view is cached and the commit number is read
 * through the header's mapping, so no system call. Target (issue 9): under 1 microsecond.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ArrayGetBenchmark {
    private Path dir;
    private MmapDict dict;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("mmappickle-jmh-");
        dict = MmapDict.open(dir.resolve("array.mmdpickle"));
        for (int i = 0; i < 1000; i++) {
            dict.set(Bench.key(i), Bench.smallValue(i));
        }
        dict.set("x", Bench.patternArray(1 << 20));
        dict.get("x");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        dict.close();
        Bench.deleteTree(dir);
    }

    @Benchmark
    public Object getArray() {
        return dict.get("x");
    }
}
