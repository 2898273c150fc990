package org.mmappickle.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.mmappickle.ArrayWriter;
import org.mmappickle.DType;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;

/**
 * A child process that allocates a pending 1024 x 1024 float32 array "frame", fills it with
 * 0.405 (through its view, or with {@code copyFrom} when the second argument is {@code copy}),
 * prints "filled", then publishes it when told "publish" on its input (printing "published") and
 * waits for its input to end, or is killed before that.
 */
public final class PendingChild {
    private PendingChild() {
    }

    /** Entry point: FILE [fill|copy]. */
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        boolean copy = args.length > 1 && args[1].equals("copy");
        try (MmapDict m = MmapDict.open(Path.of(args[0]));
             ArrayWriter w = m.allocatePending("frame", DType.FLOAT32, 1024, 1024)) {
            if (copy) {
                float[] v = new float[1024 * 1024];
                java.util.Arrays.fill(v, 0.405f);
                w.copyFrom(java.lang.foreign.MemorySegment.ofArray(v));
            } else {
                NDArray a = w.array();
                for (long i = 0; i < 1024; i++) {
                    for (long j = 0; j < 1024; j++) {
                        a.setFloat(0.405f, i, j);
                    }
                }
            }
            System.out.println("filled");
            System.out.flush();
            if ("publish".equals(in.readLine())) {
                w.publish();
                System.out.println("published");
                System.out.flush();
                in.readLine();
            }
        }
    }
}
