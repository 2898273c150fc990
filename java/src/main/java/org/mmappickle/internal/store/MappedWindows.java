package org.mmappickle.internal.store;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import org.mmappickle.Advice;
import org.mmappickle.internal.bytes.LittleEndian;
import org.mmappickle.internal.io.NativeFile;

/**
 * The long-lived maps that array views are slices of: the file is mapped in windows of {@code
 * 2 * WINDOW} bytes starting every {@code WINDOW} bytes, each mapped once (past the end of the file
 * too, so that a growing file needs no new map), and a view is a slice of the window that holds
 * it. So the number of maps grows with the file's size, not with the number of reads: a dict that
 * puts, reads and deletes arrays forever keeps a bounded set. A value longer than a window gets a
 * map of its own. Maps live until the file is closed.
 */
final class MappedWindows {
    /** Window stride; each window spans two strides, so any value up to one stride fits in one window. */
    static final long WINDOW = 64L << 20;

    private final NativeFile file;
    private final boolean writable;
    private final Map<Long, MemorySegment> windows = new HashMap<>();

    MappedWindows(NativeFile file, boolean writable) {
        this.file = file;
        this.writable = writable;
    }

    /**
     * Returns a long-lived map of a range of the file (writable when the file is).
     *
     * @param offset where the range starts
     * @param length its length
     * @return the range, read-only unless the file is writable
     * @throws IOException when mmap fails
     */
    synchronized MemorySegment map(long offset, long length) throws IOException {
        if (length > WINDOW) {
            return file.map(offset, length, writable, false);
        }
        long k = offset / WINDOW;
        MemorySegment slice = window(k).asSlice(offset - k * WINDOW, length);
        return writable ? slice : slice.asReadOnly();
    }

    /**
     * Reads the byte at an offset inside the file through the windows (no system call once its
     * window is mapped): the index learns other processes' deletions this way.
     *
     * @param offset where, below the file's size
     * @return the byte
     * @throws IOException when mmap fails
     */
    synchronized byte byteAt(long offset) throws IOException {
        long k = offset / WINDOW;
        return window(k).get(ValueLayout.JAVA_BYTE, offset - k * WINDOW);
    }

    /**
     * Reads the little-endian int at an offset inside the file through the windows.
     *
     * @param offset where, at least 4 bytes below the file's size
     * @return the int
     * @throws IOException when mmap fails
     */
    synchronized int intAt(long offset) throws IOException {
        long k = offset / WINDOW;
        return window(k).get(LittleEndian.I32, offset - k * WINDOW);
    }

    /**
     * Asks for huge pages ({@code MADV_HUGEPAGE}) on the whole map a view is a slice of (its window,
     * or its own map when it is longer than a window). The advice sets a flag of the kernel's map
     * over the range it covers, so advising the view alone would split its window into two or
     * three kernel maps each time, and a dict that fills arrays in place for ever would pile them
     * up toward {@code vm.max_map_count}.
     *
     * @param view a view this object mapped
     * @throws IOException when the kernel refuses (EINVAL without transparent huge pages is ignored)
     */
    synchronized void adviseHugePages(MemorySegment view) throws IOException {
        MemorySegment whole = view;   // a map of its own: the view spans it (from the page it starts in)
        for (MemorySegment w : windows.values()) {
            if (view.address() >= w.address() && view.address() + view.byteSize() <= w.address() + w.byteSize()) {
                whole = w;
                break;
            }
        }
        file.advise(whole, Advice.HUGEPAGE);
    }

    private MemorySegment window(long k) throws IOException {
        MemorySegment w = windows.get(k);
        if (w == null) {
            w = file.map(k * WINDOW, 2 * WINDOW, writable, false);
            windows.put(k, w);
        }
        return w;
    }
}
