package org.mmappickle;

/**
 * An access to a mapped array failed because its page cannot be backed by the file: another
 * process truncated the file under the view, or a write to a sparse (unreserved) allocation found
 * the disk full. The JDK reports the fault as an {@link InternalError}; the library wraps it here
 * so that callers see one documented exception. The JVM survives. To rule out the full-disk case,
 * allocate with {@code reserve = true}.
 */
public class MappedAccessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception for a fault at a byte offset of an array's view.
     *
     * @param what what was being done (read or write, and of what)
     * @param byteOffset the byte offset in the view where the access failed
     * @param fault the JDK's error for the fault
     */
    public MappedAccessException(String what, long byteOffset, Throwable fault) {
        super(what + " at byte " + byteOffset + " of the array: the mapped page is gone (file truncated by another"
                + " process, or disk full under a sparse allocation): " + fault.getMessage(), fault);
    }
}
