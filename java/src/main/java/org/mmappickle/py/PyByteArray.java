package org.mmappickle.py;

import java.util.Arrays;
import java.util.Objects;
import org.mmappickle.internal.bytes.BytesRepr;

/**
 * A Python {@code bytearray}: a mutable byte string. It wraps its array without copying, as a
 * bytearray is mutable in Python too; equality and hash code follow the current content (so, as in
 * Python, a bytearray makes a poor dictionary key). A plain {@code byte[]} is a Python {@code bytes}.
 */
public final class PyByteArray {
    private final byte[] bytes;

    /**
     * Wraps an array (not copied: later changes to the array show in this bytearray).
     *
     * @param bytes the content
     */
    public PyByteArray(byte[] bytes) {
        this.bytes = Objects.requireNonNull(bytes, "bytes");
    }

    /**
     * Returns the wrapped array itself (not a copy).
     *
     * @return the wrapped array itself (not a copy)
     */
    public byte[] bytes() {
        return bytes;
    }

    /**
     * Returns the number of bytes.
     *
     * @return the number of bytes
     */
    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PyByteArray other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Returns {@code bytearray(b'...')} with the content in hex for bytes outside printable ASCII. */
    @Override
    public String toString() {
        return "bytearray(" + BytesRepr.of(bytes) + ")";
    }
}
