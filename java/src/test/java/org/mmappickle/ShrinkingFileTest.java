package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class of issue 13 item 12 (part): while another process shrinks and regrows the file
 * (not one of ours: it takes no lock), every open and read ends in a value or in one of the
 * documented exceptions, never in an {@link InternalError} or an index fault.
 */
class ShrinkingFileTest {
    @TempDir
    Path dir;

    @Test
    void opensAndReadsOfAFileShrunkUnderThemFailCleanly() throws Exception {
        Path p = dir.resolve("shrinking.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            for (int i = 0; i < 300; i++) {
                m.set("s" + i, "value number " + i + " ".repeat(i % 50));
            }
        }
        byte[] whole = Files.readAllBytes(p);
        AtomicBoolean stop = new AtomicBoolean();
        long seed = 42;
        Thread shrinker = new Thread(() -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                while (!stop.get()) {
                    f.setLength(rnd.nextInt(whole.length));
                    Thread.onSpinWait();
                    f.seek(0);
                    f.write(whole);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        shrinker.start();
        List<Throwable> wrong = new ArrayList<>();
        int clean = 0;
        int failed = 0;
        try {
            for (int i = 0; i < 4000; i++) {
                try (MmapDict m = MmapDict.openReadOnly(p)) {
                    int n = m.keySet().size();
                    Object v = m.get("s" + (i % 300));
                    if (v != null) {
                        assertTrue(v.toString().startsWith("value number " + (i % 300)), v.toString());
                    }
                    assertTrue(n <= 300);
                    clean++;
                } catch (PickleFormatException | MappedAccessException | IOException | UncheckedIOException expected) {
                    failed++;
                } catch (Throwable t) {
                    wrong.add(t);
                }
            }
        } finally {
            stop.set(true);
            shrinker.join();
        }
        System.out.println("opens of a shrinking file: " + clean + " read, " + failed + " clean errors, " + wrong.size()
                + " wrong errors (seed " + seed + ")");
        if (!wrong.isEmpty()) {
            AssertionError e = new AssertionError(wrong.size() + " opens failed with an undocumented exception (seed " + seed
                    + "), first: " + wrong.get(0), wrong.get(0));
            throw e;
        }
        assertTrue(failed > 0, "the file did shrink under some opens");
    }
}
