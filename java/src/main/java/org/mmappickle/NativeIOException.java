package org.mmappickle;

import java.io.IOException;

/**
 * A system call failed: carries the call, the file and the errno, e.g.
 * {@code mmp_reserve(/data/x.mmdpickle, offset=0, length=4096): ENOSPC: No space left on device}.
 */
public class NativeIOException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The positive errno value. */
    private final int errno;
    /** The symbolic errno name, such as {@code ENOSPC}. */
    private final String errnoName;

    /**
     * Creates the exception.
     *
     * @param message the full message (call, path, errno name and text)
     * @param errno the positive errno value
     * @param errnoName the symbolic errno name, such as {@code ENOSPC}
     */
    public NativeIOException(String message, int errno, String errnoName) {
        super(message);
        this.errno = errno;
        this.errnoName = errnoName;
    }

    /**
     * Returns the positive errno value of the failed call.
     *
     * @return the positive errno value of the failed call
     */
    public int errno() {
        return errno;
    }

    /**
     * Returns the symbolic name of the errno, such as {@code ENOSPC}.
     *
     * @return the symbolic name of the errno, such as {@code ENOSPC}
     */
    public String errnoName() {
        return errnoName;
    }

    /**
     * Returns true when the call failed because the device or a quota is full (ENOSPC, EDQUOT, EFBIG).
     *
     * @return true when the call failed because the device or a quota is full (ENOSPC, EDQUOT, EFBIG)
     */
    public boolean isDiskFull() {
        return switch (errnoName) {
            case "ENOSPC", "EDQUOT", "EFBIG" -> true;
            default -> false;
        };
    }
}
