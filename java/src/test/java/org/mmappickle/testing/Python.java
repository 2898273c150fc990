package org.mmappickle.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mmappickle.testsupport.TestData;

/** Runs python3 (system property {@code mmappickle.python}) as a separate process for interop tests. */
public final class Python {
    private Python() {
    }

    /** The python3 executable the build configured. */
    public static String executable() {
        return System.getProperty("mmappickle.python", "python3");
    }

    /** The golden files written by mmappickle 1.0.1 ({@link TestData#vectors()}). */
    public static Path vectors() {
        return TestData.vectors();
    }

    /** The result of a finished process. */
    public record Result(int exit, String out, String err) {
    }

    /** Runs {@code python3 args...} with a timeout; the output is decoded as UTF-8. */
    public static Result run(List<String> args, long timeoutSeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(executable());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("python timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** Starts {@code python3 -c code args...} and leaves it running (stdin open) for the caller. */
    public static Process start(String code, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(executable(), "-c", code));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
