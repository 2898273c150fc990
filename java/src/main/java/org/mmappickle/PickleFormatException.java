package org.mmappickle;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The bytes of a file are not what the format says: the one exception type for every malformed,
 * truncated or hostile input. It names the file, the offset and what was expected there.
 * The file is never changed by the operation that throws it.
 */
public class PickleFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    /** Where the problem is, in the file or in the bytes. */
    private final long offset;
    /** What the format requires there. */
    private final String expected;
    /** What is there instead, or null. */
    private final String found;

    /**
     * Creates the exception.
     *
     * @param file the file, or null for bytes that do not come from a file
     * @param offset the offset in the file (or in the bytes) where the problem is
     * @param expected what the format requires there
     * @param found what is there instead, or null when there is nothing more to say
     */
    public PickleFormatException(Path file, long offset, String expected, String found) {
        this(file, offset, expected, found, null);
    }

    /**
     * Creates the exception with a cause (see {@link #PickleFormatException(Path, long, String, String)}).
     *
     * @param file the file, or null for bytes that do not come from a file
     * @param offset the offset in the file (or in the bytes) where the problem is
     * @param expected what the format requires there
     * @param found what is there instead, or null when there is nothing more to say
     * @param cause the failure that revealed the problem
     */
    public PickleFormatException(Path file, long offset, String expected, String found, Throwable cause) {
        super(message(file, offset, expected, found), cause);
        this.file = file;
        this.offset = offset;
        this.expected = expected;
        this.found = found;
    }

    private static String message(Path file, long offset, String expected, String found) {
        return String.format(Locale.ROOT, "%s at offset %d: expected %s%s",
                file == null ? "<bytes>" : file.toString(), offset, expected,
                found == null ? "" : ", found " + found);
    }

    /**
     * Returns the file, or null for bytes that do not come from a file.
     *
     * @return the file, or null for bytes that do not come from a file
     */
    public Path file() {
        return file;
    }

    /**
     * Returns the offset where the problem is.
     *
     * @return the offset where the problem is
     */
    public long offset() {
        return offset;
    }

    /**
     * Returns what the format requires at the offset.
     *
     * @return what the format requires at the offset
     */
    public String expected() {
        return expected;
    }

    /**
     * Returns what was found instead, or null.
     *
     * @return what was found instead, or null
     */
    public String found() {
        return found;
    }
}
