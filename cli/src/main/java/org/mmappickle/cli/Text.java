package org.mmappickle.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Small text formatting shared by the commands: aligned columns, sizes, shapes, rates. */
public final class Text {
    private Text() {
    }

    /**
     * Prints rows as columns separated by two spaces, each as wide as its widest cell; numeric columns (flagged
     * in {@code right}) are right-aligned, and the last column is never padded.
     */
    static void table(PrintWriter out, List<String[]> rows, boolean... right) {
        if (rows.isEmpty()) {
            return;
        }
        int n = rows.getFirst().length;
        int[] width = new int[n];
        for (String[] r : rows) {
            for (int i = 0; i < n; i++) {
                width[i] = Math.max(width[i], r[i].codePointCount(0, r[i].length()));
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            b.setLength(0);
            for (int i = 0; i < n; i++) {
                boolean last = i == n - 1;
                int pad = width[i] - r[i].codePointCount(0, r[i].length());
                boolean alignRight = i < right.length && right[i];
                if (alignRight) {
                    b.append(" ".repeat(pad));
                }
                b.append(r[i]);
                if (!last) {
                    if (!alignRight) {
                        b.append(" ".repeat(pad));
                    }
                    b.append("  ");
                }
            }
            out.println(b);
        }
    }

    /**
     * Returns text from a file made safe for a terminal: every control character (C0 but newline and tab, DEL,
     * C1) becomes visible text (a backslash, {@code u} and four hex digits), so that no byte of a file can move the cursor, recolour or retitle
     * the user's terminal. Used for every line the CLI prints that holds text from a file.
     */
    static String safe(String s) {
        if (s == null || s.codePoints().noneMatch(Text::control)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        s.codePoints().forEach(c -> {
            if (control(c)) {
                b.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    /** Returns whether a code point is one a terminal may act on: C0 (but newline and tab), DEL or C1. */
    static boolean control(int c) {
        return c < 0x20 && c != '\n' && c != '\t' || c >= 0x7F && c <= 0x9F;
    }

    /**
     * Returns a key as {@code ls} and {@code dump} show it: as is, unless it holds a character Python would not
     * print as is (a control, a line break, an invisible format character): then its repr, so that one key is
     * always one visible line.
     */
    static String key(String key) {
        return PyRepr.printable(key) ? key : PyRepr.str(key);
    }

    /** Returns a shape as Python writes a tuple: {@code (3,)}, {@code (2, 3)}, {@code ()}. */
    public static String shape(long[] shape) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            b.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** Returns a byte count for people: {@code 512 B}, {@code 3.0 KiB}, {@code 768.0 MiB}, {@code 1.50 GiB}. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1L << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1L << 30) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / (double) (1L << 30));
    }

    /** Returns a rate in GiB/s with two decimals, from bytes and nanoseconds. */
    public static String gibPerSecond(long bytes, long nanos) {
        return String.format(Locale.ROOT, "%.2f GiB/s", bytes / (double) (1L << 30) / Math.max(nanos, 1) * 1e9);
    }

    /** Returns nanoseconds as seconds with two decimals ({@code 1.25 s}). */
    public static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
