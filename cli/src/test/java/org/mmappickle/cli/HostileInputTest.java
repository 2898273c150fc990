package org.mmappickle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.DType;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.cli.CliRun.Result;
import org.mmappickle.py.PyObject;
import org.mmappickle.py.PyTuple;

/**
 * Files and inputs built to make the command line fail in the wrong way (issue 13, items 6, 7, 8 and 12): each
 * must end in one line on standard error (or a correct, bounded result), never an OutOfMemoryError, a stack
 * overflow, a new empty file or bytes a terminal would act on.
 */
class HostileInputTest {

    @TempDir
    Path dir;

    /** Asserts the command failed with exactly one line on standard error, containing the words given. */
    private static Result failsWithOneLine(int status, String words, String... args) {
        Result r = CliRun.run(args);
        assertEquals(status, r.status(), () -> String.join(" ", args) + " -> " + r);
        assertEquals(1, r.errLines().size(), () -> "one line expected: " + r);
        assertTrue(r.err().contains(words), () -> "'" + words + "' expected: " + r);
        return r;
    }

    // ------------------------------------------------------------------------------ 6: shared objects (memo DAG)

    /** Each level holds the level below twice: 2^levels leaves from a few bytes per level. */
    private static Object listDag(int levels) {
        Object l = new ArrayList<>();
        for (int i = 0; i < levels; i++) {
            l = new ArrayList<>(List.of(l, l));
        }
        return l;
    }

    private static Object tupleDag(int levels) {
        Object t = new PyTuple(List.of());
        for (int i = 0; i < levels; i++) {
            t = new PyTuple(List.of(t, t));
        }
        return t;
    }

    private static Object dictDag(int levels) {
        Object d = new LinkedHashMap<String, Object>();
        for (int i = 0; i < levels; i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("a", d);
            m.put("b", d);
            d = m;
        }
        return d;
    }

    private static Object objectDag(int levels) {
        Object o = PyObject.global("collections", "OrderedDict");
        for (int i = 0; i < levels; i++) {
            o = PyObject.reduce(PyObject.global("builtins", "list"), new PyTuple(List.of(o, o)));
        }
        return o;
    }

    @Test
    void sharedObjectsAreRefusedInOneLineByEveryRendererNotExpandedIntoOutOfMemory() throws IOException {
        Path f = dir.resolve("dag.mmdpickle");
        String big = "x".repeat(1 << 20);
        try (MmapDict d = MmapDict.open(f, new MmapDict.Options())) {
            d.set("list", listDag(60));
            d.set("tuple", tupleDag(60));
            d.set("dict", dictDag(60));
            d.set("object", objectDag(60));
            // one 1 MiB string referenced 100,000 times: 100 GB of text from 1.2 MB of file
            d.set("leaf", new ArrayList<>(Collections.nCopies(100_000, big)));
        }
        assertTrue(Files.size(f) < 2_000_000, "the file is small: " + Files.size(f));
        for (String key : List.of("list", "tuple", "dict", "object", "leaf")) {
            failsWithOneLine(1, "shared objects", "get", f.toString(), key);
            failsWithOneLine(1, "shared objects", "dump", f.toString(), key);
            if (!key.equals("object")) {   // an opaque object has no tagged form anyway
                failsWithOneLine(1, "shared objects", "get", "--json", f.toString(), key);
                failsWithOneLine(1, "shared objects", "dump", "--json", f.toString(), key);
            }
        }
    }

    @Test
    void sharingThatPrintsInReasonableSpaceStillPrints() throws IOException {
        Path f = dir.resolve("shared-keys.mmdpickle");
        List<Object> records = new ArrayList<>();
        String name = "name";   // one String object: memoized, so shared by every record
        for (int i = 0; i < 200_000; i++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put(name, i);
            records.add(r);
        }
        Object small = listDag(10);   // 1024 leaves: Python prints it too
        try (MmapDict d = MmapDict.open(f, new MmapDict.Options())) {
            d.set("records", records);
            d.set("small", small);
        }
        Result r = CliRun.run("get", f.toString(), "records");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().startsWith("[{'name': 0}, {'name': 1}, "), r.out().substring(0, 40));
        assertTrue(r.out().strip().endsWith("{'name': 199999}]"));
        Result j = CliRun.run("get", "--json", f.toString(), "records");
        assertEquals(0, j.status(), j::toString);
        Result s = CliRun.run("get", f.toString(), "small");
        assertEquals(0, s.status(), s::toString);
        assertEquals(PyRepr.of(small), s.out().strip());
        assertEquals(1024, s.out().split("\\[\\]", -1).length - 1, "every leaf printed");
    }

    // ------------------------------------------------------------------------------ 7: declared sizes

    private static byte[] npy(String header, byte[] data) {
        String h = header;
        int major = 1;
        int lenBytes = 2;
        int total = 6 + 2 + lenBytes + h.length() + 1;
        if (h.length() + 64 > 0xFFFF) {
            major = 2;
            lenBytes = 4;
            total = 6 + 2 + lenBytes + h.length() + 1;
        }
        int pad = (64 - total % 64) % 64;
        byte[] text = (h + " ".repeat(pad) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(6 + 2 + lenBytes + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) text.length);
        } else {
            b.putInt(text.length);
        }
        return b.put(text).put(data).array();
    }

    private Path npz(String name, Map<String, byte[]> members, int method) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> m : members.entrySet()) {
                ZipEntry e = new ZipEntry(m.getKey());
                e.setMethod(method);
                if (method == ZipEntry.STORED) {
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(m.getValue());
                    e.setSize(m.getValue().length);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                z.write(m.getValue());
                z.closeEntry();
            }
        }
        return Files.write(dir.resolve(name), bytes.toByteArray());
    }

    @Test
    void anNpzMemberDeclaringMoreThanTheArchiveHoldsIsRefusedBeforeAllocation() throws IOException {
        // 2^37 float64 = 1 TiB, 2^40 int8 = 1 TiB, 2^60 bytes: declared by a few bytes of header
        for (String shape : List.of("(137438953472,)", "(1024, 1024, 1024, 1024)", "(1152921504606846976,)")) {
            String descr = shape.startsWith("(1024") ? "|i1" : shape.startsWith("(1152") ? "|u1" : "<f8";
            byte[] member = npy("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }", new byte[16]);
            for (int method : new int[] {ZipEntry.STORED, ZipEntry.DEFLATED}) {
                Path z = npz("big-" + method + ".npz", Map.of("a.npy", member), method);
                assertTrue(Files.size(z) < 1000, "a small archive: " + Files.size(z));
                Path target = dir.resolve("t-" + method + ".mmdpickle");
                failsWithOneLine(1, "the entry holds at most", "import", target.toString(), z.toString());
                assertFalse(Files.exists(target), "no file created for a failed import");
            }
        }
    }

    @Test
    void anNdarrayInJsonDeclaringMoreThanItsDataIsRefusedBeforeAllocation() {
        Path f = dir.resolve("j.mmdpickle");
        // 8 TB of float64, 1 EB of bytes, shapes that overflow, a width that multiplies a few strings into terabytes
        List<String> values = List.of(
                "{\"$ndarray\": {\"dtype\": \"<f8\", \"shape\": [1000000, 1000000], \"data\": []}}",
                "{\"$ndarray\": {\"dtype\": \"|u1\", \"shape\": [1000000000000000000], \"data\": [1]}}",
                "{\"$ndarray\": {\"dtype\": \"<f8\", \"shape\": [4294967296, 4294967296, 4], \"data\": [1.0]}}",
                "{\"$masked\": {\"data\": {\"$ndarray\": {\"dtype\": \"<i8\", \"shape\": [1000000000000], \"data\": []}},"
                        + " \"mask\": {\"$ndarray\": {\"dtype\": \"|b1\", \"shape\": [0], \"data\": []}}}}",
                "{\"$ndarray\": {\"dtype\": \"<U1000000000\", \"shape\": [1000], \"data\": "
                        + Collections.nCopies(1000, "\"a\"") + "}}",
                "[1, {\"$ndarray\": {\"dtype\": \"<c16\", \"shape\": [999999999999], \"data\": [[1.0, 2.0]]}}]",
                "{\"$npscalar\": {\"dtype\": \"|S300000000\", \"value\": {\"$bytes\": \"YQ==\"}}}",
                "{\"$npscalar\": {\"dtype\": \"<U200000000\", \"value\": \"a\"}}");
        for (String v : values) {
            Result r = CliRun.run("put", f.toString(), "k", "--json", v);
            assertEquals(2, r.status(), () -> v + " -> " + r);
            assertEquals(1, r.errLines().size(), r::toString);
            assertFalse(Files.exists(f), "no file created for a refused value");
        }
        // the same checks let real arrays through
        Result ok = CliRun.run("put", f.toString(), "k", "--json",
                "{\"$ndarray\": {\"dtype\": \"<U5\", \"shape\": [2, 1], \"data\": [\"ab\", \"cde\"]}}");
        assertEquals(0, ok.status(), ok::toString);
        assertEquals("array([['ab'],\n       ['cde']], dtype='<U5')", CliRun.run("get", f.toString(), "k").out().strip());
    }

    // ------------------------------------------------------------------------------ 8: terminal escapes

    private static final String EVIL = "\u001b]0;owned\u0007\u001b[2J\u009b31m\r\b\u007f";

    /** Asserts no character a terminal acts on (C0 but newline and tab, DEL, C1) is in the text. */
    private static void assertTerminalSafe(String what, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 && c != '\n' && c != '\t' || c >= 0x7F && c <= 0x9F;
            int at = i;
            assertFalse(control, () -> what + ": control character U+" + Integer.toHexString(c) + " at " + at + " in: "
                    + text.replaceAll("\\p{Cntrl}", "?"));
        }
    }

    @Test
    void nothingPrintedFromAFileReachesTheTerminalAsAControlCharacter() throws IOException {
        Path f = dir.resolve("evil.mmdpickle");
        NDArray strings = NDArray.zeros(DType.parse("<U16"), 2);
        strings.setString("a" + EVIL.substring(0, 6), 0);
        strings.setString(EVIL.substring(6, 12), 1);
        try (MmapDict d = MmapDict.open(f, new MmapDict.Options())) {
            d.set("key" + EVIL, "value" + EVIL);
            d.set("plain", List.of("v" + EVIL, EVIL.getBytes(StandardCharsets.UTF_8)));
            d.set("strings", strings);
            d.set("obj", PyObject.reduce(PyObject.global("mod" + EVIL, "f" + EVIL), new PyTuple(List.of(EVIL))));
            d.set("gone" + EVIL, 1);
            d.remove("gone" + EVIL);
        }
        String file = f.toString();
        List<String[]> commands = List.of(
                new String[] {"ls", file}, new String[] {"ls", "--all", file}, new String[] {"ls", "--json", file},
                new String[] {"ls", "--header", file},
                new String[] {"dump", file}, new String[] {"dump", "--json", file},
                new String[] {"get", file, "key" + EVIL}, new String[] {"get", "--json", file, "key" + EVIL},
                new String[] {"get", file, "strings"}, new String[] {"get", file, "obj"}, new String[] {"get", file, "plain"},
                new String[] {"get", file, "key" + EVIL.substring(0, 3)},   // a near key, in the error line
                new String[] {"export", file, "key" + EVIL, dir.resolve("o.npy").toString()},
                new String[] {"info", file}, new String[] {"info", "--json", file},
                new String[] {"get", dir.resolve("no" + EVIL).toString(), "k"},
                new String[] {"get", "--json", file, "obj"},
                new String[] {"get", "--verbose", file, "key" + EVIL.substring(0, 3)},   // the stack trace too
                new String[] {"export", "--verbose", file, "key" + EVIL, dir.resolve("o.npy").toString()});
        for (String[] c : commands) {
            Result r = CliRun.run(c);
            assertTerminalSafe(String.join(" ", c).replaceAll("\\p{Cntrl}", "?") + " (out)", r.out());
            assertTerminalSafe(String.join(" ", c).replaceAll("\\p{Cntrl}", "?") + " (err)", r.err());
        }
        // and the text says what is there, in a form the user can read back
        assertTrue(CliRun.run("ls", file).out().contains("'key\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\r\\x08\\x7f'"));
        assertTrue(CliRun.run("get", file, "key" + EVIL).out().contains("'value\\x1b]0;owned"));
    }

    // ------------------------------------------------------------------------------ 12: .npy headers, new files

    @Test
    void anNpyHeaderNestedDeeplyIsRefusedInOneLine() throws IOException {
        for (int depth : new int[] {100, 50_000}) {
            String shape = "(".repeat(depth) + "1" + ")".repeat(depth);
            Path npy = Files.write(dir.resolve("deep" + depth + ".npy"),
                    npy("{'descr': '<f8', 'fortran_order': False, 'shape': (" + shape + ",), }", new byte[8]));
            Path target = dir.resolve("deep" + depth + ".mmdpickle");
            failsWithOneLine(1, "nested deeper than", "import", target.toString(), npy.toString());
            failsWithOneLine(1, "nested deeper than", "put", target.toString(), "k", "--npy", npy.toString());
            assertFalse(Files.exists(target));
        }
    }

    @Test
    void aCommandThatFailsLeavesNoNewFileBehind() throws IOException {
        Path truncated = Files.write(dir.resolve("short.npy"),
                npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100,), }", new byte[8]));
        Path notNpy = Files.write(dir.resolve("text.npy"), "hello".getBytes(StandardCharsets.US_ASCII));
        Path good = dir.resolve("good.npy");
        Files.write(good, npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", new byte[8]));
        String longKey = "k".repeat(300);
        List<String[]> failing = List.of(
                new String[] {"import", "%s", truncated.toString()},
                new String[] {"import", "%s", notNpy.toString()},
                new String[] {"import", "%s", good.toString(), longKey},
                new String[] {"put", "%s", longKey, "--text", "x"},
                new String[] {"put", "%s", "k", "--npy", truncated.toString()},
                new String[] {"alloc", "%s", longKey, "<f8", "4"});
        int i = 0;
        for (String[] c : failing) {
            Path target = dir.resolve("new" + i++ + ".mmdpickle");
            String[] args = c.clone();
            args[1] = target.toString();
            Result r = CliRun.run(args);
            assertEquals(1, r.status(), () -> String.join(" ", args) + " -> " + r);
            assertEquals(1, r.errLines().size(), r::toString);
            assertFalse(Files.exists(target), () -> String.join(" ", args) + " left " + target);
        }
        // an existing file is never removed by a failure, even an empty one
        Path existing = dir.resolve("existing.mmdpickle");
        try (MmapDict d = MmapDict.open(existing, new MmapDict.Options())) {
            assertTrue(d.isEmpty());
        }
        assertEquals(1, CliRun.run("import", existing.toString(), truncated.toString()).status());
        assertEquals(1, CliRun.run("put", existing.toString(), longKey, "--text", "x").status());
        assertTrue(Files.exists(existing));
    }
}
