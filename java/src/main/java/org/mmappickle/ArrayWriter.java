package org.mmappickle;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * An array allocated in the file but not yet published ({@link MmapDict#allocatePending}): its
 * entry is pending, exactly like a large {@code set} whose payload is being copied, so no reader
 * (in this process or another, Python's {@code pickle.load} included) sees the key until
 * {@link #publish()}. Its disk blocks are reserved where the file system allows. Fill it one of
 * two ways:
 * <ul>
 * <li>when the data already exists in memory (off-heap, or a heap array through
 * {@link MemorySegment#ofArray(float[])} and its siblings), in one bulk copy with
 * {@link #copyFrom(MemorySegment)}: written through the file descriptor by the dict's ingest
 * threads, one copy per byte, the fastest way;</li>
 * <li>when the data is produced in place, through {@link #array()}, whose first call makes the
 * whole view writable at once (huge pages, populated over the ingest threads), so the fill does
 * not take a fault per 4 KiB page; a write through a mapping still zeroes each new page before
 * the fill overwrites it, which {@code copyFrom} does not.</li>
 * </ul>
 * Closing without publishing gives the entry up: it stays in the file as a deleted entry, which
 * {@link MmapDict##vacuum() MmapDict.vacuum()} reclaims, and a process killed before publishing leaves the same.
 *
 * <pre>{@code
 * try (ArrayWriter w = dict.allocatePending("frame_001", DType.FLOAT32, 512, 512, 32)) {
 *     fill(w.array());
 *     w.publish();
 * }
 * }</pre>
 */
public interface ArrayWriter extends AutoCloseable {
    /**
     * Returns the key the array is published under.
     *
     * @return the key
     */
    String key();

    /**
     * Returns the writable view of the pending array, mapped from the file, ready to be filled in
     * place at write speed: its disk blocks were reserved (where the file system allows), and the
     * first call asks for huge pages and faults the whole view in writable at once
     * ({@code MADV_HUGEPAGE} and {@code MADV_POPULATE_WRITE}, over the dict's ingest threads)
     * instead of a fault per 4 KiB page while it is filled; a kernel without these (before Linux
     * 5.14) gets the view as mapped, and so does a view larger than half the memory available
     * (populating it would push zeros out to the disk, and the caller may fill only part of it).
     * A writer filled only by {@link #copyFrom(MemorySegment)} need not call this.
     *
     * @return the view (the same one on every call); after {@link #publish()} it is the key's value
     * @throws IOException when the kernel cannot make the pages writable (naming the errno)
     * @throws IllegalStateException when this writer was closed without publishing
     */
    NDArray array() throws IOException;

    /**
     * Writes the whole payload from memory (its bytes, in the array's byte order, C order), through
     * the file descriptor with the dict's ingest threads instead of through the mapping: the
     * fastest way to fill the array when its data already exists in memory. The source may be
     * off-heap or a heap array's segment ({@code MemorySegment.ofArray(floats)}); the view
     * {@link #array()} returns sees the bytes.
     *
     * @param source exactly the array's payload bytes
     * @throws IOException when the file fails (naming the errno)
     * @throws IllegalArgumentException when the source's size is not the payload's
     * @throws IllegalStateException when the writer was published or closed
     */
    void copyFrom(MemorySegment source) throws IOException;

    /**
     * Makes the array the key's value (replacing any previous one) in one commit; after this, the
     * view stays valid and {@link #close()} does nothing.
     *
     * @throws IOException when the file fails; the entry then stays unpublished (a deleted entry)
     * @throws IllegalStateException when the writer was published or closed
     */
    void publish() throws IOException;

    /**
     * Gives the entry up when it was not published (it becomes an ordinary deleted entry).
     *
     * @throws IOException never in practice: a failure to mark the entry is logged (the entry is
     *     reported deleted anyway once its pending lock is released)
     */
    @Override
    void close() throws IOException;
}
