package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class of issue 13 item 4: a repair that cuts bytes plain pickle reads. Every damaged
 * variant of a file (frame lengths that disagree with their entry's content, cuts, residue after
 * the terminator) either opens writable to a file that pickle reads exactly as it read the
 * damaged one (when it could), or is refused with a format error and left byte for byte as it was.
 */
class RepairKeepsWhatPickleReadsTest {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    @Test
    void aWritableOpenNeverCutsWhatPlainPickleReads() throws Exception {
        Path whole = dir.resolve("whole.mmdpickle");
        List<long[]> entries = new ArrayList<>();   // offset, frame length
        try (MmapDict m = MmapDict.open(whole)) {
            m.set("a", "alpha");
            m.set("b", new double[] {2, 2, 2, 2});
            m.set("c", "gamma");
            m.set("b", "replaced");
            m.set("d", new double[] {4, 4});
            for (EntryInfo e : m.entries()) {
                entries.add(new long[] {e.offset(), e.length() - 9});
            }
        }
        byte[] good = Files.readAllBytes(whole);
        Path variants = Files.createDirectories(dir.resolve("variants"));
        Map<String, byte[]> made = new TreeMap<>();
        for (int i = 0; i < entries.size(); i++) {
            long at = entries.get(i)[0];
            long frame = entries.get(i)[1];
            long toEof = good.length - at - 9;
            for (long f : new long[] {frame - 9, frame - 1, frame + 1, frame + 2, frame + 11, toEof, toEof - 1,
                    toEof + 1, 1L << 40, Long.MAX_VALUE, -1}) {
                byte[] b = good.clone();
                MemorySegment.ofArray(b).set(U64, at + 1, f);
                made.put(String.format("frame-%d-%d", i, f), b);
            }
        }
        long lastTwo = entries.get(entries.size() - 2)[0];
        for (long cut = lastTwo; cut < good.length; cut++) {
            made.put(String.format("cut-%06d", cut), Arrays.copyOf(good, (int) cut));
        }
        for (int extra : new int[] {1, 11, 40, 4096}) {
            byte[] zeros = Arrays.copyOf(good, good.length + extra);
            made.put("zeros-after-terminator-" + extra, zeros);
            byte[] twice = Arrays.copyOf(good, good.length + extra);
            for (int j = 0; j < extra; j++) {
                twice[good.length + j] = good[(int) (entries.get(0)[0] + j % (good.length - entries.get(0)[0]))];
            }
            made.put("entries-after-terminator-" + extra, twice);
        }
        for (Map.Entry<String, byte[]> v : made.entrySet()) {
            Files.write(variants.resolve(v.getKey()), v.getValue());
        }
        Map<String, String> before = pythonDigests(variants);
        int refused = 0;
        int repaired = 0;
        for (String name : made.keySet()) {
            Path p = variants.resolve(name);
            try (MmapDict m = MmapDict.open(p)) {
                if (m.lastRepair().isPresent()) {
                    repaired++;
                }
                String lib = PowerLossTest.digest(m);
                if (!before.get(name).startsWith("ERROR")) {
                    assertEquals(before.get(name), lib, name + ": the library reads what pickle reads");
                }
            } catch (PickleFormatException refusedAsCorrupt) {
                refused++;
                assertArrayEquals(made.get(name), Files.readAllBytes(p), name + ": a refused file is left as it was");
            }
        }
        Map<String, String> after = pythonDigests(variants);
        for (String name : made.keySet()) {
            if (!before.get(name).startsWith("ERROR")) {
                assertEquals(before.get(name), after.get(name), name + ": a writable open changed what pickle reads");
            }
        }
        System.out.println("variants: " + made.size() + ", repaired: " + repaired + ", refused: " + refused);
        assertTrue(repaired > 0 && refused > 0);
    }

    private static Map<String, String> pythonDigests(Path folder) throws Exception {
        return PowerLossTest.pythonDigestsOf(folder);
    }
}
