package org.mmappickle.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.mmappickle.MmapDict;

/**
 * A child process of the incremental-refresh test: COUNT random changes to keys PREFIX0..PREFIX39
 * (puts that replace, deletes of any writer's key, every 25th change an array of 1.25 MiB: a
 * two-phase append with a pending entry, every 100th a clear: many deletes in one commit).
 * Prints "done" at the end.
 */
public final class ChurnWriter {
    private ChurnWriter() {
    }

    /** Entry point: FILE PREFIX COUNT SEED. */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[3]));
        try (MmapDict m = MmapDict.open(file)) {
            for (int i = 0; i < count; i++) {
                String key = prefix + rnd.nextInt(40);
                if (i % 100 == 99) {
                    m.clear();
                } else if (i % 25 == 24) {
                    float[] big = new float[(5 << 20) / 16];
                    Arrays.fill(big, i);
                    m.set(key, big);
                } else if (rnd.nextInt(10) < 4) {
                    List<String> keys = new ArrayList<>(m.keySet());
                    if (!keys.isEmpty()) {
                        m.remove(keys.get(rnd.nextInt(keys.size())));
                    }
                } else {
                    m.set(key, List.of(i, prefix));
                }
            }
        }
        System.out.println("done");
    }
}
