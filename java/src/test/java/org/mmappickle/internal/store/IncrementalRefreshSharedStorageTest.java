package org.mmappickle.internal.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The incremental-refresh comparison in the shared-storage mode (this JVM and its children): the
 * tail, pending trailers and valid bytes are read with pread instead of through the maps.
 */
class IncrementalRefreshSharedStorageTest extends IncrementalRefreshTest {
    @BeforeAll
    static void forceSharedStorage() {
        System.setProperty("mmappickle.sharing", "shared");
    }

    @AfterAll
    static void backToAuto() {
        System.clearProperty("mmappickle.sharing");
    }
}
