package org.mmappickle.cli.json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.mmappickle.testsupport.TestData;

/**
 * Runs python3 (system property {@code mmappickle.python}) as a separate process for the cli module's interop
 * tests, with the test resources' Python helpers ({@link TestData#python()}) on its path.
 */
public final class Interop {
    private Interop() {
    }

    /** Returns the python3 executable the build configured. */
    public static String python() {
        return System.getProperty("mmappickle.python", "python3");
    }

    /** Returns the golden files written by mmappickle 1.0.1 ({@link TestData#vectors()}). */
    public static Path vectors() {
        return TestData.vectors();
    }

    /** Returns the folder of tagged_json.py and pickle_to_json.py ({@link TestData#python()}). */
    public static Path tools() {
        return TestData.python();
    }

    /**
     * Runs {@code python3 -c code args...} with the tools folder on {@code sys.path} and returns its standard
     * output (UTF-8); fails with the standard error when the exit status is not 0.
     */
    public static String run(String code, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python(), "-c", code));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PYTHONIOENCODING", "utf-8");
        pb.environment().put("PYTHONPATH", tools().toString());
        Process p = pb.start();
        p.getOutputStream().close();
        // both pipes are drained at once: a process that fills one while we wait on the other would never end
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("python timed out: " + cmd.get(0));
        }
        String errText = new String(err.join(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError("python exited with " + p.exitValue() + ":\n" + errText);
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
