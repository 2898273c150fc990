package org.mmappickle.testing;

import java.nio.file.Path;
import org.mmappickle.DType;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.internal.io.NativeFile;

/** A child process: truncates its file under a live view, reads the lost part, reports, survives. */
public final class TruncateChild {
    private TruncateChild() {
    }

    /** Entry point: FILE [sparsefull]. */
    public static void main(String[] args) throws Exception {
        Path p = Path.of(args[0]);
        if (args.length > 1 && args[1].equals("sparsefull")) {
            sparseOnFullDisk(p);
            return;
        }
        try (MmapDict m = MmapDict.open(p)) {
            NDArray a = m.allocate("a", DType.FLOAT64, true, 1 << 20);
            a.setDouble(3.5, (1 << 20) - 1);
            try (NativeFile other = NativeFile.open(p, NativeFile.Mode.READ_WRITE)) {
                other.truncate(4096);   // "another process" cuts the file under the view
            }
            try {
                System.out.println("read " + a.getDouble((1 << 20) - 1));
            } catch (RuntimeException | Error e) {
                System.out.println("caught " + e.getClass().getName());
            }
        } catch (Exception closeProblem) {
            System.out.println("close: " + closeProblem.getClass().getSimpleName());
        }
        System.out.println("alive");
    }

    /** Allocates far more than the (small) file system holds, sparse, and writes through the view. */
    private static void sparseOnFullDisk(Path p) throws Exception {
        try (MmapDict m = MmapDict.open(p)) {
            NDArray a = m.allocate("sparse", DType.UINT8, 64L << 20);
            try {
                for (long i = 0; i < a.size(); i += 4096) {
                    a.setByte((byte) 1, i);
                }
                System.out.println("wrote everything");
            } catch (RuntimeException | Error e) {
                System.out.println("caught " + e.getClass().getName());
            }
        } catch (Exception closeProblem) {
            System.out.println("close: " + closeProblem.getClass().getSimpleName());
        }
        System.out.println("alive");
    }
}
