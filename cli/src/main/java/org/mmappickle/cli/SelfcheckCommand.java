package org.mmappickle.cli;

import org.mmappickle.NativeInfo;
import picocli.CommandLine.Command;

/** {@code selfcheck}: loads the native library and says which one, or that the portable io path is in use. */
@Command(name = "selfcheck",
        description = "Loads the native library and prints its path, version and platform, or that the portable io path is in use (a check of the installation).")
final class SelfcheckCommand extends BaseCommand {

    /** Runs the command and returns its exit status; a failure is thrown, for {@link Main} to report. */
    @Override
    public Integer call() {
        NativeInfo info = NativeInfo.load();
        out().println(info.describe());
        out().println("java: " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
        return 0;
    }
}
