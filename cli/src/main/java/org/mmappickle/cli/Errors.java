package org.mmappickle.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.mmappickle.NativeIOException;
import org.mmappickle.NotMmapPickleException;
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
            case NotMmapPickleException n -> notMmapPickle(n);
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

    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    /**
     * Says what a file that is not an mmappickle file is, and which command helps: numpy's own formats are told
     * apart by their magic (the unpickler's words about them would say nothing), a plain pickle of a dict is
     * pointed to {@code mmappickle convert}.
     */
    private static String notMmapPickle(NotMmapPickleException n) {
        Path f = n.file();
        byte[] head = f == null ? new byte[0] : head(f);
        if (startsWith(head, NPY_MAGIC)) {
            return f + ": a numpy .npy file, not an mmappickle file; 'mmappickle import FILE " + f
                    + "' stores its array in one";
        }
        if (startsWith(head, ZIP_MAGIC)) {
            return f + ": a zip archive (a numpy .npz?), not an mmappickle file; 'mmappickle import FILE " + f
                    + "' stores its arrays in one";
        }
        if (n.kind() == NotMmapPickleException.Kind.CONVERTIBLE_DICT) {
            String found = n.found() == null ? "a plain pickle of a dict" : n.found().replace(" (MmapDict.convert rewrites it)", "");
            return f + ": " + found + "; 'mmappickle convert " + f + "' rewrites it in place, 'mmappickle convert "
                    + f + " NEW' into a new file";
        }
        return n.getMessage();
    }

    private static byte[] head(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            return in.readNBytes(NPY_MAGIC.length);
        } catch (IOException | RuntimeException e) {
            return new byte[0];
        }
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        return a.length >= prefix.length && Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static String other(FileSystemException e) {
        return e.getOtherFile() == null ? "" : " (" + e.getOtherFile() + ")";
    }

    /**
     * Folds a message onto one line, so that a multi-line text never breaks the one-line promise, with every
     * control character it quotes from a file escaped ({@link Text#safe}).
     */
    static String oneLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        return Text.safe(s.strip().replaceAll("\\s*\\R\\s*", " ").replace('\t', ' '));
    }
}
