package org.mmappickle.internal.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar extracts its library safely even under {@code umask 000}: into a 0700 directory,
 * as a file nobody else can write, reused by the next JVM, and a planted file at its name is replaced.
 */
class NativeExtractIT {
    @TempDir
    Path dir;

    private String runSmoke(Path base) throws Exception {
        Path jar = Path.of(System.getProperty("mmappickle.jar"));
        Path src = dir.resolve("Smoke.java");
        Files.writeString(src, """
                public class Smoke {
                    public static void main(String[] a) throws Exception {
                        System.out.println(org.mmappickle.NativeInfo.load().path());
                    }
                }
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "umask 000 && exec \"$@\"", "sh", java,
                "--enable-native-access=ALL-UNNAMED", "-Dmmappickle.extract.dir=" + base, "-cp", jar.toString(),
                src.toString()));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        return out;
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static List<Path> entries(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    @Test
    void umask000ExtractionIsPrivateAndReused() throws Exception {
        Path base = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path first = Path.of(runSmoke(base));
        Path second = Path.of(runSmoke(base));
        assertEquals(first, second, "the second JVM reuses the first one's file");
        Path priv = first.getParent();
        assertEquals(base, priv.getParent());
        assertEquals("rwx------", mode(priv));
        assertEquals("rw-------", mode(first), "umask 000 must not make the library writable by others");
        assertEquals(List.of(first), entries(priv), "one file, no leftovers per JVM");
    }

    @Test
    void plantedLibraryIsReplacedBeforeLoading() throws Exception {
        Path jar = Path.of(System.getProperty("mmappickle.jar"));
        byte[] lib;
        try (JarFile jf = new JarFile(jar.toFile())) {
            String res = NativeLibrary.resource(NativeLibrary.platform()).substring(1);
            lib = jf.getInputStream(jf.getEntry(res)).readAllBytes();
        }
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(lib));
        Path base = Files.createDirectory(dir.resolve("base"));
        Path priv = Files.createDirectory(base.resolve("mmappickle-" + NativeLibrary.currentUid()),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path planted = priv.resolve("libmmappickle-" + hash.substring(0, 32) + ".so");
        Files.writeString(planted, "#!/bin/sh\necho pwned\n");
        Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rw-rw-rw-"));

        Path loaded = Path.of(runSmoke(base));
        assertEquals(planted, loaded);
        assertArrayEquals(lib, Files.readAllBytes(loaded), "the planted bytes were replaced before loading");
        assertEquals("rw-------", mode(loaded));
    }
}
