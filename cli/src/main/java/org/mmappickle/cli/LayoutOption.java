package org.mmappickle.cli;

import org.mmappickle.ArrayFormat;

/** The {@code --layout} values: which array layout a command writes (docs/format.md). */
enum LayoutOption {
    /** This project's layout: plain pickle loads it on numpy 1.x and 2.x. */
    ours(ArrayFormat.OURS),
    /** mmappickle 1.0.1's layout, for readers that need its memory maps; numpy 2.x cannot unpickle it. */
    original(ArrayFormat.ORIGINAL);

    private final ArrayFormat format;

    LayoutOption(ArrayFormat format) {
        this.format = format;
    }

    /** Returns the library's array format. */
    ArrayFormat format() {
        return format;
    }

    /**
     * Returns the word the CLI prints for a layout ({@code ls}, {@code info}, their JSON): the
     * {@code --layout} value that writes it, so what is printed can be passed back to a command.
     */
    static String word(ArrayFormat format) {
        for (LayoutOption o : values()) {
            if (o.format == format) {
                return o.name();
            }
        }
        throw new IllegalArgumentException("no --layout value for " + format);
    }
}
