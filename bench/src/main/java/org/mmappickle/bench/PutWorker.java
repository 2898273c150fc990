package org.mmappickle.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mmappickle.MmapDict;

/**
 * A child process that puts small values into a shared file, for the "two processes putting
 * concurrently" measurement.
 *
 * <pre>
 * java -cp benchmarks.jar org.mmappickle.bench.PutWorker FILE SECONDS ID
 * </pre>
 *
 * <p>Protocol on stdin/stdout: the worker warms up on a private file, prints {@code ready},
 * waits for a line {@code go}, then calls {@code set("p<ID>-<i>", value)} on FILE until SECONDS
 * have passed (0: until a line {@code stop} arrives) and prints {@code done <puts> <nanos>}. With a
 * fourth argument COUNTER (a file of 8 bytes), it also keeps its running count of puts there, in a
 * shared mapping, for a parent that samples it.
 */
public final class PutWorker {
    private static volatile boolean stop;

    private PutWorker() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        double seconds = Double.parseDouble(args[1]);
        String id = args[2];
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

        Path warm = Files.createTempFile(file.toAbsolutePath().getParent(), "warm-" + id + "-", ".mmdpickle");
        try {
            Files.delete(warm);
            try (MmapDict w = MmapDict.open(warm)) {
                for (int i = 0; i < 20_000; i++) {
                    w.set("w" + (i % 2000), Bench.smallValue(i));
                }
            }
        } finally {
            Files.deleteIfExists(warm);
        }
        java.lang.foreign.MemorySegment counter = null;
        if (args.length > 3) {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(Path.of(args[3]),
                    java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
                counter = ch.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, 8, java.lang.foreign.Arena.global());
            }
        }
        try (MmapDict d = MmapDict.open(file)) {
            System.out.println("ready");
            System.out.flush();
            String line = in.readLine();
            if (line == null || !line.trim().equals("go")) {
                return;
            }
            if (seconds <= 0) {
                Thread t = new Thread(() -> {
                    try {
                        in.readLine();
                    } catch (Exception ignored) {
                        // stdin closed: stop as well
                    }
                    stop = true;
                });
                t.setDaemon(true);
                t.start();
            }
            long limit = seconds > 0 ? (long) (seconds * 1e9) : Long.MAX_VALUE;
            long t0 = System.nanoTime();
            long n = 0;
            long now;
            do {
                d.set("p" + id + "-" + n, Compare.VALUE);
                n++;
                if (counter != null) {
                    counter.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, n);
                }
                now = System.nanoTime();
            } while (now - t0 < limit && !stop);
            System.out.println("done " + n + " " + (now - t0));
            System.out.flush();
        }
    }
}
