package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.testing.Jvm;
import org.mmappickle.testing.Python;
import org.mmappickle.testing.StressWriter;

/**
 * A file on a FUSE mount (Debian's bindfs over a temporary folder): the dict detects the FUSE type
 * and takes the shared-storage mode, and a child JVM and the Python writer appending through the
 * mount while this process reads lose nothing; what lands in the folder underneath is the same.
 */
class FuseMountTest {
    @TempDir
    Path dir;

    @Test
    void aFuseMountIsSharedStorageAndAppendsFromJavaAndPythonAreAllThere() throws Exception {
        assertTrue(Files.exists(Path.of("/dev/fuse")), "this test mounts bindfs, which needs /dev/fuse (CI's machines have it)");
        Path src = Files.createDirectory(dir.resolve("src"));
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        Process mount = new ProcessBuilder("bindfs", "--no-allow-other", src.toString(), mnt.toString())
                .redirectErrorStream(true).start();
        String mountOut = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(mount.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, mount.exitValue(), "bindfs failed (.ci/run installs Debian's bindfs): " + mountOut);
        try {
            Path p = mnt.resolve("fuse.mmdpickle");
            Path helper = Path.of(FuseMountTest.class.getResource("/python/mmapdict_py.py").toURI());
            int n = 300;
            try (MmapDict m = MmapDict.open(p)) {
                assertEquals("fuse", m.fileSystemType());
                assertEquals(Sharing.SHARED_STORAGE, m.sharing());
                m.put("own", List.of(1, "x"));
                Process java = Jvm.start(StressWriter.class, p.toString(), "j", Integer.toString(n));
                Process py = new ProcessBuilder(Python.executable(), helper.toString(), p.toString(), "stress",
                        Integer.toString(n), "py").redirectError(ProcessBuilder.Redirect.INHERIT).start();
                int seen = 0;
                while (java.isAlive() || py.isAlive()) {
                    seen = Math.max(seen, m.size());   // reads under the lock while both append
                    assertEquals(List.of(1, "x"), m.get("own"));
                }
                assertTrue(java.waitFor(120, TimeUnit.SECONDS) && py.waitFor(120, TimeUnit.SECONDS));
                assertEquals(0, java.exitValue());
                assertEquals(0, py.exitValue());
                assertEquals(2 * n + 1, m.size());
                for (int i = 0; i < n; i++) {
                    assertEquals(List.of(i, "py", i * i), m.get("py" + i), "py" + i);
                    Object v = m.get("j" + i);
                    Object want = StressWriter.value("j", i);
                    if (want instanceof float[] f) {
                        assertArrayEquals(f, ((NDArray) v).toFloatArray(), "j" + i);
                    } else {
                        assertEquals(want, v, "j" + i);
                    }
                }
                assertTrue(seen <= 2 * n + 1);
            }
            // writes through a view reach the file under the mount when a change releases the lock
            // (shared-storage mode: msync before unlock), not only when the kernel writes back later
            Path arr = mnt.resolve("view.mmdpickle");
            try (MmapDict m = MmapDict.open(arr)) {
                NDArray a = m.allocate("a", DType.FLOAT32, 4096);
                java.lang.foreign.MemorySegment seg = a.segment();
                for (int i = 0; i < 4096; i++) {
                    seg.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN),
                            i, i + 0.25f);
                }
                m.put("after", 1);
                java.nio.ByteBuffer want = java.nio.ByteBuffer.allocate(4096 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < 4096; i++) {
                    want.putFloat(i + 0.25f);
                }
                byte[] under = Files.readAllBytes(src.resolve("view.mmdpickle"));
                assertTrue(indexOf(under, want.array()) > 0, "the view's bytes are not in the file under the mount");
            }
            // the folder under the mount holds the same file: Python lists the same keys from it
            Python.Result keys = Python.run(List.of(helper.toString(), src.resolve("fuse.mmdpickle").toString(), "keys"), 120);
            assertEquals(0, keys.exit(), keys.err());
            Set<String> want = new HashSet<>(List.of("own"));
            for (int i = 0; i < n; i++) {
                want.add("py" + i);
                want.add("j" + i);
            }
            assertEquals(want, new HashSet<>(new ArrayList<>(keys.out().lines().toList())));
        } finally {
            Process u = new ProcessBuilder("fusermount", "-u", mnt.toString()).redirectErrorStream(true).start();
            if (!u.waitFor(30, TimeUnit.SECONDS) || u.exitValue() != 0) {
                new ProcessBuilder("umount", "-l", mnt.toString()).start().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
