package org.mmappickle.cli;

import java.nio.file.Path;
import org.mmappickle.MmapDict;
import org.mmappickle.cli.json.TaggedJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code get FILE KEY}: one value. */
@Command(name = "get",
        description = "Prints one value: as Python's repr and numpy print it, or as tagged JSON with --json "
                + "(what put --json takes back).")
final class GetCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "FILE", description = "The mmappickle file.")
    Path file;

    @Parameters(index = "1", paramLabel = "KEY", description = "The key.")
    String key;

    @Option(names = "--json", description = "Print the value in tagged JSON.")
    boolean json;

    @Option(names = "--full", description = "With --json, list the elements of arrays over 64 KiB too (no sha256).")
    boolean full;

    /** Runs the command and returns its exit status; a failure is thrown, for {@link Main} to report. */
    @Override
    public Integer call() throws Exception {
        try (MmapDict d = openReadOnly(file)) {
            Object v = require(d, key);
            if (json) {
                TaggedJson.write(DumpCommand.tagged(key, v, full), out());
                out().println();
            } else {
                String repr = DumpCommand.repr(key, v);
                out().println(repr);
            }
        }
        return 0;
    }
}
