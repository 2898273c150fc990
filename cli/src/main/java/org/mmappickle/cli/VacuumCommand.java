package org.mmappickle.cli;

import java.nio.file.Path;
import org.mmappickle.ArrayFormat;
import org.mmappickle.MmapDict;
import org.mmappickle.VacuumReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code vacuum FILE}: gives the disk space of deleted entries back without moving anything. */
@Command(name = "vacuum",
        description = "Reclaims the disk space of deleted entries by punching holes in their values; no valid entry "
                + "moves, so it is safe while other processes read the file (use compact to shrink the file itself).")
final class VacuumCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "FILE", description = "The mmappickle file.")
    Path file;

    /** Runs the command and returns its exit status. */
    @Override
    public Integer call() throws Exception {
        try (MmapDict d = openWritable(file, ArrayFormat.OURS, null)) {
            VacuumReport r = d.vacuum();
            out().printf("%s: %d deleted entries reclaimed, %s punched; allocated %s -> %s%n", file,
                    r.entriesReclaimed(), Text.bytes(r.bytesPunched()), allocated(r.allocatedBefore()),
                    allocated(r.allocatedAfter()));
            if (!r.spaceReclaimed()) {
                out().printf("%s: holes cannot be punched here: %s of deleted values overwritten with zeros instead;"
                        + " their disk space is not reclaimed (compact shrinks the file)%n", file, Text.bytes(r.bytesZeroed()));
            }
        }
        return 0;
    }

    /** A byte count, or "unknown" where the io path cannot tell (-1). */
    private static String allocated(long bytes) {
        return bytes < 0 ? "unknown" : Text.bytes(bytes);
    }
}
