package org.mmappickle.cli;

import java.nio.file.Path;
import org.mmappickle.ArrayFormat;
import org.mmappickle.CompactReport;
import org.mmappickle.MmapDict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code compact FILE}: moves valid entries down over deleted ones and shrinks the file. */
@Command(name = "compact",
        description = "Rewrites the file with its valid entries only (beside it, then renamed over it: crash-safe) and "
                + "shrinks it. Refused while another process of ours has the file open; no Python process may have "
                + "it open either.")
final class CompactCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "FILE", description = "The mmappickle file.")
    Path file;

    /** Runs the command and returns its exit status. */
    @Override
    public Integer call() throws Exception {
        try (MmapDict d = openWritable(file, ArrayFormat.OURS, null)) {
            CompactReport r = d.compact();
            out().printf("%s: kept %d entries, dropped %d; %s -> %s%n", file, r.entriesKept(), r.entriesDropped(),
                    Text.bytes(r.sizeBefore()), Text.bytes(r.sizeAfter()));
        }
        return 0;
    }
}
