package org.mmappickle.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.MmapDict;
import org.mmappickle.cli.json.TaggedJson;

/**
 * The CLI in a child JVM forced onto the channel io path ({@code -Dmmappickle.io=channel}, what
 * macOS and Windows run): selfcheck and info say which path is in use and what it lacks, and
 * vacuum says it wrote zeros instead of punching holes.
 */
class ChannelPathCliTest {
    @TempDir
    Path dir;

    private record Out(int status, String out) {
    }

    private Out cli(String... args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Dmmappickle.io=channel",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "cli", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "hung: " + cmd);
        return new Out(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    @Test
    void selfcheckInfoAndVacuumSayWhatTheChannelPathLacks() throws Exception {
        Out self = cli("selfcheck");
        assertEquals(0, self.status(), self.out());
        assertTrue(self.out().startsWith("io: channel (the JDK's FileChannel; no native library loaded; whole-file lock: flock"),
                self.out());
        assertTrue(self.out().contains("io lacks: hole punching (vacuum overwrites deleted values with zeros instead"), self.out());
        assertTrue(self.out().contains("io lacks: the disk space a file occupies"), self.out());

        Path f = dir.resolve("c.mmdpickle");
        try (MmapDict d = MmapDict.open(f)) {
            d.put("keep", new double[] {1, 2});
            d.put("gone", new double[100_000]);
            d.remove("gone");
        }
        long size = Files.size(f);
        Out info = cli("info", f.toString());
        assertEquals(0, info.status(), info.out());
        assertTrue(info.out().contains("allocated on disk: unknown (the io path cannot tell)"), info.out());
        assertTrue(info.out().contains("io lacks:") && info.out().contains("io:") && info.out().contains("channel"), info.out());
        Out json = cli("info", "--json", f.toString());
        assertEquals(0, json.status(), json.out());
        JsonNode j = TaggedJson.read(json.out());
        assertEquals("channel", j.get("io").textValue());
        assertTrue(j.get("allocated_size").isNull(), json.out());
        assertTrue(j.get("io_lacks").size() >= 5, json.out());

        Out vacuum = cli("vacuum", f.toString());
        assertEquals(0, vacuum.status(), vacuum.out());
        assertTrue(vacuum.out().contains("1 deleted entries reclaimed, 0 B punched; allocated unknown -> unknown"), vacuum.out());
        assertTrue(vacuum.out().contains("holes cannot be punched here:") && vacuum.out().contains("overwritten with zeros"),
                vacuum.out());
        assertEquals(size, Files.size(f), "the size stays");
        try (MmapDict d = MmapDict.openReadOnly(f)) {
            assertEquals(List.of("keep"), List.copyOf(d.keySet()));
        }
    }
}
