package org.mmappickle;

/** How an array entry is laid out in the file (docs/format.md, and docs/decisions/our-array-layout.md). */
public enum ArrayFormat {
    /**
     * This project's layout (the default): {@code numpy.ndarray(shape, dtype, bytearray)} with the
     * payload aligned to 64 bytes (4096 for payloads of 64 KiB or more). Plain {@code pickle.load}
     * reads it on numpy 1.x and 2.x; mmappickle 1.0.1 reads it as a generic value (a copy).
     */
    OURS,
    /**
     * mmappickle 1.0.1's layout, byte for byte ({@code numpy.core.multiarray.fromstring}): the
     * original library memory-maps it, but plain {@code pickle.load} on numpy 2.x cannot read it.
     */
    ORIGINAL
}
