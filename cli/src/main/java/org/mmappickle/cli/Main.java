package org.mmappickle.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.mmappickle.cli.demo.ViewerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code mmappickle} command: inspect, change and script mmappickle files from a shell.
 *
 * <p>Exit status: 0 on success, 1 when an operation fails (one line on standard error, the stack trace only
 * with {@code --verbose}), 2 on bad usage (one line naming the problem and the help to read).
 */
@Command(name = "mmappickle", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Reads and writes mmappickle files: Python pickles of a dict whose numpy arrays are "
                + "memory-mapped from the file.",
        subcommands = {LsCommand.class, InfoCommand.class, DumpCommand.class, GetCommand.class, PutCommand.class,
            AllocCommand.class, RmCommand.class, ExportCommand.class, ImportCommand.class, WatchCommand.class,
            VacuumCommand.class, CompactCommand.class, RepairCommand.class, ConvertCommand.class,
            DemoCommand.class, SelfcheckCommand.class, ViewerCommand.class, org.mmappickle.cli.view.ViewCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit status of an operation that failed. */
    public static final int FAILED = 1;
    /** Exit status of bad usage. */
    public static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "On a failure, print the stack trace too.")
    boolean verbose;

    /** Picocli creates the command; use {@link #execute(PrintWriter, PrintWriter, String...)}. */
    public Main() {
    }

    /** Without a subcommand there is nothing to do: a usage error that says where the list is. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a subcommand");
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int status = execute(out, err, args);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /**
     * Runs the command line with the given output streams (flushed before returning) and returns the exit status,
     * without exiting: what {@link #main} and the tests call.
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        try {
            return commandLine(out, err).execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Returns the configured command line: output streams, one-line errors, no {@code @file} expansion. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        // an argument such as "--text @name" must stay text, not become the contents of a file called name
        cl.setExpandAtFiles(false);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler(Main::failure);
        return cl;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        String where = cl.getCommandSpec().qualifiedName();
        cl.getErr().println(where + ": " + Errors.oneLine(e.getMessage()) + " (see '" + where + " --help')");
        if (verbose(cl.getParseResult())) {
            e.printStackTrace(new PrintWriter(new SafeWriter(cl.getErr()), true));
        }
        cl.getErr().flush();
        return USAGE;
    }

    private static int failure(Exception e, CommandLine cl, ParseResult parsed) {
        cl.getErr().println(cl.getCommandSpec().qualifiedName() + ": " + Errors.describe(e));
        if (verbose(parsed)) {
            e.printStackTrace(new PrintWriter(new SafeWriter(cl.getErr()), true));
        }
        cl.getErr().flush();
        return FAILED;
    }

    private static boolean verbose(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** The version: the jar's Maven version and the native library's. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws Exception {
            String version = "(development build)";
            try (InputStream in = Main.class.getResourceAsStream(
                    "/META-INF/maven/org.mmappickle/mmappickle-cli/pom.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    version = p.getProperty("version", version);
                }
            }
            return new String[] {"mmappickle for Java " + version};
        }
    }
}
