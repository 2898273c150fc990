package org.mmappickle.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.mmappickle.MaskedArray;
import org.mmappickle.internal.format.ArrayLayout;

/**
 * numpy masked arrays as entries of their own, in both layouts of docs/format.md
 * ({@code numpy.ma.MaskedArray} of two arrays in ours, {@code numpy.ma.core.MaskedArray} in
 * mmappickle 1.0.1's): read as {@link MaskedArray}s whose data and mask are views of the file's
 * memory map; {@link MaskedArray}s written in the layout the {@link WriteContext#arrayFormat()}
 * asks for.
 */
public final class MaskedArrayCodec implements ValueCodec {
    /** Its priority. */
    public static final int PRIORITY = 0;

    static final MaskedArrayCodec INSTANCE = new MaskedArrayCodec();

    /** Creates the codec (stateless: {@link Codecs#maskedArrays()} returns a shared one). */
    public MaskedArrayCodec() {
    }

    /** Returns {@value #PRIORITY}. */
    @Override
    public int priority() {
        return PRIORITY;
    }

    /** Returns true when the value starts like a masked array in either layout. */
    @Override
    public boolean recognizes(MemorySegment head, StoredValue value) {
        return ArrayViews.announces(head, value, ArrayLayout.Kind.MASKED_ARRAY);
    }

    /** Maps the value and returns views of its data and mask; other bytes go to the generic reader. */
    @Override
    public Object read(StoredValue value) throws IOException {
        return ArrayViews.read(value);
    }

    /** Returns true for a {@link MaskedArray}. */
    @Override
    public boolean canWrite(Object value) {
        return value instanceof MaskedArray;
    }

    /** Writes the masked array's structure in the asked layout around its data and mask payloads. */
    @Override
    public EncodedValue write(Object value, WriteContext context) {
        if (!(value instanceof MaskedArray m)) {
            throw new IllegalArgumentException("not a MaskedArray: " + (value == null ? "null" : value.getClass().getName()));
        }
        List<byte[]> around = ArrayLayout.encodeMasked(m.data().dtype(), m.data().shape(),
                context.arrayFormat(), context.valueOffset());
        return new EncodedValue(around, List.<MemorySegment>of(m.data().segment(), m.mask().segment()), 0);
    }

    @Override
    public String toString() {
        return "MaskedArrayCodec";
    }
}
