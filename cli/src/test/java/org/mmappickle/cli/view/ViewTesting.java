package org.mmappickle.cli.view;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the viewer's tests share: an empty file made by mmappickle 1.0.1, and a Python process that appends to it. */
final class ViewTesting {
    private ViewTesting() {
    }

    /** Returns the repository's root (system property {@code mmappickle.repo}, set by the build). */
    static Path repo() {
        return Path.of(System.getProperty("mmappickle.repo", "..")).toAbsolutePath().normalize();
    }

    /** Creates an empty mmappickle file. */
    static Path emptyFile(Path p) throws IOException {
        Files.deleteIfExists(p);
        org.mmappickle.MmapDict.open(p).close();
        return p;
    }

    /**
     * Appends with a separate Python process (the tests' writer of the mmappickle layout, which does what
     * mmappickle 1.0.1 does): {@code put KEY EXPR} or {@code putarray KEY EXPR}, EXPR a Python expression with np.
     */
    static void python(Path file, String op, String key, String expr) throws IOException, InterruptedException {
        Path helper = repo().resolve("java/src/test/resources/python/mmapdict_py.py");
        Process p = new ProcessBuilder(System.getProperty("mmappickle.python", "python3"), helper.toString(), file.toString(),
                op, key, expr).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("python " + op + " " + key + " failed: " + out);
        }
    }

    /**
     * A (32, 40, 6) float32 frame whose pattern moves with {@code i} (consecutive frames differ) and whose bands are
     * shifted copies of each other (three bands make a colour image).
     */
    static String frameExpr(int i) {
        return "(np.sin((np.arange(32)[:, None, None] + 5 * " + i + ") / 4.0 + np.arange(6)[None, None, :])"
                + " + np.cos(np.arange(40)[None, :, None] / 6.0)).astype('<f4')";
    }

    /** Appends frame {@code i} and its metadata, as a capture script would. */
    static void appendFrame(Path file, int i) throws IOException, InterruptedException {
        String n = String.format("%03d", i);
        python(file, "putarray", "frame_" + n, frameExpr(i));
        python(file, "put", "meta_" + n, "{'frame': " + i + ", 'exposure_ms': 12.5}");
    }

    /** The chromium command-line switches every browser test uses (a fresh profile each time). */
    static List<String> chromiumFlags(Path profile) {
        return List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,1000");
    }
}
