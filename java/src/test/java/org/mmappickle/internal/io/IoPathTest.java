package org.mmappickle.internal.io;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.mmappickle.NativeInfo;

/** The io path in use is the one -Dmmappickle.io asks for, and NativeInfo says which. */
class IoPathTest {
    @Test
    void ioPathFollowsTheProperty() {
        String wanted = System.getProperty("mmappickle.io", "native");
        NativeInfo info = NativeInfo.load();
        assertEquals(wanted, info.io());
        assertEquals(wanted, NativeLibrary.io());
        assertTrue(info.describe().startsWith("io: " + wanted), info.describe());
        if (wanted.equals("portable")) {
            assertNull(info.path(), "the portable path loads no bundled library");
        } else {
            assertNotNull(info.path());
            assertEquals(NativeLibrary.EXPECTED_VERSION, info.version());
        }
    }

    @Test
    void errnoNamesOfThePortablePathAgreeWithTheLibrarys() {
        NativeLibrary.path();
        try (var a = java.lang.foreign.Arena.ofConfined()) {
            var buf = a.allocate(64);
            for (int e = 0; e <= ErrnoNames.max() + 5; e++) {
                int n = org.mmappickle.internal.bindings.mmappickle_native_h.mmp_errno_name(e, buf, 64);
                assertTrue(n >= 0);
                assertEquals(buf.getString(0), ErrnoNames.name(e), "errno " + e);
            }
        }
    }
}
