package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.testing.FuzzChild;
import org.mmappickle.testing.Python;

/**
 * Mutated golden and Java-written files, in a child JVM (so that a crash or hang is seen): each
 * either reads or fails with PickleFormatException; no other exception, no hang, no
 * OutOfMemoryError, no hs_err file. Failures found are kept in src/test/resources/fuzz-regressions.
 */
class FuzzTest {
    @TempDir
    Path dir;

    @Test
    void twentyThousandMutantsFailOnlyWithTheFormatException() throws Exception {
        int cases = Boolean.getBoolean("mmappickle.long") ? 500_000 : 20_000;
        Path corpus = dir.resolve("found");
        Files.createDirectories(corpus);
        List<String> args = new ArrayList<>(List.of(dir.toString(), corpus.toString(), "20261125", Integer.toString(cases)));
        try (Stream<Path> s = Files.list(Python.vectors())) {
            s.filter(f -> f.toString().endsWith(".mmdpickle") || f.toString().endsWith(".pkl"))
                    .sorted().forEach(f -> args.add(f.toString()));
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-Xss4m",
                "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"), "-cp", System.getProperty("java.class.path"),
                FuzzChild.class.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.MINUTES));
        System.out.println("fuzz: " + out.lines().reduce((a, b) -> b).orElse(""));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList(), "no JVM crash");
        }
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("cases " + cases + " failures 0 "), out.length() > 4000 ? out.substring(0, 4000) : out);
    }

    @Test
    void theRegressionCorpusFailsOnlyWithTheFormatException() throws Exception {
        Path corpus = Path.of(getClass().getResource("/fuzz-regressions").toURI());
        int n = 0;
        try (Stream<Path> s = Files.list(corpus)) {
            for (Path f : s.filter(x -> x.toString().endsWith(".mmdpickle")).toList()) {
                Path copy = dir.resolve(f.getFileName());
                Files.copy(f, copy);
                assertNull(nonFormatFailure(copy), f.toString());
                n++;
            }
        }
        System.out.println("fuzz regressions: " + n);
    }

    static String nonFormatFailure(Path p) {
        try (MmapDict m = MmapDict.openReadOnly(p)) {
            for (String k : new ArrayList<>(m.keySet())) {
                m.get(k);
            }
            return null;
        } catch (PickleFormatException e) {
            return null;
        } catch (Throwable t) {
            return t.toString();
        }
    }
}
