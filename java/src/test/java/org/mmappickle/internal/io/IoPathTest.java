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
        if (!wanted.equals("native")) {
            assertNull(info.path(), "the portable and channel paths load no bundled library");
            assertEquals(wanted.equals("channel"), !info.lacks().isEmpty(), info.lacks().toString());
        } else {
            assertNotNull(info.path());
            assertEquals(NativeLibrary.EXPECTED_VERSION, info.version());
        }
    }

    @Test
    void withoutThePropertyTheBundledLibraryThenThePortablePathThenTheChannelPathIsChosen() {
        assertEquals("native", IoCalls.automatic("linux-x86_64", ""));
        assertEquals("native", IoCalls.automatic("linux-aarch64", ""));
        assertEquals("native", IoCalls.automatic("linux-x86_64-musl", ""));
        assertEquals("native", IoCalls.automatic("linux-riscv64", "/opt/libmmappickle.so"), "a named library is loaded");
        assertEquals("portable", IoCalls.automatic("linux-riscv64", ""));
        assertEquals("portable", IoCalls.automatic("linux-aarch64-musl", ""));
        assertEquals("channel", IoCalls.automatic("mac os x-aarch64", ""));
        assertEquals("channel", IoCalls.automatic("windows 11-x86_64", ""));
        assertEquals("channel", IoCalls.automatic("freebsd-x86_64", ""));
        assertEquals(NativeLibrary.platform(), NativeLibrary.platform(System.getProperty("os.name"),
                System.getProperty("os.arch"), NativeLibrary.platform().endsWith("-musl") ? "/ld-musl-" : ""));
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
