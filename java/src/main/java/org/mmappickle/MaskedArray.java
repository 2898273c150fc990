package org.mmappickle;

import java.util.Arrays;
import java.util.Objects;

/**
 * A numpy {@code numpy.ma.MaskedArray}: a data array and a boolean mask of the same shape, where a true mask
 * element marks the data element as missing. Both are {@link NDArray} views; read from a file, both are mapped
 * from it.
 */
public final class MaskedArray {
    private final NDArray data;
    private final NDArray mask;

    /**
     * Creates a masked array of the data and the mask.
     *
     * @param data the values, of any dtype and shape; kept as given, not copied, so writes to it show through
     * @param mask a bool array of the data's shape, true where the data element is missing; kept as given
     * @throws IllegalArgumentException if the mask's dtype is not bool or its shape differs from the data's
     * @throws NullPointerException if the data or the mask is null
     */
    public MaskedArray(NDArray data, NDArray mask) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(mask, "mask");
        if (mask.dtype().kind() != DType.Kind.BOOL) {
            throw new IllegalArgumentException("the mask of a MaskedArray must have dtype bool, not " + mask.dtype());
        }
        if (!Arrays.equals(data.shape(), mask.shape())) {
            throw new IllegalArgumentException("the mask's shape " + ArrayRepr.shapeTuple(mask.shape())
                    + " differs from the data's shape " + ArrayRepr.shapeTuple(data.shape()));
        }
        this.data = data;
        this.mask = mask;
    }

    /**
     * Returns a masked array of the data with nothing masked (a new all-false mask in memory).
     *
     * @param data the values, kept as given
     * @return the masked array; its mask is writable, so elements can be masked later through {@link #mask()}
     * @throws NullPointerException if the data is null
     */
    public static MaskedArray unmasked(NDArray data) {
        return new MaskedArray(data, NDArray.zeros(DType.BOOL, data.shape()));
    }

    /**
     * Returns the data array (masked elements hold whatever values they hold).
     *
     * @return the data, the array itself rather than a copy
     */
    public NDArray data() {
        return data;
    }

    /**
     * Returns the mask: a bool array of the data's shape, true where an element is masked.
     *
     * @return the mask, the array itself rather than a copy: writing it masks or unmasks elements
     */
    public NDArray mask() {
        return mask;
    }

    /**
     * Returns the dtype of the data.
     *
     * @return the data's element type (the mask's is always bool)
     */
    public DType dtype() {
        return data.dtype();
    }

    /**
     * Returns a copy of the shape.
     *
     * @return the length of each axis, the same for the data and the mask
     */
    public long[] shape() {
        return data.shape();
    }

    /**
     * Returns whether the element at the index is masked.
     *
     * @param index one index per axis, each from 0 to the axis's length - 1 (see {@link NDArray##getDouble(long...)
     *     NDArray.getDouble(long...)})
     * @return true when the mask is set there, so the data element is missing
     * @throws IllegalArgumentException if the number of indices is not the number of dimensions
     * @throws IndexOutOfBoundsException if an index is outside its axis
     */
    public boolean isMasked(long... index) {
        return mask.getBoolean(index);
    }

    /**
     * Returns a view of one index along an axis of both the data and the mask (see {@link NDArray#slice(int, long)}).
     *
     * @param axis the axis to index
     * @param index the position along it (negative counts from the end)
     * @return the masked view, of one dimension fewer
     * @throws IndexOutOfBoundsException if the index is outside the axis
     * @throws IllegalArgumentException if the axis does not exist
     */
    public MaskedArray slice(int axis, long index) {
        return new MaskedArray(data.slice(axis, index), mask.slice(axis, index));
    }

    /**
     * Returns a view of a range along an axis of both the data and the mask (see
     * {@link NDArray#slice(int, long, long, long)}).
     *
     * @param axis the axis to cut
     * @param start the first position
     * @param stop the end position (exclusive)
     * @param step the distance between positions, not 0
     * @return the masked view
     * @throws IllegalArgumentException if the axis does not exist or the step is 0
     */
    public MaskedArray slice(int axis, long start, long stop, long step) {
        return new MaskedArray(data.slice(axis, start, stop, step), mask.slice(axis, start, stop, step));
    }

    /**
     * Returns a view with permuted axes of both the data and the mask (see {@link NDArray#transpose(int...)}); no
     * axes reverse them.
     *
     * @param axes a permutation of the axes, or none
     * @return the masked view
     * @throws IllegalArgumentException if the axes are not a permutation
     */
    public MaskedArray transpose(int... axes) {
        return axes.length == 0 ? new MaskedArray(data.transpose(), mask.transpose())
                : new MaskedArray(data.transpose(axes), mask.transpose(axes));
    }

    /** Returns this masked array with views naming what they show, for the message of a use after the dict closed. */
    MaskedArray describedAs(String what) {
        return new MaskedArray(data.describedAs(what + " (data)"), mask.describedAs(what + " (mask)"));
    }

    /**
     * Returns the number of elements that are not masked (numpy's {@code count()}).
     *
     * @return how many mask elements are false, from 0 to the size; reads the whole mask
     */
    public long count() {
        return MappedFaults.reading(() -> {
            long n = 0;
            for (long i = 0, size = mask.size(); i < size; i++) {
                if (!mask.flatBoolean(i)) {
                    n++;
                }
            }
            return n;
        });
    }

    /**
     * Returns whether the other object is a MaskedArray with equal data and mask arrays (see
     * {@link NDArray#equals(Object)}).
     *
     * @param o the object to compare with
     * @return whether both the data and the masks are equal, byte for byte, masked elements included
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof MaskedArray m && data.equals(m.data) && mask.equals(m.mask);
    }

    /**
     * Returns a hash of the data and the mask, each as {@link NDArray#hashCode()} (at most the first 4096 bytes read).
     *
     * @return the hash, consistent with {@link #equals(Object)}
     */
    @Override
    public int hashCode() {
        return data.hashCode() * 31 + mask.hashCode();
    }

    /**
     * Returns a summary like numpy's repr: {@code masked_array(data=[1.0, --, 3.0], mask=[False, True, False], ...)}.
     *
     * @return the summary, masked elements shown as {@code --}; elided like {@link NDArray#toString()}
     */
    @Override
    public String toString() {
        return MappedFaults.reading(() -> ArrayRepr.of(this));
    }
}
