package org.mmappickle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mmappickle.MmapDict;
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
 * Opening a file of 1k, 10k or 100k small entries read-only and listing its keys (the scan that
 * builds the index, then a copy of the key set), then closing it. Target (issue 9): under 50 ms
 * for 100k keys (the original takes 8.5 s).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OpenListBenchmark {
    @Param({"1000", "10000", "100000"})
    public int keys;

    private Path dir;
    private Path file;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("mmappickle-jmh-");
        file = dir.resolve("small.mmdpickle");
        Bench.buildSmallFile(file, keys);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Bench.deleteTree(dir);
    }

    @Benchmark
    public List<String> openAndList() throws IOException {
        try (MmapDict d = MmapDict.openReadOnly(file)) {
            return new ArrayList<>(d.keySet());
        }
    }
}
