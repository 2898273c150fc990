package org.mmappickle.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mmappickle.ArrayFormat;
import org.mmappickle.CopyProgress;
import org.mmappickle.MmapDict;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every subcommand shares: the output streams picocli was given, the usage error, and opening a file the
 * way a shell user expects (a missing file is an error unless the command creates one).
 */
abstract class BaseCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** Returns the standard output the command line was given. */
    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Returns the standard error the command line was given. */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Returns the exception that makes the command end as bad usage (exit status 2) with the message. */
    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Opens an existing file read-only. */
    static MmapDict openReadOnly(Path file) throws IOException {
        requireFile(file);
        return MmapDict.openReadOnly(file);
    }

    /** Opens an existing file for changes; arrays are written in the layout given. */
    static MmapDict openWritable(Path file, ArrayFormat layout, CopyProgress progress) throws IOException {
        requireFile(file);
        return MmapDict.open(file, new MmapDict.Options().create(false).arrayFormat(layout).progress(progress));
    }

    /** Opens a file for changes, creating it when missing. */
    static MmapDict openOrCreate(Path file, ArrayFormat layout, CopyProgress progress) throws IOException {
        return MmapDict.open(file, new MmapDict.Options().create(true).arrayFormat(layout).progress(progress));
    }

    private static void requireFile(Path file) throws IOException {
        // said here in plain words rather than by whatever errno the open reports
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (Files.isDirectory(file)) {
            throw new CliException(file + ": is a directory, not an mmappickle file");
        }
    }

    /** Returns the live value of a key, or fails with a message naming the key and the file. */
    static Object require(MmapDict d, String key) {
        Object v = d.get(key);
        if (v == null && !d.containsKey(key)) {
            throw new CliException(d.path() + ": no key " + PyRepr.str(key));
        }
        return v;
    }
}
