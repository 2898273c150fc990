package org.mmappickle.cli;

import java.nio.file.Path;
import org.mmappickle.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code alloc FILE KEY DTYPE DIM[,DIM...]}: an array that is never held in memory. */
@Command(name = "alloc",
        description = {"Adds an array of zeros without ever holding it in memory (mmappickle's EmptyNDArray): "
                + "the file grows by the array's size, sparse unless --reserve; a program fills it in place later.",
            "Example: mmappickle alloc cube.mmdpickle frame_000 float32 512,512,32"})
final class AllocCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "FILE", description = "The mmappickle file (created when missing).")
    Path file;

    @Parameters(index = "1", paramLabel = "KEY", description = "The key.")
    String key;

    @Parameters(index = "2", paramLabel = "DTYPE",
            description = "A numpy dtype: float32, <f8, uint8, >i4, complex64, bool, S16, <U8, datetime64[ns]...")
    String dtype;

    @Parameters(index = "3", paramLabel = "DIM[,DIM...]",
            description = "The shape, dimensions separated by commas ('' or () for a 0-d array).")
    String shape;

    @Option(names = "--reserve", description = "Reserve the disk blocks now (a full disk fails here, not later).")
    boolean reserve;

    @Option(names = "--layout", paramLabel = "ours|original", defaultValue = "ours",
            description = "Layout of the entry: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    LayoutOption layout;

    /** Runs the command and returns its exit status; a failure is thrown, for {@link Main} to report. */
    @Override
    public Integer call() throws Exception {
        DType t;
        try {
            t = DType.parse(dtype);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        long[] dims = parseShape(shape);
        change(file, layout.format(), null, d -> d.allocate(key, t, reserve, dims));
        return 0;
    }

    private long[] parseShape(String s) {
        String t = s.strip();
        if (t.startsWith("(") && t.endsWith(")")) {
            t = t.substring(1, t.length() - 1).strip();
        }
        if (t.isEmpty()) {
            return new long[0];
        }
        String[] parts = t.split("\\s*[,x]\\s*", -1);
        int n = parts.length;
        // "3," is Python's spelling of a 1-d shape: a trailing comma adds no dimension
        if (n > 1 && parts[n - 1].isEmpty()) {
            n--;
        }
        long[] dims = new long[n];
        for (int i = 0; i < n; i++) {
            try {
                dims[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                throw usage("bad shape '" + s + "': '" + parts[i] + "' is not a dimension (expected e.g. 512,512,32)");
            }
            if (dims[i] < 0) {
                throw usage("bad shape '" + s + "': negative dimension " + dims[i]);
            }
        }
        return dims;
    }
}
