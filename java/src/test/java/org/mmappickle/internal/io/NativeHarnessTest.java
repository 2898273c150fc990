package org.mmappickle.internal.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the C test harness of the native layer (native/test/mmp_harness.c), which CMakeLists.txt
 * builds and registers with ctest for every bundled library: natively for linux-x86_64 (glibc) and
 * linux-x86_64-musl, under qemu-aarch64 with 4 KiB and 64 KiB pages for linux-aarch64.
 */
class NativeHarnessTest {
    /** Where Maven's cmake step builds (java/target/native). */
    private static final Path BUILD = Path.of(System.getProperty("mmappickle.native.build", "target/native"));

    @ParameterizedTest
    @ValueSource(strings = {"linux-x86_64", "linux-x86_64-musl", "linux-aarch64"})
    void harnessPasses(String platform) throws Exception {
        assertTrue(Files.isDirectory(BUILD), "the cmake build directory exists: " + BUILD.toAbsolutePath());
        Process p = new ProcessBuilder(List.of("ctest", "-V", "--output-on-failure", "-R", "^harness-" + platform + "$"))
                .directory(BUILD.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "ctest finished");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("100% tests passed, 0 tests failed out of 1"), out);
        assertTrue(out.contains("ok: ") && out.contains("checks, 0 failed (page size 4096)"), out);
        if (platform.equals("linux-aarch64")) {
            // the cross build's own ctest ran the harness under qemu with both page sizes
            assertTrue(out.contains("checks, 0 failed (page size 65536)"), out);
        }
    }

    @org.junit.jupiter.api.Test
    void symbolVersionCheckRefusesALibraryNeedingANewerGlibc() throws Exception {
        // a probe library calling strerrorname_np (GLIBC_2.32) goes through the build's readelf check
        Process p = new ProcessBuilder(List.of("ctest", "-V", "--output-on-failure", "-R", "^glibc-floor-"))
                .directory(BUILD.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ctest finished");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("needs GLIBC_2.32, newer than GLIBC_2.17"), out);
        assertTrue(out.contains("100% tests passed, 0 tests failed out of 4"), out);
        assertFalse(java.nio.file.Files.exists(BUILD.resolve("probe/copy.so")), "the probe is removed after its check");
    }

    @ParameterizedTest
    @ValueSource(strings = {"linux-x86_64", "linux-x86_64-musl", "linux-aarch64"})
    void everyPlatformLibraryIsBundled(String platform) {
        assertTrue(NativeLibrary.BUNDLED.contains(platform));
        assertNotNull(NativeLibrary.class.getResource(NativeLibrary.resource(platform)),
                "the build put " + NativeLibrary.resource(platform) + " on the class path");
    }
}
