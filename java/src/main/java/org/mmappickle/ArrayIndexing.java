package org.mmappickle;

import java.util.Arrays;
import java.util.Locale;

/**
 * The stride arithmetic of array views, as numpy does it: C-order strides of a shape, the geometry of an index or a
 * range along one axis, permuted axes, the byte span a view touches, and the byte offset of a C-order flat index.
 * Pure functions on shapes and strides; {@link NDArray} holds the results.
 */
final class ArrayIndexing {
    private ArrayIndexing() {
    }

    /** A view's geometry: the byte offset of its first element, its shape and its byte strides. */
    record Geometry(long origin, long[] shape, long[] strides) {
    }

    /**
     * Returns the C-order byte strides of a shape (a 0 dimension counts as 1 in the strides of the axes before it,
     * as in numpy).
     *
     * @throws IllegalArgumentException if a dimension is negative or the byte size overflows a long
     */
    static long[] cStrides(long[] shape, int itemSize) {
        long[] strides = new long[shape.length];
        long stride = itemSize;
        long n = 1;
        try {
            for (int d = shape.length - 1; d >= 0; d--) {
                if (shape[d] < 0) {
                    throw new IllegalArgumentException("negative dimension " + shape[d] + " in shape " + Arrays.toString(shape));
                }
                strides[d] = stride;
                stride = Math.multiplyExact(stride, Math.max(shape[d], 1));
                n = Math.multiplyExact(n, shape[d]);
            }
            Math.multiplyExact(n, (long) itemSize);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("array too large: shape " + Arrays.toString(shape), e);
        }
        return strides;
    }

    /** Returns the number of elements of a shape whose byte size is known to fit a long. */
    static long size(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Returns whether the view's elements are exactly C-ordered from its origin. */
    static boolean isCContiguous(long[] shape, long[] strides, int itemSize) {
        long expected = itemSize;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) {
                return false;
            }
            expected *= Math.max(shape[d], 1);
        }
        return true;
    }

    private static int checkAxis(int axis, int ndim) {
        if (axis < 0 || axis >= ndim) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "axis %d is out of bounds for an array of %d dimensions", axis, ndim));
        }
        return axis;
    }

    /** numpy's {@code a[..., i, ...]}: the axis disappears; a negative index counts from the end. */
    static Geometry index(Geometry g, int axis, long i) {
        checkAxis(axis, g.shape.length);
        long n = g.shape[axis];
        long j = i < 0 ? i + n : i;
        if (j < 0 || j >= n) {
            throw new IndexOutOfBoundsException(String.format(Locale.ROOT, "index %d is out of bounds for axis %d with size %d", i, axis, n));
        }
        long[] shape = new long[g.shape.length - 1];
        long[] strides = new long[shape.length];
        for (int d = 0, k = 0; d < g.shape.length; d++) {
            if (d != axis) {
                shape[k] = g.shape[d];
                strides[k++] = g.strides[d];
            }
        }
        return new Geometry(g.origin + j * g.strides[axis], shape, strides);
    }

    /**
     * numpy's {@code a[..., start:stop:step, ...]} with Python's rules ({@code slice.indices}): negative bounds count
     * from the end, bounds out of range are clipped, a negative step walks backwards; {@link Long#MIN_VALUE} as
     * start or stop means "omitted".
     */
    static Geometry range(Geometry g, int axis, long start, long stop, long step) {
        checkAxis(axis, g.shape.length);
        if (step == 0) {
            throw new IllegalArgumentException("slice step cannot be zero");
        }
        long n = g.shape[axis];
        long lo = step < 0 ? -1 : 0;
        long hi = step < 0 ? n - 1 : n;
        long s = start == Long.MIN_VALUE ? (step < 0 ? hi : lo) : clip(start < 0 ? start + n : start, lo, hi);
        long e = stop == Long.MIN_VALUE ? (step < 0 ? lo : hi) : clip(stop < 0 ? stop + n : stop, lo, hi);
        long count = step > 0 ? (e > s ? (e - s + step - 1) / step : 0) : (s > e ? (s - e - step - 1) / -step : 0);
        long[] shape = g.shape.clone();
        long[] strides = g.strides.clone();
        shape[axis] = count;
        strides[axis] = g.strides[axis] * step;
        return new Geometry(count == 0 ? g.origin : g.origin + s * g.strides[axis], shape, strides);
    }

    private static long clip(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** numpy's {@code a.transpose(axes)}: axis {@code d} of the result is axis {@code axes[d]} of the array. */
    static Geometry permute(Geometry g, int... axes) {
        int n = g.shape.length;
        if (axes.length != n) {
            throw new IllegalArgumentException("axes " + Arrays.toString(axes) + " do not match an array of " + n + " dimensions");
        }
        boolean[] seen = new boolean[n];
        long[] shape = new long[n];
        long[] strides = new long[n];
        for (int d = 0; d < n; d++) {
            int a = checkAxis(axes[d], n);
            if (seen[a]) {
                throw new IllegalArgumentException("repeated axis in transpose: " + Arrays.toString(axes));
            }
            seen[a] = true;
            shape[d] = g.shape[a];
            strides[d] = g.strides[a];
        }
        return new Geometry(g.origin, shape, strides);
    }

    /** Returns the axes with one moved to the end (for reductions along it). */
    static int[] axisLast(int axis, int ndim) {
        checkAxis(axis, ndim);
        int[] axes = new int[ndim];
        for (int d = 0, k = 0; d < ndim; d++) {
            if (d != axis) {
                axes[k++] = d;
            }
        }
        axes[ndim - 1] = axis;
        return axes;
    }

    /** Returns {lowest byte offset, one past the highest byte} touched by a non-empty view. */
    static long[] span(Geometry g, int itemSize) {
        long lo = g.origin;
        long hi = g.origin;
        for (int d = 0; d < g.shape.length; d++) {
            long reach = (g.shape[d] - 1) * g.strides[d];
            if (reach < 0) {
                lo += reach;
            } else {
                hi += reach;
            }
        }
        return new long[] {lo, hi + itemSize};
    }

    /** Returns the byte offset of the element at a C-order flat index of the view (the index is checked by the caller). */
    static long flatOffset(long origin, long[] shape, long[] strides, long i) {
        long off = origin;
        for (int d = shape.length - 1; d >= 0 && i != 0; d--) {
            long n = shape[d];
            off += (i % n) * strides[d];
            i /= n;
        }
        return off;
    }
}
