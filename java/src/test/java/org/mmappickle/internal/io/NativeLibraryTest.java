package org.mmappickle.internal.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where and how the bundled library is extracted, and which platform's library is chosen. */
class NativeLibraryTest {
    @TempDir
    Path base;

    private static byte[] library(long seed) {
        byte[] b = new byte[20_000];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void extractsIntoAPrivateDirectoryByContentHashAndReusesTheFile() throws Exception {
        byte[] lib = library(1);
        Path first = NativeLibrary.extract(lib, base);
        Path dir = base.resolve("mmappickle-" + NativeLibrary.currentUid());
        assertEquals(dir, first.getParent());
        assertEquals("rwx------", mode(dir));
        assertEquals("rw-------", mode(first));
        assertArrayEquals(lib, Files.readAllBytes(first));
        Object inode = Files.getAttribute(first, "unix:ino");

        Path second = NativeLibrary.extract(lib, base);
        assertEquals(first, second);
        assertEquals(inode, Files.getAttribute(second, "unix:ino"), "a verified file is reused, not rewritten");
        assertEquals(List.of(first), entries(dir), "nothing piles up: one file per library content");

        Path other = NativeLibrary.extract(library(2), base);
        assertNotEquals(first, other, "another build of the library gets another name");
        assertEquals(2, entries(dir).size());
    }

    @Test
    void plantedFileWithWrongContentIsReplaced() throws Exception {
        byte[] lib = library(3);
        Path target = NativeLibrary.extract(lib, base);
        Files.write(target, "not the library".getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-rw-"));

        Path again = NativeLibrary.extract(lib, base);
        assertEquals(target, again);
        assertArrayEquals(lib, Files.readAllBytes(again));
        assertEquals("rw-------", mode(again));
        assertEquals(List.of(target), entries(target.getParent()), "no temporary file is left behind");
    }

    @Test
    void rightContentWritableByOthersIsReplacedNotTrusted() throws Exception {
        byte[] lib = library(4);
        Path target = NativeLibrary.extract(lib, base);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-rw-"));
        Object inode = Files.getAttribute(target, "unix:ino");

        Path again = NativeLibrary.extract(lib, base);
        assertNotEquals(inode, Files.getAttribute(again, "unix:ino"),
                "a file someone else may hold open for writing is replaced by a fresh one");
        assertEquals("rw-------", mode(again));
        assertArrayEquals(lib, Files.readAllBytes(again));
    }

    @Test
    void plantedSymlinkIsReplacedAndItsTargetLeftAlone() throws Exception {
        byte[] lib = library(5);
        Path target = NativeLibrary.extract(lib, base);
        Path victim = base.resolve("victim.txt");
        Files.writeString(victim, "precious");
        Files.delete(target);
        Files.createSymbolicLink(target, victim);

        Path again = NativeLibrary.extract(lib, base);
        assertFalse(Files.isSymbolicLink(again));
        assertArrayEquals(lib, Files.readAllBytes(again));
        assertEquals("precious", Files.readString(victim), "the write never went through the link");
    }

    @Test
    void directoryWithALooseModeIsRefused() throws Exception {
        Path dir = base.resolve("mmappickle-" + NativeLibrary.currentUid());
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class, () -> NativeLibrary.extract(library(6), base));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("rwxrwxrwx"), e.getMessage());
        assertEquals(List.of(), entries(dir), "nothing is written into a directory others can write");
    }

    @Test
    void directoryThatIsASymlinkIsRefused() throws Exception {
        Path elsewhere = Files.createDirectory(base.resolve("elsewhere"));
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(base.resolve("mmappickle-" + NativeLibrary.currentUid()), elsewhere);
        IOException e = assertThrows(IOException.class, () -> NativeLibrary.extract(library(7), base));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertEquals(List.of(), entries(elsewhere));
    }

    @Test
    void directoryOfAnotherUserIsRefused() throws Exception {
        int me = NativeLibrary.currentUid();
        int other = me + 1;
        // the directory is created by this process, so it belongs to `me`: seen from user `other` it is foreign
        Files.createDirectory(base.resolve("mmappickle-" + other),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        IOException e = assertThrows(IOException.class, () -> NativeLibrary.extract(library(8), base, other));
        assertTrue(e.getMessage().contains("belongs to uid " + me), e.getMessage());
    }

    @Test
    void platformIsChosenFromOsArchAndTheLoaderInProcSelfMaps() {
        String glibc = "7f00-7f10 r-xp 00000000 08:01 123 /usr/lib/x86_64-linux-gnu/libc.so.6\n";
        String musl = "7f00-7f10 r-xp 00000000 08:01 123 /lib/ld-musl-x86_64.so.1\n";
        assertEquals("linux-x86_64", NativeLibrary.platform("Linux", "amd64", glibc));
        assertEquals("linux-x86_64-musl", NativeLibrary.platform("Linux", "amd64", musl));
        assertEquals("linux-aarch64", NativeLibrary.platform("Linux", "aarch64", ""));
        assertEquals("linux-aarch64-musl", NativeLibrary.platform("Linux", "aarch64",
                "7f00-7f10 r-xp 00000000 08:01 1 /lib/ld-musl-aarch64.so.1\n"));
        assertEquals("mac os x-aarch64", NativeLibrary.platform("Mac OS X", "aarch64", ""));
        assertTrue(NativeLibrary.BUNDLED.contains(NativeLibrary.platform()), "this JVM runs on a bundled platform");
    }
}
