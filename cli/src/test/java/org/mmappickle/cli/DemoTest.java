package org.mmappickle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.cli.CliRun.Result;

/** The demo at a small size: the viewer process sees every frame, registration finds the drift, Python loads it. */
class DemoTest {
    private static final Pattern SHIFT = Pattern.compile(
            "registration: (frame_\\d+) shift dy=([-+]\\d+\\.\\d+) dx=([-+]\\d+\\.\\d+) px \\(synthetic ([-+]\\d+\\.\\d+) "
                    + "([-+]\\d+\\.\\d+), error (\\d+\\.\\d+) px\\).*");

    @TempDir
    Path dir;

    @Test
    void demoCapturesWatchesRegistersAndLoadsInPython() throws Exception {
        Result r = CliRun.run("demo", dir.toString(), "--frames", "4", "--size", "64x64x8");
        assertEquals(0, r.status(), r::toString);
        List<String> lines = r.outLines();

        // the viewer is another process: it reports its pid, then every frame as it lands, in order
        String ready = lines.stream().filter(l -> l.startsWith("viewer: watching ")).findFirst().orElseThrow();
        long pid = Long.parseLong(ready.replaceAll(".*\\(pid (\\d+)\\)", "$1"));
        assertTrue(pid != ProcessHandle.current().pid(), ready);
        List<String> landed = lines.stream().filter(l -> l.matches("viewer: frame \\d/4 landed: frame_00\\d float32 "
                + "\\(64, 64, 8\\), mean \\d+\\.\\d+, exposure .*")).toList();
        assertEquals(4, landed.size(), r::toString);
        for (int i = 0; i < 4; i++) {
            assertTrue(landed.get(i).startsWith("viewer: frame " + (i + 1) + "/4 landed: frame_00" + i), landed::toString);
        }
        assertTrue(lines.contains("viewer: saw 4 of 4 frames; capture complete"), r::toString);
        // the write to the file and the same copy into RAM, measured in the same run
        assertTrue(lines.stream().anyMatch(l -> l.matches("capture: 4 frames of 128\\.0 KiB, 512\\.0 KiB in .* s: \\d+\\.\\d+ GiB/s "
                + "to the file \\(allocatePending \\+ copyFrom \\+ publish\\), \\d+\\.\\d+ GiB/s memcpy into RAM .*")), r::toString);
        assertTrue(lines.stream().anyMatch(l -> l.matches("registration: read back 4 frames, .* \\d+\\.\\d+ GiB/s .*")), r::toString);

        // shifts close to the synthetic drift, frame by frame
        int shifts = 0;
        for (String l : lines) {
            Matcher m = SHIFT.matcher(l);
            if (m.matches()) {
                shifts++;
                assertTrue(Math.abs(Double.parseDouble(m.group(2)) - Double.parseDouble(m.group(4))) < 0.5, l);
                assertTrue(Math.abs(Double.parseDouble(m.group(3)) - Double.parseDouble(m.group(5))) < 0.5, l);
                assertTrue(Double.parseDouble(m.group(6)) < 0.5, l);
            }
        }
        assertEquals(4, shifts, r::toString);

        // the summary, and Python's view (or the line saying why there is none)
        assertTrue(lines.contains("file summary (what 'mmappickle info' prints):"), r::toString);
        assertTrue(lines.stream().anyMatch(l -> l.matches("plain pickle:\\s+numpy 2.x yes; numpy 1.x yes")), r::toString);
        if (CliRun.hasNumpy()) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("python: plain pickle.load read a dict of ")), r::toString);
            assertTrue(lines.stream().anyMatch(l -> l.matches("python: 4 frames; frame_003 is a numpy.ndarray float32 "
                    + "\\(64, 64, 8\\), writable=True, mean .*")), r::toString);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("python: keypoints is a float32 (4, 16, 3) array")), r::toString);
        } else {
            assertTrue(lines.contains("python: skipped (python3 with numpy not found)"), r::toString);
        }
        assertTrue(lines.getLast().startsWith("demo: done in "), r::toString);

        // the file holds capture and registration together
        Path file = dir.resolve("timelapse.mmdpickle");
        try (MmapDict d = MmapDict.openReadOnly(file)) {
            assertEquals(List.of(64L, 64L, 8L), java.util.Arrays.stream(((NDArray) d.get("frame_002")).shape()).boxed().toList());
            assertEquals(List.of(4L, 16L, 3L), java.util.Arrays.stream(((NDArray) d.get("keypoints")).shape()).boxed().toList());
            assertTrue(d.get("shift_003") instanceof java.util.Map<?, ?> m && m.containsKey("dx"), () -> "" + d.get("shift_003"));
            assertTrue(d.get("meta_001") instanceof java.util.Map<?, ?> m && m.get("frame").equals(1));
            assertTrue(d.containsKey("registration"));
        }
        assertEquals(0, CliRun.run("ls", file.toString()).status());
    }

    @Test
    void aTemporaryFolderIsRemovedUnlessKept() throws Exception {
        Result r = CliRun.run("demo", "--frames", "1", "--size", "48x48x1");
        assertEquals(0, r.status(), r::toString);
        String first = r.outLines().getFirst();
        Path file = Path.of(first.substring(first.lastIndexOf(" into ") + 6));
        assertTrue(!Files.exists(file) && !Files.exists(file.getParent()), first);
        assertTrue(r.outLines().getLast().contains("the temporary file was removed"), r::toString);
    }
}
