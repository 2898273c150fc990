package org.mmappickle.cli;

import org.mmappickle.NativeInfo;
import picocli.CommandLine.Command;

/** {@code selfcheck}: loads the native library and says which one. */
@Command(name = "selfcheck",
        description = "Loads the native library and prints its path and version (a check of the installation).")
final class SelfcheckCommand extends BaseCommand {

    /** Runs the command and returns its exit status; a failure is thrown, for {@link Main} to report. */
    @Override
    public Integer call() {
        NativeInfo info = NativeInfo.load();
        int v = info.version();
        out().println("native library: " + info.path() + " (version " + v / 10000 + "." + v / 100 % 100 + "."
                + v % 100 + ")");
        out().println("java: " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
        return 0;
    }
}
