package org.mmappickle.internal.store;
import org.mmappickle.internal.format.ArrayLayout;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import org.mmappickle.ArrayFormat;
import org.mmappickle.DType;
import org.mmappickle.codec.EncodedValue;
import org.mmappickle.codec.ValueCodec;
import org.mmappickle.codec.WriteContext;

/**
 * Turns a Java value into the bytes of an entry through a dict's codecs. The codec is chosen and
 * the value encoded in {@link #prepare}, before any lock is taken, with guesses of the value's
 * offset and memo start; {@link Prepared#plan} then fixes the entry under the lock, encoding again
 * only when a guess the codec asked for was wrong.
 */
public final class EntryEncoder {
    private EntryEncoder() {
    }

    /** A value checked and encoded with guesses of where it lands. */
    public static final class Prepared {
        private final ValueCodec codec;
        private final Object value;
        private final Path file;
        private final ArrayFormat format;
        private final WriteContext guess;
        private final EncodedValue encoded;

        Prepared(ValueCodec codec, Object value, Path file, ArrayFormat format, WriteContext guess, EncodedValue encoded) {
            this.codec = codec;
            this.value = value;
            this.file = file;
            this.format = format;
            this.guess = guess;
            this.encoded = encoded;
        }

        /**
         * Returns the value's bytes for a value starting at {@code valueOffset}, numbering memos
         * from {@code memoStart}: those of {@link #prepare} when the guesses the codec asked for
         * hold, else encoded again.
         *
         * @param valueOffset the file offset of the value's first byte
         * @param memoStart the first free memo index
         * @return the encoded value
         */
        public EncodedValue encoded(long valueOffset, int memoStart) {
            EncodedValue v = encoded;
            // (reading a field already asked for marks nothing new)
            boolean offsetHolds = !guess.askedValueOffset() || guess.valueOffset() == valueOffset;
            boolean memoHolds = !guess.askedMemoStart() || guess.memoStart() == memoStart;
            if (!offsetHolds || !memoHolds) {
                v = encode(codec, value, new WriteContext(file, valueOffset, memoStart, format));
            }
            return v;
        }

        /** The bytes of payload the entry carries, as first encoded (decides the two-phase append). */
        public long payloadBytes() {
            return encoded.payloadBytes();
        }

        /** The codec that writes the value. */
        public ValueCodec codec() {
            return codec;
        }
    }

    /**
     * Chooses the first codec (in the given order) that can write the value and encodes it with
     * guesses of its offset and memo start.
     *
     * @param codecs the dict's codecs, in priority order
     * @throws IllegalArgumentException when no codec can write the value (naming its class), or the
     *     codec refuses it; before any file is touched
     */
    public static Prepared prepare(Object value, List<ValueCodec> codecs, Path file, ArrayFormat format,
                                   long valueOffsetGuess, int memoStartGuess) {
        for (ValueCodec c : codecs) {
            if (c.canWrite(value)) {
                WriteContext ctx = new WriteContext(file, valueOffsetGuess, memoStartGuess, format);
                return new Prepared(c, value, file, format, ctx, encode(c, value, ctx));
            }
        }
        throw new IllegalArgumentException("no value codec of this dict can write "
                + (value == null ? "null (Python's None)" : "a value of class " + value.getClass().getName())
                + " (codecs: " + codecs + ")");
    }

    private static EncodedValue encode(ValueCodec codec, Object value, WriteContext ctx) {
        EncodedValue v = codec.write(value, ctx);
        if (v == null) {
            throw new IllegalStateException(codec + " wrote nothing for a value of class "
                    + (value == null ? "null" : value.getClass().getName()));
        }
        return v;
    }

    /**
     * The value of an allocated array: its structure around a payload that is never written (the
     * payload segment only carries the length; writers leave that range as a hole).
     *
     * @param dtype the element type
     * @param shape the dimensions
     * @param format the layout
     * @param valueOffset the file offset of the value's first byte
     * @return the encoded value, whose one payload must not be read
     */
    public static EncodedValue allocation(DType dtype, long[] shape, ArrayFormat format, long valueOffset) {
        long n = payloadLength(dtype, shape);
        return new EncodedValue(ArrayLayout.encode(dtype, shape, format, valueOffset),
                List.of(MemorySegment.NULL.reinterpret(n)), 0);
    }

    /** The payload length of an array, checking that the shape is valid and its size fits a long. */
    public static long payloadLength(DType dtype, long[] shape) {
        return ArrayLayout.payloadLength(dtype, shape);
    }
}
