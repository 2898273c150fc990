package org.mmappickle.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;

/**
 * A child process of the stress test: reads every key and checks each value is whole (an array
 * filled with one number, a list [i, prefix, i*i]) until STOPFILE exists. Prints "reads N" and
 * exits 0, or prints "BAD ..." and exits 1 at the first partial or wrong value.
 */
public final class StressReader {
    private StressReader() {
    }

    /** Entry point: FILE STOPFILE. */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Path stop = Path.of(args[1]);
        long reads = 0;
        try (MmapDict m = MmapDict.openReadOnly(file)) {
            System.out.println("started");
            System.out.flush();
            while (!Files.exists(stop)) {
                for (String k : new ArrayList<>(m.keySet())) {
                    Object v = m.get(k);
                    String why = check(k, v);
                    if (why != null) {
                        System.out.println("BAD " + k + ": " + why);
                        System.exit(1);
                    }
                    reads++;
                }
            }
        }
        System.out.println("reads " + reads);
    }

    static String check(String key, Object v) {
        int digits = key.length();
        while (digits > 0 && Character.isDigit(key.charAt(digits - 1))) {
            digits--;
        }
        String prefix = key.substring(0, digits);
        int i = Integer.parseInt(key.substring(digits));
        if (v instanceof NDArray a) {
            float[] f = a.toFloatArray();
            for (float x : f) {
                if (x != i) {
                    return "array element " + x + " in an array of " + i;
                }
            }
            return null;
        }
        if (v instanceof List<?> l) {
            return l.equals(List.of(i, prefix, i * i)) ? null : "list " + l;
        }
        return "unexpected value " + v;
    }
}
