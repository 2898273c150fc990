package org.mmappickle;

/**
 * An access to a mapped array failed because its page cannot be backed by the file: another
 * process truncated the file under the view, or a write to a sparse (unreserved) allocation found
 * the disk full. The JDK reports the fault as an {@link InternalError}; the library wraps it here
 * so that callers see one documented exception. The JVM survives. To rule out the full-disk case,
 * allocate with {@code reserve = true}.
 *
 * <p>Once the JIT has compiled an access into a loop, HotSpot reports the fault late: at the loop's next safepoint
 * poll, a few iterations after the access that faulted. Every loop that runs inside the library (bulk copies,
 * {@code to*Array}, reductions, streams, {@code toString}, {@code equals}) reports it as this exception; a loop of the
 * caller's own over element accessors can receive the JDK's {@code InternalError} unless it runs inside
 * {@link NDArray#guarded(Runnable)}. Either way the faulting access did not happen, later accesses of the same loop
 * may not have happened either, the exception arrives on the faulting thread before the loop finishes, and the
 * file's other pages are unaffected.
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

    /**
     * Creates the exception for a fault reported late by compiled code, whose offset is unknown.
     *
     * @param what the kind of access ("read", "write" or "access")
     * @param fault the JDK's report of the fault
     */
    public MappedAccessException(String what, Throwable fault) {
        super(what + " of a mapped array failed: a mapped page is gone (file truncated by another process, or disk"
                + " full under a sparse allocation): " + fault.getMessage(), fault);
    }
}
