package org.mmappickle.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.mmappickle.MmapDict;
import org.mmappickle.NativeIOException;
import org.mmappickle.internal.io.IoFeature;
import org.mmappickle.internal.io.NativeFile;

/**
 * The disk space a file occupies, for tests: what the library reports where the io path can tell,
 * else (the channel path, which cannot: {@link IoFeature#ALLOCATED_SIZE}) after checking that the
 * library says so, what {@code stat(1)} reports, so the file's sparseness is still asserted.
 */
public final class DiskUsage {
    private DiskUsage() {
    }

    /**
     * Returns the bytes of disk an open dict's file occupies.
     *
     * @param m the dict
     * @return allocated bytes
     * @throws Exception when stat fails
     */
    public static long of(MmapDict m) throws Exception {
        if (IoFeature.ALLOCATED_SIZE.available()) {
            return m.allocatedBytes();
        }
        NativeIOException e = assertThrows(NativeIOException.class, m::allocatedBytes);
        assertEquals("ENOSYS", e.errnoName(), e.getMessage());
        return ofPath(m.path());
    }

    /**
     * Returns the bytes of disk an open file occupies.
     *
     * @param nf the file
     * @return allocated bytes
     * @throws Exception when stat fails
     */
    public static long of(NativeFile nf) throws Exception {
        if (IoFeature.ALLOCATED_SIZE.available()) {
            return nf.allocatedBytes();
        }
        NativeIOException e = assertThrows(NativeIOException.class, nf::allocatedBytes);
        assertEquals("ENOSYS", e.errnoName(), e.getMessage());
        return ofPath(nf.path());
    }

    /**
     * Returns {@code st_blocks * 512} of a path, from {@code stat -c %b}.
     *
     * @param p the file
     * @return allocated bytes
     * @throws IOException when stat fails
     * @throws InterruptedException when interrupted
     */
    public static long ofPath(Path p) throws IOException, InterruptedException {
        Process s = new ProcessBuilder("stat", "-c", "%b", p.toString()).redirectErrorStream(true).start();
        String out = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (s.waitFor() != 0) {
            throw new IOException("stat " + p + ": " + out);
        }
        return Long.parseLong(out) * 512;
    }
}
