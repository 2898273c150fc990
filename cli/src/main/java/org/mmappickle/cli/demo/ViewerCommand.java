package org.mmappickle.cli.demo;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.mmappickle.ChangeWatcher;
import org.mmappickle.Changes;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.cli.Text;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The demo's independent viewer, run by the demo in a second JVM ({@code mmappickle demo-viewer FILE}): it
 * watches the file the capture appends to and reports each frame as it lands, reading the frame's pixels
 * through its own memory map. Hidden from the help: the demo starts it.
 */
@Command(name = "demo-viewer", hidden = true,
        description = "The demo's viewer process: reports each frame of a capture as it lands.")
public final class ViewerCommand implements Callable<Integer> {
    /** The first line the viewer prints once it watches the file: the demo starts capturing after it. */
    static final String READY = "viewer: watching ";
    /** The viewer gives up after this long without the capture ending (the demo is gone or stuck). */
    private static final Duration GIVE_UP = Duration.ofMinutes(5);
    /** After the last frame, how long the viewer waits for the capture's complete mark. */
    private static final Duration COMPLETE_GRACE = Duration.ofSeconds(10);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The capture's file.")
    Path file;

    @Option(names = "--frames", paramLabel = "N", required = true, description = "How many frames to expect.")
    int frames;

    /** Picocli creates the command. */
    public ViewerCommand() {
    }

    /** Runs the command and returns its exit status; a failure is thrown, for {@link org.mmappickle.cli.Main} to report. */
    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        Set<Integer> seen = new HashSet<>();
        boolean complete = false;
        int expected = frames;
        try (MmapDict d = MmapDict.openReadOnly(file)) {
            ChangeWatcher w = d.watcherFromStart(Duration.ofMillis(10));
            out.println(READY + file + " (pid " + ProcessHandle.current().pid() + ")");
            out.flush();
            while (!complete && System.nanoTime() < deadline && parentAlive()) {
                Changes c = w.poll(Duration.ofMillis(250));
                for (String k : c.added()) {
                    if (k.startsWith(Capture.META)) {
                        int i = Integer.parseInt(k.substring(Capture.META.length()));
                        if (seen.add(i)) {
                            report(out, d, k, i);
                        }
                    }
                }
                if (c.replaced().contains(Capture.CAPTURE) && d.get(Capture.CAPTURE) instanceof Map<?, ?> m
                        && Boolean.TRUE.equals(m.get("complete"))) {
                    complete = true;
                    // a capture stopped early (Stop capture in the web viewer) writes fewer frames than planned
                    expected = m.get("frames_written") instanceof Number n ? n.intValue() : frames;
                }
                if (seen.size() >= frames && !complete) {
                    // the capture marks itself complete right after the last frame's metadata, which a
                    // poll can see alone: wait a little for the mark rather than report without it
                    deadline = Math.min(deadline, System.nanoTime() + COMPLETE_GRACE.toNanos());
                }
            }
        }
        out.println("viewer: saw " + seen.size() + " of " + expected + " frames" + (complete ? "; capture complete" : ""));
        return seen.size() == expected ? 0 : 1;
    }

    /** Metadata lands after the frame's pixels are complete: when it appears, the frame is there to look at. */
    private void report(PrintWriter out, MmapDict d, String metaKey, int i) {
        long nowMillis = System.currentTimeMillis();
        Map<?, ?> meta = (Map<?, ?>) d.get(metaKey);
        double written = ((Number) meta.get("timestamp")).doubleValue();
        String frameKey = Capture.frameKey(i, frames);
        NDArray frame = (NDArray) d.get(frameKey);
        double mean = mean(frame);
        out.println(String.format(Locale.ROOT,
                "viewer: frame %d/%d landed: %s %s %s, mean %.4f, exposure %.1f ms, seen %d ms after it was written",
                i + 1, frames, frameKey, frame.dtype().pythonStr(), Text.shape(frame.shape()), mean,
                ((Number) meta.get("exposure_ms")).doubleValue(), Math.max(0, nowMillis - Math.round(written * 1000))));
        out.flush();
    }

    /** The mean of every element, read through the viewer's own mapping of the file. */
    static double mean(NDArray a) {
        int chunk = 1 << 16;
        float[] buf = new float[chunk];
        double s = 0;
        long n = a.size();
        for (long o = 0; o < n; o += chunk) {
            int len = (int) Math.min(chunk, n - o);
            a.copyTo(o, buf, 0, len);
            double part = 0;
            for (int i = 0; i < len; i++) {
                part += buf[i];
            }
            s += part;
        }
        return n == 0 ? 0 : s / n;
    }

    private static boolean parentAlive() {
        return ProcessHandle.current().parent().map(ProcessHandle::isAlive).orElse(false);
    }
}
