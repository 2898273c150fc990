package org.mmappickle.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.mmappickle.ArrayFormat;
import org.mmappickle.DType;
import org.mmappickle.MaskedArray;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.PickleFormatException;
import org.mmappickle.py.PyTuple;

/**
 * The fuzzer, run in a child JVM so that a crash, a hang or an OutOfMemoryError is seen by the
 * parent: mutates seed files (bit flips, byte changes, truncations, huge length fields, spliced
 * ranges), opens each mutant and reads every key. Every case must either read or fail with
 * PickleFormatException. Failing inputs are saved to the corpus folder. Prints "cases N failures F".
 */
public final class FuzzChild {
    private FuzzChild() {
    }

    /** Entry point: WORKDIR CORPUSDIR SEED CASES SEEDFILE... */
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path corpus = Path.of(args[1]);
        long seed = Long.parseLong(args[2]);
        int cases = Integer.parseInt(args[3]);
        List<byte[]> seeds = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            seeds.add(Files.readAllBytes(Path.of(args[i])));
        }
        seeds.add(javaWritten(work));
        AtomicLong caseStart = new AtomicLong(System.nanoTime());
        AtomicLong current = new AtomicLong(-1);
        Path input = work.resolve("case.mmdpickle");
        Thread watchdog = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                if (System.nanoTime() - caseStart.get() > 20_000_000_000L) {
                    System.out.println("HANG case " + current.get());
                    try {
                        Files.copy(input, corpus.resolve("hang-" + seed + "-" + current.get() + ".mmdpickle"),
                                StandardCopyOption.REPLACE_EXISTING);
                    } catch (IOException ignored) {
                        // the report line is what matters
                    }
                    System.out.flush();
                    Runtime.getRuntime().halt(3);
                }
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        Random rnd = new Random(seed);
        int failures = 0;
        int readOk = 0;
        int formatErrors = 0;
        for (int c = 0; c < cases; c++) {
            byte[] base = seeds.get(c % seeds.size());
            // the 5 MB golden array file gets few cases: its structure is at the start and the end
            if (base.length > 1_000_000 && rnd.nextInt(20) != 0) {
                base = seeds.get(0);
            }
            byte[] mutant = mutate(base, seeds, rnd);
            Files.write(input, mutant);
            current.set(c);
            caseStart.set(System.nanoTime());
            String outcome = runCase(input, c % 7 == 0);
            if (outcome == null) {
                readOk++;
            } else if (outcome.equals("format")) {
                formatErrors++;
            } else {
                failures++;
                System.out.println("FAIL case " + c + ": " + outcome);
                Files.write(corpus.resolve("fail-" + seed + "-" + c + ".mmdpickle"), mutant);
            }
        }
        System.out.println("cases " + cases + " failures " + failures + " read " + readOk + " format-errors " + formatErrors);
    }

    /** Null when everything read, "format" for PickleFormatException, else what went wrong. */
    static String runCase(Path input, boolean writable) {
        try (MmapDict m = writable ? MmapDict.open(input) : MmapDict.openReadOnly(input)) {
            m.commitNumber();
            m.entries();
            for (String k : new ArrayList<>(m.keySet())) {
                Object v = m.get(k);
                if (v instanceof NDArray a && a.size() > 0) {
                    a.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, a.byteSize() - 1);
                }
            }
            return null;
        } catch (PickleFormatException e) {
            return "format";
        } catch (Throwable t) {
            return t.toString();
        }
    }

    static byte[] mutate(byte[] base, List<byte[]> seeds, Random rnd) {
        byte[] b = base.clone();
        int kinds = 1 + rnd.nextInt(3);
        for (int k = 0; k < kinds && b.length > 0; k++) {
            switch (rnd.nextInt(7)) {
                case 0 -> {   // bit flips
                    for (int i = 0, n = 1 + rnd.nextInt(8); i < n; i++) {
                        int at = pos(b, rnd);
                        b[at] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                case 1 -> b[pos(b, rnd)] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : rnd.nextBoolean() ? 0 : 0xFF);
                case 2 -> b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));   // truncation
                case 3 -> {   // a huge length after an opcode that carries one
                    int at = pos(b, rnd);
                    for (int i = at; i < b.length - 9; i++) {
                        int op = b[i] & 0xFF;
                        if (op == 0x95 || op == 0x8E || op == 0x96 || op == 0x42 || op == 0x8D || op == 0x8A || op == 0x8B) {
                            long huge = switch (rnd.nextInt(4)) {
                                case 0 -> -1L;
                                case 1 -> Long.MAX_VALUE;
                                case 2 -> 1L << 40;
                                default -> (long) rnd.nextInt(1 << 20);
                            };
                            for (int j = 0; j < 8 && i + 1 + j < b.length; j++) {
                                b[i + 1 + j] = (byte) (huge >>> (8 * j));
                            }
                            break;
                        }
                    }
                }
                case 4 -> {   // splice a range of another seed (or this one) in
                    byte[] other = seeds.get(rnd.nextInt(seeds.size()));
                    if (other.length > 0) {
                        int from = rnd.nextInt(other.length);
                        int len = Math.min(other.length - from, 1 + rnd.nextInt(64));
                        int to = pos(b, rnd);
                        System.arraycopy(other, from, b, to, Math.min(len, b.length - to));
                    }
                }
                case 5 -> {   // a frame length of zero somewhere
                    int at = pos(b, rnd);
                    for (int i = at; i < b.length - 9; i++) {
                        if ((b[i] & 0xFF) == 0x95) {
                            for (int j = 1; j <= 8; j++) {
                                b[i + j] = 0;
                            }
                            break;
                        }
                    }
                }
                default -> {   // duplicate a range (repeated entries, memo references)
                    int from = pos(b, rnd);
                    int len = Math.min(b.length - from, 1 + rnd.nextInt(200));
                    byte[] c = new byte[b.length + len];
                    int at = pos(b, rnd);
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, from, c, at, len);
                    System.arraycopy(b, at, c, at + len, b.length - at);
                    b = c;
                }
            }
        }
        return b;
    }

    private static int pos(byte[] b, Random rnd) {
        // most structure is near the start (header, first entries): bias towards it
        int bound = rnd.nextInt(4) == 0 ? b.length : Math.min(b.length, 600);
        return rnd.nextInt(Math.max(1, bound));
    }

    /** A file written by this library: generic values, arrays in both layouts, masked, deleted entries. */
    static byte[] javaWritten(Path work) throws IOException {
        Path p = work.resolve("java-written.mmdpickle");
        Files.deleteIfExists(p);
        try (MmapDict m = MmapDict.open(p)) {
            m.put("list", List.of(1, "two", 3.5, PyTuple.of(List.of("shared"), List.of("shared"))));
            List<Object> shared = List.of("s");
            m.put("shared", List.of(shared, shared, shared));
            m.put("f32", new float[] {1, 2, 3});
            m.set("orig", new double[] {4, 5}, ArrayFormat.ORIGINAL);
            m.put("masked", new MaskedArray(NDArray.of(new long[] {1, 2}), NDArray.of(new boolean[] {true, false})));
            m.put("gone", "deleted later");
            m.remove("gone");
            m.put("u", NDArray.zeros(DType.parse("<U3"), 2));
            m.put("big", new byte[3000]);
        }
        return Files.readAllBytes(p);
    }
}
