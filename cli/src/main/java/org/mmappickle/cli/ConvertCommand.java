package org.mmappickle.cli;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.mmappickle.MmapDict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code convert SRC [DST]}: rewrites a plain pickle of a dict into the mmappickle layout. */
@Command(name = "convert",
        description = "Converts a plain pickle of a dict with string keys (protocol 0-5) into an mmappickle file; numpy "
                + "arrays in it become memory-mappable entries. Without DST the file is converted in place (through a "
                + "temporary file and an atomic rename); the source is never changed if anything fails.")
final class ConvertCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "SRC", description = "The plain pickle.")
    Path source;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DST", description = "Where to write (default: SRC itself).")
    Path target;

    /** Runs the command and returns its exit status. */
    @Override
    public Integer call() throws Exception {
        if (!Files.exists(source)) {
            throw new NoSuchFileException(source.toString());
        }
        Path dst = target == null ? source : target;
        MmapDict.convert(source, dst);
        try (MmapDict d = MmapDict.openReadOnly(dst)) {
            out().printf("%s: %d keys in the mmappickle layout%n", dst, d.size());
        }
        return 0;
    }
}
