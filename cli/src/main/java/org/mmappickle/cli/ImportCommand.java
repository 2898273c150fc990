package org.mmappickle.cli;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.mmappickle.NDArray;
import org.mmappickle.cli.npy.NpyFile;
import org.mmappickle.cli.npy.NpzFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code import FILE IN.npy|IN.npz [KEY]}: arrays from numpy's own formats. */
@Command(name = "import",
        description = {"Stores the array of a .npy file (under KEY, default the file's name without .npy), or "
                + "every array of a .npz file (under its name, or KEY/name when KEY is given).",
            "Reads .npy versions 1.0, 2.0 and 3.0; the file is created when missing."})
final class ImportCommand extends BaseCommand {
    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    @Parameters(index = "0", paramLabel = "FILE", description = "The mmappickle file (created when missing).")
    Path file;

    @Parameters(index = "1", paramLabel = "IN.npy|IN.npz", description = "The numpy file to read.")
    Path in;

    @Parameters(index = "2", arity = "0..1", paramLabel = "KEY", description = "The key (a prefix for .npz).")
    String key;

    @Option(names = "--layout", paramLabel = "ours|original", defaultValue = "ours",
            description = "Layout of the array entries: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    LayoutOption layout;

    /** Runs the command and returns its exit status; a failure is thrown, for {@link Main} to report. */
    @Override
    public Integer call() throws Exception {
        byte[] magic = magic(in);
        if (startsWith(magic, ZIP_MAGIC)) {
            // a compressed member cannot be mapped: NpzFile copies each array off-heap
            Map<String, NDArray> arrays = NpzFile.read(in);
            try (Progress progress = Progress.start("import", 0)) {
                change(file, layout.format(), progress, d -> {
                    for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                        d.set(key == null ? e.getKey() : key + "/" + e.getKey(), e.getValue());
                    }
                });
            }
        } else if (startsWith(magic, NPY_MAGIC)) {
            String k = key != null ? key : defaultKey(in);
            // read (and so checked) before the target is opened: a bad .npy leaves no new file behind
            try (Arena arena = Arena.ofConfined();
                    Progress progress = Progress.start("import " + k, 0)) {
                NDArray a = NpyFile.read(in, arena);
                change(file, layout.format(), progress, d -> d.set(k, a));
            }
        } else {
            throw new CliException(in + ": not a .npy file (magic \\x93NUMPY) nor a .npz archive (a zip file)");
        }
        return 0;
    }

    private static byte[] magic(Path p) throws IOException {
        try (InputStream s = Files.newInputStream(p)) {
            return s.readNBytes(NPY_MAGIC.length);
        }
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        return a.length >= prefix.length && Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static String defaultKey(Path p) {
        String name = p.getFileName().toString();
        return name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
    }
}
