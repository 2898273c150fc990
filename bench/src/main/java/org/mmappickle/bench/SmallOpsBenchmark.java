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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Put and get of small values (a short string) in a file holding 1k, 10k or 100k keys (page
 * cache durability). {@code set} and {@code put} replace existing keys in turn, so the file keeps
 * {@code keys} live entries (and grows by one entry per call); {@code get} reads a key's value
 * (one pread and an unpickle). Target (issue 9): a put into a 100k-key file at >= 20,000/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class SmallOpsBenchmark {
    @Param({"1000", "10000", "100000"})
    public int keys;

    private Path dir;
    private MmapDict dict;
    private String[] names;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("mmappickle-jmh-");
        Path file = dir.resolve("small.mmdpickle");
        Bench.buildSmallFile(file, keys);
        names = new String[keys];
        for (int i = 0; i < keys; i++) {
            names[i] = Bench.key(i);
        }
        dict = MmapDict.open(file);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        dict.close();
        Bench.deleteTree(dir);
    }

    private String nextKey() {
        int i = next;
        next = i + 1 == keys ? 0 : i + 1;
        return names[i];
    }

    /** Replaces a key's value without reading the previous one. */
    @Benchmark
    public void set() {
        dict.set(nextKey(), Compare.VALUE);
    }

    /** {@code Map.put}: replaces a key's value and returns the previous one (read and unpickled). */
    @Benchmark
    public Object put() {
        return dict.put(nextKey(), Compare.VALUE);
    }

    /** Reads a small value (an unpickled copy). */
    @Benchmark
    public Object get() {
        return dict.get(nextKey());
    }
}
