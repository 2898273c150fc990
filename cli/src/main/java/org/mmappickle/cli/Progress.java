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
    /** A bar narrower than this says little: the label is cut first, down to {@link #MIN_LABEL}. */
    private static final int MIN_BAR = 10;
    private static final int MIN_LABEL = 12;

    private final PrintStream term;
    private final String label;
    private final long start = System.nanoTime();
    private long total;
    private long lastDraw;
    private boolean drawn;
    private int width;

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
        if (width == 0) {
            width = TerminalWidth.columns();
        }
        // the line is cleared to its end (a shorter text leaves no junk) and never reaches the last column (no wrap)
        term.print(frame(label, done, total, width));
        term.flush();
        drawn = true;
    }

    /**
     * Returns what one redraw writes: back to the line's start, the bar's text ({@link #render}), and an erase to
     * the end of the line, so that a shorter text than the last leaves none of it behind.
     */
    static String frame(String label, long done, long total, int columns) {
        return "\r" + render(label, done, total, columns) + "\033[K";
    }

    /**
     * Returns the bar's text for a terminal of {@code columns} columns: label, bar, percentage and sizes, at most
     * {@code columns - 1} characters (a line that fills the last column wraps on many terminals). The bar
     * shrinks first, then the label is cut with an ellipsis; the numbers stay while they fit.
     */
    static String render(String label, long done, long total, int columns) {
        double f = total <= 0 ? 0 : Math.min(1, Math.max(0, done / (double) total));
        String numbers = String.format(Locale.ROOT, " %3.0f%% %s / %s", f * 100, Text.bytes(done), Text.bytes(total));
        String name = Text.safe(label);
        int room = columns - 1;
        int bar = Math.min(BAR, room - name.length() - numbers.length() - 3);
        if (bar < MIN_BAR) {
            // not enough room for everything: the label gives way, then the bar
            bar = Math.max(0, Math.min(BAR, room - numbers.length() - 3 - Math.min(name.length(), MIN_LABEL)));
            int labelRoom = room - numbers.length() - (bar > 0 ? bar + 3 : 0);
            name = cut(name, Math.max(0, labelRoom));
        }
        StringBuilder b = new StringBuilder(name);
        if (bar > 0) {
            int full = (int) Math.round(f * bar);
            b.append(" [").append("#".repeat(full)).append(".".repeat(bar - full)).append(']');
        }
        b.append(numbers);
        return cut(b.toString(), Math.max(0, room));
    }

    private static String cut(String s, int n) {
        if (s.length() <= n) {
            return s;
        }
        return n <= 1 ? s.substring(0, n) : s.substring(0, n - 1) + "\u2026";
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
