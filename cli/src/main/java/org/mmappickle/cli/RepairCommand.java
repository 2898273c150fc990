package org.mmappickle.cli;

import java.nio.file.Path;
import java.util.Optional;
import org.mmappickle.ArrayFormat;
import org.mmappickle.MmapDict;
import org.mmappickle.RepairReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code repair FILE}: cuts a torn tail after the last complete entry. */
@Command(name = "repair",
        description = "Cuts a tail torn by a crash after the last complete entry and rewrites the terminator, so that "
                + "plain pickle loads the file again (opening a file for writing does this too).")
final class RepairCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "FILE", description = "The mmappickle file.")
    Path file;

    /** Runs the command and returns its exit status. */
    @Override
    public Integer call() throws Exception {
        try (MmapDict d = openWritable(file, ArrayFormat.OURS, null)) {
            Optional<RepairReport> r = d.repair();
            if (r.isPresent()) {
                out().printf("%s: repaired: cut %d bytes at offset %d, kept %d entries%n", file,
                        r.get().droppedBytes(), r.get().cutAt(), r.get().keptEntries());
            } else {
                out().printf("%s: whole, nothing to repair%n", file);
            }
        }
        return 0;
    }
}
