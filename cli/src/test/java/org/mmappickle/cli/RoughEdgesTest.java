package org.mmappickle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.ArrayFormat;
import org.mmappickle.DType;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.cli.CliRun.Result;

/** The command line's rough edges that a new user met (issue 14, item 7), each as the user meets it. */
class RoughEdgesTest {

    @TempDir
    Path dir;

    private static Result ok(String... args) {
        Result r = CliRun.run(args);
        assertEquals(0, r.status(), () -> String.join(" ", args) + " -> " + r);
        return r;
    }

    private static Result fails(String... args) {
        Result r = CliRun.run(args);
        assertFalse(r.status() == 0, () -> String.join(" ", args) + " -> " + r);
        assertEquals(1, r.errLines().size(), () -> "one line: " + r);
        return r;
    }

    // ------------------------------------------------------------------------------ progress bar

    /**
     * A terminal of {@code width} columns as xterm behaves: printable characters advance the cursor and wrap to a
     * new row past the last column, CR returns to column 0, ESC [ K erases to the end of the row.
     */
    private static List<String> screen(String output, int width) {
        List<StringBuilder> rows = new ArrayList<>(List.of(new StringBuilder()));
        int row = 0;
        int col = 0;
        for (int i = 0; i < output.length(); i++) {
            char c = output.charAt(i);
            StringBuilder r = rows.get(row);
            if (c == '\r') {
                col = 0;
            } else if (c == '\033' && output.startsWith("[K", i + 1)) {
                if (col < r.length()) {
                    r.setLength(col);
                }
                i += 2;
            } else {
                if (col == width) {   // a pending wrap: the row is full
                    rows.add(new StringBuilder());
                    row++;
                    col = 0;
                    r = rows.get(row);
                }
                while (r.length() < col) {
                    r.append(' ');
                }
                if (col < r.length()) {
                    r.setCharAt(col, c);
                } else {
                    r.append(c);
                }
                col++;
            }
        }
        return rows.stream().map(StringBuilder::toString).toList();
    }

    @Test
    void theProgressBarFitsItsTerminalAndLeavesNoJunkWhenItsTextShrinks() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        long[] sizes = {0, 1, 512, 1023, 1024, 3 << 20, 1L << 30, 2L << 30, 5L << 40};
        for (int width = 1; width <= 200; width++) {
            for (int trial = 0; trial < 20; trial++) {
                String label = "export " + "k".repeat(rnd.nextInt(80));
                StringBuilder out = new StringBuilder();
                String last = null;
                for (int step = 0; step < 6; step++) {
                    long total = sizes[rnd.nextInt(sizes.length)];
                    long done = total == 0 ? 0 : Math.floorMod(rnd.nextLong(), total + 1);
                    out.append(Progress.frame(label, done, total, width));
                    last = Progress.render(label, done, total, width);
                }
                List<String> s = screen(out.toString(), width);
                int w = width;
                String l = last;
                assertEquals(1, s.size(), () -> "wrapped at width " + w + " (seed " + seed + "): " + s);
                assertEquals(l, s.getFirst(), () -> "junk after the last text at width " + w + " (seed " + seed + ")");
                assertTrue(l.length() <= Math.max(0, w - 1), () -> "fits " + w + ": " + l);
                if (w >= 40) {
                    assertTrue(l.matches(".*\\d+% .* / .*"), () -> "the numbers stay: " + l);
                }
                if (w >= 80 && label.length() < 20) {
                    assertTrue(l.startsWith(label + " [") && l.contains("]"), () -> "label and bar: " + l);
                }
            }
        }
        // the case the user met: "2.00 GiB / 2.00 GiB" then "512 B / 2.00 GiB" left "GiBiB"
        String shrink = Progress.frame("import", 2L << 30, 2L << 30, 120) + Progress.frame("import", 512, 2L << 30, 120);
        assertEquals(Progress.render("import", 512, 2L << 30, 120), screen(shrink, 120).getFirst());
        assertFalse(screen(shrink, 120).getFirst().contains("GiBiB"));
    }

    // ------------------------------------------------------------------------------ abandoned entries

    @Test
    void anEntryWhoseWriterIsGoneIsAbandonedAndOneBeingWrittenIsBeingWritten() throws Exception {
        Path f = dir.resolve("pending.mmdpickle");
        try (MmapDict d = MmapDict.open(f, new MmapDict.Options())) {
            d.set("small", 1);
        }
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), HaltMidCopy.class.getName(), f.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("halt.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(7, p.exitValue(), () -> "halted mid-copy: " + read(dir.resolve("halt.log")));

        Result info = ok("info", f.toString());
        assertTrue(info.out().contains("1 abandoned"), info::out);
        assertFalse(info.out().contains("being written"), info::out);
        Result ls = ok("ls", "--all", f.toString());
        assertTrue(ls.outLines().stream().anyMatch(l -> l.contains(" abandoned ") && l.endsWith("big")), ls::out);
        assertTrue(ok("ls", "--all", "--json", f.toString()).out().contains("\"state\": \"abandoned\""));
        assertTrue(ok("info", "--json", f.toString()).out().contains("\"abandoned\": 1"));
        // vacuum already knew: it turns the abandoned entry into a deleted one
        ok("vacuum", f.toString());
        assertFalse(ok("info", f.toString()).out().contains("abandoned"));

        // while a writer is alive (here, this JVM, in the middle of its copy) the entry is being written
        AtomicReference<Result> during = new AtomicReference<>();
        AtomicReference<Result> duringLs = new AtomicReference<>();
        try (MmapDict d = MmapDict.open(f, new MmapDict.Options().progress((key, copied, total) -> {
            if (during.get() == null) {
                during.set(CliRun.run("info", f.toString()));
                duringLs.set(CliRun.run("ls", "--all", f.toString()));
            }
        }))) {
            d.set("live", NDArray.zeros(DType.parse("<f8"), 1 << 20));
        }
        assertTrue(during.get().out().contains("1 being written"), during.get()::toString);
        assertFalse(during.get().out().contains("abandoned"), during.get()::toString);
        assertTrue(duringLs.get().outLines().stream().anyMatch(l -> l.contains(" pending ") && l.endsWith("live")),
                duringLs.get()::toString);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    // ------------------------------------------------------------------------------ files that are not ours

    @Test
    void numpyFilesGivenToReadingCommandsSayWhatTheyAreAndWhatToRun() throws IOException {
        Path f = dir.resolve("a.mmdpickle");
        ok("put", f.toString(), "a", "--json", "{\"$ndarray\": {\"dtype\": \"<f8\", \"shape\": [2], \"data\": [1.0, 2.0]}}");
        Path npy = dir.resolve("a.npy");
        Path npz = dir.resolve("a.npz");
        ok("export", f.toString(), "a", npy.toString());
        ok("export", f.toString(), "a", npz.toString());
        for (String[] c : List.of(new String[] {"ls", npy.toString()}, new String[] {"info", npy.toString()},
                new String[] {"dump", npy.toString()}, new String[] {"get", npy.toString(), "a"})) {
            String err = fails(c).err();
            assertTrue(err.contains("a numpy .npy file, not an mmappickle file") && err.contains("mmappickle import"), err);
            assertFalse(err.contains("stack"), err);
        }
        String err = fails("ls", npz.toString()).err();
        assertTrue(err.contains("a zip archive (a numpy .npz?)") && err.contains("mmappickle import"), err);
    }

    @Test
    void aPlainPickleIsToldToRunConvert() throws IOException {
        // pickle.dumps({'a': 1, 'b': [1, 2]}, protocol=2)
        byte[] pickle = {(byte) 0x80, 2, '}', 'q', 0, '(', 'X', 1, 0, 0, 0, 'a', 'q', 1, 'K', 1, 'X', 1, 0, 0, 0, 'b',
            'q', 2, ']', 'q', 3, '(', 'K', 1, 'K', 2, 'e', 'u', '.'};
        Path p = Files.write(dir.resolve("plain.pkl"), pickle);
        for (String cmd : List.of("ls", "info", "dump")) {
            String err = fails(cmd, p.toString()).err();
            assertTrue(err.contains("'mmappickle convert " + p + "'"), err);
            assertFalse(err.contains("MmapDict"), err);
        }
        ok("convert", p.toString());
        assertEquals("a: 1\nb: [1, 2]\n", ok("dump", p.toString()).out());
    }

    @Test
    void infoOnAFileNumpy2CannotLoadSuggestsConvert() throws IOException {
        Path f = dir.resolve("orig.mmdpickle");
        ok("put", "--layout", "original", f.toString(), "a", "--json",
                "{\"$ndarray\": {\"dtype\": \"<f8\", \"shape\": [2], \"data\": [1.0, 2.0]}}");
        String out = ok("info", f.toString()).out();
        assertTrue(out.contains("numpy 2.x no") && out.contains("'mmappickle convert " + f + "'"), out);
        ok("convert", f.toString());
        String after = ok("info", f.toString()).out();
        assertTrue(after.contains("numpy 2.x yes"), after);
        try (MmapDict d = MmapDict.openReadOnly(f)) {
            assertEquals(2.0, ((NDArray) d.get("a")).flatDouble(1));
        }
    }

    // ------------------------------------------------------------------------------ directories, JSON, keys

    @Test
    void aDirectoryGivenAsTheFileExplainsItselfForEveryCommand() throws IOException {
        Path d = Files.createDirectory(dir.resolve("d"));
        Path npy = dir.resolve("x.npy");
        org.mmappickle.cli.npy.NpyFile.write(npy, NDArray.zeros(DType.parse("<f8"), 2));
        for (String[] c : List.of(new String[] {"put", d.toString(), "k", "--text", "x"},
                new String[] {"import", d.toString(), npy.toString()},
                new String[] {"alloc", d.toString(), "k", "<f8", "3"},
                new String[] {"ls", d.toString()}, new String[] {"rm", d.toString(), "k"})) {
            String err = fails(c).err();
            assertTrue(err.contains(d + ": is a directory, not an mmappickle file"), err);
            assertFalse(err.contains("mmp_open") || err.contains("EISDIR"), err);
        }
    }

    @Test
    void badJsonIsExplainedInOurWordsWithItsPlace() {
        Path f = dir.resolve("j.mmdpickle");
        List<String> bad = List.of("{\"a\": tru}", "[1, 2", "{'a': 1}", "1 2", "[".repeat(5000), "", "{\"a\" 1}",
                "[1,]", "\"unterminated", "nul", "{\"$ndarray\": 3}");
        for (String json : bad) {
            Result r = CliRun.run("put", f.toString(), "k", "--json", json);
            assertEquals(2, r.status(), () -> json + " -> " + r);
            assertEquals(1, r.errLines().size(), r::toString);
            String err = r.err();
            for (String internal : List.of("com.fasterxml", "Source:", "REDACTED", "(code ", "JsonToken", "StreamReadConstraints",
                    "was expecting", "Unexpected character", "Feature")) {
                assertFalse(err.contains(internal), () -> json + " -> " + err);
            }
            assertTrue(err.contains("put: --json: "), err);
        }
        assertTrue(CliRun.run("put", f.toString(), "k", "--json", "{\"a\": tru}").err()
                .contains("not valid JSON at line 1, column"));
        assertTrue(CliRun.run("put", f.toString(), "k", "--json", "[1, 2").err().contains("ends before the value is complete"));
        assertTrue(CliRun.run("put", f.toString(), "k", "--json", "[".repeat(5000)).err().contains("nested deeper than"));
        assertTrue(CliRun.run("put", f.toString(), "k", "--json", "1 2").err().contains("more text after the value"));
        assertFalse(Files.exists(f));
    }

    @Test
    void aWrongKeyListsTheNearKeys() throws IOException {
        Path f = dir.resolve("k.mmdpickle");
        try (MmapDict d = MmapDict.open(f, new MmapDict.Options())) {
            for (String k : List.of("color", "colours", "Colour", "weights/layer1", "weights/layer2", "unrelated")) {
                d.set(k, 1);
            }
        }
        String err = fails("get", f.toString(), "colour").err();
        assertTrue(err.contains("no key 'colour'; did you mean 'Colour', 'color', 'colours'?"), err);
        err = fails("export", f.toString(), "weights/layer3", dir.resolve("o.npy").toString()).err();
        assertTrue(err.contains("did you mean 'weights/layer1', 'weights/layer2'?"), err);
        err = fails("dump", f.toString(), "weights").err();
        assertTrue(err.contains("did you mean 'weights/layer1', 'weights/layer2'?"), err);
        err = fails("rm", f.toString(), "colour").err();
        assertTrue(err.contains("(nothing deleted); did you mean 'Colour', 'color', 'colours'?"), err);
        err = fails("get", f.toString(), "zzzzzz").err();
        assertFalse(err.contains("did you mean"), err);
    }

    // ------------------------------------------------------------------------------ ls header

    @Test
    void lsHasAHeaderRowOnATerminalAndNoneInAPipe() throws Exception {
        Path f = dir.resolve("h.mmdpickle");
        ok("put", f.toString(), "a", "--text", "x");
        assertEquals(1, ok("ls", f.toString()).outLines().size(), "no header in a pipe");
        List<String> header = ok("ls", "--header", f.toString()).outLines();
        assertEquals(List.of("kind   dtype  shape  bytes  layout  key", "value  -      -          3  -       a"), header);
        assertTrue(ok("ls", "--all", "--header", f.toString()).outLines().getFirst().startsWith("offset  length  state"));
        // on a real terminal (a pty made by script(1)): the header comes by itself
        String java = ProcessHandle.current().info().command().orElseThrow();
        String cmd = String.join(" ", List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "ls", f.toString()));
        Process p = new ProcessBuilder("script", "-qec", cmd, "/dev/null").redirectErrorStream(true).start();
        p.getOutputStream().close();
        String tty = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), tty);
        assertEquals(List.of("kind   dtype  shape  bytes  layout  key", "value  -      -          3  -       a"),
                List.of(tty.strip().split("\\R")));
    }
}
