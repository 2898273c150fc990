package org.mmappickle.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.mmappickle.NDArray;
import org.mmappickle.PickleFormatException;
import org.mmappickle.internal.format.ArrayLayout;

/**
 * An entry's value bytes in a file, as a {@link ValueCodec} reads them: its position, its first
 * bytes, and access to all of them either copied into memory for the duration of a read
 * ({@link #bytes()}) or mapped for the life of the dict ({@link #map()}, for values read as views).
 * The dict provides the implementation; tests of a codec may provide their own.
 */
public abstract class StoredValue {
    /** How many first bytes of a value {@link #head()} holds at least (all of them for a shorter value). */
    public static final int HEAD_BYTES = 64;

    /** For subclasses. */
    protected StoredValue() {
    }

    /**
     * Returns the entry's key.
     *
     * @return the key
     */
    public abstract String key();

    /**
     * Returns the file, for error messages.
     *
     * @return the path of the file (may be null for bytes that do not come from a file)
     */
    public abstract Path file();

    /**
     * Returns the absolute file offset of the value's first byte.
     *
     * @return the offset
     */
    public abstract long offset();

    /**
     * Returns the value's length in bytes.
     *
     * @return the length
     */
    public abstract long length();

    /**
     * Returns true when views of {@link #map()} may be written (the dict is open read-write).
     *
     * @return whether the mapping is writable
     */
    public abstract boolean writable();

    /**
     * Returns the value's first bytes: at least {@code min(length(), HEAD_BYTES)}, in memory.
     *
     * @return the head (read-only use)
     */
    public abstract MemorySegment head();

    /**
     * Returns some of the value's bytes, in memory: for recognising a value by bytes beyond its
     * head (after padding of untrusted length, for example) without mapping all of it. The
     * default copies them out of {@link #bytes()}; the dict reads just them.
     *
     * @param position the first byte, relative to the value's first byte
     * @param length how many bytes (fewer when the value ends first)
     * @return a segment of {@code min(length, length() - position)} bytes (empty when
     *     {@code position} is at or past the end)
     * @throws IOException when reading fails
     * @throws IllegalArgumentException when {@code position} or {@code length} is negative
     */
    public MemorySegment bytesAt(long position, int length) throws IOException {
        if (position < 0 || length < 0) {
            throw new IllegalArgumentException("negative position or length: " + position + ", " + length);
        }
        long n = Math.max(0, Math.min(length, length() - position));
        MemorySegment out = MemorySegment.ofArray(new byte[(int) n]);
        if (n > 0) {
            MemorySegment.copy(bytes(), position, out, 0, n);
        }
        return out;
    }

    /**
     * Returns all the value's bytes, in memory or through a temporary map; the segment is valid
     * only until {@link ValueCodec#read} returns, so a codec copies what it keeps.
     *
     * @return the value's bytes
     * @throws IOException when reading fails
     */
    public abstract MemorySegment bytes() throws IOException;

    /**
     * Maps the whole value for as long as the dict stays open (read-write when {@link #writable()}),
     * for values read as views; later calls return the same segment. A value read through this
     * map is kept by the dict and handed out again by later reads of the entry. A value longer
     * than 64 MiB has a map of its own, released before close once nothing holds the segment or a
     * slice of it (a view made from it holds it); after close, the segment cannot be used.
     *
     * @return the mapped value
     * @throws IOException when mapping fails
     */
    public abstract MemorySegment map() throws IOException;

    /**
     * Returns what passes access hints of views of {@link #map()} to the kernel (for
     * {@link NDArray#mapped}); null when there is none.
     *
     * @return the adviser, or null
     */
    public abstract NDArray.Adviser adviser();

    /**
     * An array found inside a value by {@link #arrayAt}.
     *
     * @param array the view of the array's payload in the mapped value
     * @param end the position just after the array's bytes, relative to the value's first byte
     */
    public record ArrayAt(NDArray array, long end) {
    }

    /**
     * Reads an array that starts at a position of this value and returns a view of its payload
     * (from {@link #map()}) and where its bytes end: for codecs whose values hold arrays written
     * with {@link EncodedValue.Builder#array}, in either {@link org.mmappickle.ArrayFormat}.
     *
     * @param position where the array's bytes (its padding, if any) start, relative to the value's
     *     first byte
     * @return the view and the position after the array
     * @throws IOException when mapping fails
     * @throws PickleFormatException when no array in either layout starts there, or one that
     *     starts there is malformed
     */
    public final ArrayAt arrayAt(long position) throws IOException {
        MemorySegment v = map();
        ArrayLayout.Located a = ArrayLayout.arrayAt(v, position, file(), offset());
        if (a == null) {
            throw new PickleFormatException(file(), offset() + position, "an array (numpy.ndarray or"
                    + " numpy.core.fromnumeric.reshape, after optional padding)", "other bytes");
        }
        return new ArrayAt(ArrayViews.view(v, a.array(), adviser()), a.end());
    }
}
