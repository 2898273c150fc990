package org.mmappickle.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.mmappickle.MaskedArray;
import org.mmappickle.NDArray;
import org.mmappickle.PickleFormatException;
import org.mmappickle.internal.format.ArrayLayout;

/**
 * What the array codecs share: recognising an array value by {@link ArrayLayout}'s grammar from the
 * bytes a {@link StoredValue} gives, and views of a parsed one.
 */
final class ArrayViews {
    private ArrayViews() {
    }

    /**
     * Returns true when a value's first bytes announce an array value of the kind
     * ({@link ArrayLayout#sniff}): then it is worth mapping the whole value. The bytes after the
     * padding are read from the value when the head does not hold them, so that recognition never
     * depends on how many bytes the head has (a value recognised too rarely would be read by the
     * generic reader into a heap copy, and writes through it would be lost).
     *
     * @param head the value's first bytes
     * @param value the value, for the bytes beyond the head (its length bounds the padding); null
     *     when the head is all there is of it
     * @param kind the kind of array value asked about
     */
    static boolean announces(MemorySegment head, StoredValue value, ArrayLayout.Kind kind) {
        if (value == null) {
            return ArrayLayout.sniff(ArrayLayout.Source.of(head), head.byteSize()) == kind;
        }
        try {
            return ArrayLayout.sniff((position, n) -> position + n <= head.byteSize()
                    ? head.asSlice(position, n) : value.bytesAt(position, n), value.length()) == kind;
        } catch (IOException e) {
            return true;   // reading the value will fail again and report it
        }
    }

    /** Returns views of a parsed array value's payloads in the mapped value: an NDArray or a MaskedArray. */
    private static Object views(MemorySegment value, ArrayLayout.Parsed p, NDArray.Adviser adviser) {
        NDArray data = view(value, p.data(), adviser);
        return p.mask() == null ? data : new MaskedArray(data, view(value, p.mask(), adviser));
    }

    /** Returns a view of one array's payload in the bytes its header's offsets are relative to. */
    static NDArray view(MemorySegment value, ArrayLayout.ArrayHeader h, NDArray.Adviser adviser) {
        return NDArray.mapped(value.asSlice(h.payloadOffset(), h.payloadLength()), h.dtype(), h.shape(), adviser);
    }

    /**
     * Reads a value as array views when it is one, else through the generic reader: also a value
     * that starts like an array but is not in either layout (a generic pickle of
     * {@code numpy.ndarray(shape, dtype, builtins.bytearray(...))}); when neither reads it, the
     * array parser's error says where the bytes go wrong.
     */
    static Object read(StoredValue v) throws IOException {
        // parsed where the bytes already are (or through a temporary map): the long-lived map is
        // made only for a value that will be read as views, so other values never pin one
        return switch (ArrayLayout.read(v.bytes(), v.file(), v.offset())) {
            case ArrayLayout.Parsed p -> views(v.map(), p, v.adviser());   // the same offsets in the map
            case ArrayLayout.NotAnArray n -> GenericCodec.INSTANCE.read(v);
            case ArrayLayout.Malformed m -> {
                try {
                    yield GenericCodec.INSTANCE.read(v);
                } catch (PickleFormatException | IllegalArgumentException alsoNotGeneric) {
                    m.error().addSuppressed(alsoNotGeneric);
                    throw m.error();
                }
            }
        };
    }
}
