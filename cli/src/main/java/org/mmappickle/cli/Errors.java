package org.mmappickle.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.mmappickle.NativeIOException;
import org.mmappickle.PickleFormatException;

/** Turns the exceptions a command may end with into the one line the user reads. */
final class Errors {
    private Errors() {
    }

    /**
     * Returns one line that says what failed: the message of the library's own exceptions (they name the
     * file and the offset), plain words for the file system's, and the exception's type for anything else,
     * which is a bug worth reporting with {@code --verbose}.
     */
    static String describe(Throwable e) {
        Throwable t = e;
        // wrappers add nothing the user needs: the cause says what happened
        while ((t instanceof UncheckedIOException || t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.lang.reflect.UndeclaredThrowableException) && t.getCause() != null) {
            t = t.getCause();
        }
        String text = switch (t) {
            case CliException c -> c.getMessage();
            case PickleFormatException p -> p.getMessage();
            case NoSuchFileException n -> n.getFile() + ": no such file" + other(n);
            case AccessDeniedException a -> a.getFile() + ": permission denied" + other(a);
            case FileAlreadyExistsException f -> f.getFile() + ": already exists" + other(f);
            case NotDirectoryException n -> n.getFile() + ": not a directory";
            case NativeIOException n -> n.getMessage();
            case FileSystemException f -> f.getMessage();
            case IOException io -> io.getMessage() == null ? io.toString() : io.getMessage();
            case UnsupportedOperationException u when u.getMessage() != null -> u.getMessage();
            case IllegalArgumentException i when i.getMessage() != null -> i.getMessage();
            case IllegalStateException i when i.getMessage() != null -> i.getMessage();
            default -> "internal error: " + t + " (run again with --verbose for the stack trace)";
        };
        return oneLine(text);
    }

    private static String other(FileSystemException e) {
        return e.getOtherFile() == null ? "" : " (" + e.getOtherFile() + ")";
    }

    /** Folds a message onto one line, so that a multi-line text never breaks the one-line promise. */
    static String oneLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        return s.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
