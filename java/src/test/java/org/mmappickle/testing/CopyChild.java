package org.mmappickle.testing;

import java.nio.file.Path;
import org.mmappickle.MmapDict;

/** A child process that starts a two-phase append and stops inside the copy until killed. */
public final class CopyChild {
    private CopyChild() {
    }

    /** Entry point: FILE. */
    public static void main(String[] args) throws Exception {
        try (MmapDict m = MmapDict.open(Path.of(args[0]), new MmapDict.Options().progress((key, done, total) -> {
            System.out.println("copying " + key);
            System.out.flush();
            try {
                System.in.read();   // hold the pending entry until the parent kills us
            } catch (java.io.IOException ignored) {
                // killed
            }
        }))) {
            m.set("big", new double[300_000]);
        }
    }
}
