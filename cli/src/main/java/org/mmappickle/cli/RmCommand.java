package org.mmappickle.cli;

import java.nio.file.Path;
import java.util.List;
import org.mmappickle.ArrayFormat;
import org.mmappickle.MmapDict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rm FILE KEY...}: deletes keys. */
@Command(name = "rm",
        description = "Deletes keys. Each deletion rewrites one byte: the entry stays in the file (plain pickle "
                + "skips it) until the space is reclaimed.")
final class RmCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "FILE", description = "The mmappickle file.")
    Path file;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY", description = "Keys to delete.")
    List<String> keys;

    @Option(names = {"-f", "--force"}, description = "Ignore keys that are not in the file.")
    boolean force;

    /** Runs the command and returns its exit status; a failure is thrown, for {@link Main} to report. */
    @Override
    public Integer call() throws Exception {
        try (MmapDict d = openWritable(file, ArrayFormat.OURS, null)) {
            if (!force) {
                // all or nothing: a typo in the last key must not leave the first ones deleted
                for (String k : keys) {
                    if (!d.containsKey(k)) {
                        throw new CliException(file + ": no key " + PyRepr.str(k) + " (nothing deleted)"
                                + NearKeys.hint(k, d.keySet()));
                    }
                }
            }
            for (String k : keys) {
                d.delete(k);
            }
        }
        return 0;
    }
}
