package org.mmappickle.internal.store;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.MmapDict;
import org.mmappickle.Sharing;

class FileSystemKindTest {
    @TempDir
    Path dir;

    @Test
    void networkClusterAndFuseTypesAreSharedLocalOnesAreNot() {
        for (long magic : new long[] {0x6969L, 0x517BL, 0xFE534D42L, 0xFF534D42L, 0x0BD00BD0L, 0x47504653L, 0x19830326L,
                0x00C36400L, 0x65735546L, 0x01021997L}) {
            assertTrue(FileSystemKind.of(magic).shared(), Long.toHexString(magic));
        }
        assertEquals("nfs", FileSystemKind.of(0x6969L).name());
        assertEquals("lustre", FileSystemKind.of(0x0BD00BD0L).name());
        assertEquals("gpfs", FileSystemKind.of(0x47504653L).name());
        for (long magic : new long[] {0xEF53L, 0x58465342L, 0x9123683EL, 0x01021994L}) {
            assertFalse(FileSystemKind.of(magic).shared(), Long.toHexString(magic));
        }
        FileSystemKind unknown = FileSystemKind.of(0x12345678L);
        assertTrue(unknown.shared(), "an unknown type may be a network file system");
        assertEquals("unknown (0x12345678)", unknown.name());
    }

    @Test
    void theModeFollowsTheFileSystemUnlessForced() {
        FileSystemKind nfs = FileSystemKind.of(0x6969L);
        FileSystemKind ext4 = FileSystemKind.of(0xEF53L);
        assertTrue(FileStore.sharedMode(Sharing.AUTO, nfs));
        assertFalse(FileStore.sharedMode(Sharing.AUTO, ext4));
        assertFalse(FileStore.sharedMode(Sharing.LOCAL, nfs));
        assertTrue(FileStore.sharedMode(Sharing.SHARED_STORAGE, ext4));
    }

    @Test
    void statfsOfRealFilesIsWhatStatSays() throws Exception {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            Path f = Files.createTempFile(shm, "mmp-fs-", ".mmdpickle");
            Files.delete(f);
            try (MmapDict m = MmapDict.open(f)) {
                assertEquals("tmpfs", m.fileSystemType());
                assertEquals(Sharing.LOCAL, m.sharing());
                m.put("k", 1);
                assertEquals(1L, ((Number) m.get("k")).longValue());
            } finally {
                Files.deleteIfExists(f);
            }
        }
        Path here = dir.resolve("here.mmdpickle");
        Process stat = new ProcessBuilder("stat", "-f", "-c", "%t", dir.toString()).start();
        long expected = Long.parseLong(new String(stat.getInputStream().readAllBytes()).trim(), 16);
        assertEquals(0, stat.waitFor());
        try (MmapDict m = MmapDict.open(here)) {
            assertEquals(FileSystemKind.of(expected).name(), m.fileSystemType());
        }
    }
}
