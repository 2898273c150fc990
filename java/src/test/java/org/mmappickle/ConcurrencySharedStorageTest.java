package org.mmappickle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The concurrency suite again, with the shared-storage mode forced on in this JVM and in every
 * child JVM it starts (system property {@code mmappickle.sharing=shared}): locked reads, pread
 * revalidation, no presence lock.
 */
class ConcurrencySharedStorageTest extends ConcurrencyTest {
    @BeforeAll
    static void forceSharedStorage() {
        System.setProperty("mmappickle.sharing", "shared");
    }

    @AfterAll
    static void backToAuto() {
        System.clearProperty("mmappickle.sharing");
    }

    @Test
    void theModeIsOn() throws Exception {
        try (MmapDict m = MmapDict.open(dir.resolve("mode.mmdpickle"))) {
            assertEquals(Sharing.SHARED_STORAGE, m.sharing());
        }
        try (MmapDict m = MmapDict.open(dir.resolve("mode.mmdpickle"), new MmapDict.Options().sharing(Sharing.LOCAL))) {
            assertEquals(Sharing.LOCAL, m.sharing());
        }
    }

    @Test
    void compactionIsRefusedWithAReason() throws Exception {
        Path p = dir.resolve("compact.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.put("a", 1);
            m.remove("a");
            long size = java.nio.file.Files.size(p);
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, m::compact);
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("shared-storage mode"), e.getMessage());
            assertEquals(size, java.nio.file.Files.size(p));
        }
    }
}
