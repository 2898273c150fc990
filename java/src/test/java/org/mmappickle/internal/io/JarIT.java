package org.mmappickle.internal.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, alone on a plain class path in a fresh JVM, loads its native library and calls it. */
class JarIT {
    @TempDir
    Path dir;

    @Test
    void packagedJarLoadsNativeLibraryOnPlainClasspath() throws Exception {
        Path jar = Path.of(System.getProperty("mmappickle.jar"));
        assertTrue(Files.isRegularFile(jar), "the jar is built before integration tests: " + jar);
        Path src = dir.resolve("Smoke.java");
        Files.writeString(src, """
                import java.nio.file.*;
                public class Smoke {
                    public static void main(String[] a) throws Exception {
                        var info = org.mmappickle.NativeInfo.load();
                        System.out.println("version " + info.version() + " from " + info.path());
                    }
                }
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Dmmappickle.extract.dir=" + dir, "-cp", jar.toString(), src.toString()))
                .directory(dir.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertTrue(out.startsWith("version 10000 from " + dir), out);
        assertFalse(err.contains("WARNING"), "no native-access warning with the documented flag: " + err);
    }
}
