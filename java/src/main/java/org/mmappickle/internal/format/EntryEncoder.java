package org.mmappickle.internal.format;

import java.lang.foreign.MemorySegment;
import org.mmappickle.ArrayFormat;
import org.mmappickle.DType;
import org.mmappickle.MaskedArray;
import org.mmappickle.NDArray;
import org.mmappickle.internal.pickle.Pickler;

/**
 * Turns a Java value into the bytes of an entry. The work that does not depend on where the
 * entry lands (pickling a generic value, checking an array) happens in {@link #prepare} before
 * any lock is taken; {@link Prepared#plan} then fixes the offset-dependent parts (payload
 * alignment, memo numbering) under the lock.
 */
public final class EntryEncoder {
    private EntryEncoder() {
    }

    /** A value checked and encoded as far as possible without knowing its offset. */
    public sealed interface Prepared permits GenericValue, ArrayValue {
        /** Builds the entry's bytes for a value starting at {@code valueOffset}, numbering memos from {@code memoStart}. */
        EntryPlan plan(byte[] key, long valueOffset, int memoStart);

        /** The bytes of array payload the entry carries (0 for a generic value). */
        long payloadBytes();
    }

    /** A generic value: pickled once with the memo start the caller guessed, again only if it was wrong. */
    public static final class GenericValue implements Prepared {
        private final Object value;
        private final int guess;
        private final Pickler.Result pickled;

        GenericValue(Object value, int memoStartGuess) {
            this.value = ArrayValues.toPickle(value);
            this.guess = memoStartGuess;
            this.pickled = Pickler.dumpValue(this.value, memoStartGuess);
        }

        @Override
        public EntryPlan plan(byte[] key, long valueOffset, int memoStart) {
            Pickler.Result r = memoStart == guess ? pickled : Pickler.dumpValue(value, memoStart);
            return new EntryPlan(key, new byte[][] {r.bytes()}, new MemorySegment[0], r.memoMax());
        }

        @Override
        public long payloadBytes() {
            return 0;
        }
    }

    /** An array or masked array whose payload bytes are copied from the source's segments. */
    public static final class ArrayValue implements Prepared {
        private final NDArray data;
        private final NDArray mask;
        private final ArrayLayout.Layout layout;

        ArrayValue(NDArray data, NDArray mask, ArrayFormat format) {
            this.data = data;
            this.mask = mask;
            this.layout = format == ArrayFormat.ORIGINAL ? ArrayLayout.Layout.ORIGINAL : ArrayLayout.Layout.OURS;
        }

        @Override
        public EntryPlan plan(byte[] key, long valueOffset, int memoStart) {
            ArrayLayout.Encoded enc = mask == null
                    ? ArrayLayout.encode(data.dtype(), data.shape(), layout, valueOffset)
                    : ArrayLayout.encodeMasked(data.dtype(), data.shape(), layout, valueOffset);
            MemorySegment[] payloads = mask == null
                    ? new MemorySegment[] {data.segment()}
                    : new MemorySegment[] {data.segment(), mask.segment()};
            return new EntryPlan(key, enc.structure(), payloads, 0);
        }

        @Override
        public long payloadBytes() {
            return data.byteSize() + (mask == null ? 0 : mask.byteSize());
        }

        /** Returns the array whose view a caller gets back after writing. */
        public NDArray data() {
            return data;
        }
    }

    /**
     * Checks and encodes a value: an {@link NDArray}, a {@link MaskedArray} or a Java primitive
     * array becomes an array entry in the given format; anything else a generic value.
     *
     * @throws IllegalArgumentException when the value cannot be written (before any file is touched)
     */
    public static Prepared prepare(Object value, ArrayFormat format, int memoStartGuess) {
        NDArray array = asArray(value);
        if (array != null) {
            return new ArrayValue(array, null, format);
        }
        if (value instanceof MaskedArray m) {
            return new ArrayValue(m.data(), m.mask(), format);
        }
        return new GenericValue(value, memoStartGuess);
    }

    /**
     * The plan of an allocated array: its structure around a payload that is never written (the
     * payload segment only carries the length; writers leave that range as a hole).
     */
    public static EntryPlan allocation(DType dtype, long[] shape, ArrayFormat format, byte[] key, long valueOffset) {
        long n = payloadLength(dtype, shape);
        ArrayLayout.Encoded enc = ArrayLayout.encode(dtype, shape,
                format == ArrayFormat.ORIGINAL ? ArrayLayout.Layout.ORIGINAL : ArrayLayout.Layout.OURS, valueOffset);
        return new EntryPlan(key, enc.structure(), new MemorySegment[] {MemorySegment.NULL.reinterpret(n)}, 0);
    }

    /** The payload length of an array, checking that the shape is valid and its size fits a long. */
    public static long payloadLength(DType dtype, long[] shape) {
        long n = dtype.itemSize();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + java.util.Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " of " + dtype
                        + " is larger than 2^63 bytes", e);
            }
        }
        return n;
    }

    /** An NDArray for the value when it is one or a Java primitive array (wrapped, not copied), else null. */
    public static NDArray asArray(Object value) {
        return switch (value) {
            case NDArray a -> a;
            // heap arrays are wrapped, not copied: the payload is written straight from them
            case double[] a -> NDArray.wrap(MemorySegment.ofArray(a), DType.FLOAT64, a.length);
            case float[] a -> NDArray.wrap(MemorySegment.ofArray(a), DType.FLOAT32, a.length);
            case long[] a -> NDArray.wrap(MemorySegment.ofArray(a), DType.INT64, a.length);
            case int[] a -> NDArray.wrap(MemorySegment.ofArray(a), DType.INT32, a.length);
            case short[] a -> NDArray.wrap(MemorySegment.ofArray(a), DType.INT16, a.length);
            case boolean[] a -> NDArray.of(a);
            case null, default -> null;
        };
    }
}
