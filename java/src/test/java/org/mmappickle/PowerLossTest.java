package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.testing.DurableOpChild;
import org.mmappickle.testing.Python;
import org.mmappickle.testing.SyscallRecorder;
import org.mmappickle.testing.SyscallRecorder.Op;

/**
 * Power loss with reordered writes: a child makes one durable change under strace, and every
 * state a disk may hold after a power loss (all writes before the last completed fsync, plus any
 * subset of the writes after it, in any order) is rebuilt from the recording. Each must load with
 * plain {@code pickle.load} as the old or the new dict, open writable (repairing what the crash
 * left), read the same through the library as through pickle, and still load the same in pickle
 * after the repair.
 */
class PowerLossTest {
    /** Subsets of one interval between syncs are enumerated in full up to this many writes. */
    private static final int ALL_SUBSETS_UP_TO = 10;
    /** Float64 elements of an array big enough for the two-phase append (over 1 MiB). */
    private static final String BIG = "140000";

    @TempDir
    Path dir;

    private static final String DIGEST = String.join("\n",
            "import pickle, sys, os",
            "import numpy as np",
            "def dig(v):",
            "    if isinstance(v, np.ndarray):",
            "        f = v.reshape(-1)",
            "        return 'a:%d:%r:%r:%s' % (f.size, float(f[0]), float(f[-1]), bool((f == f[0]).all()))",
            "    return 's:' + repr(v)",
            "d = sys.argv[1]",
            "for name in sorted(os.listdir(d)):",
            "    try:",
            "        with open(os.path.join(d, name), 'rb') as fh:",
            "            obj = pickle.load(fh)",
            "        print(name + '\\t' + ';'.join(k + '=' + dig(obj[k]) for k in sorted(obj)))",
            "    except Exception as e:",
            "        print(name + '\\tERROR ' + type(e).__name__ + ': ' + str(e).replace('\\n', ' '))");

    /** What a dict holds, in the digest's format (values are strings and float64 arrays). */
    static String digest(MmapDict m) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            String d;
            if (v instanceof NDArray a) {
                double first = a.getDouble(0);
                boolean same = true;
                for (long i = 0; i < a.size(); i++) {
                    same &= a.getDouble(i) == first;
                }
                d = "a:" + a.size() + ":" + first + ":" + a.getDouble(a.size() - 1) + ":" + (same ? "True" : "False");
            } else {
                d = "s:'" + v + "'";
            }
            out.put(e.getKey(), d);
        }
        return String.join(";", out.entrySet().stream().map(x -> x.getKey() + "=" + x.getValue()).toList());
    }

    /** Runs plain pickle.load on every file of a folder: file name to digest, or to "ERROR ...". */
    static Map<String, String> pythonDigestsOf(Path folder) throws Exception {
        return pythonDigests(folder);
    }

    private static Map<String, String> pythonDigests(Path folder) throws Exception {
        Python.Result r = Python.run(List.of("-c", DIGEST, folder.toString()), 600);
        assertEquals(0, r.exit(), r.err());
        Map<String, String> out = new HashMap<>();
        for (String line : r.out().split("\n")) {
            if (!line.isEmpty()) {
                int tab = line.indexOf('\t');
                out.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        return out;
    }

    /** The file a change started from: a few small values and a two-phase array. */
    private Path base() throws IOException {
        Path p = dir.resolve("base.mmdpickle");
        try (MmapDict m = MmapDict.open(p, new MmapDict.Options().durability(Durability.DURABLE))) {
            m.set("s1", "old1");
            m.set("s0", "keep");
            double[] big = new double[Integer.parseInt(BIG)];
            Arrays.fill(big, 1.0);
            m.set("big", big);
            m.set("a1", new double[] {3, 3, 3});
        }
        return p;
    }

    /** A disk writes 512-byte sectors whole; a small write that spans two may reach it in part. */
    private static final int SECTOR = 512;

    /** Splits every small write (a head, a trailer, a flag) that spans two sectors into its two parts. */
    private static List<Op> sectors(List<Op> ops) {
        List<Op> out = new ArrayList<>();
        for (Op o : ops) {
            if (o instanceof SyscallRecorder.Write w && w.bytes().length <= 16
                    && w.offset() / SECTOR != (w.offset() + w.bytes().length - 1) / SECTOR) {
                int cut = (int) (SECTOR - w.offset() % SECTOR);
                out.add(new SyscallRecorder.Write(w.offset(), Arrays.copyOfRange(w.bytes(), 0, cut)));
                out.add(new SyscallRecorder.Write(w.offset() + cut, Arrays.copyOfRange(w.bytes(), cut, w.bytes().length)));
            } else {
                out.add(o);
            }
        }
        return out;
    }

    /** The base file with one more value, sized so that the next entry's head spans two sectors. */
    private Path straddlingBase() throws IOException {
        Path base = base();
        for (int length = 0; length < 2 * SECTOR; length++) {
            Path p = dir.resolve("straddle.mmdpickle");
            Files.copy(base, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try (MmapDict m = MmapDict.open(p, new MmapDict.Options().durability(Durability.DURABLE))) {
                m.set("pad", "x".repeat(length));
            }
            if ((Files.size(p) - 11) % SECTOR == SECTOR - 7) {   // head bytes 1-6 in one sector, 7-10 in the next
                return p;
            }
        }
        throw new AssertionError("no padding puts the terminator 7 bytes before a sector boundary");
    }

    @Test
    void aHeadTornAcrossTwoSectorsOpensAsTheOldOrTheNewDict() throws Exception {
        assumeTrue(SyscallRecorder.available(), "strace cannot trace here (no ptrace)");
        Path base = straddlingBase();
        int states = 0;
        for (String[] change : new String[][] {{"set", "s2", "fresh"}, {"set", "s1", "new1"}, {"array", "big2", BIG, "5"}}) {
            states += replay(change, base, true);
        }
        System.out.println("power-loss states with torn heads checked: " + states);
    }

    @Test
    void everyStateAPowerLossCanLeaveOpensRepairsAndLoadsAsTheOldOrTheNewDict() throws Exception {
        assumeTrue(SyscallRecorder.available(), "strace cannot trace here (no ptrace)");
        String[][] changes = {
            {"set", "s1", "new1"},              // small replacement
            {"set", "s2", "fresh"},             // small new key
            {"array", "big", BIG, "2"},         // two-phase replacement
            {"array", "big2", BIG, "5"},        // two-phase new key
            {"delete", "s1"},
            {"allocate", "big", BIG},           // sparse replacement
        };
        int states = 0;
        for (String[] change : changes) {
            states += replay(change, base(), false);
        }
        System.out.println("power-loss states checked: " + states);
    }

    private int replay(String[] change, Path base, boolean tornHead) throws Exception {
        String what = String.join(" ", change) + (tornHead ? " (head across sectors)" : "");
        Path run = Files.createDirectories(dir.resolve("run-" + change[0] + "-" + change[1] + (tornHead ? "-torn" : "")));
        Path file = run.resolve("f.mmdpickle");
        Files.copy(base, file);
        byte[] before = Files.readAllBytes(file);
        String oldDigest;
        try (MmapDict m = MmapDict.openReadOnly(file)) {
            oldDigest = digest(m);
        }
        Path logs = Files.createDirectories(run.resolve("logs"));
        List<String> args = new ArrayList<>(List.of(file.toString()));
        args.addAll(List.of(change));
        SyscallRecorder.Recording rec = SyscallRecorder.record(file, logs, DurableOpChild.class, args.toArray(String[]::new));
        assertTrue(rec.out().contains("done"), rec.out());
        String newDigest;
        try (MmapDict m = MmapDict.openReadOnly(file)) {
            newDigest = digest(m);
        }
        assertNotEquals(oldDigest, newDigest, what + " changed nothing");
        List<Op> ops = sectors(rec.ops());
        if (tornHead) {
            assertTrue(ops.size() > rec.ops().size(), what + ": the head spans two sectors");
        }
        assertTrue(ops.stream().anyMatch(o -> o instanceof SyscallRecorder.Sync), what + ": a durable change syncs");

        Path states = Files.createDirectories(run.resolve("states"));
        Map<String, String> made = new TreeMap<>();
        SplittableRandom rnd = new SplittableRandom(13);
        int start = 0;
        byte[] durable = before;
        int n = 0;
        for (int i = 0; i <= ops.size(); i++) {
            if (i < ops.size() && !(ops.get(i) instanceof SyscallRecorder.Sync)) {
                continue;
            }
            List<Op> pending = ops.subList(start, i);
            for (long mask : subsets(pending.size(), rnd)) {
                byte[] s = durable;
                StringBuilder kept = new StringBuilder();
                for (int j = 0; j < pending.size(); j++) {
                    if ((mask & (1L << j)) != 0) {
                        s = apply(s, pending.get(j));
                        kept.append(' ').append(pending.get(j));
                    }
                }
                String name = String.format("state-%04d", n++);
                Files.write(states.resolve(name), s);
                made.put(name, "after " + start + " durable ops, kept:" + kept);
            }
            for (Op o : pending) {
                durable = apply(durable, o);
            }
            start = i + 1;
        }
        Map<String, String> plain = pythonDigests(states);
        for (Map.Entry<String, String> st : made.entrySet()) {
            String name = st.getKey();
            String context = what + ", " + name + " (" + st.getValue() + ")";
            String py = plain.get(name);
            assertTrue(py.equals(oldDigest) || py.equals(newDigest),
                    context + ": plain pickle reads " + py + ", neither the old " + oldDigest + " nor the new " + newDigest);
            try (MmapDict m = MmapDict.open(states.resolve(name))) {
                assertEquals(py, digest(m), context + ": the library reads what pickle reads");
            } catch (IOException | RuntimeException e) {
                throw new AssertionError(context + ": a writable open fails: " + e, e);
            }
        }
        Map<String, String> repaired = pythonDigests(states);
        for (String name : made.keySet()) {
            assertEquals(plain.get(name), repaired.get(name), what + ", " + name + ": the repair changed what pickle reads");
        }
        return made.size();
    }

    /** Every subset of n writes (bit masks), or, past the limit, every prefix and some random subsets. */
    private static List<Long> subsets(int n, SplittableRandom rnd) {
        List<Long> out = new ArrayList<>();
        if (n <= ALL_SUBSETS_UP_TO) {
            for (long m = 0; m < (1L << n); m++) {
                out.add(m);
            }
            return out;
        }
        for (int k = 0; k <= n; k++) {
            out.add(k == 64 ? -1L : (1L << k) - 1);
        }
        for (int r = 0; r < 500; r++) {
            out.add(rnd.nextLong() & (n >= 64 ? -1L : (1L << n) - 1));
        }
        return out;
    }

    private static byte[] apply(byte[] file, Op op) {
        return switch (op) {
            case SyscallRecorder.Write w -> {
                long end = w.offset() + w.bytes().length;
                byte[] r = end > file.length ? Arrays.copyOf(file, Math.toIntExact(end)) : file.clone();
                System.arraycopy(w.bytes(), 0, r, (int) w.offset(), w.bytes().length);
                yield r;
            }
            case SyscallRecorder.Truncate t -> Arrays.copyOf(file, Math.toIntExact(t.size()));
            case SyscallRecorder.Allocate a -> {
                if (a.punch()) {
                    byte[] r = file.clone();
                    Arrays.fill(r, (int) a.offset(), (int) Math.min(file.length, a.offset() + a.length()), (byte) 0);
                    yield r;
                }
                yield a.offset() + a.length() > file.length ? Arrays.copyOf(file, Math.toIntExact(a.offset() + a.length())) : file;
            }
            case SyscallRecorder.Sync s -> file;
        };
    }
}
