package org.mmappickle;

import java.nio.file.Path;

/**
 * The file is not in the mmappickle layout; it was not changed. {@link #kind()} says what it is,
 * so a tool can offer conversion for a plain pickle of a dict.
 */
public class NotMmapPickleException extends PickleFormatException {
    private static final long serialVersionUID = 1L;

    /** What a file that is not in the layout holds. */
    public enum Kind {
        /** The file has no bytes. */
        EMPTY,
        /** The bytes are not a pickle. */
        NOT_A_PICKLE,
        /** A plain pickle of a dict with string keys: {@code MmapDict.convert} can rewrite it. */
        CONVERTIBLE_DICT,
        /** A pickle of something else (another type, or a dict with non-string keys). */
        OTHER_PICKLE
    }

    /** What the file is instead. */
    private final Kind kind;

    /**
     * Creates the exception for a file of the given kind; {@code what} describes it for the message.
     *
     * @param file the file
     * @param kind what the file is instead
     * @param what a description of what was found, for the message
     */
    public NotMmapPickleException(Path file, Kind kind, String what) {
        super(file, 0, "an mmappickle file (a 24-byte header: PROTO 4, FRAME 13, version 1, commit, MARK)", what);
        this.kind = kind;
    }

    /**
     * Returns what the file holds.
     *
     * @return what the file holds
     */
    public Kind kind() {
        return kind;
    }
}
