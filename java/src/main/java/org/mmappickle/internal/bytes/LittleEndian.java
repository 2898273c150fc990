package org.mmappickle.internal.bytes;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The one place for the little-endian, unaligned layouts that pickle and the mmappickle layout
 * use for every integer (docs/format.md: every integer of the layout is little-endian). A leaf package, so that
 * every layer can use it without a dependency between layers.
 */
public final class LittleEndian {
    /** An unsigned 16-bit field (read as a short; mask with 0xFFFF). */
    public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** A signed 32-bit field. */
    public static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** A 64-bit field (signed, or unsigned read as a long). */
    public static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {
    }
}
