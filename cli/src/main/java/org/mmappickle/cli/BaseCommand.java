package org.mmappickle.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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

    private PrintWriter out;
    private PrintWriter err;

    /** Returns the standard output the command line was given, with control characters made visible. */
    PrintWriter out() {
        if (out == null) {
            out = new PrintWriter(new SafeWriter(spec.commandLine().getOut()), true);
        }
        return out;
    }

    /** Returns the standard error the command line was given, with control characters made visible. */
    PrintWriter err() {
        if (err == null) {
            err = new PrintWriter(new SafeWriter(spec.commandLine().getErr()), true);
        }
        return err;
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
        if (Files.isDirectory(file)) {
            throw new CliException(file + ": is a directory, not an mmappickle file");
        }
        return MmapDict.open(file, new MmapDict.Options().create(true).arrayFormat(layout).progress(progress));
    }

    /** A change to make to a file that {@link #change} opens (creating it when missing). */
    @FunctionalInterface
    interface Change {
        /** Makes the change. */
        void apply(MmapDict d) throws IOException;
    }

    /**
     * Opens a file for changes (creating it when missing), makes the change and closes it; when the change fails
     * on a file this call created and nothing was stored in it, the file is removed again, so that a failed
     * command leaves no new empty file behind.
     */
    static void change(Path file, ArrayFormat layout, CopyProgress progress, Change change) throws IOException {
        boolean existed = Files.exists(file, LinkOption.NOFOLLOW_LINKS);
        boolean remove = false;
        try (MmapDict d = openOrCreate(file, layout, progress)) {
            try {
                change.apply(d);
            } catch (IOException | RuntimeException | Error e) {
                remove = !existed && nothingStored(d);
                throw e;
            }
        } finally {
            if (remove) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** No live entry and no other writer in the middle of one: what the failed change left is of no use. */
    private static boolean nothingStored(MmapDict d) {
        try {
            for (org.mmappickle.EntryInfo e : d.entries()) {
                if (e.valid() || e.pending()) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            return false;   // a file that cannot be read back is left for the user to look at
        }
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

    /** Returns the live value of a key, or fails with a message naming the key, the file and the keys like it. */
    static Object require(MmapDict d, String key) {
        Object v = d.get(key);
        if (v == null && !d.containsKey(key)) {
            throw new CliException(d.path() + ": no key " + PyRepr.str(key) + NearKeys.hint(key, d.keySet()));
        }
        return v;
    }
}
