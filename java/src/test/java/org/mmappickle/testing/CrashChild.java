package org.mmappickle.testing;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.mmappickle.Durability;
import org.mmappickle.MmapDict;

/**
 * A child process of the crash test: applies a deterministic sequence of operations in durable
 * mode and prints "op N" after each one returned; it runs until killed.
 */
public final class CrashChild {
    private CrashChild() {
    }

    /** One operation: put a generic value, put an array, or delete. */
    public record Op(int n, String kind, String key) {
    }

    /** The operation number n of the sequence for a seed (independent of the file's state). */
    public static Op op(long seed, int n) {
        Random r = new Random(seed * 1_000_003L + n);
        String key = "k" + r.nextInt(12);
        return switch (r.nextInt(10)) {
            case 0, 1 -> new Op(n, "delete", key);
            case 2, 3, 4 -> new Op(n, "array", key);
            case 5 -> new Op(n, "bigarray", key);
            default -> new Op(n, "value", key);
        };
    }

    /** The value an operation stores. */
    public static Object value(long seed, Op op) {
        int tag = (int) ((seed % 100) * 100_000 + op.n() % 100_000);   // exact as a float32 (< 2^24)
        return switch (op.kind()) {
            case "array" -> {
                float[] a = new float[1000 + op.n() % 100];
                Arrays.fill(a, tag);
                yield a;
            }
            case "bigarray" -> {
                float[] a = new float[(3 << 20) / 8];   // 1.5 MiB: a two-phase append
                Arrays.fill(a, tag);
                yield a;
            }
            default -> List.of(op.key(), tag);
        };
    }

    /** Entry point: FILE SEED. */
    public static void main(String[] args) throws Exception {
        long seed = Long.parseLong(args[1]);
        try (MmapDict m = MmapDict.open(Path.of(args[0]), new MmapDict.Options().durability(Durability.DURABLE))) {
            System.out.println("ready");
            System.out.flush();
            for (int n = 0; n < 100_000; n++) {
                Op op = op(seed, n);
                if (op.kind().equals("delete")) {
                    m.delete(op.key());
                } else {
                    m.set(op.key(), value(seed, op));
                }
                System.out.println("op " + n);
                System.out.flush();
            }
        }
    }
}
