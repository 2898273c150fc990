package org.mmappickle.codec;

import java.nio.file.Path;
import java.util.Objects;
import org.mmappickle.ArrayFormat;

/**
 * What a codec needs to know to write a value: where its bytes will start in the file, the first
 * memo index it may use, and the array layout asked for. The dict encodes a value before it takes
 * the file's lock with guesses of the offset and memo index, and encodes it again under the lock
 * only when a guess that the codec asked for turned out wrong: asking only for what the bytes
 * depend on saves that second encoding.
 */
public final class WriteContext {
    private final Path file;
    private final long valueOffset;
    private final int memoStart;
    private final ArrayFormat arrayFormat;
    private boolean askedOffset;
    private boolean askedMemo;

    /**
     * Creates a context.
     *
     * @param file the file being written (for messages; may be null)
     * @param valueOffset the absolute file offset of the value's first byte
     * @param memoStart the first memo index the value may use
     * @param arrayFormat the array layout asked for
     */
    public WriteContext(Path file, long valueOffset, int memoStart, ArrayFormat arrayFormat) {
        if (valueOffset < 0 || memoStart < 0) {
            throw new IllegalArgumentException("negative offset or memo start: " + valueOffset + ", " + memoStart);
        }
        this.file = file;
        this.valueOffset = valueOffset;
        this.memoStart = memoStart;
        this.arrayFormat = Objects.requireNonNull(arrayFormat);
    }

    /**
     * Returns the file being written.
     *
     * @return its path, or null
     */
    public Path file() {
        return file;
    }

    /**
     * Returns the absolute file offset where the value's first byte will be (to align payloads).
     *
     * @return the offset
     */
    public long valueOffset() {
        askedOffset = true;
        return valueOffset;
    }

    /**
     * Returns the first memo index the value may use (BINPUT/LONG_BINPUT numbering, docs/format.md
     * "Generic values"); the encoded value's memo-max is then the next unused index.
     *
     * @return the memo start
     */
    public int memoStart() {
        askedMemo = true;
        return memoStart;
    }

    /**
     * Returns the layout asked for array entries (the dict's, or the one given to {@code set}).
     *
     * @return the array format
     */
    public ArrayFormat arrayFormat() {
        return arrayFormat;
    }

    /**
     * Returns a builder of a value that starts at {@link #valueOffset()}.
     *
     * @return a new builder
     */
    public EncodedValue.Builder builder() {
        return EncodedValue.builder(valueOffset());
    }

    /**
     * Returns true when the codec asked for {@link #valueOffset()} (directly or through
     * {@link #builder()}): its bytes may not hold at another offset.
     *
     * @return whether the offset was asked for
     */
    public boolean askedValueOffset() {
        return askedOffset;
    }

    /**
     * Returns true when the codec asked for {@link #memoStart()}.
     *
     * @return whether the memo start was asked for
     */
    public boolean askedMemoStart() {
        return askedMemo;
    }
}
