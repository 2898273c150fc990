package org.mmappickle.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import org.mmappickle.ChangeWatcher;
import org.mmappickle.Changes;
import org.mmappickle.MaskedArray;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code watch FILE}: prints each change another process makes, as it happens. */
@Command(name = "watch",
        description = {"Prints each change to a file as another process makes it (added, replaced and deleted "
                + "keys, with the commit number), until interrupted.",
            "Waiting costs no system call: the commit number is read through a memory map."})
final class WatchCommand extends BaseCommand {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @Parameters(index = "0", paramLabel = "FILE", description = "The mmappickle file.")
    Path file;

    @Option(names = "--from-start", description = "First report the keys already in the file as added.")
    boolean fromStart;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "20",
            description = "How often to look at the commit number, in milliseconds (default: ${DEFAULT-VALUE}).")
    long intervalMillis;

    @Option(names = "--limit", paramLabel = "N", description = "Stop after reporting N changed keys.")
    Long limit;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Stop after this many seconds.")
    Double timeoutSeconds;

    /** Runs the command and returns its exit status; a failure is thrown, for {@link Main} to report. */
    @Override
    public Integer call() throws Exception {
        if (intervalMillis < 1) {
            throw usage("--interval must be at least 1 ms");
        }
        long deadline = timeoutSeconds == null ? Long.MAX_VALUE
                : System.nanoTime() + (long) (timeoutSeconds * 1e9);
        long reported = 0;
        try (MmapDict d = openReadOnly(file)) {
            Duration interval = Duration.ofMillis(intervalMillis);
            ChangeWatcher w = fromStart ? d.watcherFromStart(interval) : d.watcher(interval);
            if (!fromStart) {
                out().println(now() + "  watching " + file + " at commit " + d.commitNumber()
                        + " (" + d.size() + " keys); interrupt to stop");
            }
            while (limit == null || reported < limit) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                Changes c = w.poll(Duration.ofNanos(Math.min(left, 1_000_000_000L)));
                String time = now();
                for (String k : c.added()) {
                    if (limit == null || reported < limit) {
                        line(time, c, "added", k, describe(d, k));
                        reported++;
                    }
                }
                for (String k : c.replaced()) {
                    if (limit == null || reported < limit) {
                        line(time, c, "replaced", k, describe(d, k));
                        reported++;
                    }
                }
                for (String k : c.deleted()) {
                    if (limit == null || reported < limit) {
                        line(time, c, "deleted", k, "");
                        reported++;
                    }
                }
            }
        }
        return 0;
    }

    private void line(String time, Changes c, String what, String key, String description) {
        out().println(time + "  commit " + c.commitNumber() + "  " + what + "  " + PyRepr.str(key)
                + (description.isEmpty() ? "" : "  " + description));
        out().flush();
    }

    private static String now() {
        return LocalTime.now().format(CLOCK);
    }

    /** One short phrase for a value: an array's dtype and shape, a value's repr cut to fit a line. */
    static String describe(MmapDict d, String key) {
        Object v;
        try {
            v = d.get(key);
        } catch (RuntimeException e) {
            // the key may be gone again, or still being written, by the time we look
            return "(unreadable now: " + Errors.describe(e) + ")";
        }
        return brief(v);
    }

    /** Returns {@code ndarray float32 (512, 512, 32)}, {@code masked ...}, or a value's repr cut at 60 characters. */
    static String brief(Object v) {
        if (v instanceof NDArray a) {
            return "ndarray " + a.dtype().pythonStr() + " " + Text.shape(a.shape());
        }
        if (v instanceof MaskedArray m) {
            return "masked " + m.dtype().pythonStr() + " " + Text.shape(m.shape());
        }
        String r = PyRepr.of(v).replace('\n', ' ');
        return r.length() > 60 ? r.substring(0, 57) + "..." : r;
    }
}
