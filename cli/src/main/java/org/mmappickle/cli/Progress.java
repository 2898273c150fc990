package org.mmappickle.cli;

import java.io.Console;
import java.io.PrintStream;
import java.util.Locale;
import org.mmappickle.CopyProgress;

/**
 * A progress bar on standard error for operations that take more than a second, drawn only when standard error
 * is a terminal: piped output stays exactly what the command prints. Thread-safe (a copy may report from
 * several threads).
 */
public final class Progress implements CopyProgress, AutoCloseable {
    /** Nothing is drawn for operations that end sooner than this. */
    private static final long QUIET_NANOS = 1_000_000_000L;
    /** Redraws at most this often: a terminal cannot show more and each draw costs a system call. */
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR = 30;

    private final PrintStream term;
    private final String label;
    private final long start = System.nanoTime();
    private long total;
    private long lastDraw;
    private boolean drawn;

    private Progress(PrintStream term, String label, long total) {
        this.term = term;
        this.label = label;
        this.total = total;
    }

    /**
     * Starts a progress bar of {@code total} bytes (or steps); it draws nothing unless standard error is a
     * terminal and the operation lasts over a second.
     */
    public static Progress start(String label, long total) {
        Console c = System.console();
        // since JDK 22 System.console() exists even when redirected: only a real terminal gets a bar
        boolean terminal = c != null && c.isTerminal();
        return new Progress(terminal ? System.err : null, label, total);
    }

    /** Returns whether this bar can ever draw (standard error is a terminal). */
    public boolean active() {
        return term != null;
    }

    /** Sets the total, for operations that learn it late (an archive's size after it is listed). */
    public synchronized void total(long newTotal) {
        total = newTotal;
    }

    /** Reports how far the operation has gone (0 to total). */
    public synchronized void update(long done) {
        if (term == null) {
            return;
        }
        long now = System.nanoTime();
        if (now - start < QUIET_NANOS || now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        double f = total <= 0 ? 0 : Math.min(1, done / (double) total);
        int full = (int) Math.round(f * BAR);
        term.print(String.format(Locale.ROOT, "\r%s [%s%s] %3.0f%% %s / %s", label, "#".repeat(full),
                ".".repeat(BAR - full), f * 100, Text.bytes(done), Text.bytes(total)));
        term.flush();
        drawn = true;
    }

    /** Reports the copy of a large array payload by the library. */
    @Override
    public void copied(String key, long copied, long total) {
        // the library reports each payload separately; the bar shows the one being copied
        synchronized (this) {
            this.total = total;
        }
        update(copied);
    }

    /** Clears the bar, so that what follows starts on a clean line. */
    @Override
    public synchronized void close() {
        if (term != null && drawn) {
            term.print("\r\033[K");
            term.flush();
        }
    }
}
