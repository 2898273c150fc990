package org.mmappickle.testing;

import java.nio.file.Path;
import java.util.Arrays;
import org.mmappickle.DType;
import org.mmappickle.Durability;
import org.mmappickle.MmapDict;

/** A child process that opens a file with durable changes and makes one change (for power-loss replays). */
public final class DurableOpChild {
    private DurableOpChild() {
    }

    /** Entry point: FILE set KEY TEXT | array KEY N TAG | delete KEY | allocate KEY N. */
    public static void main(String[] args) throws Exception {
        try (MmapDict m = MmapDict.open(Path.of(args[0]), new MmapDict.Options().durability(Durability.DURABLE))) {
            String key = args[2];
            switch (args[1]) {
                case "set" -> m.set(key, args[3]);
                case "array" -> {
                    double[] a = new double[Integer.parseInt(args[3])];
                    Arrays.fill(a, Double.parseDouble(args[4]));
                    m.set(key, a);
                }
                case "delete" -> m.delete(key);
                case "allocate" -> m.allocate(key, DType.FLOAT64, Long.parseLong(args[3]));
                default -> throw new IllegalArgumentException(args[1]);
            }
            System.out.println("done");
        }
    }
}
