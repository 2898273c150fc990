package org.mmappickle.cli;

/**
 * An operation that cannot be done with the files as they are (a missing key, a value of the wrong kind): the
 * command ends with exit status 1 and this exception's message as its one line on standard error.
 */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with the line the user will read. */
    public CliException(String message) {
        super(message);
    }

    /** Creates the exception with the line the user will read and the cause {@code --verbose} shows. */
    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
