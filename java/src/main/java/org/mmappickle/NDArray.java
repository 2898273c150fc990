package org.mmappickle;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.DoubleStream;
import org.mmappickle.py.PyComplex;

/**
 * A numpy array: a view of the bytes of a {@link MemorySegment} as an array of a {@link DType} with a shape
 * (C-ordered, or strided for a view of part of another array). The segment may be on the heap, off-heap or a mapping of a file;
 * the view never owns it, so an array read from a file stays usable only while the file is open.
 *
 * <p>Shapes have any rank (0-d arrays have shape {@code []} and one element; zero-size arrays have
 * a 0 dimension) and dimensions are {@code long}. Elements are read and written by index
 * ({@link #getDouble(long...)}, {@link #setDouble(double, long...)}), by flat C-order index
 * ({@link #flatDouble(long)}), in bulk to and from Java arrays ({@link #copyTo(double[])}), or
 * directly through {@link #segment()} with {@link #elementLayout()}. Byte order is handled on every
 * access: a big-endian array reads the same values as a little-endian one.
 *
 * <p>Getters convert like numpy's {@code astype}: {@code getDouble} works on integer arrays,
 * {@code getLong} on a float array truncates toward zero (Java's {@code (long)} cast: NaN gives 0,
 * out-of-range values saturate), narrower integer getters keep the low bits of {@code getLong},
 * unsigned values come back as the same bits ({@code getLong} on {@code uint64} may be negative:
 * use {@link Long#toUnsignedString(long)}), booleans read as 0 and 1, datetime64 and timedelta64
 * read as their int64 count. Complex arrays give {@link PyComplex} through {@link #getComplex(long...)}
 * (the real getters refuse them, as numpy refuses to drop an imaginary part silently); {@code U}
 * arrays give strings through {@link #getString(long...)} and {@code S} arrays bytes through
 * {@link #getBytes(long...)}. A conversion a dtype does not support throws
 * {@link UnsupportedOperationException} naming the dtype.
 *
 * <p>Views share the bytes without copying: {@link #slice(int, long)} indexes one axis away (band {@code b} of an
 * (H, W, B) frame is {@code slice(2, b)}), {@link #slice(int, long, long, long)} takes a range with a step,
 * {@link #transpose(int...)} permutes axes. A strided view reads and writes through its strides; storing it (or
 * {@link #segment()}, {@link #copy()}) gives its elements in C order, as numpy stores a strided array. Reductions
 * ({@link #sum()}, {@link #mean(int)}, ...) and {@link #doubles()} read through the view, never copying it.
 *
 * <p>Failures of mapped memory: a page the file no longer backs (truncated by another process, or a sparse
 * allocation on a full disk) raises {@link MappedAccessException} from every method; a view used after its
 * {@link MmapDict} closed raises {@link IllegalStateException} (naming the file and the key for arrays from
 * {@link MmapDict#getArray(String)}). HotSpot reports a fault in compiled code late, at the next safepoint poll: loops
 * inside this class catch it, but a loop of the caller's own that the JIT compiled around an element accessor can
 * receive the JDK's {@link InternalError} a few iterations after the faulting access. Run such a loop inside
 * {@link #guarded(Runnable)} to receive {@link MappedAccessException} there too. Either way the faulting access did not
 * happen, later ones of the same loop may not have, and the JVM keeps running.
 *
 * <p>A view of a read-only segment ({@link #isReadOnly()}) throws {@link UnsupportedOperationException}
 * on every write. Instances are not thread-safe for concurrent writes of the same elements, like the
 * memory they view.
 */
public final class NDArray extends ArrayBulkAccess {

    /**
     * Passes access hints for a mapped array to the kernel; supplied by the file that mapped the array.
     */
    @FunctionalInterface
    public interface Adviser {
        /**
         * Applies the advice to the region (a mapped segment).
         *
         * @param region the bytes an array spans; not page-aligned, so the adviser widens it to whole pages
         * @param advice the hint to pass
         * @throws IOException when the kernel refuses the advice
         */
        void advise(MemorySegment region, Advice advice) throws IOException;
    }

    private final MemorySegment segment;
    /** Byte offset in {@link #segment} of the element at index (0, ..., 0). */
    private final long origin;
    private final DType dtype;
    private final DType.Kind kind;
    private final int itemSize;
    private final long[] shape;
    private final long[] strides;
    private final long size;
    /** C-ordered from offset 0 and the segment holds exactly the elements: flat offsets need no unravelling. */
    private final boolean contiguous;
    private final boolean readOnly;
    private final Adviser adviser;
    /** What the view shows ("key 'k' in FILE"), for the message of a view used after its dict closed; may be null. */
    private final String source;
    private final ArrayElements el;

    private NDArray(MemorySegment segment, DType dtype, long[] shape, Adviser adviser) {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        this.dtype = dtype;
        this.kind = dtype.kind();
        this.itemSize = dtype.itemSize();
        this.shape = shape.clone();
        try {
            this.strides = ArrayIndexing.cStrides(this.shape, itemSize);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " of " + dtype, e);
        }
        this.size = ArrayIndexing.size(this.shape);
        long bytes = size * itemSize;
        if (segment.byteSize() != bytes) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "segment of %d bytes does not hold shape %s of %s (%d bytes)",
                    segment.byteSize(), Arrays.toString(shape), dtype, bytes));
        }
        this.segment = segment;
        this.origin = 0;
        this.contiguous = true;
        this.readOnly = segment.isReadOnly();
        this.adviser = adviser;
        this.source = null;
        this.el = new ArrayElements(segment, dtype, null);
    }

    /** A view of part of another array's bytes: its geometry was derived from that array's, so it stays inside them. */
    private NDArray(NDArray of, ArrayIndexing.Geometry g, MemorySegment segment, String source) {
        this.dtype = of.dtype;
        this.kind = of.kind;
        this.itemSize = of.itemSize;
        this.adviser = of.adviser;
        this.source = source;
        this.shape = g.shape();
        this.size = ArrayIndexing.size(shape);
        if (size == 0) {
            this.segment = segment.asSlice(0, 0);
            this.origin = 0;
            this.strides = ArrayIndexing.cStrides(shape, itemSize);
        } else {
            // the segment is cut to the bytes the view touches, so segment() of a contiguous view is exactly its elements
            long[] span = ArrayIndexing.span(g, itemSize);
            this.segment = segment.asSlice(span[0], span[1] - span[0]);
            this.origin = g.origin() - span[0];
            this.strides = g.strides();
        }
        this.contiguous = origin == 0 && this.segment.byteSize() == size * itemSize
                && ArrayIndexing.isCContiguous(shape, strides, itemSize);
        this.readOnly = this.segment.isReadOnly();
        this.el = new ArrayElements(this.segment, dtype, source);
    }

    private NDArray view(ArrayIndexing.Geometry g) {
        return new NDArray(this, g, segment, source);
    }

    private ArrayIndexing.Geometry geometry() {
        return new ArrayIndexing.Geometry(origin, shape.clone(), strides.clone());
    }

    // ---------------------------------------------------------------------------------------- factories

    /**
     * Returns a view of the segment as an array; the segment must hold exactly {@code itemSize * product(shape)}
     * bytes in C order. No shape means a 0-d array (one element).
     *
     * @param segment the elements' bytes; shared, never copied or freed, so the array is usable only while the
     *     segment's arena is alive, and it is read-only when the segment is
     * @param dtype the element type, whose byte order the accessors honour
     * @param shape the length of each axis
     * @return the view
     * @throws IllegalArgumentException if the sizes do not match, a dimension is negative or the size overflows
     */
    public static NDArray wrap(MemorySegment segment, DType dtype, long... shape) {
        return new NDArray(segment, dtype, shape, null);
    }

    /**
     * Returns a view of a mapped segment whose {@link #advise(Advice)} passes hints through the adviser; used by
     * the file that mapped the segment.
     *
     * @param segment the mapped bytes of the array, {@code itemSize * product(shape)} of them in C order
     * @param dtype the element type
     * @param shape the length of each axis (copied)
     * @param adviser receives the segment and the hint on every {@link #advise(Advice)}; null makes
     *     {@code advise} do nothing, as for an array in memory
     * @return the view
     * @throws IllegalArgumentException if the sizes do not match, a dimension is negative or the size overflows
     */
    public static NDArray mapped(MemorySegment segment, DType dtype, long[] shape, Adviser adviser) {
        return new NDArray(segment, dtype, shape, adviser);
    }

    /**
     * Returns a new zero-filled off-heap array of any size, freed when it is no longer reachable
     * ({@link Arena#ofAuto()}). No shape means a 0-d array.
     *
     * @param dtype the element type (all-zero bytes read as 0, false, empty strings, 1970-01-01 for datetime64)
     * @param shape the length of each axis
     * @return the writable array, 64-byte aligned
     * @throws IllegalArgumentException if a dimension is negative or the byte size overflows a {@code long}
     */
    public static NDArray zeros(DType dtype, long... shape) {
        long bytes = byteSizeOf(dtype, shape);
        // 64-byte alignment lets vectorised loops over the segment start aligned
        return new NDArray(Arena.ofAuto().allocate(bytes, 64), dtype, shape, null);
    }

    private static long byteSizeOf(DType dtype, long[] shape) {
        try {
            ArrayIndexing.cStrides(shape, dtype.itemSize());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " of " + dtype, e);
        }
        return ArrayIndexing.size(shape) * dtype.itemSize();
    }

    private static long[] shapeFor(int length, long[] shape) {
        return shape.length == 0 ? new long[] {length} : shape;
    }

    /**
     * Returns a float64 array holding a copy of the data, of the given shape (1-D when no shape is given).
     *
     * @param data the values, copied: later changes to {@code data} do not reach the array
     * @param shape the length of each axis, whose product must be {@code data.length}; none for a 1-D array of
     *     {@code data.length} elements ({@code reshape()} of a one-element array gives a 0-d one)
     * @return the writable array, on the heap
     * @throws IllegalArgumentException if the shape does not hold {@code data.length} elements or a dimension is
     *     negative
     */
    public static NDArray of(double[] data, long... shape) {
        return new NDArray(MemorySegment.ofArray(data.clone()), DType.FLOAT64, shapeFor(data.length, shape), null);
    }

    /**
     * Returns a float32 array holding a copy of the data, of the given shape (1-D when no shape is given).
     *
     * @param data the values, copied: later changes to {@code data} do not reach the array
     * @param shape the length of each axis, whose product must be {@code data.length}; none for a 1-D array of
     *     {@code data.length} elements ({@code reshape()} of a one-element array gives a 0-d one)
     * @return the writable array, on the heap
     * @throws IllegalArgumentException if the shape does not hold {@code data.length} elements or a dimension is
     *     negative
     */
    public static NDArray of(float[] data, long... shape) {
        return new NDArray(MemorySegment.ofArray(data.clone()), DType.FLOAT32, shapeFor(data.length, shape), null);
    }

    /**
     * Returns an int64 array holding a copy of the data, of the given shape (1-D when no shape is given).
     *
     * @param data the values, copied: later changes to {@code data} do not reach the array
     * @param shape the length of each axis, whose product must be {@code data.length}; none for a 1-D array of
     *     {@code data.length} elements ({@code reshape()} of a one-element array gives a 0-d one)
     * @return the writable array, on the heap
     * @throws IllegalArgumentException if the shape does not hold {@code data.length} elements or a dimension is
     *     negative
     */
    public static NDArray of(long[] data, long... shape) {
        return new NDArray(MemorySegment.ofArray(data.clone()), DType.INT64, shapeFor(data.length, shape), null);
    }

    /**
     * Returns an int32 array holding a copy of the data, of the given shape (1-D when no shape is given).
     *
     * @param data the values, copied: later changes to {@code data} do not reach the array
     * @param shape the length of each axis, whose product must be {@code data.length}; none for a 1-D array of
     *     {@code data.length} elements ({@code reshape()} of a one-element array gives a 0-d one)
     * @return the writable array, on the heap
     * @throws IllegalArgumentException if the shape does not hold {@code data.length} elements or a dimension is
     *     negative
     */
    public static NDArray of(int[] data, long... shape) {
        return new NDArray(MemorySegment.ofArray(data.clone()), DType.INT32, shapeFor(data.length, shape), null);
    }

    /**
     * Returns an int16 array holding a copy of the data, of the given shape (1-D when no shape is given).
     *
     * @param data the values, copied: later changes to {@code data} do not reach the array
     * @param shape the length of each axis, whose product must be {@code data.length}; none for a 1-D array of
     *     {@code data.length} elements ({@code reshape()} of a one-element array gives a 0-d one)
     * @return the writable array, on the heap
     * @throws IllegalArgumentException if the shape does not hold {@code data.length} elements or a dimension is
     *     negative
     */
    public static NDArray of(short[] data, long... shape) {
        return new NDArray(MemorySegment.ofArray(data.clone()), DType.INT16, shapeFor(data.length, shape), null);
    }

    /**
     * Returns an int8 array holding a copy of the data, of the given shape (1-D when no shape is given).
     *
     * @param data the values, copied: later changes to {@code data} do not reach the array
     * @param shape the length of each axis, whose product must be {@code data.length}; none for a 1-D array of
     *     {@code data.length} elements ({@code reshape()} of a one-element array gives a 0-d one)
     * @return the writable array, on the heap
     * @throws IllegalArgumentException if the shape does not hold {@code data.length} elements or a dimension is
     *     negative
     */
    public static NDArray of(byte[] data, long... shape) {
        return new NDArray(MemorySegment.ofArray(data.clone()), DType.INT8, shapeFor(data.length, shape), null);
    }

    /**
     * Returns an array of any dtype holding a copy of raw bytes: the elements in C order, each in the dtype's byte
     * order ({@code of(bytes, DType.UINT8, h, w)} for an 8-bit image). No shape means 1-D.
     *
     * @param data the elements' bytes, {@code itemSize * product(shape)} of them
     * @param dtype the element type
     * @param shape the dimensions
     * @return the array
     * @throws IllegalArgumentException if the length does not match the shape and dtype, or the length is not a
     *     whole number of elements when no shape is given
     */
    public static NDArray of(byte[] data, DType dtype, long... shape) {
        int item = dtype.itemSize();
        if (shape.length == 0 && (item == 0 || data.length % item != 0)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%d bytes are not a whole number of %s elements", data.length, dtype));
        }
        long[] s = shape.length == 0 ? new long[] {data.length / item} : shape;
        byteSizeOf(dtype, s);
        return new NDArray(MemorySegment.ofArray(data.clone()), dtype, s, null);
    }

    /**
     * Returns a bool array holding a copy of the data, of the given shape (1-D when no shape is given).
     *
     * @param data the values, copied as bytes 1 and 0: later changes to {@code data} do not reach the array
     * @param shape the length of each axis, whose product must be {@code data.length}; none for a 1-D array of
     *     {@code data.length} elements ({@code reshape()} of a one-element array gives a 0-d one)
     * @return the writable array, on the heap
     * @throws IllegalArgumentException if the shape does not hold {@code data.length} elements or a dimension is
     *     negative
     */
    public static NDArray of(boolean[] data, long... shape) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = data[i] ? (byte) 1 : 0;
        }
        return new NDArray(MemorySegment.ofArray(b), DType.BOOL, shapeFor(data.length, shape), null);
    }

    /**
     * Returns an array of another shape of the same size: a view of the same bytes when this view is contiguous
     * ({@link #isContiguous()}), otherwise (as numpy does) a reshaped {@link #copy()}. {@code reshape()} with no
     * dimensions gives a 0-d array of a one-element array.
     *
     * @param newShape the length of each axis, whose product must be {@link #size()}; every dimension is given (numpy's
     *     {@code -1} is not inferred)
     * @return the reshaped array; when it is a copy, writes to it do not reach this view
     * @throws IllegalArgumentException if the new shape does not hold {@link #size()} elements or a dimension is
     *     negative
     */
    public NDArray reshape(long... newShape) {
        NDArray r = contiguous ? new NDArray(segment, dtype, newShape, adviser) : copy().reshape(newShape);
        return source == null ? r : r.describedAs(source);
    }

    /**
     * Returns a read-only view of the same bytes, to hand out an array that its receiver must not change.
     *
     * @return this array when it is already read-only, otherwise a view whose writes throw
     *     {@link UnsupportedOperationException} (its elements still change when this array's are written)
     */
    public NDArray asReadOnly() {
        return readOnly ? this : new NDArray(this, geometry(), segment.asReadOnly(), source);
    }

    /** Returns this view naming what it shows, for the message of a use after its dict closed. */
    NDArray describedAs(String what) {
        return new NDArray(this, geometry(), segment, what);
    }

    // ---------------------------------------------------------------------------------------- views

    /**
     * Returns a view of one index along an axis, without copying (numpy's {@code a[..., i, ...]}): the axis
     * disappears, so band {@code b} of an (H, W, B) frame is {@code slice(2, b)}, an (H, W) view, and row {@code y}
     * is {@code slice(0, y)}, a (W, B) view. A negative index counts from the end.
     *
     * @param axis the axis to index
     * @param index the position along it
     * @return the view, of one dimension fewer
     * @throws IndexOutOfBoundsException if the index is outside the axis
     * @throws IllegalArgumentException if the axis does not exist
     */
    public NDArray slice(int axis, long index) {
        return view(ArrayIndexing.index(geometry(), axis, index));
    }

    /**
     * Returns a view of a range along an axis, without copying (numpy's {@code a[..., start:stop:step, ...]}),
     * following Python's slice rules: negative bounds count from the end, bounds are clipped to the axis, a negative
     * step walks backwards. {@link Long#MIN_VALUE} for {@code start} or {@code stop} means "omitted"
     * ({@code slice(0, Long.MIN_VALUE, Long.MIN_VALUE, -1)} is {@code a[::-1]}).
     *
     * @param axis the axis to cut
     * @param start the first position (inclusive)
     * @param stop the end position (exclusive)
     * @param step the distance between positions, not 0
     * @return the view, of the same number of dimensions
     * @throws IllegalArgumentException if the axis does not exist or the step is 0
     */
    public NDArray slice(int axis, long start, long stop, long step) {
        return view(ArrayIndexing.range(geometry(), axis, start, stop, step));
    }

    /**
     * Returns a view with the axes reversed (numpy's {@code a.T}), without copying.
     *
     * @return the transposed view
     */
    public NDArray transpose() {
        int[] axes = new int[shape.length];
        for (int d = 0; d < axes.length; d++) {
            axes[d] = axes.length - 1 - d;
        }
        return transpose(axes);
    }

    /**
     * Returns a view with permuted axes (numpy's {@code a.transpose(axes)}): axis {@code d} of the view is axis
     * {@code axes[d]} of this array.
     *
     * @param axes a permutation of {@code 0 .. ndim()-1}
     * @return the view
     * @throws IllegalArgumentException if the axes are not a permutation
     */
    public NDArray transpose(int... axes) {
        return view(ArrayIndexing.permute(geometry(), axes));
    }

    /**
     * Returns whether the elements lie in C order, one after the other, in {@link #segment()}: true for every array
     * read from a file or built by a factory, and for views that keep that layout (a row of a frame); false for
     * strided views (a band, a transpose, a range with a step).
     *
     * @return whether the view is C-contiguous
     */
    public boolean isContiguous() {
        return contiguous;
    }

    /**
     * Returns a new C-ordered array in memory (off-heap, freed when unreachable) holding the elements of this view,
     * in its dtype and byte order.
     *
     * @return the copy
     */
    public NDArray copy() {
        NDArray c = zeros(dtype, shape);
        copyTo(c.segment);
        return c;
    }

    // ---------------------------------------------------------------------------------------- properties

    /**
     * Returns the segment holding the elements in C order ({@link #byteSize()} bytes): the viewed memory itself when
     * the view is contiguous ({@link #isContiguous()}); for a strided view, a C-ordered copy (writes to it do not
     * reach the view), which is also what storing the view writes, as numpy stores a strided array.
     *
     * @return the elements' bytes
     */
    public MemorySegment segment() {
        return contiguous ? segment : copy().segment;
    }

    /**
     * Returns the dtype.
     *
     * @return the element type, with its byte order
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * Returns a copy of the shape.
     *
     * @return the length of each axis; changing it does not reshape the array
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Returns the length of one axis.
     *
     * @param axis the axis, from 0 to {@link #ndim()} - 1 (not counted from the end when negative)
     * @return the number of elements along it
     * @throws IndexOutOfBoundsException if the axis does not exist
     */
    public long shape(int axis) {
        return shape[axis];
    }

    /**
     * Returns a copy of the strides in bytes, as numpy's {@code strides} (C order for contiguous arrays; negative
     * along reversed axes).
     *
     * @return for each axis, the bytes between consecutive elements along it
     */
    public long[] strides() {
        return strides.clone();
    }

    /**
     * Returns the number of dimensions (0 for a 0-d array).
     *
     * @return the rank, the length of {@link #shape()}
     */
    public int ndim() {
        return shape.length;
    }

    /**
     * Returns the number of elements (1 for a 0-d array, 0 when a dimension is 0).
     *
     * @return the product of the shape
     */
    public long size() {
        return size;
    }

    /**
     * Returns the number of bytes of the elements: {@code size() * dtype().itemSize()}.
     *
     * @return the byte size of {@link #segment()} and of the stored array; a strided view spans more memory than this
     */
    public long byteSize() {
        return size * itemSize;
    }

    /**
     * Returns whether the view refuses writes (its segment is read-only).
     *
     * @return true when every setter and {@code copyFrom} throws {@link UnsupportedOperationException}, as for arrays
     *     of a dict opened read-only and for {@link #asReadOnly()} views
     */
    public boolean isReadOnly() {
        return readOnly;
    }

    /**
     * Returns the layout of one element in the array's byte order, unaligned, for loops over {@link #segment()}:
     * element {@code i} is at byte offset {@code i * dtype().itemSize()}. For complex dtypes it is the layout of
     * one part (the real part at the element's offset, the imaginary part right after); for {@code U} one UTF-32
     * code point, for {@code S} one byte; for bool, int8 and uint8 {@code JAVA_BYTE}; for float16 the raw half
     * bits as a short ({@link Float#float16ToFloat(short)}).
     *
     * @return the layout to read or write one element (or one part of a complex element) in place
     */
    public ValueLayout elementLayout() {
        ByteOrder o = dtype.order();
        return switch (kind) {
            case BOOL, INT8, UINT8, BYTES -> ValueLayout.JAVA_BYTE;
            case INT16, UINT16, FLOAT16 -> ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(o);
            case INT32, UINT32, UNICODE -> ValueLayout.JAVA_INT_UNALIGNED.withOrder(o);
            case INT64, UINT64, DATETIME64, TIMEDELTA64 -> ValueLayout.JAVA_LONG_UNALIGNED.withOrder(o);
            case FLOAT32, COMPLEX64 -> ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(o);
            case FLOAT64, COMPLEX128 -> ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(o);
        };
    }

    /**
     * Passes an access hint for the array's pages to the kernel when the array is mapped from a file; does nothing
     * for arrays in memory and for empty arrays.
     *
     * @param advice the hint for the pages the view spans, e.g. {@link Advice#SEQUENTIAL} before a scan or
     *     {@link Advice#DONTNEED} once done with a large array
     * @throws IOException when the kernel refuses the advice ({@link Advice#HUGEPAGE} where the kernel does not
     *     support it is ignored, not refused)
     */
    public void advise(Advice advice) throws IOException {
        Objects.requireNonNull(advice, "advice");
        if (adviser != null && segment.byteSize() > 0) {
            adviser.advise(segment, advice);
        }
    }

    // ---------------------------------------------------------------------------------------- offsets and raw access

    /** Returns the byte offset in {@link #span()} of the element at an index (one per axis), checked. */
    long offsetOf(long[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%d indices for an array of %d dimensions (shape %s)", index.length, shape.length, Arrays.toString(shape)));
        }
        long off = origin;
        for (int d = 0; d < index.length; d++) {
            long i = index[d];
            if (i < 0 || i >= shape[d]) {
                throw new IndexOutOfBoundsException(String.format(Locale.ROOT,
                        "index %d is out of bounds for axis %d with size %d", i, d, shape[d]));
            }
            off += i * strides[d];
        }
        return off;
    }

    private long flatOffset(long i) {
        Objects.checkIndex(i, size);
        return contiguous ? i * itemSize : ArrayIndexing.flatOffset(origin, shape, strides, i);
    }

    void checkWritable(String op) {
        if (readOnly) {
            throw new UnsupportedOperationException(op + ": this NDArray is a read-only view (dtype " + dtype.pythonStr()
                    + ", shape " + Arrays.toString(shape) + "); it cannot be written");
        }
    }

    // ---------------------------------------------------------------------------------------- for the accessors

    /** Returns the bytes the view spans (for strided views, more than its elements). */
    MemorySegment span() {
        return segment;
    }

    /** Returns the byte offset in {@link #span()} of the element at a C-order flat index. */
    long flatOffsetOf(long i) {
        return flatOffset(i);
    }

    /** Returns the element access of the view, which translates faults. */
    ArrayElements elements() {
        return el;
    }


    /**
     * Runs a loop of the caller's over mapped arrays so that a fault the JVM reports late (see the class
     * documentation) still arrives as {@link MappedAccessException} instead of the JDK's {@link InternalError}.
     *
     * @param loop the work that reads or writes array elements
     * @throws MappedAccessException if a page the loop touched cannot be backed by the file
     */
    public static void guarded(Runnable loop) {
        MappedFaults.translating("access", loop);
    }

    // ---------------------------------------------------------------------------------------- reductions and streams

    /**
     * Returns the elements in C order as doubles, read lazily through the view (converted as
     * {@link NDArray##getDouble(long...) getDouble(long...)}).
     *
     * @return a sequential stream of {@link #size()} values
     */
    public DoubleStream doubles() {
        return MappedFaults.doubles(this::flatDouble, size);
    }

    /**
     * Returns the sum of all elements as a double (numpy's {@code a.sum()}; NaN if any element is NaN; 0 for an
     * empty array).
     *
     * @return the sum
     */
    public double sum() {
        return ArrayReductions.all(this, ArrayReductions.Op.SUM);
    }

    /**
     * Returns the mean of all elements (numpy's {@code a.mean()}; NaN for an empty array).
     *
     * @return the mean
     */
    public double mean() {
        return ArrayReductions.all(this, ArrayReductions.Op.MEAN);
    }

    /**
     * Returns the smallest element as a double (numpy's {@code a.min()}: NaN if any element is NaN).
     *
     * @return the minimum
     * @throws IllegalStateException if the array is empty (numpy raises ValueError)
     */
    public double min() {
        return ArrayReductions.all(this, ArrayReductions.Op.MIN);
    }

    /**
     * Returns the largest element as a double (numpy's {@code a.max()}: NaN if any element is NaN).
     *
     * @return the maximum
     * @throws IllegalStateException if the array is empty (numpy raises ValueError)
     */
    public double max() {
        return ArrayReductions.all(this, ArrayReductions.Op.MAX);
    }

    /**
     * Returns the sums along an axis as a new float64 array without that axis (numpy's {@code a.sum(axis=k)} in
     * float64): {@code frame.sum(2)} of an (H, W, B) frame is the (H, W) band sum.
     *
     * @param axis the axis summed over
     * @return the sums
     * @throws IllegalArgumentException if the axis does not exist
     */
    public NDArray sum(int axis) {
        return ArrayReductions.along(this, axis, ArrayReductions.Op.SUM);
    }

    /**
     * Returns the means along an axis as a new float64 array without that axis (numpy's {@code a.mean(axis=k)}).
     *
     * @param axis the axis averaged over
     * @return the means
     * @throws IllegalArgumentException if the axis does not exist
     */
    public NDArray mean(int axis) {
        return ArrayReductions.along(this, axis, ArrayReductions.Op.MEAN);
    }

    /**
     * Returns the minima along an axis as a new float64 array without that axis (numpy's {@code a.min(axis=k)}).
     *
     * @param axis the axis reduced
     * @return the minima
     * @throws IllegalArgumentException if the axis does not exist
     * @throws IllegalStateException if the axis has length 0
     */
    public NDArray min(int axis) {
        return ArrayReductions.along(this, axis, ArrayReductions.Op.MIN);
    }

    /**
     * Returns the maxima along an axis as a new float64 array without that axis (numpy's {@code a.max(axis=k)}).
     *
     * @param axis the axis reduced
     * @return the maxima
     * @throws IllegalArgumentException if the axis does not exist
     * @throws IllegalStateException if the axis has length 0
     */
    public NDArray max(int axis) {
        return ArrayReductions.along(this, axis, ArrayReductions.Op.MAX);
    }

    // ---------------------------------------------------------------------------------------- Object

    /**
     * Returns whether the other object is an NDArray with the same dtype, the same shape and the same bytes (so
     * NaNs with the same bits are equal, and {@code 0.0} differs from {@code -0.0}).
     *
     * @param o the object to compare with; a strided view equals a contiguous array of the same elements
     * @return whether both hold the same dtype, shape and element bytes
     */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof NDArray a && dtype.equals(a.dtype) && Arrays.equals(shape, a.shape))) {
            return false;
        }
        MemorySegment x = segment();
        MemorySegment y = a.segment();
        try {
            return MemorySegment.mismatch(x, 0, x.byteSize(), y, 0, y.byteSize()) < 0;
        } catch (InternalError | IllegalStateException fault) {
            throw el.fault("read", 0, fault);
        }
    }

    /**
     * Returns a hash of the dtype, the shape and the first bytes (at most 4096, so that hashing a large mapped array
     * does not read it all). Like a {@code List}'s, it changes when the elements change.
     *
     * @return the hash, consistent with {@link #equals(Object)}
     */
    @Override
    public int hashCode() {
        int h = dtype.hashCode() * 31 + Arrays.hashCode(shape);
        long n = itemSize == 0 ? 0 : Math.min(size, Math.ceilDiv(4096, itemSize));
        return MappedFaults.reading(() -> {
            int x = h;
            for (long i = 0; i < n; i++) {
                long off = flatOffset(i);
                for (int b = 0; b < itemSize; b++) {
                    x = x * 31 + el.rawByte(off + b);
                }
            }
            return x;
        });
    }

    /**
     * Returns a summary like numpy's {@code repr}: {@code array([1., 2., 3.], dtype=float32)}, nested brackets for
     * more dimensions, the middle of each axis elided with {@code ...} when there are more than 1000 elements.
     * The number formatting is close to numpy's but not identical.
     *
     * @return the summary; it shows at most 100,000 elements however large the array (past that, only the size,
     *     shape and dtype)
     */
    @Override
    public String toString() {
        return MappedFaults.reading(() -> ArrayRepr.of(this));
    }

    /** Returns the element at a C-order flat index of a {@code U} array, for the repr. */
    String flatString(long i) {
        return el.stringAt(flatOffset(i));
    }

    /** Returns the element at a C-order flat index of an {@code S} array, for the repr. */
    byte[] flatBytes(long i) {
        return el.bytesAt(flatOffset(i));
    }

}
