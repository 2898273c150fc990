package org.mmappickle.cli.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.cli.CliException;
import org.mmappickle.cli.FileSummary;
import org.mmappickle.cli.Progress;
import org.mmappickle.cli.Text;

/**
 * The main job, end to end: a timelapse capture appends hyperspectral frames to one file while a viewer in a
 * second process reports each frame as it lands; then a registration step reads the frames back as mapped views,
 * estimates each frame's shift against the first and its keypoints, and adds them to the same file; finally the
 * file's summary, and what plain Python (pickle and numpy, no mmappickle) sees in it.
 */
public final class Demo {
    /** The name of the demo's file in its folder. */
    public static final String FILE_NAME = "timelapse.mmdpickle";
    /** Shifts are searched within this many pixels; the synthetic drift stays within 5.5. */
    static final int SEARCH_RADIUS = 8;
    /** The smallest frame side the registration's search window fits in. */
    public static final int MIN_SIDE = 48;

    /**
     * What to run.
     *
     * @param dir the folder of the file
     * @param temporary whether the folder was made for this run (and is removed at the end unless kept)
     * @param keep keep a temporary folder and its file
     * @param frames how many frames to capture
     * @param height frame height in pixels
     * @param width frame width in pixels
     * @param bands spectral bands per pixel
     * @param view start the web viewer ({@code mmappickle view}) beside the capture and print its address
     * @param pauseMillis the pause after each frame, so that a person can watch (and stop) the capture
     */
    public record Settings(Path dir, boolean temporary, boolean keep, int frames, int height, int width, int bands,
                           boolean view, long pauseMillis) {
        long frameBytes() {
            return 4L * height * width * bands;
        }
    }

    private final Settings s;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Path file;
    /** The web viewer's process, with {@code --view}. */
    private Process web;

    private Demo(Settings s, PrintWriter out, PrintWriter err) {
        this.s = s;
        this.out = out;
        this.err = err;
        this.file = s.dir().resolve(FILE_NAME);
    }

    /** Runs the demo, printing as it goes; fails with a {@link CliException} when a step does not do its job. */
    public static void run(Settings s, PrintWriter out, PrintWriter err) throws Exception {
        new Demo(s, out, err).run();
    }

    private void run() throws Exception {
        long start = System.nanoTime();
        Files.createDirectories(s.dir());
        Files.deleteIfExists(file);
        out.printf(Locale.ROOT, "demo: %d frames of %dx%dx%d float32 (%s each, %s in all) into %s%n", s.frames(),
                s.width(), s.height(), s.bands(), Text.bytes(s.frameBytes()), Text.bytes(s.frameBytes() * s.frames()), file);
        out.flush();
        boolean ok = false;
        try {
            if (s.view()) {
                web = startWebViewer();
            }
            int kept = capture();
            if (kept > 0) {
                register(kept);
            }
            out.println();
            out.println("file summary (what 'mmappickle info' prints):");
            FileSummary.of(file).print(out);
            out.println();
            PythonCheck.check(file, out);
            ok = true;
        } finally {
            cleanUp(ok, System.nanoTime() - start);
        }
    }

    // ------------------------------------------------------------------------------------------- capture

    /** Captures the frames until all are written or the file's capture_control says stop; returns how many it kept. */
    private int capture() throws Exception {
        Scene scene = new Scene(s.height(), s.width(), s.bands(), 20240611L);
        try (MmapDict d = MmapDict.open(file); Capture.Buffers buffers = new Capture.Buffers(s.frameBytes())) {
            Capture.begin(d, scene, s.frames(), s.height(), s.width(), s.bands());
            Process viewer = startViewer();
            long t0 = System.nanoTime();
            int written = 0;
            Map<?, ?> stop = null;
            try {
                for (int i = 0; i < s.frames() && (stop = stopRequest(d)) == null; i++) {
                    Capture.frame(d, scene, i, s.frames(), s.height(), s.width(), s.bands(), buffers);
                    written++;
                    // the pause is spent looking for a stop request, so that Stop takes effect within 50 ms
                    for (long end = System.nanoTime() + s.pauseMillis() * 1_000_000; System.nanoTime() < end
                            && (stop = stopRequest(d)) == null; ) {
                        Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                    }
                    if (stop != null) {
                        break;
                    }
                }
                Capture.end(d, s.frames(), s.height(), s.width(), s.bands(), written);
            } finally {
                long took = System.nanoTime() - t0;
                awaitViewer(viewer);
                long bytes = s.frameBytes() * written;
                if (stop != null) {
                    out.printf(Locale.ROOT, "capture: stopped by %s (%s = %s) after %d of %d frames: kept %d frames%n",
                            stop.get("by"), CAPTURE_CONTROL, org.mmappickle.cli.PyRepr.of(stop), written, s.frames(), written);
                }
                out.printf(Locale.ROOT, "capture: %d frames of %s, %s in %s: %s to the file (allocatePending + copyFrom "
                        + "+ publish), %s memcpy into RAM (one thread, the same bytes); the scene's synthesis: %s%n",
                        written, Text.bytes(s.frameBytes()), Text.bytes(bytes), Text.seconds(took),
                        Text.gibPerSecond(bytes, buffers.toFile), Text.gibPerSecond(bytes, buffers.toRam),
                        Text.gibPerSecond(bytes, buffers.synthesis));
                out.flush();
            }
            return written;
        }
    }

    /** The key by which a viewer (or any process) asks the capture to stop: {@code {'stop': True, ...}}. */
    static final String CAPTURE_CONTROL = "capture_control";

    /** Returns the capture_control value when it asks to stop, else null; a cheap read of the shared index. */
    private static Map<?, ?> stopRequest(MmapDict d) {
        return d.get(CAPTURE_CONTROL) instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("stop")) ? m : null;
    }

    /** Starts {@code mmappickle view FILE --port 0} in a second JVM and prints the address it serves. */
    private Process startWebViewer() throws IOException, InterruptedException {
        List<String> cmd = javaCommand("view", file.toString(), "--port", "0");
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        CountDownLatch ready = new CountDownLatch(1);
        relay(p.getInputStream(), out, "", ready, org.mmappickle.cli.view.ViewCommand.URL_LINE);
        relay(p.getErrorStream(), err, "view (stderr): ", null, null);
        if (!ready.await(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new CliException("the web viewer did not start within 60 s: " + String.join(" ", cmd));
        }
        return p;
    }

    /** {@code java} with this JVM's class path and native-library settings, running the CLI with arguments. */
    private static List<String> javaCommand(String... args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        for (String p : List.of("mmappickle.native.lib", "mmappickle.extract.dir")) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.mmappickle.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A second JVM on the same class path, running the hidden {@code demo-viewer} command on the file. */
    private Process startViewer() throws IOException, InterruptedException {
        List<String> cmd = javaCommand("demo-viewer", file.toString(), "--frames", Integer.toString(s.frames()));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        CountDownLatch ready = new CountDownLatch(1);
        relay(p.getInputStream(), out, "", ready, ViewerCommand.READY);
        relay(p.getErrorStream(), err, "viewer (stderr): ", null, null);
        // the viewer needs a JVM start; frames written before it watches would still be reported, but then
        // nobody would see them land
        if (!ready.await(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new CliException("the viewer process did not start within 60 s: " + String.join(" ", cmd));
        }
        return p;
    }

    private static void relay(java.io.InputStream in, PrintWriter to, String prefix, CountDownLatch ready, String readyLine) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (to) {
                        to.println(prefix + line);
                        to.flush();
                    }
                    if (ready != null && line.startsWith(readyLine)) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // the viewer is gone: its exit status tells the rest
            }
        }, "demo-viewer-relay");
        t.setDaemon(true);
        t.start();
    }

    private void awaitViewer(Process viewer) throws InterruptedException {
        if (!viewer.waitFor(60, TimeUnit.SECONDS)) {
            viewer.destroyForcibly();
            throw new CliException("the viewer process did not finish within 60 s of the capture's end");
        }
        // let the relay threads print the viewer's last lines before ours
        Thread.sleep(50);
        if (viewer.exitValue() != 0) {
            throw new CliException("the viewer process ended with status " + viewer.exitValue()
                    + " (it did not see every frame land)");
        }
    }

    // -------------------------------------------------------------------------------------- registration

    private void register(int n) throws IOException {
        int h = s.height();
        int w = s.width();
        try (MmapDict d = MmapDict.open(file); Progress progress = Progress.start("registration", s.frameBytes() * n)) {
            long t0 = System.nanoTime();
            float[][] sums = new float[n][];
            for (int i = 0; i < n; i++) {
                NDArray frame = (NDArray) d.get(Capture.frameKey(i, s.frames()));   // a view of the file: no copy
                sums[i] = Registration.bandSum(frame);
                progress.update(s.frameBytes() * (i + 1));
            }
            long readNanos = System.nanoTime() - t0;
            progress.close();
            out.printf(Locale.ROOT, "registration: read back %d frames, %s through mapped views in %s: %s (band sums; "
                    + "the pages are in the page cache after the capture)%n", n, Text.bytes(s.frameBytes() * n),
                    Text.seconds(readNanos), Text.gibPerSecond(s.frameBytes() * n, readNanos));
            long t1 = System.nanoTime();
            float[] keypoints = new float[n * Registration.GRID * Registration.GRID * 3];
            double maxError = 0;
            for (int i = 0; i < n; i++) {
                double[] found = Registration.shift(sums[0], sums[i], h, w, SEARCH_RADIUS);
                float[] kp = Registration.keypoints(sums[i], h, w);
                System.arraycopy(kp, 0, keypoints, i * kp.length, kp.length);
                double[] truth = Scene.shift(i);
                double error = Math.hypot(found[0] - truth[0], found[1] - truth[1]);
                maxError = Math.max(maxError, error);
                Map<String, Object> shift = new LinkedHashMap<>();
                shift.put("dy", found[0]);
                shift.put("dx", found[1]);
                shift.put("correlation", found[2]);
                shift.put("reference", Capture.frameKey(0, s.frames()));
                d.set("shift_" + Capture.pad(i, s.frames()), shift);
                long points = 0;
                for (int k = 2; k < kp.length; k += 3) {
                    points += Float.isNaN(kp[k]) ? 0 : 1;
                }
                out.printf(Locale.ROOT, "registration: %s shift dy=%+.2f dx=%+.2f px (synthetic %+.2f %+.2f, error "
                        + "%.3f px), correlation %.4f, %d keypoints%n", Capture.frameKey(i, s.frames()), found[0], found[1],
                        truth[0], truth[1], error, found[2], points);
            }
            d.set("keypoints", NDArray.of(keypoints, n, Registration.GRID * Registration.GRID, 3));
            Map<String, Object> about = new LinkedHashMap<>();
            about.put("reference", Capture.frameKey(0, s.frames()));
            about.put("method", "normalized cross-correlation of band sums: 2x2-binned search, full-resolution "
                    + "refinement, parabolic sub-pixel peak");
            about.put("search_radius_px", SEARCH_RADIUS);
            about.put("keypoints", "keypoints[frame, cell] = (y, x, band-sum response): the strongest local maximum "
                    + "in each cell of a " + Registration.GRID + "x" + Registration.GRID + " grid");
            d.set("registration", about);
            out.printf(Locale.ROOT, "registration: largest error against the synthetic drift %.3f px over %d frames; "
                    + "computed and stored in %s (shift_%s..shift_%s, keypoints, registration)%n", maxError, n,
                    Text.seconds(System.nanoTime() - t1), Capture.pad(0, s.frames()), Capture.pad(n - 1, s.frames()));
        }
    }

    // ---------------------------------------------------------------------------------------- the end

    private void cleanUp(boolean ok, long nanos) throws IOException, InterruptedException {
        if (web != null) {
            if (System.console() != null && ok) {
                out.println("demo: the viewer keeps serving the file; press Enter to stop it");
                out.flush();
                System.in.read();
            }
            web.destroy();
            web.waitFor(10, TimeUnit.SECONDS);
        }
        out.println();
        if (s.temporary() && !s.keep()) {
            Files.deleteIfExists(file);
            Files.deleteIfExists(s.dir());
            out.println("demo: " + (ok ? "done" : "stopped") + " in " + Text.seconds(nanos) + "; the temporary file was "
                    + "removed (give a DIR, or --keep, to keep it and look at it with 'mmappickle ls/info/dump')");
        } else {
            out.println("demo: " + (ok ? "done" : "stopped") + " in " + Text.seconds(nanos) + "; the file is " + file
                    + " (try: mmappickle ls " + file + ")");
        }
        out.flush();
    }
}
