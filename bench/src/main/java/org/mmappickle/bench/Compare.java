package org.mmappickle.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.mmappickle.ArrayWriter;
import org.mmappickle.DType;
import org.mmappickle.Durability;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;

/**
 * The side-by-side harness (bench/compare.sh): in one session, measures our ingest and read of a
 * large float32 array against numpy (through python3) and against the machine's limits (memcpy in
 * RAM, page-cache writes with dd and one large pwrite), each with and without a final fsync, plus
 * the small-operation targets (open and list, get, put, two processes, 64 GiB allocation), and
 * prints one Markdown table of medians with min-max and the ratios the targets name.
 *
 * <p>Progress goes to stderr, the tables to stdout (and to {@code --out FILE}). See bench/README.md.
 */
public final class Compare {
    private static final double GB = 1e9;
    /** The small value of the put and get figures. */
    static final String VALUE = Bench.smallValue(123_456);
    private static final List<String> ALL_SECTIONS = List.of("ingest", "read", "small", "big");
    /** The sections a run without {@code --sections} runs ("big" writes tens of GiB: asked for by name). */
    private static final List<String> DEFAULT_SECTIONS = List.of("ingest", "read", "small");
    private static final List<String> PREFAULT_MODES = List.of("huge", "none", "cold");

    private Compare() {
    }

    // ------------------------------------------------------------------------------------ options

    static final class Opts {
        /** The array size of the figures being taken now (the first of {@link #sizes} outside the ingest loop). */
        long size = Bench.GIB;
        /** The ingest section runs at each of these sizes; read and small at the first. */
        List<Long> sizes = new ArrayList<>(List.of(Bench.GIB));
        int reps = 9;
        int smallReps = 7;
        boolean quick;
        Path dir;
        String python = "python3";
        /**
         * What precedes each timed write, one column of the ingest table per mode, run interleaved:
         * "huge" (touch and free huge pages), "none", or "cold" (wait 3 s). The first is the mode
         * the targets are computed from.
         */
        List<String> prefaults = new ArrayList<>(List.of("huge", "cold"));
        boolean fsync = true;
        int[] keys = {1000, 10_000, 100_000};
        double concurrentSeconds = 2;
        int concurrentReps = 3;
        /** How many processes put into one file at once, for the concurrent figures. */
        int[] procs = {1, 2};
        int allocReps = 11;
        Path out;
        boolean keep;
        /** Wait for an idle machine before timed runs and redo runs that shared the cores with other work. */
        boolean waitQuiet = true;
        Set<String> sections = new LinkedHashSet<>(DEFAULT_SECTIONS);
        /** The sizes of the larger-than-RAM section ("big"), each copied from a file-backed source. */
        List<Long> bigSizes = new ArrayList<>(List.of(Bench.GIB, 4 * Bench.GIB, 16 * Bench.GIB, 32 * Bench.GIB));
        /** The heap limit of the larger-than-RAM section's JVM. */
        String bigXmx = "256m";
        /** The ingest writers to run, by id; a trailing * takes a prefix (null: all). */
        List<String> writers;
        String commandLine;
    }

    static final String USAGE = """
            usage: bench/compare.sh [options]
              --size SIZE[,SIZE] array size for ingest and read (default 1g; shrunk to fit free RAM and disk);
                                 with several (1g,4g) the ingest section runs at each, read and small at the first
              --reps N           timed runs per ingest/read figure (default 9; a warm-up run is not counted)
              --quick            smoke run in well under a minute: --size 64m --reps 3, keys 1000,10000
              --dir DIR          where the files go (default: a new directory under /tmp, deleted at the end)
              --python EXE       python3 with numpy (default python3); numpy rows are skipped when it fails
              --keys A,B,C       key counts for the small-operation figures (default 1000,10000,100000)
              --sections S,...   any of ingest,read,small,big (default ingest,read,small)
              --big-sizes A,B..  sizes of the larger-than-RAM section "big" (default 1g,4g,16g,32g): each is
                                 set() from a read-only mapping of a source file, in a JVM with -Xmx256m
              --writers W,...    only these ingest writers, by id; a trailing * takes every id that starts
                                 so (e.g. ours-pending*,ours-segment,np-tofile,java-pwrite; default all)
              --procs A,B,...    process counts for the concurrent-put figures (default 1,2)
              --no-fsync         skip the "+ fsync" column
              --prefault M[,M]   before each timed write: huge (touch and free huge-page memory), none
                                 (nothing), cold (wait 3 s, so the host takes free pages back); one ingest
                                 column per mode, side by side (default huge,cold; --quick: huge)
              --out FILE         also write the Markdown report to FILE
              --keep             keep the directory of files
              --no-wait          do not wait for an idle machine before timed runs, nor redo runs that
                                 shared the cores with other work
            """;

    static Opts parse(String... args) {
        Opts o = new Opts();
        List<String> a = Arrays.asList(args);
        if (a.contains("--quick")) {
            o.quick = true;
            o.size = 64 * Bench.MIB;
            o.sizes = new ArrayList<>(List.of(o.size));
            o.prefaults = new ArrayList<>(List.of("huge"));
            o.bigSizes = new ArrayList<>(List.of(16 * Bench.MIB, 64 * Bench.MIB));
            o.reps = 3;
            o.smallReps = 3;
            o.keys = new int[] {1000, 10_000};
            o.concurrentSeconds = 0.5;
            o.concurrentReps = 1;
            o.allocReps = 3;
        }
        for (int i = 0; i < args.length; i++) {
            String s = args[i];
            switch (s) {
                case "--quick" -> {
                }
                case "--size" -> {
                    o.sizes = sizes(args[++i]);
                    o.size = o.sizes.get(0);
                }
                case "--big-sizes" -> o.bigSizes = sizes(args[++i]);
                case "--reps" -> o.reps = Integer.parseInt(args[++i]);
                case "--dir" -> o.dir = Path.of(args[++i]);
                case "--python" -> o.python = args[++i];
                case "--keys" -> o.keys = Arrays.stream(args[++i].split(",")).map(String::trim)
                        .mapToInt(x -> (int) Bench.parseSize(x)).toArray();
                case "--procs" -> o.procs = Arrays.stream(args[++i].split(",")).map(String::trim)
                        .mapToInt(Integer::parseInt).toArray();
                case "--sections" -> {
                    o.sections = new LinkedHashSet<>();
                    for (String x : args[++i].split(",")) {
                        if (!ALL_SECTIONS.contains(x.trim())) {
                            throw new IllegalArgumentException("unknown section " + x + " (want " + ALL_SECTIONS + ")");
                        }
                        o.sections.add(x.trim());
                    }
                }
                case "--writers" -> o.writers = Arrays.stream(args[++i].split(",")).map(String::trim).toList();
                case "--no-fsync" -> o.fsync = false;
                case "--no-prefault" -> o.prefaults = new ArrayList<>(List.of("none"));
                case "--prefault" -> {
                    o.prefaults = new ArrayList<>();
                    for (String m : args[++i].split(",")) {
                        if (!PREFAULT_MODES.contains(m.trim()) || o.prefaults.contains(m.trim())) {
                            throw new IllegalArgumentException("--prefault wants huge, none or cold (comma-separated, each once)");
                        }
                        o.prefaults.add(m.trim());
                    }
                }
                case "--out" -> o.out = Path.of(args[++i]);
                case "--keep" -> o.keep = true;
                case "--no-wait" -> o.waitQuiet = false;
                case "-h", "--help" -> throw new HelpRequested();
                default -> throw new IllegalArgumentException("unknown option " + s + "\n" + USAGE);
            }
        }
        for (long size : o.sizes) {
            if (size < Bench.MIB || size % Bench.MIB != 0) {
                throw new IllegalArgumentException("--size must be a whole number of MiB, at least 1m");
            }
        }
        for (long size : o.bigSizes) {
            if (size < Bench.MIB || size % Bench.MIB != 0) {
                throw new IllegalArgumentException("--big-sizes must be whole numbers of MiB, at least 1m");
            }
        }
        o.commandLine = "bench/compare.sh" + (args.length == 0 ? "" : " " + String.join(" ", args));
        return o;
    }

    private static List<Long> sizes(String list) {
        List<Long> out = new ArrayList<>();
        for (String x : list.split(",")) {
            out.add(Bench.parseSize(x.trim()));
        }
        return out;
    }

    static final class HelpRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    public static void main(String[] args) throws Exception {
        try {
            String report = run(args);
            System.out.print(report);
        } catch (HelpRequested h) {
            System.out.print(USAGE);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /** Runs the harness and returns the Markdown report (also printed to {@code --out}). */
    public static String run(String... args) throws Exception {
        Opts o = parse(args);
        Compare.Run r = new Compare.Run(o);
        try {
            return r.run();
        } finally {
            r.cleanup();
        }
    }

    // ------------------------------------------------------------------------------------ statistics

    /** The samples of one figure, in its display unit. */
    record Stats(double[] v) {
        double median() {
            double[] s = v.clone();
            Arrays.sort(s);
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }

        double min() {
            return Arrays.stream(v).min().orElse(Double.NaN);
        }

        double max() {
            return Arrays.stream(v).max().orElse(Double.NaN);
        }
    }

    private static final class Results {
        private final Map<String, List<Double>> samples = new LinkedHashMap<>();
        private final Map<String, String> notes = new LinkedHashMap<>();

        void add(String id, double value) {
            samples.computeIfAbsent(id, k -> new ArrayList<>()).add(value);
        }

        Stats get(String id) {
            List<Double> l = samples.get(id);
            return l == null || l.isEmpty() ? null : new Stats(l.stream().mapToDouble(Double::doubleValue).toArray());
        }

        void note(String id, String text) {
            notes.put(id, text);
        }

        String noteOf(String id) {
            return notes.get(id);
        }
    }

    // ------------------------------------------------------------------------------------ the run

    /** One session of the harness. */
    static final class Run {
        private final Opts o;
        private final Results res = new Results();
        private final PrintStream log = System.err;
        private final List<String> remarks = new ArrayList<>();
        private Path dir;
        private boolean ownDir;
        private Arena arena;
        private MemorySegment src;
        private float[] heap;
        private Py py;
        private String pyProblem;
        private long n;
        private String loadBefore;
        /** Gate statistics: runs redone because other work used the cores, gates that gave up, time waited. */
        private int redone;
        private int gaveUp;
        private long waitedMillis;
        /** The prefault mode of the ingest run being timed now (one of {@link Opts#prefaults}). */
        private String mode = "huge";
        /** True once a size had its float[] (the row stays in every table; a size without one reads n/a). */
        private boolean heapRow;
        /** Prefix of the result ids of the size being measured: empty for the first size, "4 GiB:" for others. */
        private String scope = "";
        /** The larger-than-RAM section's rows: size, GB/s, peak heap, collections, source state. */
        private final List<String[]> bigRows = new ArrayList<>();

        Run(Opts o) {
            this.o = o;
        }

        String run() throws Exception {
            if (o.dir == null) {
                dir = Files.createTempDirectory("mmappickle-bench-");
                ownDir = true;
            } else {
                dir = o.dir;
                Files.createDirectories(dir);
            }
            loadBefore = Bench.loadAverage();
            // each size in turn: its own data, python worker and ingest table; read at the first size only
            List<Long> fitted = new ArrayList<>();
            for (int i = 0; i < o.sizes.size(); i++) {
                boolean first = i == 0;
                o.size = fitSize(o.sizes.get(i), first && o.sections.contains("read"));
                fitted.add(o.size);
                scope = first ? "" : Bench.formatSize(o.size) + ":";
                boolean needData = o.sections.contains("ingest") || (first && o.sections.contains("read"));
                if (!needData) {
                    continue;
                }
                prepareData();
                try {
                    if (o.sections.contains("ingest")) {
                        ingest();
                    }
                    if (first && o.sections.contains("read")) {
                        read();
                    }
                } finally {
                    if (i < o.sizes.size() - 1) {
                        releaseData();
                    }
                }
            }
            o.sizes = fitted;
            o.size = fitted.get(0);
            scope = "";
            n = o.size / 4;
            if (o.sections.contains("small")) {
                small();
            }
            if (o.sections.contains("big")) {
                big();
            }
            String report = report();
            if (o.out != null) {
                Files.writeString(o.out, report);
            }
            return report;
        }

        /** The float32 source data of the current size: off-heap on huge pages, a float[] copy, numpy's copy. */
        private void prepareData() {
            n = o.size / 4;
            arena = Arena.ofShared();
            log.printf("preparing %s of float32 data (off-heap%s)%n", Bench.formatSize(o.size),
                    heapUsed() ? ", and a float[] on the heap" : "");
            src = Bench.allocateHuge(o.size, arena);
            Bench.fillPattern(src);
            if (!heapUsed()) {
                remarks.add("No float[] was made: no writer selected by --writers uses one.");
            } else if (n <= Integer.MAX_VALUE - 8 && o.size + 256 * Bench.MIB < Runtime.getRuntime().maxMemory()) {
                heap = new float[(int) n];
                MemorySegment.copy(src, 0, MemorySegment.ofArray(heap), 0, o.size);
                heapRow = true;
            } else {
                remarks.add("The float[] row was skipped at " + Bench.formatSize(o.size)
                        + ": it does not fit in a Java array or in the heap (-Xmx; set JAVA_OPTS).");
            }
            startPython();
        }

        /** Frees the data of one size before the next is made (RAM holds a few copies of at most one size). */
        private void releaseData() {
            if (py != null) {
                py.close();
                py = null;
            }
            heap = null;
            arena.close();
            arena = null;
            src = null;
            System.gc();
        }

        void cleanup() {
            if (py != null) {
                py.close();
            }
            if (arena != null) {
                arena.close();
            }
            if (ownDir && !o.keep) {
                Bench.deleteTree(dir);
            } else if (dir != null) {
                log.println("files kept in " + dir);
            }
        }

        /** Returns the array size shrunk until the run fits the free disk and the available RAM. */
        private long fitSize(long asked, boolean withRead) throws IOException {
            long disk = Files.getFileStore(dir).getUsableSpace();
            long ram = memAvailable();
            long size = asked;
            // disk: the read file, one ingest file, the small files, 1 GiB to spare
            // RAM with the read section: our data, float[], memcpy target, prefault; numpy's array and prefault;
            // 2 files in the page cache. Ingest alone: our data, numpy's array, a prefault, the file written,
            // and the float[] when a selected writer uses it
            long copies = withRead ? 9 : 4 + (heapUsed() ? 1 : 0);
            while (size > 64 * Bench.MIB && (3 * size + Bench.GIB > disk || (ram > 0 && copies * size > ram))) {
                size /= 2;
            }
            if (size != asked) {
                remarks.add(String.format(Locale.ROOT, "--size %s shrunk to %s to fit %.1f GiB of free disk in %s and %.1f GiB"
                        + " of available RAM.", Bench.formatSize(asked), Bench.formatSize(size), disk / (double) Bench.GIB,
                        dir, ram / (double) Bench.GIB));
                log.println(remarks.get(remarks.size() - 1));
            }
            return size;
        }

        /** Whether {@code --writers} selects the writer with this id (every writer without it). */
        private boolean selected(String id) {
            return o.writers == null || o.writers.stream().anyMatch(p -> p.endsWith("*") ? id.startsWith(p.substring(0, p.length() - 1))
                    : id.equals(p));
        }

        /** Whether a selected writer reads the float[]. */
        private boolean heapUsed() {
            return selected("ours-array") || selected("ours-pending-copy-heap");
        }

        private void startPython() {
            try {
                Path script = dir.resolve("numpy_worker.py");
                try (InputStream in = Compare.class.getResourceAsStream("numpy_worker.py")) {
                    Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
                }
                py = Py.start(o.python, script, o.size);
            } catch (IOException | RuntimeException e) {
                pyProblem = o.python + " with numpy did not start (" + e.getMessage() + "): numpy rows skipped";
                remarks.add(pyProblem + ".");
                log.println(pyProblem);
                py = null;
            }
        }

        /** Busy share of the 2 cores above which the machine is not idle (nothing of ours runs then). */
        private static final double IDLE = 0.15;
        /** Busy share during a single-threaded timed run above which other work shared the cores. */
        private static final double SHARED = 0.75;
        /** After this much waiting in total, stop waiting for an idle machine (and say so). */
        private static final long WAIT_BUDGET_MILLIS = 10 * 60_000;

        /** Waits (bounded) for the machine to be idle before a timed run. */
        void gate() throws InterruptedException {
            if (!o.waitQuiet || waitedMillis > WAIT_BUDGET_MILLIS) {
                return;
            }
            long w = Cpu.awaitQuiet(IDLE, 60_000);
            if (w < 0) {
                gaveUp++;
                waitedMillis += 60_000;
                log.println("  (the machine stayed busy for 60 s: measuring anyway)");
            } else {
                waitedMillis += w;
                if (w > 2000) {
                    log.printf("  (waited %.0f s for other work to finish)%n", w / 1000.0);
                }
            }
        }

        /** True when a single-threaded run that started at {@code before} shared the cores with other work. */
        boolean shared(Cpu before) {
            return o.waitQuiet && Cpu.now().busySince(before) > SHARED;
        }

        private MmapDict.Options opts(boolean fsync) {
            return new MmapDict.Options().durability(fsync ? Durability.DURABLE : Durability.PAGE_CACHE);
        }

        // -------------------------------------------------------------------------------- ingest

        /** One way of writing the array to a new file; returns the seconds it took. */
        interface WriteOp {
            double run(Path file, boolean fsync) throws Exception;
        }

        record Writer(String id, String label, boolean javaSide, WriteOp op) {
        }

        private List<Writer> writers() {
            List<Writer> w = new ArrayList<>();
            if (heap != null || heapRow) {
                w.add(new Writer("ours-array", "mmappickle `set(key, float[])`", true, (f, fs) -> {
                    long t0 = System.nanoTime();
                    try (MmapDict d = MmapDict.open(f, opts(fs))) {
                        d.set("x", heap);
                    }
                    return (System.nanoTime() - t0) / 1e9;
                }));
            }
            w.add(new Writer("ours-segment", "mmappickle `set(key, NDArray.wrap(segment))`", true, (f, fs) -> {
                long t0 = System.nanoTime();
                try (MmapDict d = MmapDict.open(f, opts(fs))) {
                    d.set("x", NDArray.wrap(src, DType.FLOAT32, n));
                }
                return (System.nanoTime() - t0) / 1e9;
            }));
            w.add(new Writer("ours-segment-2t", "mmappickle `set(key, NDArray.wrap(segment))`, `ingestThreads(2)`", true, (f, fs) -> {
                long t0 = System.nanoTime();
                try (MmapDict d = MmapDict.open(f, opts(fs).ingestThreads(2))) {
                    d.set("x", NDArray.wrap(src, DType.FLOAT32, n));
                }
                return (System.nanoTime() - t0) / 1e9;
            }));
            pendingWriters(w);
            w.add(new Writer("ours-allocate", "mmappickle `allocate` + fill (copy into the mapped view)", true, (f, fs) -> {
                long t0 = System.nanoTime();
                try (MmapDict d = MmapDict.open(f, opts(fs))) {
                    NDArray a = d.allocate("x", DType.FLOAT32, n);
                    MemorySegment.copy(src, 0, a.segment(), 0, o.size);
                    if (fs) {
                        d.flush();
                    }
                }
                return (System.nanoTime() - t0) / 1e9;
            }));
            w.add(new Writer("java-pwrite", "Java `FileChannel.write` (one pwrite of the segment)", true, (f, fs) -> {
                long t0 = System.nanoTime();
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    for (long off = 0; off < o.size; ) {
                        long len = Math.min(Bench.GIB, o.size - off);
                        ByteBuffer b = src.asSlice(off, len).asByteBuffer();
                        while (b.hasRemaining()) {
                            ch.write(b, off + b.position());
                        }
                        off += len;
                    }
                    if (fs) {
                        ch.force(true);
                    }
                }
                return (System.nanoTime() - t0) / 1e9;
            }));
            if (py != null) {
                // the worker prefaults itself when the mode of the run being timed asks for it
                w.add(new Writer("np-tofile", "numpy `tofile`", false, (f, fs) -> py.write("tofile", f, fs, mode.equals("huge"))));
                w.add(new Writer("np-save", "numpy `save`", false, (f, fs) -> py.write("save", f, fs, mode.equals("huge"))));
                w.add(new Writer("np-memmap", "numpy `open_memmap` + copy", false,
                        (f, fs) -> py.write("memmap", f, fs, mode.equals("huge"))));
                w.add(new Writer("os-write", "Python `os.write`", false, (f, fs) -> py.write("oswrite", f, fs, mode.equals("huge"))));
            }
            w.add(new Writer("dd", "`dd if=/dev/zero bs=" + Bench.formatSize(ddBlock()).replace(" ", "") + "`", false,
                    this::dd));
            if (o.writers != null) {
                w.removeIf(x -> !selected(x.id()));
            }
            return w;
        }

        // ----------------------------------------------------------------- allocate, fill, publish

        /**
         * The ways of writing an array through {@code allocatePending} (issue 16 item 3), each timed
         * from {@code open} to {@code close} like the other writers: filling the view as
         * {@code array()} prepares it by default (huge pages, populated at once) and as the
         * diagnostic {@code -Dmmappickle.fill} modes prepare it, or {@code copyFrom} through the
         * descriptor from the off-heap segment or the heap array.
         */
        private void pendingWriters(List<Writer> w) {
            for (String mode : List.of("populate", "hugepage", "fault")) {
                String label = switch (mode) {
                    case "populate" -> "mmappickle `allocatePending` + fill `array()` (default: huge pages, populated at once) + `publish`";
                    case "hugepage" -> "mmappickle `allocatePending` + fill `array()`, `-Dmmappickle.fill=hugepage` (huge pages, faulted) + `publish`";
                    default -> "mmappickle `allocatePending` + fill `array()`, `-Dmmappickle.fill=fault` (a fault per 4 KiB page) + `publish`";
                };
                w.add(new Writer(mode.equals("populate") ? "ours-pending-fill" : "ours-pending-fill-" + mode, label, true, (f, fs) -> {
                    String before = System.setProperty("mmappickle.fill", mode);
                    try {
                        long t0 = System.nanoTime();
                        try (MmapDict d = MmapDict.open(f, opts(fs)); ArrayWriter a = d.allocatePending("x", DType.FLOAT32, n)) {
                            MemorySegment.copy(src, 0, a.array().segment(), 0, o.size);
                            a.publish();
                        }
                        return (System.nanoTime() - t0) / 1e9;
                    } finally {
                        if (before == null) {
                            System.clearProperty("mmappickle.fill");
                        } else {
                            System.setProperty("mmappickle.fill", before);
                        }
                    }
                }));
            }
            w.add(new Writer("ours-pending-copy", "mmappickle `allocatePending` + `copyFrom(segment)` + `publish`", true, (f, fs) -> {
                long t0 = System.nanoTime();
                try (MmapDict d = MmapDict.open(f, opts(fs)); ArrayWriter a = d.allocatePending("x", DType.FLOAT32, n)) {
                    a.copyFrom(src);
                    a.publish();
                }
                return (System.nanoTime() - t0) / 1e9;
            }));
            w.add(new Writer("ours-pending-copy-2t", "mmappickle `allocatePending` + `copyFrom(segment)` + `publish`, `ingestThreads(2)`",
                    true, (f, fs) -> {
                long t0 = System.nanoTime();
                try (MmapDict d = MmapDict.open(f, opts(fs).ingestThreads(2)); ArrayWriter a = d.allocatePending("x", DType.FLOAT32, n)) {
                    a.copyFrom(src);
                    a.publish();
                }
                return (System.nanoTime() - t0) / 1e9;
            }));
            if (heap != null) {
                w.add(new Writer("ours-pending-copy-heap", "mmappickle `allocatePending` + `copyFrom(MemorySegment.ofArray(float[]))` + `publish`",
                        true, (f, fs) -> {
                    long t0 = System.nanoTime();
                    try (MmapDict d = MmapDict.open(f, opts(fs)); ArrayWriter a = d.allocatePending("x", DType.FLOAT32, n)) {
                        a.copyFrom(MemorySegment.ofArray(heap));
                        a.publish();
                    }
                    return (System.nanoTime() - t0) / 1e9;
                }));
            }
        }

        /** The allocate + fill + publish rows against numpy's {@code tofile} of the same run (issue 16: >= 0.9). */
        private String pendingTable() {
            Stats tofile = res.get(scope + "ingest/np-tofile/cache");
            Stats segment = res.get(scope + "ingest/ours-segment/cache");
            List<Writer> pending = writers().stream().filter(x -> x.id().startsWith("ours-pending")).toList();
            if (tofile == null || pending.stream().allMatch(x -> res.get(scope + "ingest/" + x.id() + "/cache") == null)) {
                return "";
            }
            StringBuilder b = new StringBuilder("## Allocate, fill, publish" + (scope.isEmpty() ? "" : " (" + scope.substring(0, scope.length() - 1) + ")") + " (issue 16 item 3; same run)\n\n");
            Stats tofileCpu = res.get(scope + "cpu/np-tofile/cache");
            b.append("| way | page cache (GB/s) | / numpy `tofile` (").append(fmt(tofile.median(), 2)).append(" GB/s) | / `set(segment)`")
                    .append(segment == null ? "" : " (" + fmt(segment.median(), 2) + " GB/s)").append(" | >= 0.9 of tofile | GB per CPU-second")
                    .append(" | / numpy `tofile`").append(tofileCpu == null ? "" : " (" + fmt(tofileCpu.median(), 2) + ")")
                    .append(" |\n|---|---|---|---|---|---|---|\n");
            for (Writer x : pending) {
                Stats s = res.get(scope + "ingest/" + x.id() + "/cache");
                if (s == null) {
                    continue;
                }
                double r = s.median() / tofile.median();
                Stats c = res.get(scope + "cpu/" + x.id() + "/cache");
                b.append("| ").append(x.label()).append(" | ").append(cell(s, 2)).append(" | ").append(fmt(r, 3)).append(" | ")
                        .append(segment == null ? "-" : fmt(s.median() / segment.median(), 3)).append(" | ")
                        .append(r >= 0.9 ? "yes" : "**no**").append(" | ").append(c == null ? "-" : cell(c, 2)).append(" | ")
                        .append(c == null || tofileCpu == null ? "-" : fmt(c.median() / tofileCpu.median(), 3)).append(" |\n");
            }
            b.append("\nGB per CPU-second: the array's size over the CPU time (user and system, every thread) of the process")
                    .append(" that wrote it, during the timed write: the cost of each way, which other work on the cores moves")
                    .append(" far less than the wall time. A way that runs two threads can be faster than `tofile` in wall time")
                    .append(" and still cost more CPU.\n");
            return b.append('\n').toString();
        }

        private long ddBlock() {
            long bs = Bench.MIB;   // a cache-resident buffer, as `dd bs=1M` is usually run (a 64 MiB one pays its own first touch)
            while (o.size % bs != 0) {
                bs /= 2;
            }
            return bs;
        }

        private double dd(Path f, boolean fsync) throws IOException, InterruptedException {
            long bs = ddBlock();
            List<String> cmd = new ArrayList<>(List.of("dd", "if=/dev/zero", "of=" + f, "bs=" + bs, "count=" + (o.size / bs)));
            if (fsync) {
                cmd.add("conv=fsync");
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("LC_ALL", "C");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException("dd failed: " + out.trim());
            }
            Matcher m = Pattern.compile("copied, ([0-9.e+-]+) s").matcher(out);
            if (!m.find()) {
                throw new IOException("cannot read dd's time from: " + out.trim());
            }
            return Double.parseDouble(m.group(1));
        }

        private void ingest() throws Exception {
            List<Writer> ws = new ArrayList<>(writers());
            ws.removeIf(w -> w.id().equals("ours-array") && heap == null);
            Path f = dir.resolve("ingest.bin");
            List<Boolean> modes = o.fsync ? List.of(false, true) : List.of(false);
            log.printf("ingest: %d writers x %s x prefault %s x (1 warm-up + %d runs) of %s%n", ws.size(),
                    o.fsync ? "{page cache, fsync}" : "{page cache}", o.prefaults, o.reps, Bench.formatSize(o.size));
            for (int rep = -1; rep < o.reps; rep++) {
                for (boolean fsync : modes) {
                    for (String m : o.prefaults) {
                        if (rep < 0 && (fsync || !m.equals(o.prefaults.get(0)))) {
                            continue;   // the warm-up only needs the JIT and the file system warm
                        }
                        mode = m;
                        // a fresh random order per run (seeded: reproducible), so that no writer always follows the same one
                        List<Writer> order = new ArrayList<>(ws);
                        java.util.Collections.shuffle(order, new java.util.Random(31L * rep + (fsync ? 1 : 0) + 7L * o.prefaults.indexOf(m)));
                        for (Writer w : order) {
                            double t = 0;
                            double cpu0 = 0;
                            boolean failed = false;
                            for (int attempt = 0; ; attempt++) {
                                Bench.delete(f);
                                Bench.syncAll();
                                gate();
                                if (mode.equals("cold")) {
                                    Thread.sleep(3000);
                                } else if (mode.equals("huge") && (w.javaSide() || w.id().equals("dd"))) {
                                    Bench.prefault(o.size + 64 * Bench.MIB);   // the python worker prefaults itself
                                }
                                Cpu c0 = Cpu.now();
                                cpu0 = Cpu.processSeconds();
                                try {
                                    t = w.op().run(f, fsync);
                                } catch (Exception e) {
                                    remarks.add(w.label() + (fsync ? " + fsync" : "") + " failed: " + e.getMessage());
                                    log.println(w.label() + " failed: " + e);
                                    failed = true;
                                    break;
                                } finally {
                                    Bench.delete(f);
                                }
                                if (attempt < 3 && shared(c0)) {
                                    redone++;
                                    log.printf("  (other work shared the cores during %s: run again)%n", w.label());
                                    continue;
                                }
                                break;
                            }
                            if (failed) {
                                continue;
                            }
                            if (rep >= 0) {
                                res.add(ingestId(w.id(), fsync, mode), o.size / t / GB);
                                // CPU time (this JVM's, or the python worker's) barely moves with other work on the cores
                                double cpu = w.javaSide() ? Cpu.processSeconds() - cpu0 : py != null && w.id().startsWith("np-")
                                        || w.id().equals("os-write") ? py.lastCpu : Double.NaN;
                                if (cpu > 0) {
                                    res.add(ingestId(w.id(), fsync, mode).replace("ingest/", "cpu/"), o.size / cpu / GB);
                                }
                            }
                            log.printf(Locale.ROOT, "  %s%-60s %s %-5s %7.2f GB/s%n", rep < 0 ? "(warm-up) " : "", w.label(),
                                    fsync ? "fsync" : "cache", mode, o.size / t / GB);
                        }
                    }
                }
            }
            // memcpy in RAM: the ceiling for any copy into the page cache
            try (Arena a = Arena.ofConfined()) {
                MemorySegment dst = Bench.allocateHuge(o.size, a);
                dst.fill((byte) 0);
                for (int rep = -1; rep < o.reps; rep++) {
                    gate();
                    long t0 = System.nanoTime();
                    MemorySegment.copy(src, 0, dst, 0, o.size);
                    double t = (System.nanoTime() - t0) / 1e9;
                    if (rep >= 0) {
                        res.add(scope + "memcpy", o.size / t / GB);
                    }
                }
            }
            log.printf(Locale.ROOT, "  memcpy RAM to RAM: %.2f GB/s%n", res.get(scope + "memcpy").median());
        }

        /**
         * The result id of one ingest figure: {@code ingest/WRITER/cache} or {@code /fsync} for the
         * first size and the first prefault mode (the figures the targets use), with the size as a
         * prefix ({@code 4 GiB:ingest/...}) and the mode as a suffix ({@code .../cache@cold}) otherwise.
         */
        private String ingestId(String writer, boolean fsync, String prefaultMode) {
            return scope + "ingest/" + writer + (fsync ? "/fsync" : "/cache")
                    + (prefaultMode.equals(o.prefaults.get(0)) ? "" : "@" + prefaultMode);
        }

        // -------------------------------------------------------------------------------- read

        private void read() throws Exception {
            Path f = dir.resolve("read.mmdpickle");
            Bench.delete(f);
            long payload;
            try (MmapDict d = MmapDict.open(f)) {
                d.set("x", NDArray.wrap(src, DType.FLOAT32, n));
                payload = Bench.payloadOffset(d, "x", o.size);
            }
            Bench.syncAll();
            log.printf("read: sums of %s (payload at offset %d)%n", Bench.formatSize(o.size), payload);
            int reps = Math.max(o.reps, 5);
            // the in-RAM copy is made now, as the file was, so that both are equally fresh in memory
            try (Arena ramArena = Arena.ofShared(); MmapDict d = MmapDict.openReadOnly(f)) {
                MemorySegment ram = Bench.allocateHuge(o.size, ramArena);
                MemorySegment.copy(src, 0, ram, 0, o.size);
                MemorySegment ram4k = ramArena.allocate(o.size, 4096);
                MemorySegment.copy(src, 0, ram4k, 0, o.size);
                NDArray view = (NDArray) d.get("x");
                MemorySegment mapped = view.segment();
                float expect = Bench.sum(ram);
                long slice = Math.min(o.size, 4 * Bench.MIB);
                for (int i = 0; i < 300; i++) {   // JIT warm-up of the loop over both kinds of segment
                    Bench.sum(ram.asSlice(0, slice));
                    Bench.sum(mapped.asSlice(0, slice));
                }
                for (int i = 0; i < 3; i++) {   // and whole passes, which also map every page in
                    Bench.sum(ram);
                    Bench.sum(ram4k);
                    Bench.sum(mapped);
                }
                long pmd = filePmdMapped();
                if (pmd >= 0) {
                    res.note("pmd", String.format(Locale.ROOT, "%.1f%%", 100.0 * Math.min(pmd, o.size) / o.size));
                }
                if (Float.compare(Bench.sum(mapped), expect) != 0) {
                    remarks.add("The mapped sum differs from the in-RAM sum: the file does not hold the data.");
                }
                if (py != null) {
                    py.call("summap " + f + " " + payload + " " + n);
                    py.call("sumram");
                }
                int extra = 0;
                for (int rep = 0; rep < reps; rep++) {
                    gate();
                    Cpu c0 = Cpu.now();
                    long t0 = System.nanoTime();
                    Bench.sum(ram);
                    long t1 = System.nanoTime();
                    Bench.sum(mapped);
                    long t2 = System.nanoTime();
                    Bench.sum(ram4k);
                    long t3 = System.nanoTime();
                    if (shared(c0) && extra++ < 2 * reps) {
                        redone++;
                        rep--;
                        continue;
                    }
                    res.add("read/java-ram", o.size / ((t1 - t0) / 1e9) / GB);
                    res.add("read/java-map", o.size / ((t2 - t1) / 1e9) / GB);
                    res.add("read/java-ram4k", o.size / ((t3 - t2) / 1e9) / GB);
                    if (py != null) {
                        res.add("read/np-map", o.size / Double.parseDouble(py.call("summap " + f + " " + payload + " " + n)[1]) / GB);
                        res.add("read/np-ram", o.size / Double.parseDouble(py.call("sumram")[1]) / GB);
                    }
                }
                if (py != null) {
                    py.call("unmap");
                }
            }
            // first pass over a fresh mapping: open, get and one sum (page faults included)
            for (int rep = 0; rep < reps; rep++) {
                gate();
                long t0 = System.nanoTime();
                try (MmapDict d = MmapDict.openReadOnly(f)) {
                    Bench.sum(((NDArray) d.get("x")).segment());
                }
                res.add("read/java-map-first", o.size / ((System.nanoTime() - t0) / 1e9) / GB);
            }
            log.printf(Locale.ROOT, "  java in-RAM %.2f, java mapped %.2f GB/s%n", res.get("read/java-ram").median(),
                    res.get("read/java-map").median());
            // get of an array entry already seen (the view is cached: no system call)
            try (MmapDict d = MmapDict.openReadOnly(f)) {
                Object first = d.get("x");
                int loops = o.quick ? 200_000 : 2_000_000;
                Object sink = null;
                for (int i = 0; i < loops; i++) {
                    sink = d.get("x");
                }
                for (int rep = 0; rep < Math.max(o.smallReps, 5); rep++) {
                    gate();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < loops; i++) {
                        sink = d.get("x");
                    }
                    res.add("array-get", (System.nanoTime() - t0) / (double) loops);
                }
                if (sink != first) {
                    remarks.add("get of an array entry did not return the cached view.");
                }
            }
            Bench.delete(f);
        }

        // -------------------------------------------------------------------------------- larger than RAM

        /**
         * The larger-than-RAM section: {@link BigIngest} in a JVM with a small heap copies a source
         * file mapped read-only into a new dict at each size. Sizes that do not fit the free disk
         * twice over (source and target) with 8 GiB to spare are left out with a remark (the disk
         * may be shared: a full one would fail other people's work too).
         */
        private void big() throws Exception {
            long free = Files.getFileStore(dir).getUsableSpace();
            List<Long> sizes = new ArrayList<>();
            for (long size : o.bigSizes) {
                if (2 * size + 8 * Bench.GIB <= free) {
                    sizes.add(size);
                } else {
                    remarks.add("Larger than RAM: " + Bench.formatSize(size) + " left out: the source and the copy need "
                            + Bench.formatSize(2 * size) + " and 8 GiB to spare, and " + String.format(Locale.ROOT, "%.1f GiB", free / (double) Bench.GIB)
                            + " of disk was free.");
                }
            }
            if (sizes.isEmpty()) {
                return;
            }
            String java = ProcessHandle.current().info().command().orElse("java");
            String list = sizes.stream().map(String::valueOf).collect(Collectors.joining(","));
            log.printf("larger than RAM: %s from a mapped source file, -Xmx%s%n",
                    sizes.stream().map(Bench::formatSize).toList(), o.bigXmx);
            gate();
            Process p = new ProcessBuilder(java, "-Xmx" + o.bigXmx, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), BigIngest.class.getName(), dir.toString(), list)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            p.getOutputStream().close();
            try (BufferedReader r = p.inputReader(StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    String[] f = line.split(" ");
                    if (f[0].equals("source")) {
                        res.note("big-source", String.format(Locale.ROOT, "%s written in %s s", Bench.formatSize(Long.parseLong(f[1])), f[2]));
                    } else if (f[0].equals("row")) {
                        bigRows.add(f);
                        log.printf(Locale.ROOT, "  %s: %.2f GB/s, peak heap %s%n", Bench.formatSize(Long.parseLong(f[1])),
                                Long.parseLong(f[1]) / Double.parseDouble(f[2]) / GB, mib(Long.parseLong(f[3])));
                    }
                }
            }
            if (p.waitFor() != 0) {
                remarks.add("The larger-than-RAM run failed (exit " + p.exitValue() + "; its error is on stderr)"
                        + (bigRows.isEmpty() ? "." : " after " + bigRows.size() + " size(s)."));
            }
        }

        private void bigTable(StringBuilder b) {
            b.append("## Larger than RAM: `set` from a source file mapped read-only, JVM with -Xmx").append(o.bigXmx).append("\n\n");
            b.append("One run per size, page-cache durability, default copy threads; source: ")
                    .append(res.noteOf("big-source") == null ? "?" : res.noteOf("big-source"))
                    .append(" (then fsynced, and dropped from the page cache before each size: every copy reads its source from")
                    .append(" the disk). Heap: the sum of the heap pools' peaks during the copy.\n\n");
            b.append("| size | GB/s | peak heap used | of max heap | GCs (ms) | source read from disk | dirty limit |\n");
            b.append("|---|---|---|---|---|---|---|\n");
            for (String[] f : bigRows) {
                long size = Long.parseLong(f[1]);
                b.append("| ").append(Bench.formatSize(size)).append(" | ").append(fmt(size / Double.parseDouble(f[2]) / GB, 2))
                        .append(" | ").append(mib(Long.parseLong(f[3]))).append(" | ")
                        .append(mib(Long.parseLong(f[4]))).append(" | ").append(f[5]).append(" (").append(f[6])
                        .append(") | ").append(mib(Long.parseLong(f[7]))).append(" | ")
                        .append(mib(Long.parseLong(f[8]))).append(" |\n");
            }
            b.append('\n');
        }

        private static String mib(long bytes) {
            return String.format(Locale.ROOT, "%,.1f MiB", bytes / (double) Bench.MIB);
        }

        // -------------------------------------------------------------------------------- small operations

        private void small() throws Exception {
            // JIT warm-up of the put/get/open paths on a scratch file
            Path scratch = dir.resolve("scratch.mmdpickle");
            Bench.buildSmallFile(scratch, 20_000);
            try (MmapDict d = MmapDict.open(scratch)) {
                for (int i = 0; i < 20_000; i++) {
                    d.set(Bench.key(i % 1000), Bench.smallValue(i));
                    d.get(Bench.key(i % 1000));
                }
            }
            for (int i = 0; i < 20; i++) {
                try (MmapDict d = MmapDict.openReadOnly(scratch)) {
                    new ArrayList<>(d.keySet());
                }
            }
            Bench.delete(scratch);
            int biggest = Arrays.stream(o.keys).max().orElse(1000);
            String[] names = new String[biggest];
            for (int i = 0; i < biggest; i++) {
                names[i] = Bench.key(i);
            }
            for (int keys : o.keys) {
                Path f = dir.resolve("small-" + keys + ".mmdpickle");
                log.printf("small: building a file of %d keys%n", keys);
                gate();
                res.add("small/" + keys + "/build", Bench.buildSmallFile(f, keys));
                Bench.syncAll();
                for (int rep = 0; rep < o.smallReps; rep++) {
                    gate();
                    long t0 = System.nanoTime();
                    int listed;
                    try (MmapDict d = MmapDict.openReadOnly(f)) {
                        listed = new ArrayList<>(d.keySet()).size();
                    }
                    res.add("small/" + keys + "/open", (System.nanoTime() - t0) / 1e6);
                    if (listed != keys) {
                        remarks.add("open+list of the " + keys + "-key file listed " + listed + " keys.");
                    }
                }
                int m = Math.min(keys, o.quick ? 1000 : 5000);
                try (MmapDict d = MmapDict.open(f)) {
                    for (int rep = 0; rep < o.smallReps; rep++) {
                        // replace existing keys: the file keeps `keys` live entries and grows by one entry per put
                        int base = (rep * m) % keys;
                        gate();
                        long t0 = System.nanoTime();
                        for (int i = 0; i < m; i++) {
                            d.set(names[(base + i) % keys], VALUE);
                        }
                        res.add("small/" + keys + "/set", m / ((System.nanoTime() - t0) / 1e9));
                        long t1 = System.nanoTime();
                        for (int i = 0; i < m; i++) {
                            d.get(names[(int) ((i * 2_654_435_761L) % keys)]);
                        }
                        res.add("small/" + keys + "/get", (System.nanoTime() - t1) / 1e3 / m);
                    }
                }
                if (keys != biggest) {
                    Bench.delete(f);
                }
            }
            int smallest = Arrays.stream(o.keys).min().orElse(1000);
            if (smallest != biggest) {
                Bench.buildSmallFile(dir.resolve("small-" + smallest + ".mmdpickle"), smallest);
                concurrent(dir.resolve("small-" + smallest + ".mmdpickle"), smallest);
                Bench.delete(dir.resolve("small-" + smallest + ".mmdpickle"));
            }
            concurrent(dir.resolve("small-" + biggest + ".mmdpickle"), biggest);
            Bench.delete(dir.resolve("small-" + biggest + ".mmdpickle"));
            allocation();
        }

        private void concurrent(Path base, int keys) throws Exception {
            String java = ProcessHandle.current().info().command().orElse("java");
            String cp = System.getProperty("java.class.path");
            Path f = dir.resolve("concurrent.mmdpickle");
            for (int procs : o.procs) {
                for (int rep = 0; rep < o.concurrentReps; rep++) {
                    Files.copy(base, f, StandardCopyOption.REPLACE_EXISTING);
                    Bench.syncAll();
                    gate();
                    List<Process> ps = new ArrayList<>();
                    try {
                        for (int i = 0; i < procs; i++) {
                            // -Dmmappickle.sharing=shared on the harness measures the shared-storage mode, workers too
                            ps.add(new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                                    "-Dmmappickle.sharing=" + System.getProperty("mmappickle.sharing", "auto"), "-cp", cp,
                                    PutWorker.class.getName(), f.toString(), String.valueOf(o.concurrentSeconds),
                                    String.valueOf(i)).redirectError(ProcessBuilder.Redirect.INHERIT).start());
                        }
                        for (Process p : ps) {
                            expectLine(p, "ready");
                        }
                        for (Process p : ps) {
                            p.getOutputStream().write("go\n".getBytes(StandardCharsets.US_ASCII));
                            p.getOutputStream().flush();
                        }
                        long puts = 0;
                        long nanos = 0;
                        for (Process p : ps) {
                            String[] done = expectLine(p, "done").split(" ");
                            puts += Long.parseLong(done[1]);
                            nanos = Math.max(nanos, Long.parseLong(done[2]));
                        }
                        res.add("concurrent/" + keys + "/" + procs, puts / (nanos / 1e9));
                        log.printf(Locale.ROOT, "  %d process(es) putting into a %d-key file: %.0f puts/s in total%n",
                                procs, keys, puts / (nanos / 1e9));
                    } finally {
                        for (Process p : ps) {
                            p.getOutputStream().close();
                            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                                p.destroyForcibly();
                            }
                        }
                    }
                }
            }

            Bench.delete(f);
        }

        private static String expectLine(Process p, String prefix) throws IOException {
            BufferedReader r = p.inputReader(StandardCharsets.UTF_8);
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new IOException("worker exited before '" + prefix + "'");
        }

        private void allocation() throws Exception {
            Path f = dir.resolve("sparse.mmdpickle");
            long elems = 64 * Bench.GIB / 4;
            long maxAllocated = 0;
            for (int rep = -1; rep < o.allocReps; rep++) {
                Bench.delete(f);
                try (MmapDict d = MmapDict.open(f)) {
                    long t0 = System.nanoTime();
                    NDArray a = d.allocate("big", DType.FLOAT32, elems);
                    long t = System.nanoTime() - t0;
                    if (a.byteSize() != 64 * Bench.GIB) {
                        throw new IllegalStateException("allocated " + a.byteSize() + " bytes");
                    }
                    if (rep >= 0) {
                        res.add("alloc", t / 1e6);
                    }
                }
                maxAllocated = Math.max(maxAllocated, Bench.allocatedBytes(f));
                res.note("alloc-size", String.valueOf(Files.size(f)));
                Bench.delete(f);
            }
            res.note("alloc-blocks", String.valueOf(maxAllocated));
        }

        // -------------------------------------------------------------------------------- report

        private String report() {
            StringBuilder b = new StringBuilder();
            String size = Bench.formatSize(o.size);
            b.append("# mmappickle side-by-side run\n\n");
            b.append("- command: `").append(o.commandLine).append("`\n");
            b.append("- date: ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
            b.append("- machine: ").append(machine()).append('\n');
            b.append("- Java: ").append(System.getProperty("java.vm.name")).append(' ')
                    .append(System.getProperty("java.runtime.version")).append("; numpy: ")
                    .append(py != null ? py.version + " (" + py.pythonVersion + ")" : "n/a").append('\n');
            b.append("- load average (1, 5, 15 min) at the start: ").append(loadBefore).append("; at the end: ")
                    .append(Bench.loadAverage()).append(" (the run itself adds about 1; more at the start means other work shared the cores)\n");
            b.append("- files in ").append(dir).append(" (").append(fsType()).append(")\n");
            b.append("- array: ").append(o.sizes.stream().map(Bench::formatSize).collect(Collectors.joining(", ")))
                    .append(" float32 (read and small figures at ").append(size).append("); ").append(o.reps)
                    .append(" timed runs per ingest figure after one warm-up; before each timed write, one column each: ");
            for (String m : o.prefaults) {
                b.append(m.equals(o.prefaults.get(0)) ? "" : "; ").append(modeName(m)).append(" = ").append(switch (m) {
                    case "huge" -> "huge-page memory touched and freed";
                    case "cold" -> "3 s idle (the host took the free pages back)";
                    default -> "nothing";
                });
            }
            b.append('\n');
            b.append("- idle gate: ").append(o.waitQuiet ? String.format(Locale.ROOT,
                    "waited %.0f s in total for other work to finish; %d run(s) redone because other work shared the cores; "
                    + "%d wait(s) gave up after 60 s", waitedMillis / 1000.0, redone, gaveUp) : "off (--no-wait)").append('\n');
            b.append("- figures: median [min-max]; GB/s = 10^9 bytes/s\n\n");

            for (int i = 0; i < o.sizes.size(); i++) {
                scope = i == 0 ? "" : Bench.formatSize(o.sizes.get(i)) + ":";
                if (res.get(scope + "memcpy") != null) {
                    ingestTable(b, Bench.formatSize(o.sizes.get(i)));
                    b.append(pendingTable());
                }
            }
            scope = "";
            if (!bigRows.isEmpty()) {
                bigTable(b);
            }
            if (res.get("read/java-ram") != null) {
                b.append("## Sequential read (sum) of a ").append(size).append(" float32 array\n\n");
                b.append("| reader | GB/s |\n|---|---|\n");
                b.append("| Java loop over the mapped array (`get` view, warm mapping) | ").append(cell(res.get("read/java-map"), 2)).append(" |\n");
                b.append("| Java loop over an aligned in-RAM segment (huge pages, as numpy allocates) | ").append(cell(res.get("read/java-ram"), 2)).append(" |\n");
                b.append("| Java loop over an aligned in-RAM segment (4 KiB pages, `Arena.allocate`) | ").append(cell(res.get("read/java-ram4k"), 2)).append(" |\n");
                b.append("| Java: open + `get` + first sum over a fresh mapping (page faults) | ")
                        .append(cell(res.get("read/java-map-first"), 2)).append(" |\n");
                b.append("| numpy `sum` over `np.memmap` of the same payload (warm) | ").append(cell(res.get("read/np-map"), 2)).append(" |\n");
                b.append("| numpy `sum` over an in-RAM array | ").append(cell(res.get("read/np-ram"), 2)).append(" |\n\n");
                if (res.noteOf("pmd") != null) {
                    b.append("Share of the mapped array the kernel maps with 2 MiB entries (`FilePmdMapped`): ")
                            .append(res.noteOf("pmd")).append(". The rest is mapped with 4 KiB entries, which on this VM can read several")
                            .append(" times slower (compare the two in-RAM rows).\n\n");
                }
            }
            if (!o.sections.contains("small") && res.get("array-get") != null) {
                b.append("`get` of an array entry already seen: ").append(cell(res.get("array-get"), 1)).append(" ns\n\n");
            }
            if (o.sections.contains("small")) {
                b.append("## Small operations (values of about 20 bytes; page cache)\n\n");
                b.append("| keys in the file | building it (puts/s) | `set` replacing a key (puts/s) | `get` (µs) | open + list keys (ms) |\n");
                b.append("|---|---|---|---|---|\n");
                for (int k : o.keys) {
                    b.append("| ").append(String.format(Locale.ROOT, "%,d", k)).append(" | ")
                            .append(cell(res.get("small/" + k + "/build"), 0)).append(" | ")
                            .append(cell(res.get("small/" + k + "/set"), 0)).append(" | ")
                            .append(cell(res.get("small/" + k + "/get"), 1)).append(" | ")
                            .append(cell(res.get("small/" + k + "/open"), 2)).append(" |\n");
                }
                b.append('\n');
                b.append("| operation | figure |\n|---|---|\n");
                if (res.get("array-get") != null) {
                    b.append("| `get` of an array entry already seen (ns) | ").append(cell(res.get("array-get"), 1)).append(" |\n");
                }
                for (int k : concurrencySizes()) {
                    if (res.get("concurrent/" + k + "/1") == null) {
                        continue;
                    }
                    String kk = String.format(Locale.ROOT, "%,d", k);
                    for (int n : o.procs) {
                        if (res.get("concurrent/" + k + "/" + n) != null) {
                            b.append(n == 1 ? "| one process" : n == 2 ? "| two processes" : n == 4 ? "| four processes" : "| " + n + " processes").append(" putting new keys into a ")
                                    .append(kk).append(n == 1 ? "-key file (puts/s) | " : "-key file, in total (puts/s) | ")
                                    .append(cell(res.get("concurrent/" + k + "/" + n), 0)).append(" |\n");
                        }
                    }
                }
                b.append("| `allocate` of a 64 GiB float32 array (ms) | ").append(cell(res.get("alloc"), 3)).append(" |\n");
                b.append("| the 64 GiB file: size / blocks allocated on disk | ").append(res.noteOf("alloc-size"))
                        .append(" B / ").append(res.noteOf("alloc-blocks")).append(" B |\n\n");
            }
            b.append(targets());
            if (!remarks.isEmpty()) {
                b.append("\n## Remarks\n\n");
                for (String r : remarks) {
                    b.append("- ").append(r).append('\n');
                }
            }
            return b.toString();
        }

        private static String modeName(String prefaultMode) {
            return switch (prefaultMode) {
                case "huge" -> "prefaulted";
                case "cold" -> "cold";
                default -> "no prefault";
            };
        }

        /** One ingest table: a row per writer, a column per (page cache, + fsync) x prefault mode, side by side. */
        private void ingestTable(StringBuilder b, String size) {
            List<Boolean> fsyncs = o.fsync ? List.of(false, true) : List.of(false);
            b.append("## Ingest of a ").append(size).append(" float32 array into a new file\n\n| writer |");
            for (boolean fs : fsyncs) {
                for (String m : o.prefaults) {
                    b.append(fs ? " + fsync, " : " page cache, ").append(modeName(m)).append(" (GB/s) |");
                }
            }
            b.append("\n|---|").append("---|".repeat(fsyncs.size() * o.prefaults.size())).append('\n');
            for (Writer w : writers()) {
                b.append("| ").append(w.label()).append(" |");
                for (boolean fs : fsyncs) {
                    for (String m : o.prefaults) {
                        b.append(' ').append(cell(res.get(ingestId(w.id(), fs, m)), 2)).append(" |");
                    }
                }
                b.append('\n');
            }
            b.append("| memcpy RAM to RAM (`MemorySegment.copy`, warm destination) | ").append(cell(res.get(scope + "memcpy"), 2))
                    .append(" |").append(" - |".repeat(fsyncs.size() * o.prefaults.size() - 1)).append("\n\n");
        }

        private String targets() {
            StringBuilder b = new StringBuilder("## Targets (issue 9)\n\n| target | measured | required | met |\n|---|---|---|---|\n");
            // ingest vs the best page-cache writer of tofile, os.write, dd
            String best = null;
            double bestV = 0;
            for (String id : List.of("np-tofile", "os-write", "dd")) {
                Stats s = res.get("ingest/" + id + "/cache");
                if (s != null && s.median() > bestV) {
                    bestV = s.median();
                    best = id;
                }
            }
            Map<String, String> names = Map.of("ours-array", "`set(float[])`", "ours-segment", "`set(segment)`",
                    "ours-allocate", "`allocate` + fill", "np-tofile", "tofile", "os-write", "os.write", "dd", "dd",
                    "ours-segment-2t", "`set(segment)` 2 threads", "ours-pending-fill", "`allocatePending` + fill + publish",
                    "ours-pending-copy", "`allocatePending` + `copyFrom` + publish");
            List<String> ours = List.of("ours-segment-2t", "ours-segment", "ours-array", "ours-pending-fill", "ours-pending-copy",
                    "ours-allocate");
            for (String id : ours) {
                Stats s = res.get("ingest/" + id + "/cache");
                if (s != null && best != null) {
                    ratio(b, "ingest " + names.get(id) + " / best page-cache writer (" + names.get(best) + ", "
                            + fmt(bestV, 2) + " GB/s)", s.median() / bestV, 0.95);
                }
            }
            Stats fc = res.get("ingest/java-pwrite/cache");
            for (String id : List.of("ours-segment", "ours-array")) {
                Stats s = res.get("ingest/" + id + "/cache");
                if (s != null && fc != null) {
                    b.append("| (context) ingest ").append(names.get(id)).append(" / Java `FileChannel.write` of the same bytes in")
                            .append(" the same JVM (").append(fmt(fc.median(), 2)).append(" GB/s) | ")
                            .append(fmt(s.median() / fc.median(), 3)).append(" | - | - |\n");
                }
            }
            Stats osf = res.get("ingest/os-write/fsync");
            for (String id : ours) {
                Stats s = res.get("ingest/" + id + "/fsync");
                if (s != null && osf != null) {
                    ratio(b, "durable ingest " + names.get(id) + " / os.write + fsync (" + fmt(osf.median(), 2) + " GB/s)",
                            s.median() / osf.median(), 0.95);
                }
            }
            Stats map = res.get("read/java-map");
            Stats ram = res.get("read/java-ram");
            Stats ram4k = res.get("read/java-ram4k");
            if (map != null && ram != null && ram4k != null) {
                boolean huge = ram.median() >= ram4k.median();
                Stats inRam = huge ? ram : ram4k;
                ratio(b, "mapped sum / same loop in RAM (the faster in-RAM row: " + (huge ? "huge pages" : "4 KiB pages") + ", "
                        + fmt(inRam.median(), 2) + " GB/s)", map.median() / inRam.median(), 0.9);
            }
            int biggest = Arrays.stream(o.keys).max().orElse(0);
            Stats open = res.get("small/" + biggest + "/open");
            if (open != null) {
                limit(b, "open + list " + String.format(Locale.ROOT, "%,d", biggest) + " keys", open.median(), "ms", 50,
                        biggest >= 100_000);
            }
            Stats ag = res.get("array-get");
            if (ag != null) {
                limit(b, "`get` of an array entry already seen", ag.median(), "ns", 1000, true);
            }
            Stats put = res.get("small/" + biggest + "/set");
            if (put != null) {
                floor(b, "small put into a " + String.format(Locale.ROOT, "%,d", biggest) + "-key file", put.median(),
                        "puts/s", 20_000, biggest >= 100_000);
            }
            for (int k : concurrencySizes()) {
                Stats two = res.get("concurrent/" + k + "/2");
                if (two != null) {
                    floor(b, "two processes putting concurrently into a " + String.format(Locale.ROOT, "%,d", k) + "-key file (total)",
                            two.median(), "puts/s", 20_000, true);
                }
            }
            Stats al = res.get("alloc");
            if (al != null) {
                long blocks = Long.parseLong(res.noteOf("alloc-blocks"));
                boolean sparse = blocks < 64 * Bench.MIB;
                b.append("| allocate 64 GiB: time; file sparse | ").append(fmt(al.median(), 3)).append(" ms; ")
                        .append(String.format(Locale.ROOT, "%,d", blocks)).append(" B on disk | < 10 ms; sparse | ")
                        .append(al.median() < 10 && sparse ? "yes" : "**no**").append(" |\n");
            }
            if (biggest < 100_000) {
                b.append("\n(The 100k-key targets need `--keys ...,100000`; this run's largest file had ")
                        .append(biggest).append(" keys.)\n");
            }
            return b.toString();
        }

        /** The key counts of the concurrency runs: the smallest and the largest file. */
        private Set<Integer> concurrencySizes() {
            Set<Integer> s = new java.util.TreeSet<>();
            s.add(Arrays.stream(o.keys).min().orElse(0));
            s.add(Arrays.stream(o.keys).max().orElse(0));
            return s;
        }

        private static void ratio(StringBuilder b, String what, double r, double need) {
            b.append("| ").append(what).append(" | ").append(fmt(r, 3)).append(" | >= ").append(need).append(" | ")
                    .append(r >= need ? "yes" : "**no**").append(" |\n");
        }

        private static void limit(StringBuilder b, String what, double v, String unit, double max, boolean applies) {
            b.append("| ").append(what).append(" | ").append(fmt(v, 2)).append(' ').append(unit).append(" | < ")
                    .append(fmt(max, 0)).append(' ').append(unit).append(" | ")
                    .append(!applies ? "n/a" : v < max ? "yes" : "**no**").append(" |\n");
        }

        private static void floor(StringBuilder b, String what, double v, String unit, double min, boolean applies) {
            b.append("| ").append(what).append(" | ").append(fmt(v, 0)).append(' ').append(unit).append(" | >= ")
                    .append(fmt(min, 0)).append(' ').append(unit).append(" | ")
                    .append(!applies ? "n/a" : v >= min ? "yes" : "**no**").append(" |\n");
        }

        private static String cell(Stats s, int decimals) {
            if (s == null) {
                return "n/a";
            }
            return fmt(s.median(), decimals) + " [" + fmt(s.min(), decimals) + "-" + fmt(s.max(), decimals) + "]";
        }

        private static String fmt(double v, int decimals) {
            return String.format(Locale.ROOT, "%,." + decimals + "f", v);
        }

        private String machine() {
            String cpu = "?";
            try {
                for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (l.startsWith("model name")) {
                        cpu = l.substring(l.indexOf(':') + 1).trim();
                        break;
                    }
                }
            } catch (IOException ignored) {
                // not Linux
            }
            long total = 0;
            try {
                for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                    if (l.startsWith("MemTotal:")) {
                        total = Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException | NumberFormatException ignored) {
                // not Linux
            }
            return String.format(Locale.ROOT, "%s, %d cores, %.1f GiB RAM, Linux %s", cpu,
                    Runtime.getRuntime().availableProcessors(), total / (double) Bench.GIB, System.getProperty("os.version"));
        }

        private String fsType() {
            try {
                return Files.getFileStore(dir).type() + ", " + Files.getFileStore(dir).name();
            } catch (IOException e) {
                return "?";
            }
        }

        /** Bytes of file pages this process maps with 2 MiB entries ({@code /proc/self/smaps_rollup}), or -1. */
        private static long filePmdMapped() {
            try {
                for (String l : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
                    if (l.startsWith("FilePmdMapped:")) {
                        return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException | NumberFormatException ignored) {
                // not Linux
            }
            return -1;
        }

        private static long memAvailable() {
            try {
                for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                    if (l.startsWith("MemAvailable:")) {
                        return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException | NumberFormatException ignored) {
                // not Linux: no check
            }
            return -1;
        }
    }

    // ------------------------------------------------------------------------------------ python

    /** The python3 worker process (numpy_worker.py): one command per line, one answer per line. */
    static final class Py implements AutoCloseable {
        private final Process p;
        private final BufferedReader in;
        private final BufferedWriter out;
        final String version;
        final String pythonVersion;

        private Py(Process p, String version, String pythonVersion) {
            this.p = p;
            this.in = p.inputReader(StandardCharsets.UTF_8);
            this.out = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
            this.version = version;
            this.pythonVersion = pythonVersion;
        }

        static Py start(String python, Path script, long size) throws IOException {
            String pyv;
            try {
                Process v = new ProcessBuilder(python, "-c", "import sys, numpy; print(sys.version.split()[0])")
                        .redirectErrorStream(true).start();
                pyv = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (v.waitFor() != 0) {
                    throw new IOException(pyv.lines().reduce((a, b) -> b).orElse("failed"));
                }
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            Process p = new ProcessBuilder(python, "-u", script.toString(), String.valueOf(size))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader r = p.inputReader(StandardCharsets.UTF_8);
            String ready = r.readLine();
            if (ready == null || !ready.startsWith("ready ")) {
                p.destroyForcibly();
                throw new IOException("the worker said " + ready);
            }
            return new Py(p, ready.substring(6).trim(), "Python " + pyv);
        }

        String[] call(String line) throws IOException {
            out.write(line);
            out.write('\n');
            out.flush();
            String r = in.readLine();
            if (r == null) {
                throw new IOException("python worker exited");
            }
            if (!r.startsWith("ok")) {
                throw new IOException("python: " + r);
            }
            return r.split(" ");
        }

        /** The worker's CPU seconds (user and system) during its last write. */
        double lastCpu = Double.NaN;

        double write(String kind, Path f, boolean fsync, boolean prefault) throws IOException {
            String[] r = call("write " + kind + " " + f + " " + (fsync ? 1 : 0) + " " + (prefault ? 1 : 0));
            lastCpu = r.length > 2 ? Double.parseDouble(r[2]) : Double.NaN;
            return Double.parseDouble(r[1]);
        }

        @Override
        public void close() {
            try {
                out.write("quit\n");
                out.flush();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (IOException | InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }
}
