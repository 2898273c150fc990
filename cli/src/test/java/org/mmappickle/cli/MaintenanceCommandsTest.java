package org.mmappickle.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.MmapDict;

/** vacuum, compact, repair and convert on real files, and info's facts about them. */
class MaintenanceCommandsTest {
    @TempDir
    Path dir;

    @Test
    void vacuumCompactAndInfo() throws Exception {
        Path p = dir.resolve("m.mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.put("keep", new double[1000]);
            m.put("gone", new double[1 << 20]);   // 8 MiB
            m.put("v", List.of(1, 2));
            m.remove("gone");
        }
        long size = Files.size(p);
        CliRun.Result v = CliRun.run("vacuum", p.toString());
        assertEquals(0, v.status(), v.err());
        assertTrue(v.out().contains("1 deleted entries reclaimed"), v.out());
        assertEquals(size, Files.size(p));
        CliRun.Result info = CliRun.run("info", p.toString());
        assertEquals(0, info.status(), info.err());
        assertTrue(info.out().contains("bytes allocated on disk"), info.out());
        CliRun.Result c = CliRun.run("compact", p.toString());
        assertEquals(0, c.status(), c.err());
        assertTrue(c.out().contains("kept 2 entries, dropped 1"), c.out());
        assertTrue(Files.size(p) < size);
        try (MmapDict m = MmapDict.openReadOnly(p)) {
            assertEquals(List.of(1, 2), m.get("v"));
        }
    }

    @Test
    void repairCutsATornTail() throws Exception {
        Path p = dir.resolve("torn.mmdpickle");
        Files.copy(CliRun.vectors().resolve("torn-minus12.mmdpickle"), p);
        p.toFile().setWritable(true);
        CliRun.Result info = CliRun.run("info", p.toString());
        assertTrue(info.out().contains("torn"), info.out());
        CliRun.Result r = CliRun.run("repair", p.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("repaired"), r.out());
        assertTrue(CliRun.run("repair", p.toString()).out().contains("nothing to repair"));
        CliRun.Result py = CliRun.pickleToJson(p.toString());
        assertEquals(0, py.status(), py.err());
    }

    @Test
    void convertInPlaceAndToAnotherFile() throws Exception {
        Path src = dir.resolve("plain.pkl");
        Files.copy(CliRun.vectors().resolve("plain-protocol2.pkl"), src);
        src.toFile().setWritable(true);
        byte[] before = Files.readAllBytes(src);
        Path dst = dir.resolve("out.mmdpickle");
        CliRun.Result r = CliRun.run("convert", src.toString(), dst.toString());
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(before, Files.readAllBytes(src));
        assertTrue(r.out().contains("6 keys"), r.out());
        CliRun.Result inPlace = CliRun.run("convert", src.toString());
        assertEquals(0, inPlace.status(), inPlace.err());
        assertFalse(Arrays.equals(before, Files.readAllBytes(src)));
        Path list = dir.resolve("list.pkl");
        Files.write(list, java.util.HexFormat.of().parseHex("80045d942e"));
        CliRun.Result bad = CliRun.run("convert", list.toString());
        assertEquals(1, bad.status());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
    }
}
