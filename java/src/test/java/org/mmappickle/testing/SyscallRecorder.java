package org.mmappickle.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Records, with {@code strace}, every system call a child JVM makes that changes one file or
 * makes it durable (pwrite, ftruncate, fallocate, fsync, fdatasync), in order: the input of a
 * power-loss simulation that replays every subset of the writes between two syncs.
 */
public final class SyscallRecorder {
    private static final Pattern OPEN = Pattern.compile("^openat\\([^,]+, \"((?:\\\\x[0-9a-f]{2})*)\", [^)]*\\)\\s*= (\\d+)");
    private static final Pattern CLOSE = Pattern.compile("^close\\((\\d+)\\)");
    /** What follows a pwrite's data: its length, offset and result (the data is cut out by hand, being megabytes). */
    private static final Pattern PWRITE_TAIL = Pattern.compile("^\", (\\d+), (\\d+)\\)\\s*= (-?\\d+)");
    private static final Pattern TRUNCATE = Pattern.compile("^ftruncate\\((\\d+), (\\d+)\\)\\s*= (-?\\d+)");
    private static final Pattern FALLOCATE = Pattern.compile("^fallocate\\((\\d+), ([^,]+), (\\d+), (\\d+)\\)\\s*= (-?\\d+)");
    private static final Pattern SYNC = Pattern.compile("^f(?:data)?sync\\((\\d+)\\)\\s*= (-?\\d+)");

    private SyscallRecorder() {
    }

    /** One recorded change of the file. */
    public sealed interface Op permits Write, Truncate, Allocate, Sync {
    }

    /**
     * A pwrite.
     *
     * @param offset where
     * @param bytes what
     */
    public record Write(long offset, byte[] bytes) implements Op {
        @Override
        public String toString() {
            return "write(" + offset + ", " + bytes.length + " bytes)";
        }
    }

    /**
     * An ftruncate.
     *
     * @param size the new size
     */
    public record Truncate(long size) implements Op {
    }

    /**
     * A fallocate that may grow the file (mode 0); hole punches keep the size and are recorded as
     * zero writes.
     *
     * @param offset where
     * @param length how many bytes
     * @param punch true for a hole punch
     */
    public record Allocate(long offset, long length, boolean punch) implements Op {
    }

    /** An fsync or fdatasync: everything before it is durable. */
    public record Sync() implements Op {
    }

    /** True when strace can trace a child here (it needs ptrace). */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder("strace", "-qq", "-e", "trace=none", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /**
     * Runs {@code mainClass args} in a child JVM under strace and returns the changes it made to
     * {@code target}, in order, with the child's standard output.
     *
     * @param target the file whose changes are recorded
     * @param logDir an empty folder for strace's per-thread logs
     * @param mainClass the child's main class
     * @param args its arguments
     * @return the recorded changes and the child's output
     */
    public static Recording record(Path target, Path logDir, Class<?> mainClass, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("strace", "-ff", "-qq", "-xx", "-s", "67108864",
                "-e", "trace=openat,close,pwrite64,ftruncate,fallocate,fsync,fdatasync",
                "-o", logDir.resolve("trace").toString()));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), mainClass.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("traced child failed (" + p.exitValue() + "): " + out);
        }
        String want = target.toAbsolutePath().toString();
        List<Op> found = null;
        List<Path> logs;
        try (Stream<Path> s = Files.list(logDir)) {
            logs = s.filter(x -> x.getFileName().toString().startsWith("trace.")).sorted().toList();
        }
        for (Path log : logs) {
            List<Op> ops = parse(Files.readAllLines(log, StandardCharsets.ISO_8859_1), want);
            if (!ops.isEmpty()) {
                if (found != null) {
                    throw new IOException("two threads changed " + target + ": no single order to replay");
                }
                found = ops;
            }
        }
        return new Recording(found == null ? List.of() : found, out);
    }

    /**
     * What a traced child did.
     *
     * @param ops the changes to the file, in order
     * @param out the child's standard output
     */
    public record Recording(List<Op> ops, String out) {
    }

    private static List<Op> parse(List<String> lines, String target) throws IOException {
        Set<Integer> fds = new HashSet<>();
        List<Op> ops = new ArrayList<>();
        for (String line : lines) {
            Matcher m;
            if ((m = OPEN.matcher(line)).find()) {
                if (new String(unhex(m.group(1)), StandardCharsets.UTF_8).equals(target)) {
                    fds.add(Integer.parseInt(m.group(2)));
                }
            } else if ((m = CLOSE.matcher(line)).find()) {
                fds.remove(Integer.parseInt(m.group(1)));
            } else if (line.startsWith("pwrite64(")) {
                int fd = Integer.parseInt(line.substring(9, line.indexOf(',')));
                int q1 = line.indexOf('"');
                int q2 = line.indexOf('"', q1 + 1);
                if (!fds.contains(fd)) {
                    continue;
                }
                if (q1 < 0 || q2 < 0 || !(m = PWRITE_TAIL.matcher(line.substring(q2))).find()) {
                    throw new IOException("unparsed strace line: " + line.substring(0, Math.min(200, line.length())));
                }
                long done = Long.parseLong(m.group(3));
                if (done > 0) {
                    byte[] b = unhex(line.substring(q1 + 1, q2));
                    ops.add(new Write(Long.parseLong(m.group(2)), java.util.Arrays.copyOf(b, (int) done)));
                }
            } else if ((m = TRUNCATE.matcher(line)).find()) {
                if (fds.contains(Integer.parseInt(m.group(1))) && m.group(3).equals("0")) {
                    ops.add(new Truncate(Long.parseLong(m.group(2))));
                }
            } else if ((m = FALLOCATE.matcher(line)).find()) {
                if (fds.contains(Integer.parseInt(m.group(1))) && m.group(5).equals("0")) {
                    ops.add(new Allocate(Long.parseLong(m.group(3)), Long.parseLong(m.group(4)),
                            m.group(2).contains("PUNCH_HOLE")));
                }
            } else if ((m = SYNC.matcher(line)).find()) {
                if (fds.contains(Integer.parseInt(m.group(1)))) {
                    ops.add(new Sync());
                }
            }
        }
        return ops;
    }

    private static byte[] unhex(String s) {
        byte[] b = new byte[s.length() / 4];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(4 * i + 2, 4 * i + 4), 16);
        }
        return b;
    }
}
