package org.mmappickle.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Counts this process's kernel maps of one file ({@code /proc/self/maps}), for the tests that bound them. */
public final class FileMaps {
    private FileMaps() {
    }

    /**
     * Returns how many of this process's kernel maps are of the file.
     *
     * @param file the file
     * @return the count of lines of /proc/self/maps naming it
     * @throws IOException when /proc cannot be read
     */
    public static long of(Path file) throws IOException {
        String name = file.toRealPath().toString();
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.endsWith(name)).count();
        }
    }

    /**
     * Collects garbage until the maps no view reaches are unmapped (their cleaner has run) and at
     * most {@code bound} are left, or 20 s have passed (a hang guard, not a timing assertion).
     *
     * @param file the file
     * @param bound the count to wait for
     * @return the count of maps of the file then
     * @throws Exception when /proc cannot be read or the wait is interrupted
     */
    public static long afterCollecting(Path file, long bound) throws Exception {
        long maps = of(file);
        for (long deadline = System.nanoTime() + 20_000_000_000L; maps > bound && System.nanoTime() < deadline; ) {
            System.gc();
            Thread.sleep(50);
            maps = of(file);
        }
        return maps;
    }
}
