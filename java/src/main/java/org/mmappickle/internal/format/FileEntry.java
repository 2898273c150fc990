package org.mmappickle.internal.format;

/**
 * Where one entry lies in the file and what its structural bytes say.
 *
 * @param offset offset of the entry's FRAME opcode
 * @param key the key
 * @param valueOffset offset of the value's first byte
 * @param valueLength D, the value's length in bytes
 * @param memoMax the entry's memo-max
 * @param valid true when the valid byte is NEWTRUE
 */
public record FileEntry(long offset, String key, long valueOffset, long valueLength, int memoMax, boolean valid) {
    /** Offset of the byte just after the entry. */
    public long end() {
        return valueOffset + valueLength + FileLayout.ENTRY_SUFFIX;
    }

    /** Offset of the valid byte (NEWTRUE or POP). */
    public long validOffset() {
        return valueOffset + valueLength + 6;
    }

    /** Offset of the i32 memo-max. */
    public long memoOffset() {
        return valueOffset + valueLength + 1;
    }

    /** Returns true while a two-phase append is copying this entry's payload. */
    public boolean pending() {
        return !valid && memoMax == FileLayout.PENDING_MEMO;
    }

    /** The same entry with another valid flag. */
    public FileEntry withValid(boolean v) {
        return new FileEntry(offset, key, valueOffset, valueLength, memoMax, v);
    }

    /** The same entry with another memo-max. */
    public FileEntry withMemoMax(int m) {
        return new FileEntry(offset, key, valueOffset, valueLength, m, valid);
    }
}
