package org.mmappickle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Bulk copies between an {@link NDArray} view and Java arrays or segments: one copy for a contiguous view, one per
 * run of adjacent elements for a strided one; faults on mapped pages, including those HotSpot posts late, surface
 * as {@link MappedAccessException} from inside the copy.
 */
final class ArrayCopies {
    private ArrayCopies() {
    }

    /** Copies {@code count} elements from flat index {@code srcIndex} of the array into a Java array. */
    private static ValueLayout bulkLayout(NDArray a, String op, Class<?> carrier) {
        boolean ok = switch (a.dtype().kind()) {
            case BOOL, INT8, UINT8 -> carrier == byte.class;
            case INT16, UINT16, FLOAT16 -> carrier == short.class;
            case INT32, UINT32 -> carrier == int.class;
            case INT64, UINT64, DATETIME64, TIMEDELTA64 -> carrier == long.class;
            case FLOAT32 -> carrier == float.class;
            case FLOAT64 -> carrier == double.class;
            default -> false;
        };
        if (!ok) {
            throw new UnsupportedOperationException(op + ": an array of dtype " + a.dtype().pythonStr()
                    + " does not copy to or from " + carrier.getName() + "[] (the element sizes or kinds differ)");
        }
        return a.elementLayout();
    }

    static void copyOut(NDArray a, String op, Class<?> carrier, long srcIndex, Object dst, int dstIndex, int count) {
        ValueLayout layout = bulkLayout(a, op, carrier);
        Objects.checkFromIndexSize(srcIndex, count, a.size());
        Objects.checkFromIndexSize(dstIndex, count, java.lang.reflect.Array.getLength(dst));
        int itemSize = a.dtype().itemSize();
        MemorySegment segment = a.span();
        long off = a.isContiguous() ? srcIndex * itemSize : 0;
        try {
            if (a.isContiguous()) {
                // one copy; the JDK swaps bytes itself when the layout's order is not the array's (native) order
                MemorySegment.copy(segment, layout, off, dst, dstIndex, count);
                MappedFaults.deliverPending();
                return;
            }
            for (int k = 0; k < count; ) {
                off = a.flatOffsetOf(srcIndex + k);
                int run = run(a, srcIndex + k, count - k);
                MemorySegment.copy(segment, layout, off, dst, dstIndex + k, run);
                k += run;
            }
            MappedFaults.deliverPending();
        } catch (InternalError | IllegalStateException fault) {
            throw a.elements().fault("read", off, fault);
        }
    }

    /** Copies {@code count} elements of a Java array into the array from flat index {@code dstIndex}. */
    static void copyIn(NDArray a, String op, Class<?> carrier, Object src, int srcIndex, long dstIndex, int count) {
        a.checkWritable(op);
        ValueLayout layout = bulkLayout(a, op, carrier);
        Objects.checkFromIndexSize(dstIndex, count, a.size());
        Objects.checkFromIndexSize(srcIndex, count, java.lang.reflect.Array.getLength(src));
        int itemSize = a.dtype().itemSize();
        MemorySegment segment = a.span();
        long off = a.isContiguous() ? dstIndex * itemSize : 0;
        try {
            if (a.isContiguous()) {
                MemorySegment.copy(src, srcIndex, segment, layout, off, count);
                MappedFaults.deliverPending();
                return;
            }
            for (int k = 0; k < count; ) {
                off = a.flatOffsetOf(dstIndex + k);
                int run = run(a, dstIndex + k, count - k);
                MemorySegment.copy(src, srcIndex + k, segment, layout, off, run);
                k += run;
            }
            MappedFaults.deliverPending();
        } catch (InternalError | IllegalStateException fault) {
            throw a.elements().fault("write", off, fault);
        }
    }

    /** Returns how many elements from a flat index (at most {@code max}) lie one after the other in memory. */
    private static int run(NDArray a, long flat, int max) {
        int n = a.ndim();
        if (n == 0 || a.strides()[n - 1] != a.dtype().itemSize()) {
            return 1;
        }
        long last = a.shape(n - 1);
        return (int) Math.min(max, last - flat % last);
    }

    /** Copies the elements' bytes between the view and a C-ordered segment, run by run for a strided view. */
    static void rawCopy(NDArray a, MemorySegment other, boolean in) {
        int itemSize = a.dtype().itemSize();
        MemorySegment segment = a.span();
        long off = 0;
        try {
            if (a.isContiguous()) {
                MemorySegment.copy(in ? other : segment, 0, in ? segment : other, 0, a.byteSize());
                MappedFaults.deliverPending();
                return;
            }
            for (long k = 0, size = a.size(); k < size; ) {
                off = a.flatOffsetOf(k);
                long run = run(a, k, Integer.MAX_VALUE);
                long bytes = run * itemSize;
                if (in) {
                    MemorySegment.copy(other, k * itemSize, segment, off, bytes);
                } else {
                    MemorySegment.copy(segment, off, other, k * itemSize, bytes);
                }
                k += run;
            }
            MappedFaults.deliverPending();
        } catch (InternalError | IllegalStateException fault) {
            throw a.elements().fault(in ? "write" : "read", off, fault);
        }
    }

}
