package org.mmappickle.internal.pickle;

import static org.junit.jupiter.api.Assertions.*;
import static org.mmappickle.internal.pickle.Opcodes.*;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.MmapDict;
import org.mmappickle.testing.Jvm;

/**
 * Issue 13 item 11: a value whose opcodes each build an object much larger than themselves (empty
 * sets, dicts, lists, marks, memo slots, short strings...) is refused with the format exception
 * once it passes the read's heap budget, in a child JVM with a small heap (-Xmx256m), instead of
 * running out of memory; ordinary values of the same size are read.
 */
class AmplificationTest {
    private static final int BYTES = 8 << 20;

    @TempDir
    Path dir;

    /** A generic value of about BYTES bytes made of one repeated opcode sequence inside a list. */
    private static byte[] repeated(byte[] unit, byte[] close) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(BYTES + 16);
        out.write(MARK);
        for (int n = 0; n < BYTES; n += unit.length) {
            out.writeBytes(unit);
        }
        out.writeBytes(close);
        return out.toByteArray();
    }

    /** Every unit pushes one object into the list (LIST at the end). */
    private static Map<String, byte[]> hostile() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        byte[] list = {(byte) LIST};
        m.put("empty-set", repeated(new byte[] {(byte) EMPTY_SET}, list));
        m.put("empty-dict", repeated(new byte[] {(byte) EMPTY_DICT}, list));
        m.put("empty-list", repeated(new byte[] {(byte) EMPTY_LIST}, list));
        m.put("empty-tuple-marks", repeated(new byte[] {(byte) MARK}, new byte[0]));   // marks never closed
        m.put("none", repeated(new byte[] {(byte) NONE}, list));
        m.put("empty-string", repeated(new byte[] {(byte) SHORT_BINUNICODE, 0}, list));
        m.put("empty-bytes", repeated(new byte[] {(byte) SHORT_BINBYTES, 0}, list));
        m.put("global-memo", repeated(new byte[] {(byte) NONE, (byte) MEMOIZE_FREE_PUT, 0, (byte) POP, (byte) NONE}, list));
        byte[] dup = repeated(new byte[] {(byte) DUP}, list);
        dup[1] = (byte) NONE;   // something to duplicate first
        m.put("dup", dup);
        m.put("tuple1", repeated(new byte[] {(byte) NONE, (byte) TUPLE1}, list));
        m.put("object", repeated(("c" + "m\nC\n").getBytes(StandardCharsets.US_ASCII), list));
        return m;
    }

    /** BINPUT: each unit stores into memo slot 0 again; LONG_BINPUT units below use distinct slots. */
    private static final int MEMOIZE_FREE_PUT = BINPUT;

    private static byte[] distinctMemoSlots() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(BYTES + 16);
        out.write(MARK);
        for (int i = 0; out.size() < BYTES; i++) {
            out.writeBytes(new byte[] {(byte) NONE, (byte) LONG_BINPUT, (byte) i, (byte) (i >>> 8), (byte) (i >>> 16), (byte) (i >>> 24)});
        }
        out.write(LIST);
        return out.toByteArray();
    }

    private Path file(String name, byte[] value) throws Exception {
        Path p = dir.resolve(name + ".mmdpickle");
        try (MmapDict m = MmapDict.open(p)) {
            m.put("placeholder", 0);
        }
        byte[] f = Files.readAllBytes(p);
        List<ParserDifferentialTest.Entry> entries = List.of(
                new ParserDifferentialTest.Entry("v".getBytes(StandardCharsets.UTF_8), value, 1, (byte) NEWTRUE));
        Files.write(p, ParserDifferentialTest.serialize(Arrays.copyOf(f, 24), entries));
        return p;
    }

    @Test
    void amplifyingValuesAreRefusedWithinASmallHeap() throws Exception {
        Map<String, byte[]> cases = hostile();
        cases.put("memo-slots", distinctMemoSlots());
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : cases.entrySet()) {
            args.add(file(e.getKey(), e.getValue()).toString());
        }
        // controls: values of the same size that are ordinary data
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        text.writeBytes(new byte[] {(byte) 0x8D});   // BINUNICODE8
        text.writeBytes(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(BYTES).array());
        text.writeBytes("x".repeat(BYTES).getBytes(StandardCharsets.US_ASCII));
        args.add(file("control-text", text.toByteArray()).toString());
        args.add(file("control-ints", repeated(new byte[] {(byte) BININT, 1, 2, 3, 4}, new byte[] {(byte) LIST})).toString());

        Process p = Jvm.start(AmplificationChild.class, args.toArray(String[]::new));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        System.out.println("amplification, child at -Xmx256m:\n" + out);
        assertEquals(0, exit, "the child ran out of memory or failed:\n" + out);
        List<String> lines = out.lines().toList();
        assertEquals(args.size(), lines.size(), out);
        for (String line : lines) {
            String[] f = line.split("\t", 2);
            if (f[0].startsWith("control")) {
                assertTrue(f[1].startsWith("read"), line);
            } else {
                assertTrue(f[1].startsWith("refused") && f[1].contains("org.mmappickle.readHeapLimit")
                        || f[1].startsWith("read"), "refused with the budget's properties named, or read: " + line);
            }
        }
        assertTrue(lines.stream().filter(l -> l.contains("\trefused")).count() >= 5, out);
    }
}
