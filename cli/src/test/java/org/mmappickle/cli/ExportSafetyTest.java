package org.mmappickle.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.DType;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.cli.CliRun.Result;
import org.mmappickle.cli.npy.NpyFile;
import org.mmappickle.cli.npy.NpzFile;

/**
 * {@code export}'s output (issue 13, items 13 and 15; issue 14, Ctrl-C): created exclusively beside the target and
 * renamed over it, never through a link another user planted, keeping the replaced file's mode and owner, and
 * leaving nothing behind when the JVM is stopped half-way.
 */
class ExportSafetyTest {

    @TempDir
    Path dir;

    private Path source() throws IOException {
        Path f = dir.resolve("data.mmdpickle");
        NDArray a = NDArray.zeros(DType.parse("<i4"), 3, 4);
        for (int i = 0; i < 12; i++) {
            a.setFlatLong(i, i * 7L);
        }
        try (MmapDict d = MmapDict.open(f, new MmapDict.Options())) {
            d.set("a", a);
        }
        return f;
    }

    private static void exportOk(Path f, Path out) {
        Result r = CliRun.run("export", f.toString(), "a", out.toString());
        assertEquals(0, r.status(), r::toString);
    }

    private static Set<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static void assertExported(Path out) throws IOException {
        assertTrue(Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS), out + " is a file of its own");
        NDArray back = out.toString().endsWith(".npz") ? NpzFile.read(out).get("a") : NpyFile.read(out);
        assertArrayEquals(new long[] {3, 4}, back.shape());
        for (int i = 0; i < 12; i++) {
            assertEquals(i * 7L, back.flatLong(i));
        }
    }

    /** Plants, in a directory others can write, links at every name the export could use, towards a victim. */
    private void plantedLinksAreNeverFollowed(Path shared) throws IOException {
        Path f = source();
        Path victim = Files.writeString(dir.resolve("victim.txt"), "precious");
        for (String out : List.of("out.npy", "out.npz")) {
            Files.createSymbolicLink(shared.resolve("." + out + ".partial"), victim);
            Files.createSymbolicLink(shared.resolve("." + out + ".tmp"), victim);
        }
        // the output itself a link: the export replaces the link, it never writes through it
        Path victim2 = Files.writeString(dir.resolve("victim2.txt"), "precious too");
        Files.createSymbolicLink(shared.resolve("linked.npy"), victim2);
        Set<String> before = names(shared);
        for (String out : List.of("out.npy", "out.npz", "linked.npy")) {
            exportOk(f, shared.resolve(out));
            assertExported(shared.resolve(out));
            exportOk(f, shared.resolve(out));   // over its own earlier output too
            assertExported(shared.resolve(out));
        }
        assertEquals("precious", Files.readString(victim));
        assertEquals("precious too", Files.readString(victim2));
        Set<String> after = names(shared);
        after.removeAll(before);
        assertEquals(Set.of("out.npy", "out.npz"), after, "nothing left beside the outputs");
    }

    @Test
    void linksPlantedInASharedDirectoryAreNeverFollowed() throws IOException {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        plantedLinksAreNeverFollowed(shared);
    }

    @Test
    void linksPlantedByAnotherUserInAStickyDirectoryAreNeverFollowed() throws IOException {
        Path sticky = Files.createDirectory(dir.resolve("tmp"));
        // chmod 1777, as /tmp: the JDK has no sticky bit, chmod does
        assertEquals(0, run("chmod", "1777", sticky.toString()));
        plantedLinksAreNeverFollowed(sticky);
        if (isRoot()) {
            // the same with links owned by another user, which fs.protected_symlinks refuses to follow
            Path other = Files.createDirectory(dir.resolve("tmp2"));
            assertEquals(0, run("chmod", "1777", other.toString()));
            Path victim = Files.writeString(dir.resolve("victim3.txt"), "precious");
            Path link = Files.createSymbolicLink(other.resolve(".out.npy.partial"), victim);
            assertEquals(0, run("chown", "-h", "65534:65534", link.toString()));
            exportOk(source(), other.resolve("out.npy"));
            assertExported(other.resolve("out.npy"));
            assertEquals("precious", Files.readString(victim));
        }
    }

    @Test
    void exportOverAnExistingFileKeepsItsModeOwnerAndGroup() throws IOException {
        Path f = source();
        for (String out : List.of("kept.npy", "kept.npz")) {
            for (String mode : List.of("rw-------", "rw-r-----", "rwxr-xr-x", "r--------")) {
                Path o = Files.writeString(dir.resolve(out), "old");
                Files.setPosixFilePermissions(o, PosixFilePermissions.fromString(mode));
                exportOk(f, o);
                assertExported(o);
                assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(o)), out);
            }
        }
        // a new output gets the mode any new file gets (umask), not the temporary file's 0600
        Path fresh = dir.resolve("fresh.npy");
        exportOk(f, fresh);
        Path probe = Files.writeString(dir.resolve("probe"), "");
        assertEquals(Files.getPosixFilePermissions(probe), Files.getPosixFilePermissions(fresh));
    }

    @Test
    void exportOverAnotherUsersFileKeepsItsOwnerWhenRunAsRoot() throws IOException {
        assumeTrue(isRoot(), "only root can give a file to another user");
        Path f = source();
        Path o = Files.writeString(dir.resolve("theirs.npy"), "old");
        UserPrincipalLookupService users = o.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal nobody = users.lookupPrincipalByName("65534");
        GroupPrincipal nogroup = users.lookupPrincipalByGroupName("65534");
        PosixFileAttributeView view = Files.getFileAttributeView(o, PosixFileAttributeView.class);
        view.setOwner(nobody);
        view.setGroup(nogroup);
        Files.setPosixFilePermissions(o, PosixFilePermissions.fromString("rw-r-----"));
        PosixFileAttributes before = view.readAttributes();
        exportOk(f, o);
        assertExported(o);
        PosixFileAttributes after = Files.readAttributes(o, PosixFileAttributes.class);
        assertEquals(before.owner(), after.owner());
        assertEquals(before.group(), after.group());
        assertEquals(before.permissions(), after.permissions());
    }

    // ------------------------------------------------------------------------------ Ctrl-C

    @Test
    void stoppingTheJvmDuringAnExportLeavesNoPartialFile() throws Exception {
        Path f = dir.resolve("big.mmdpickle");
        // a sparse 3 GiB array: reading its holes costs nothing, writing the .npy takes seconds
        try (MmapDict d = MmapDict.open(f, new MmapDict.Options())) {
            d.allocate("a", DType.parse("<f8"), false, 3L << 27);
        }
        for (String signal : List.of("INT", "TERM")) {
            Path outDir = Files.createDirectories(dir.resolve("out-" + signal));
            Path out = outDir.resolve("out.npy");
            String java = ProcessHandle.current().info().command().orElseThrow();
            // through python3, which resets SIGINT to its default: a JVM started from a background job inherits it
            // ignored and would not see a Ctrl-C at all
            Process p = new ProcessBuilder(CliRun.python(), "-c", "import os, signal, sys; "
                    + "signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])",
                    java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), Main.class.getName(), "export", f.toString(), "a", out.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("export-" + signal + ".log").toFile()).start();
            boolean seen = false;
            while (p.isAlive() && !seen) {
                seen = names(outDir).stream().anyMatch(n -> n.endsWith(".partial"));
                Thread.onSpinWait();
            }
            assertTrue(seen, "the export was stopped while its partial file existed");
            assertEquals(0, run("kill", "-" + signal, Long.toString(p.pid())));
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertFalse(p.exitValue() == 0, "stopped before it finished");
            assertEquals(Set.of(), names(outDir), "no partial file, no output: " + signal + " "
                    + Files.readString(dir.resolve("export-" + signal + ".log"), StandardCharsets.UTF_8));
        }
    }

    private static boolean isRoot() {
        try {
            return "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
                    StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            return false;
        }
    }

    private static int run(String... cmd) throws IOException {
        try {
            return new ProcessBuilder(cmd).inheritIO().start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
