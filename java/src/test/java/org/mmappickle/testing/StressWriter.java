package org.mmappickle.testing;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.mmappickle.MmapDict;

/**
 * A child process of the stress test: puts COUNT entries PREFIXi. Most are generic values
 * [i, PREFIX, i*i]; every 10th is a float32 array filled with i, every 500th one of 1.25 MiB (a
 * two-phase append). Prints "done" at the end.
 */
public final class StressWriter {
    private StressWriter() {
    }

    /** Entry point: FILE PREFIX COUNT. */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        try (MmapDict m = MmapDict.open(file)) {
            for (int i = 0; i < count; i++) {
                m.set(prefix + i, value(prefix, i));
            }
        }
        System.out.println("done");
    }

    /** The value the writer stores under PREFIXi (also what the checks expect). */
    public static Object value(String prefix, int i) {
        if (i % 500 == 499) {
            float[] big = new float[(5 << 20) / 16];
            Arrays.fill(big, i);
            return big;
        }
        if (i % 10 == 9) {
            float[] a = new float[100 + i % 50];
            Arrays.fill(a, i);
            return a;
        }
        return List.of(i, prefix, i * i);
    }
}
