package org.mmappickle.internal.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.MmapDict;
import org.mmappickle.NativeIOException;

/**
 * Opening anything but a regular file is refused at once with a clear error, never a hang: a FIFO
 * without a writer would block a plain open(2) forever. The timeouts only guard against that hang.
 */
class NativeOpenSpecialFileTest {
    private static final Duration GUARD = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private Path fifo() throws Exception {
        Path f = dir.resolve("pipe.mmdpickle");
        Process p = new ProcessBuilder("mkfifo", f.toString()).inheritIO().start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertTrue(Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class).isOther());
        return f;
    }

    @Test
    void openReadOnlyOnAFifoFailsAtOnceNamingTheFile() throws Exception {
        Path f = fifo();
        IOException e = assertTimeoutPreemptively(GUARD,
                () -> assertThrows(IOException.class, () -> MmapDict.openReadOnly(f)));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("not a regular file"),
                e.getMessage());
        assertTrue(Files.exists(f) && !Files.isRegularFile(f), "the FIFO is left as it was");
    }

    @Test
    void everyOpenModeRefusesAFifo() throws Exception {
        Path f = fifo();
        for (NativeFile.Mode m : NativeFile.Mode.values()) {
            if (m == NativeFile.Mode.CREATE_NEW) {
                assertTimeoutPreemptively(GUARD, () -> assertThrows(java.nio.file.FileAlreadyExistsException.class,
                        () -> NativeFile.open(f, m)));
                continue;
            }
            FileSystemException e = assertTimeoutPreemptively(GUARD,
                    () -> assertThrows(FileSystemException.class, () -> NativeFile.open(f, m)), m.toString());
            assertEquals(f.toString(), e.getFile());
        }
    }

    @Test
    void writableOpenOnAFifoFailsToo() throws Exception {
        Path f = fifo();
        IOException e = assertTimeoutPreemptively(GUARD,
                () -> assertThrows(IOException.class, () -> MmapDict.open(f)));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void aCharacterDeviceIsRefused() {
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> NativeFile.open(Path.of("/dev/null"), NativeFile.Mode.READ));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void aDirectoryIsStillEisdir() throws Exception {
        NativeIOException e = assertThrows(NativeIOException.class, () -> NativeFile.open(dir, NativeFile.Mode.READ));
        assertTrue(e.getMessage().contains("EISDIR"), e.getMessage());
    }

    @Test
    void aRegularFileOpensBlocking() throws Exception {
        Path f = dir.resolve("plain.bin");
        Files.write(f, new byte[] {1, 2, 3});
        try (NativeFile nf = NativeFile.open(f, NativeFile.Mode.READ_WRITE)) {
            assertEquals(3, nf.size());
            if (!IoFeature.DESCRIPTOR_PATHS.available()) {
                // the channel path has handles, not descriptors (FileChannel opens blocking): the name of the
                // open file is the path it was opened with
                assertEquals(f, nf.descriptorPath());
                assertTrue(nf.isStillAt(f));
                return;
            }
            // O_NONBLOCK was cleared after the type check: the kernel's record of the descriptor's flags says so
            var fld = NativeFile.class.getDeclaredField("fd");
            fld.setAccessible(true);
            String info = Files.readString(Path.of("/proc/self/fdinfo/" + fld.getInt(nf)));
            String flags = info.lines().filter(l -> l.startsWith("flags:")).findFirst().orElseThrow();
            int octal = Integer.parseInt(flags.substring(6).trim(), 8);
            assertEquals(0, octal & 04000, "O_NONBLOCK (04000) still set: " + flags);
            assertNotEquals(0, octal & 02000000, "O_CLOEXEC (02000000) set: " + flags);
        }
    }
}
