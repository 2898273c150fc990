package org.mmappickle;

/**
 * Layout facts about one entry of a file, for tools: where it is, whether it is valid, and what
 * its value is (told by the format's array grammar from the value's bytes, without reading the
 * payload), so that no tool needs a parser of its own.
 *
 * @param key the entry's key
 * @param offset offset of the entry's first byte (its FRAME opcode)
 * @param length the entry's total length in bytes
 * @param valueOffset offset of the value's first byte
 * @param valueLength the value's length in bytes
 * @param memoMax the entry's memo-max field
 * @param valid false for deleted (and replaced) entries
 * @param pending true while a writer is still copying this entry's payload
 * @param abandoned true for an entry a writer reserved and left before its payload was complete (it
 *     was killed mid-copy): deleted for every reader, its space given back by a vacuum
 * @param kind what the value is
 * @param layout the array layout, or null for a generic value
 * @param dtype the array's element type, or null for a generic value
 * @param shape the array's shape, or null for a generic value
 * @param payloadBytes the array's payload bytes (data and mask for a masked array), 0 for a generic value
 */
public record EntryInfo(String key, long offset, long length, long valueOffset, long valueLength,
                        int memoMax, boolean valid, boolean pending, boolean abandoned, Kind kind, ArrayFormat layout, DType dtype,
                        long[] shape, long payloadBytes) {

    /** What an entry's value is. */
    public enum Kind {
        /** A generic pickled value (anything but an array entry, including a vacuumed filler). */
        VALUE,
        /** A numpy array entry, memory-mapped by readers that know the layout. */
        NDARRAY,
        /** A numpy masked array entry: data and mask arrays. */
        MASKED
    }

    /**
     * Facts about an entry whose value is a generic value.
     *
     * @param key the entry's key
     * @param offset offset of the entry's first byte (its FRAME opcode)
     * @param length the entry's total length in bytes
     * @param valueOffset offset of the value's first byte
     * @param valueLength the value's length in bytes
     * @param memoMax the entry's memo-max field
     * @param valid false for deleted (and replaced) entries
     * @param pending true while a writer is still copying this entry's payload
     */
    public EntryInfo(String key, long offset, long length, long valueOffset, long valueLength, int memoMax,
                     boolean valid, boolean pending) {
        this(key, offset, length, valueOffset, valueLength, memoMax, valid, pending, false, Kind.VALUE, null, null, null, 0);
    }

    /** Compares every component, the shape by its elements. */
    @Override
    public boolean equals(Object o) {
        return o instanceof EntryInfo e && key.equals(e.key) && offset == e.offset && length == e.length
                && valueOffset == e.valueOffset && valueLength == e.valueLength && memoMax == e.memoMax
                && valid == e.valid && pending == e.pending && abandoned == e.abandoned && kind == e.kind && layout == e.layout
                && java.util.Objects.equals(dtype, e.dtype) && java.util.Arrays.equals(shape, e.shape)
                && payloadBytes == e.payloadBytes;
    }

    /** Hashes every component, the shape by its elements. */
    @Override
    public int hashCode() {
        return java.util.Objects.hash(key, offset, length, valueOffset, valueLength, memoMax, valid, pending, abandoned, kind, layout,
                dtype, java.util.Arrays.hashCode(shape), payloadBytes);
    }

    /** Shows every component, the shape by its elements. */
    @Override
    public String toString() {
        return "EntryInfo[key=" + key + ", offset=" + offset + ", length=" + length + ", valueOffset=" + valueOffset
                + ", valueLength=" + valueLength + ", memoMax=" + memoMax + ", valid=" + valid + ", pending=" + pending
                + ", abandoned=" + abandoned + ", kind=" + kind + ", layout=" + layout + ", dtype=" + dtype + ", shape="
                + java.util.Arrays.toString(shape) + ", payloadBytes=" + payloadBytes + "]";
    }
}
