package org.mmappickle.cli.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.mmappickle.cli.json.Interop;

/** Runs the test resources' {@code python/pickle_to_json.py} (plain pickle, numpy warnings as errors) on a file. */
final class PickleToJson {
    private PickleToJson() {
    }

    /** The tool's stdout for a file; fails with its stderr when plain pickle cannot load the file. */
    static String run(Path file, String... keys) throws IOException, InterruptedException {
        return runWith(Interop.python(), file, keys);
    }

    /** Same with another python executable (e.g. a venv with numpy 1.26). */
    static String runWith(String python, Path file, String... keys) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, Interop.tools().resolve("pickle_to_json.py").toString(),
                file.toString()));
        cmd.addAll(List.of(keys));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PYTHONIOENCODING", "utf-8");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("pickle_to_json.py timed out on " + file);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("pickle_to_json.py failed on " + file + ": "
                    + new String(err.join(), StandardCharsets.UTF_8));
        }
        return out;
    }
}
