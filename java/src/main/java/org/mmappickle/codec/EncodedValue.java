package org.mmappickle.codec;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.mmappickle.ArrayFormat;
import org.mmappickle.NDArray;
import org.mmappickle.internal.format.ArrayLayout;

/**
 * The bytes of an entry's value as a codec writes them: structural pieces interleaved with payload
 * segments ({@code structure[0], payloads[0], structure[1], ..., structure[n]}), and the entry's
 * memo-max. The structure is small and built in memory; the payloads (array data) are copied by
 * the dict from the segments, possibly with no lock held, so they must stay unchanged until the
 * write returns. A value without payloads is one structural piece.
 *
 * @param structure the structural pieces, one more than there are payloads (copied; the arrays are
 *     not)
 * @param payloads the payload segments written between the pieces (copied list)
 * @param memoMax the entry's memo-max: the first memo index later entries may use; 0 for a value
 *     with no memo operations, else the next index after the last it used (docs/format.md)
 */
public record EncodedValue(List<byte[]> structure, List<MemorySegment> payloads, int memoMax) {
    /**
     * Checks the shape of the value.
     *
     * @throws IllegalArgumentException when there is not exactly one more piece than payloads, or
     *     memoMax is negative
     */
    public EncodedValue {
        structure = List.copyOf(structure);
        payloads = List.copyOf(payloads);
        if (structure.size() != payloads.size() + 1) {
            throw new IllegalArgumentException("an encoded value has one more structural piece than payloads, not "
                    + structure.size() + " for " + payloads.size());
        }
        if (memoMax < 0) {
            throw new IllegalArgumentException("negative memo-max " + memoMax);
        }
    }

    /**
     * Returns a value made of one structural piece and no payload.
     *
     * @param bytes the value's bytes (not copied)
     * @param memoMax the entry's memo-max
     * @return the encoded value
     */
    public static EncodedValue of(byte[] bytes, int memoMax) {
        return new EncodedValue(List.<byte[]>of(bytes), List.of(), memoMax);
    }

    /**
     * Returns a builder of a value whose first byte will be at an absolute file offset.
     *
     * @param valueOffset the file offset of the value's first byte (see {@link WriteContext#builder()})
     * @return a new builder
     */
    public static Builder builder(long valueOffset) {
        return new Builder(valueOffset);
    }

    /**
     * Returns the value's length: all pieces and payloads.
     *
     * @return the length in bytes
     */
    public long length() {
        long n = 0;
        for (byte[] s : structure) {
            n = Math.addExact(n, s.length);
        }
        return Math.addExact(n, payloadBytes());
    }

    /**
     * Returns the total length of the payloads.
     *
     * @return the payload bytes
     */
    public long payloadBytes() {
        long n = 0;
        for (MemorySegment p : payloads) {
            n = Math.addExact(n, p.byteSize());
        }
        return n;
    }

    /**
     * Returns where payload {@code i} starts, relative to the value's first byte.
     *
     * @param i the payload's index
     * @return its offset in the value
     */
    public long payloadOffset(int i) {
        long n = 0;
        for (int j = 0; j <= i; j++) {
            n += structure.get(j).length;
            if (j < i) {
                n += payloads.get(j).byteSize();
            }
        }
        return n;
    }

    /**
     * Builds an {@link EncodedValue} piece by piece, knowing the file offset of every byte so that
     * arrays can be aligned. Consecutive bytes merge into one structural piece.
     */
    public static final class Builder {
        private final long valueOffset;
        private final List<byte[]> structure = new ArrayList<>();
        private final List<MemorySegment> payloads = new ArrayList<>();
        private final ByteArrayOutputStream piece = new ByteArrayOutputStream();
        private long position;

        private Builder(long valueOffset) {
            if (valueOffset < 0) {
                throw new IllegalArgumentException("negative value offset " + valueOffset);
            }
            this.valueOffset = valueOffset;
        }

        /**
         * Appends structural bytes (pickle opcodes).
         *
         * @param bytes the bytes, copied
         * @return this builder
         */
        public Builder bytes(byte... bytes) {
            piece.writeBytes(bytes);
            position = Math.addExact(position, bytes.length);
            return this;
        }

        /**
         * Appends a payload: bytes copied from the segment when the entry is written (the
         * structure before it must make pickle read them, e.g. a BYTEARRAY8 opcode and length).
         *
         * @param segment the payload, read when the entry is written
         * @return this builder
         */
        public Builder payload(MemorySegment segment) {
            structure.add(piece.toByteArray());
            piece.reset();
            payloads.add(segment);
            position = Math.addExact(position, segment.byteSize());
            return this;
        }

        /**
         * Appends an array as one pickle value (pushing one {@code numpy.ndarray}) in a layout of
         * docs/format.md: in {@link ArrayFormat#OURS} its payload is padded to start at a multiple of 64
         * bytes in the file (4096 for 64 KiB or more); {@link StoredValue#arrayAt} reads it back as
         * a view. The padding pushes and pops a bytes object, so the array must not come right
         * after a MARK.
         *
         * @param array the array, whose bytes are copied when the entry is written
         * @param format the layout
         * @return this builder
         */
        public Builder array(NDArray array, ArrayFormat format) {
            List<byte[]> around = ArrayLayout.encode(array.dtype(), array.shape(), format, fileOffset());
            return bytes(around.get(0)).payload(array.segment()).bytes(around.get(1));
        }

        /**
         * Returns how many bytes the value has so far (the position of the next byte in the value).
         *
         * @return the position
         */
        public long position() {
            return position;
        }

        /**
         * Returns the absolute file offset of the next byte.
         *
         * @return the offset
         */
        public long fileOffset() {
            return Math.addExact(valueOffset, position);
        }

        /**
         * Returns the value built so far.
         *
         * @param memoMax the entry's memo-max (0 when the value has no memo operations)
         * @return the encoded value
         */
        public EncodedValue build(int memoMax) {
            List<byte[]> s = new ArrayList<>(structure);
            s.add(piece.toByteArray());
            return new EncodedValue(s, payloads, memoMax);
        }
    }
}
