package org.mmappickle.cli;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.mmappickle.cli.json.TaggedJson;
import org.mmappickle.cli.npy.NpyFile;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code put FILE KEY (--json TAGGED | --npy ARRAY.npy | --text STRING)}: stores one value. */
@Command(name = "put",
        description = {"Stores a value under a key, replacing any previous one; the file is created when missing.",
            "Arrays (from --npy, or $ndarray / $masked at the top of --json) become array entries that readers "
                + "memory-map, in the layout of --layout."})
final class PutCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "FILE", description = "The mmappickle file (created when missing).")
    Path file;

    @Parameters(index = "1", paramLabel = "KEY", description = "The key (at most 255 bytes of UTF-8).")
    String key;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** Where the value comes from: exactly one of the three. */
    static final class Source {
        @Option(names = "--json", paramLabel = "TAGGED",
                description = "The value in tagged JSON ('-' reads it from standard input).")
        String json;

        @Option(names = "--npy", paramLabel = "ARRAY.npy", description = "An array in numpy's .npy format.")
        Path npy;

        @Option(names = "--text", paramLabel = "STRING", description = "A string, stored as a Python str.")
        String text;
    }

    @Option(names = "--layout", paramLabel = "ours|original", defaultValue = "ours",
            description = "Layout of array entries: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}; "
                    + "numpy 2.x cannot unpickle the original layout).")
    LayoutOption layout;

    /** Runs the command and returns its exit status; a failure is thrown, for {@link Main} to report. */
    @Override
    public Integer call() throws Exception {
        Object value;
        // the .npy file stays mapped while its array is copied into the file, then is unmapped
        try (Arena arena = Arena.ofConfined()) {
            if (source.text != null) {
                value = source.text;
            } else if (source.npy != null) {
                value = NpyFile.read(source.npy, arena);
            } else {
                value = fromJson(source.json);
            }
            Object v = value;
            try (Progress progress = Progress.start("put " + key, 0)) {
                change(file, layout.format(), progress, d -> d.set(key, v));
            }
        }
        return 0;
    }

    private Object fromJson(String text) throws IOException {
        String json = text;
        if ("-".equals(text)) {
            InputStream in = System.in;
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            return TaggedJson.fromTagged(TaggedJson.read(json));
        } catch (IllegalArgumentException e) {
            throw usage("--json: " + e.getMessage());
        }
    }
}
