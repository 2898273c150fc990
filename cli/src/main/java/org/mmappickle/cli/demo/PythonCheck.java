package org.mmappickle.cli.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.mmappickle.cli.CliException;

/**
 * The demo's last step: Python loads the file with nothing but {@code pickle} and numpy (no mmappickle), and
 * says what it sees. The script is inline: the demo depends on no file beside the jar.
 */
final class PythonCheck {
    /** Printed when the check cannot run; the tests look for it. */
    static final String SKIPPED = "python: skipped (python3 with numpy not found)";

    private static final String SCRIPT = """
            import pickle, platform, sys, time, warnings
            import numpy as np
            warnings.simplefilter('error', DeprecationWarning)  # the file must not lean on deprecated numpy paths
            t = time.perf_counter()
            with open(sys.argv[1], 'rb') as f:
                d = pickle.load(f)
            took = time.perf_counter() - t
            print('python: plain pickle.load read a %s of %d keys in %.2f s (Python %s, numpy %s)'
                  % (type(d).__name__, len(d), took, platform.python_version(), np.__version__))
            frames = sorted(k for k in d if k.startswith('frame_'))
            last = d[frames[-1]]
            print('python: %d frames; %s is a %s.%s %s %s, writable=%s, mean %.4f'
                  % (len(frames), frames[-1], type(last).__module__, type(last).__name__, last.dtype, last.shape,
                     last.flags.writeable, last.mean(dtype=np.float64)))
            for k in (frames[-1].replace('frame_', 'meta_'), frames[-1].replace('frame_', 'shift_')):
                print('python: %s = %r' % (k, d[k]))
            kp = d['keypoints']
            print('python: keypoints is a %s %s array; frame 0, first cell (y, x, response): %s'
                  % (kp.dtype, kp.shape, [round(v, 2) for v in kp[0, 0].tolist()]))
            b = d['bands_nm']
            print('python: bands_nm: %d bands from %.0f to %.0f nm' % (len(b), b[0], b[-1]))
            """;

    private PythonCheck() {
    }

    /** Returns the python3 to run: system property {@code mmappickle.python}, else {@code python3} on the PATH. */
    static String python() {
        return System.getProperty("mmappickle.python", "python3");
    }

    /** Returns whether python3 runs and imports numpy. */
    static boolean available() {
        try {
            Result r = run(List.of(python(), "-c", "import numpy"), 60);
            return r.status == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Loads the file in Python and relays what it prints; fails with Python's last error line when plain pickle
     * cannot load the file.
     */
    static void check(Path file, PrintWriter out) throws IOException {
        if (!available()) {
            out.println(SKIPPED);
            return;
        }
        Result r = run(List.of(python(), "-c", SCRIPT, file.toString()), 600);
        out.print(r.out);
        out.flush();
        if (r.status != 0) {
            String[] lines = r.err.strip().split("\\R");
            throw new CliException("python could not load the file with plain pickle: " + lines[lines.length - 1]);
        }
    }

    private record Result(int status, String out, String err) {
    }

    private static Result run(List<String> cmd, int timeoutSeconds) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PYTHONIOENCODING", "utf-8");
        Process p = pb.start();
        p.getOutputStream().close();
        // both pipes drained at once: a child that fills one while we wait on the other would never end
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        String out = drain(p.getInputStream());
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd.getFirst() + " did not finish in " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + cmd.getFirst() + " ran", e);
        }
        return new Result(p.exitValue(), out, err.join());
    }

    private static String drain(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
