package org.mmappickle.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.mmappickle.testsupport.TestData;

/**
 * Runs the command line in this JVM with captured output, and python3 beside it, for {@link CliTest} and
 * {@link DemoTest}.
 */
final class CliRun {
    private CliRun() {
    }

    /**
     * What a command did.
     *
     * @param status the exit status
     * @param out standard output
     * @param err standard error
     */
    record Result(int status, String out, String err) {
        /** Returns the lines of standard error. */
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\\R"));
        }

        /** Returns the lines of standard output. */
        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\\R"));
        }

        @Override
        public String toString() {
            return "status " + status + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    /** Runs {@code mmappickle args...} through picocli's {@code execute}, in process. */
    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(status, out.toString(), err.toString());
    }

    /** Returns the python3 the build configured (system property {@code mmappickle.python}). */
    static String python() {
        return System.getProperty("mmappickle.python", "python3");
    }

    private static Boolean numpy;

    /** Returns whether python3 runs and imports numpy (checked once). */
    static synchronized boolean hasNumpy() {
        if (numpy == null) {
            try {
                numpy = python("import numpy").status == 0;
            } catch (IOException e) {
                numpy = false;
            }
        }
        return numpy;
    }

    /** Returns the golden files written by mmappickle 1.0.1 ({@link TestData#vectors()}). */
    static Path vectors() {
        return TestData.vectors();
    }

    /** Returns the folder of pickle_to_json.py and tagged_json.py ({@link TestData#python()}). */
    static Path tools() {
        return TestData.python();
    }

    /** Runs {@code python3 -c code args...} with the tools folder on {@code sys.path}. */
    static Result python(String code, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(python(), "-c", code));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    /** Runs {@code python3 pickle_to_json.py args...} (the test resources' helper). */
    static Result pickleToJson(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(python(), tools().resolve("pickle_to_json.py").toString()));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    private static Result exec(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PYTHONIOENCODING", "utf-8");
        pb.environment().put("PYTHONPATH", tools().toString());
        Process p = pb.start();
        p.getOutputStream().close();
        // both pipes drained at once: a child that fills one while we wait on the other would never end
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + cmd);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err.join(), StandardCharsets.UTF_8));
    }
}
