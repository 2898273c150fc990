package org.mmappickle.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.mmappickle.DType;
import org.mmappickle.NDArray;
import org.mmappickle.internal.format.ArrayLayout;

/**
 * numpy arrays as entries of their own, in both layouts of docs/format.md: reads
 * {@code numpy.ndarray(shape, dtype, bytearray)} (this project's, payload aligned) and
 * {@code reshape(fromstring(...))} (mmappickle 1.0.1's) as {@link NDArray} views of the file's
 * memory map; writes {@link NDArray}s and Java primitive arrays ({@code double[]}, {@code float[]},
 * {@code long[]}, {@code int[]}, {@code short[]}, {@code boolean[]}, as 1-D arrays) in the layout
 * the {@link WriteContext#arrayFormat()} asks for, copying the payload straight from the source.
 */
public final class NDArrayCodec implements ValueCodec {
    /** Its priority. */
    public static final int PRIORITY = 0;

    static final NDArrayCodec INSTANCE = new NDArrayCodec();

    /** Creates the codec (stateless: {@link Codecs#arrays()} returns a shared one). */
    public NDArrayCodec() {
    }

    /** Returns {@value #PRIORITY}. */
    @Override
    public int priority() {
        return PRIORITY;
    }

    /** Returns true when the value starts like an array in either layout (after optional padding). */
    @Override
    public boolean recognizes(MemorySegment head, StoredValue value) {
        return ArrayViews.announces(head, value, ArrayLayout.Kind.ARRAY);
    }

    /**
     * Maps the value and returns a view of its payload (writable when the dict is); a value that
     * only started like an array is read by the generic reader.
     */
    @Override
    public Object read(StoredValue value) throws IOException {
        return ArrayViews.read(value);
    }

    /** Returns true for an {@link NDArray} or a Java primitive array of a supported type. */
    @Override
    public boolean canWrite(Object value) {
        return asNDArray(value) != null;
    }

    /** Writes the array's structure in the asked layout around its payload. */
    @Override
    public EncodedValue write(Object value, WriteContext context) {
        NDArray a = asNDArray(value);
        if (a == null) {
            throw new IllegalArgumentException("not an array: " + (value == null ? "null" : value.getClass().getName()));
        }
        return context.builder().array(a, context.arrayFormat()).build(0);
    }

    /**
     * Returns the array this codec writes for a value: the {@link NDArray} itself, or a 1-D array
     * wrapping (not copying) a Java primitive array; null for any other value.
     *
     * @param value the value
     * @return the array, or null
     */
    public static NDArray asNDArray(Object value) {
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

    @Override
    public String toString() {
        return "NDArrayCodec";
    }
}
