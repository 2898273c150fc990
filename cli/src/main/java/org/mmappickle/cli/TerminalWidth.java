package org.mmappickle.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The width of the terminal the user watches, for lines that must not wrap (the progress bar). */
final class TerminalWidth {
    /** What a terminal is taken to be when nothing says otherwise. */
    static final int DEFAULT = 80;

    private TerminalWidth() {
    }

    /**
     * Returns the terminal's columns: {@code $COLUMNS} when the shell exports it, else what {@code stty size}
     * says of {@code /dev/tty} (the JDK has no call for it), else {@link #DEFAULT}.
     */
    static int columns() {
        Integer env = parse(System.getenv("COLUMNS"));
        if (env != null) {
            return env;
        }
        File tty = new File("/dev/tty");
        if (tty.canRead()) {
            try {
                Process p = new ProcessBuilder("stty", "size").redirectInput(tty)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
                if (p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    String[] rowsCols = out.split("\\s+");
                    Integer cols = rowsCols.length == 2 ? parse(rowsCols[1]) : null;
                    if (cols != null) {
                        return cols;
                    }
                }
            } catch (IOException e) {
                return DEFAULT;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return DEFAULT;
            }
        }
        return DEFAULT;
    }

    private static Integer parse(String s) {
        if (s == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(s.strip());
            return n > 0 && n < 10_000 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
