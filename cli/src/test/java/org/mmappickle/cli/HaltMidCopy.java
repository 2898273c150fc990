package org.mmappickle.cli;

import java.nio.file.Path;
import org.mmappickle.DType;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;

/**
 * A writer killed in the middle of a two-phase append, as Ctrl-C or a crash leaves one: stores an 8 MiB array in
 * the file given and halts the JVM (no cleanup, no unlock: the kernel drops the locks) at the first progress
 * report of the payload copy. Run as a separate process by {@link RoughEdgesTest}.
 */
public final class HaltMidCopy {
    private HaltMidCopy() {
    }

    /**
     * Runs the writer.
     *
     * @param args the file
     * @throws Exception when the file cannot be written
     */
    public static void main(String[] args) throws Exception {
        NDArray a = NDArray.zeros(DType.parse("<f8"), 1 << 20);
        try (MmapDict d = MmapDict.open(Path.of(args[0]),
                new MmapDict.Options().progress((key, copied, total) -> Runtime.getRuntime().halt(7)))) {
            d.set("big", a);
        }
    }
}
