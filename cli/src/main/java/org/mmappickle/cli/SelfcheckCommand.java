package org.mmappickle.cli;

import org.mmappickle.NativeInfo;
import picocli.CommandLine.Command;

/** {@code selfcheck}: loads the native library and says which one, or which other io path is in use and what it lacks. */
@Command(name = "selfcheck",
        description = "Loads the native library and prints its path, version and platform, or which other io path is in use (portable, channel) and what it lacks (a check of the installation).")
final class SelfcheckCommand extends BaseCommand {

    /** Runs the command and returns its exit status; a failure is thrown, for {@link Main} to report. */
    @Override
    public Integer call() {
        NativeInfo info = NativeInfo.load();
        out().println(info.describe());
        for (String lack : info.lacks()) {
            out().println("io lacks: " + lack);
        }
        out().println("java: " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
        return 0;
    }
}
