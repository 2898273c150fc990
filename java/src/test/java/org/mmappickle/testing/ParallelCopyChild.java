package org.mmappickle.testing;

import java.nio.file.Path;
import org.mmappickle.MmapDict;

/**
 * A child process that starts a parallel two-phase append (several copy threads) and stops in the
 * middle of the copy until killed: the first progress report blocks, and so do the other threads'
 * reports behind it.
 */
public final class ParallelCopyChild {
    private ParallelCopyChild() {
    }

    /** Entry point: FILE THREADS. */
    public static void main(String[] args) throws Exception {
        MmapDict.Options o = new MmapDict.Options().ingestThreads(Integer.parseInt(args[1])).progress((key, done, total) -> {
            System.out.println("copying " + key + " " + done + " of " + total);
            System.out.flush();
            try {
                System.in.read();   // hold the copy (and the pending entry) until the parent kills us
            } catch (java.io.IOException ignored) {
                // killed
            }
        });
        try (MmapDict m = MmapDict.open(Path.of(args[0]), o)) {
            m.set("big", new float[24 << 20]);   // 96 MiB: six 16 MiB pieces
        }
    }
}
