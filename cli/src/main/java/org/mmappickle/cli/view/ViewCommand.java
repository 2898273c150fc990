package org.mmappickle.cli.view;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code view FILE}: a live web viewer of a file that other processes write, with a Stop capture button. */
@Command(name = "view",
        description = {"Serves a web page that shows the file live: its entries (updated as any process changes the "
                + "file), the latest array or one you pick as an image (one band, or three as RGB; masked values in "
                + "magenta), a pixel's spectrum, the metadata stored beside a frame (meta_007 beside frame_007), and a "
                + "Stop capture button that writes capture_control = {'stop': True, 'by': 'viewer', 'time': ...}.",
            "Runs until interrupted."})
public final class ViewCommand implements Callable<Integer> {
    /** The line that gives the page's address; the demo reads it. */
    public static final String URL_LINE = "view: open ";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The file to view (it may not exist yet).")
    Path file;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8765",
            description = "Port to listen on; 0 for any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
    String bind;

    @Option(names = "--read-only", description = "Never write the file: no Stop capture button.")
    boolean readOnly;

    /** Picocli creates the command. */
    public ViewCommand() {
    }

    /** Runs the viewer until the process is interrupted; returns its exit status. */
    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (port < 0 || port > 65535) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--port must be 0..65535, not " + port);
        }
        ViewServer server;
        try {
            server = ViewServer.start(file, bind, port, readOnly);
        } catch (java.net.BindException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "cannot listen on " + bind + ":" + port + " (" + e.getMessage() + "); try another --port, or --port 0");
        }
        if (!InetAddress.getByName(bind).isLoopbackAddress()) {
            err.println("view: warning: listening on " + bind + ", not only this machine: anyone who reaches it sees the"
                    + " file" + (readOnly ? "" : " and can stop the capture (use --read-only to prevent that)"));
            err.flush();
        }
        out.println(URL_LINE + server.uri() + " (viewing " + file + (readOnly ? ", read-only" : "") + "; interrupt to stop)");
        out.flush();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            done.countDown();
        }, "view-shutdown"));
        done.await();
        return 0;
    }
}
