package org.mmappickle.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mmappickle.cli.demo.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code demo [DIR]}: the seed's two use cases, end to end. */
@Command(name = "demo",
        description = {"Runs the main job end to end: a timelapse capture appends hyperspectral frames (float32 "
                + "cubes, each allocated pending in the file, copied in and published) with per-frame metadata to "
                + "one file, while a "
                + "viewer in a second process reports each frame as it lands; then a registration step reads the "
                + "frames back as mapped views and adds per-frame shifts and keypoints to the same file.",
            "Prints throughput (the write to the file beside the same copy into RAM), the file's summary, and what "
                + "plain Python (pickle + numpy) sees in the file when "
                + "python3 with numpy is installed."})
final class DemoCommand extends BaseCommand {
    private static final Pattern SIZE = Pattern.compile("(\\d+)x(\\d+)x(\\d+)");

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
            description = "Folder for the file (kept); default: a new temporary folder, removed at the end.")
    Path dir;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "16",
            description = "Frames to capture (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--size", paramLabel = "WxHxB", defaultValue = "512x512x32",
            description = "Frame width, height and spectral bands (default: ${DEFAULT-VALUE}: 32 MiB a frame).")
    String size;

    @Option(names = "--keep", description = "Keep the temporary folder and its file.")
    boolean keep;

    @Option(names = "--view", description = "Start the web viewer (mmappickle view) beside the capture and print its "
            + "address; its Stop capture button ends the capture early, keeping the frames written so far.")
    boolean view;

    @Option(names = "--pause", paramLabel = "MS",
            description = "Pause after each frame, in milliseconds (default: 500 with --view, so that there is time "
                    + "to watch; 0 without).")
    Long pauseMillis;

    /** Runs the command and returns its exit status; a failure is thrown, for {@link Main} to report. */
    @Override
    public Integer call() throws Exception {
        Matcher m = SIZE.matcher(size.strip());
        if (!m.matches()) {
            throw usage("--size must be WIDTHxHEIGHTxBANDS, e.g. 512x512x32, not '" + size + "'");
        }
        int w;
        int h;
        int b;
        try {
            w = Integer.parseInt(m.group(1));
            h = Integer.parseInt(m.group(2));
            b = Integer.parseInt(m.group(3));
        } catch (NumberFormatException e) {
            throw usage("--size " + size + ": a dimension is too large");
        }
        if (w < Demo.MIN_SIDE || h < Demo.MIN_SIDE || b < 1) {
            throw usage("--size " + size + ": frames must be at least " + Demo.MIN_SIDE + "x" + Demo.MIN_SIDE
                    + " pixels with at least 1 band (the registration's search window must fit)");
        }
        if ((long) w * b > Integer.MAX_VALUE / 4 || (long) w * h > Integer.MAX_VALUE / 4) {
            throw usage("--size " + size + ": frames this large are beyond what the demo synthesizes");
        }
        if (frames < 1) {
            throw usage("--frames must be at least 1");
        }
        boolean temporary = dir == null;
        Path where = temporary ? Files.createTempDirectory("mmappickle-demo-") : dir;
        long pause = pauseMillis != null ? pauseMillis : view ? 500 : 0;
        if (pause < 0) {
            throw usage("--pause must be 0 or more milliseconds");
        }
        Demo.run(new Demo.Settings(where, temporary, keep, frames, h, w, b, view, pause), out(), err());
        return 0;
    }
}
