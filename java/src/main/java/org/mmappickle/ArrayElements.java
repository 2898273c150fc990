package org.mmappickle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import org.mmappickle.py.PyComplex;

/**
 * Reads and writes one element of a dtype at a byte offset of a segment, converting like numpy's {@code astype}
 * (see {@link NDArray}), and turns every failed access into the library's exceptions: a page the file no longer
 * backs into {@link MappedAccessException}, a use after the dict closed into an {@link IllegalStateException} that
 * names the file and the key.
 */
final class ArrayElements {
    // Only little-endian layouts are constants: big-endian access reverses bytes, so every access site sees one
    // constant layout that the JIT folds, instead of a choice between two.
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;

    private final MemorySegment segment;
    private final DType dtype;
    private final DType.Kind kind;
    private final boolean big;
    private final int itemSize;
    /** What the view shows ("key 'k' in FILE"), for the message of a use after the dict closed; may be null. */
    private final String source;

    ArrayElements(MemorySegment segment, DType dtype, String source) {
        this.segment = segment;
        this.dtype = dtype;
        this.kind = dtype.kind();
        this.big = dtype.hasByteOrder() && dtype.order() == ByteOrder.BIG_ENDIAN;
        this.itemSize = dtype.itemSize();
        this.source = source;
    }

    /** Returns what the view shows, or null. */
    String source() {
        return source;
    }

    byte rawByte(long off) {
        try {
            return segment.get(I8, off);
        } catch (InternalError | IllegalStateException fault) {
            throw fault("read", off, fault);
        }
    }

    short rawShort(long off) {
        try {
            short v = segment.get(I16, off);
            return big ? Short.reverseBytes(v) : v;
        } catch (InternalError | IllegalStateException fault) {
            throw fault("read", off, fault);
        }
    }

    int rawInt(long off) {
        try {
            int v = segment.get(I32, off);
            return big ? Integer.reverseBytes(v) : v;
        } catch (InternalError | IllegalStateException fault) {
            throw fault("read", off, fault);
        }
    }

    long rawLong(long off) {
        try {
            long v = segment.get(I64, off);
            return big ? Long.reverseBytes(v) : v;
        } catch (InternalError | IllegalStateException fault) {
            throw fault("read", off, fault);
        }
    }

    float rawFloat(long off) {
        try {
            return big ? Float.intBitsToFloat(Integer.reverseBytes(segment.get(I32, off))) : segment.get(F32, off);
        } catch (InternalError | IllegalStateException fault) {
            throw fault("read", off, fault);
        }
    }

    double rawDouble(long off) {
        try {
            return big ? Double.longBitsToDouble(Long.reverseBytes(segment.get(I64, off))) : segment.get(F64, off);
        } catch (InternalError | IllegalStateException fault) {
            throw fault("read", off, fault);
        }
    }

    void putRawByte(long off, byte v) {
        try {
            segment.set(I8, off, v);
        } catch (InternalError | IllegalStateException fault) {
            throw fault("write", off, fault);
        }
    }

    void putRawShort(long off, short v) {
        try {
            segment.set(I16, off, big ? Short.reverseBytes(v) : v);
        } catch (InternalError | IllegalStateException fault) {
            throw fault("write", off, fault);
        }
    }

    void putRawInt(long off, int v) {
        try {
            segment.set(I32, off, big ? Integer.reverseBytes(v) : v);
        } catch (InternalError | IllegalStateException fault) {
            throw fault("write", off, fault);
        }
    }

    void putRawLong(long off, long v) {
        try {
            segment.set(I64, off, big ? Long.reverseBytes(v) : v);
        } catch (InternalError | IllegalStateException fault) {
            throw fault("write", off, fault);
        }
    }

    void putRawFloat(long off, float v) {
        try {
            if (big) {
                segment.set(I32, off, Integer.reverseBytes(Float.floatToRawIntBits(v)));
            } else {
                segment.set(F32, off, v);
            }
        } catch (InternalError | IllegalStateException fault) {
            throw fault("write", off, fault);
        }
    }

    void putRawDouble(long off, double v) {
        try {
            if (big) {
                segment.set(I64, off, Long.reverseBytes(Double.doubleToRawLongBits(v)));
            } else {
                segment.set(F64, off, v);
            }
        } catch (InternalError | IllegalStateException fault) {
            throw fault("write", off, fault);
        }
    }

    /**
     * Translates a failed access to the segment: a page the file no longer backs ({@link InternalError}, the JDK's
     * report of SIGBUS) becomes {@link MappedAccessException}; an access after the dict that mapped the array was
     * closed (the arena is gone) becomes an {@link IllegalStateException} naming the file and the key when known.
     */
    RuntimeException fault(String what, long off, Throwable fault) {
        if (fault instanceof InternalError) {
            return new MappedAccessException(what, off, fault);
        }
        if (!segment.scope().isAlive()) {
            return new IllegalStateException((source == null ? "an array view" : "the array view of " + source)
                    + " was used after its MmapDict was closed (the mapping is released): use views while the dict is"
                    + " open, or copy() them", fault);
        }
        return (RuntimeException) fault;
    }

    UnsupportedOperationException unsupported(String op) {
        return new UnsupportedOperationException(op + " is not defined for an array of dtype " + dtype.pythonStr());
    }


    private static double unsignedToDouble(long v) {
        // halve (keeping the low bit so that rounding stays correct), convert, double back
        return v >= 0 ? (double) v : (double) ((v >>> 1) | (v & 1)) * 2.0;
    }

    private static float unsignedToFloat(long v) {
        return v >= 0 ? (float) v : (float) ((v >>> 1) | (v & 1)) * 2.0f;
    }

    private static long doubleToUnsigned(double v) {
        return v >= 0x1p63 ? (long) (v - 0x1p63) ^ Long.MIN_VALUE : (long) v;
    }

    // ---------------------------------------------------------------------------------------- element conversions

    long longAt(long off, String op) {
        return switch (kind) {
            case BOOL -> rawByte(off) != 0 ? 1 : 0;
            case INT8 -> rawByte(off);
            case UINT8 -> rawByte(off) & 0xFFL;
            case INT16 -> rawShort(off);
            case UINT16 -> rawShort(off) & 0xFFFFL;
            case INT32 -> rawInt(off);
            case UINT32 -> rawInt(off) & 0xFFFF_FFFFL;
            case INT64, UINT64, DATETIME64, TIMEDELTA64 -> rawLong(off);
            case FLOAT16 -> (long) Float.float16ToFloat(rawShort(off));
            case FLOAT32 -> (long) rawFloat(off);
            case FLOAT64 -> (long) rawDouble(off);
            case COMPLEX64, COMPLEX128, BYTES, UNICODE -> throw unsupported(op);
        };
    }

    double doubleAt(long off, String op) {
        return switch (kind) {
            case FLOAT64 -> rawDouble(off);
            case FLOAT32 -> rawFloat(off);
            case FLOAT16 -> Float.float16ToFloat(rawShort(off));
            case UINT64 -> unsignedToDouble(rawLong(off));
            case COMPLEX64, COMPLEX128, BYTES, UNICODE -> throw unsupported(op);
            default -> longAt(off, op);
        };
    }

    float floatAt(long off, String op) {
        return switch (kind) {
            case FLOAT32 -> rawFloat(off);
            case FLOAT16 -> Float.float16ToFloat(rawShort(off));
            case FLOAT64 -> (float) rawDouble(off);
            case UINT64 -> unsignedToFloat(rawLong(off));
            case COMPLEX64, COMPLEX128, BYTES, UNICODE -> throw unsupported(op);
            default -> longAt(off, op);
        };
    }

    boolean booleanAt(long off, String op) {
        return switch (kind) {
            case BOOL, INT8, UINT8 -> rawByte(off) != 0;
            case FLOAT16, FLOAT32, FLOAT64 -> doubleAt(off, op) != 0;   // NaN is true, as in numpy
            case COMPLEX64 -> rawFloat(off) != 0 || rawFloat(off + 4) != 0;
            case COMPLEX128 -> rawDouble(off) != 0 || rawDouble(off + 8) != 0;
            case BYTES, UNICODE -> throw unsupported(op);
            default -> longAt(off, op) != 0;
        };
    }

    PyComplex complexAt(long off, String op) {
        return switch (kind) {
            case COMPLEX64 -> new PyComplex(rawFloat(off), rawFloat(off + 4));
            case COMPLEX128 -> new PyComplex(rawDouble(off), rawDouble(off + 8));
            default -> new PyComplex(doubleAt(off, op), 0.0);
        };
    }

    void putLong(long off, long v, String op) {
        switch (kind) {
            case BOOL -> putRawByte(off, v != 0 ? (byte) 1 : 0);
            case INT8, UINT8 -> putRawByte(off, (byte) v);
            case INT16, UINT16 -> putRawShort(off, (short) v);
            case INT32, UINT32 -> putRawInt(off, (int) v);
            case INT64, UINT64, DATETIME64, TIMEDELTA64 -> putRawLong(off, v);
            case FLOAT16 -> putRawShort(off, Float.floatToFloat16((float) v));
            case FLOAT32 -> putRawFloat(off, (float) v);
            case FLOAT64 -> putRawDouble(off, (double) v);
            case COMPLEX64 -> {
                putRawFloat(off, (float) v);
                putRawFloat(off + 4, 0f);
            }
            case COMPLEX128 -> {
                putRawDouble(off, (double) v);
                putRawDouble(off + 8, 0.0);
            }
            case BYTES, UNICODE -> throw unsupported(op);
        }
    }

    void putDouble(long off, double v, String op) {
        switch (kind) {
            case FLOAT64 -> putRawDouble(off, v);
            case FLOAT32 -> putRawFloat(off, (float) v);
            case FLOAT16 -> putRawShort(off, Float.floatToFloat16((float) v));
            case COMPLEX64 -> {
                putRawFloat(off, (float) v);
                putRawFloat(off + 4, 0f);
            }
            case COMPLEX128 -> {
                putRawDouble(off, v);
                putRawDouble(off + 8, 0.0);
            }
            case BOOL -> putRawByte(off, v != 0 ? (byte) 1 : 0);
            case UINT64 -> putRawLong(off, doubleToUnsigned(v));
            case BYTES, UNICODE -> throw unsupported(op);
            default -> putLong(off, (long) v, op);
        }
    }

    void putFloat(long off, float v, String op) {
        switch (kind) {
            case FLOAT32 -> putRawFloat(off, v);
            case FLOAT16 -> putRawShort(off, Float.floatToFloat16(v));
            default -> putDouble(off, v, op);
        }
    }

    void putComplex(long off, PyComplex v, String op) {
        Objects.requireNonNull(v, "value");
        switch (kind) {
            case COMPLEX64 -> {
                putRawFloat(off, (float) v.real());
                putRawFloat(off + 4, (float) v.imag());
            }
            case COMPLEX128 -> {
                putRawDouble(off, v.real());
                putRawDouble(off + 8, v.imag());
            }
            default -> throw unsupported(op);
        }
    }


    /** Zeroes bytes of the array, reporting a page the file no longer backs as {@link MappedAccessException}. */
    void fill(long off, long bytes) {
        try {
            segment.asSlice(off, bytes).fill((byte) 0);
        } catch (InternalError | IllegalStateException fault) {
            throw fault("write", off, fault);
        }
    }

    String stringAt(long off) {
        // a loop over code points: compiled, it may see a fault late (see MappedFaults)
        return MappedFaults.reading(() -> {
            int end = itemSize / 4;
            while (end > 0 && rawInt(off + 4L * (end - 1)) == 0) {
                end--;
            }
            StringBuilder b = new StringBuilder(end);
            for (int i = 0; i < end; i++) {
                int cp = rawInt(off + 4L * i);
                if (Character.isValidCodePoint(cp)) {
                    b.appendCodePoint(cp);
                } else {
                    b.append('\uFFFD');
                }
            }
            return b.toString();
        });
    }

    byte[] bytesAt(long off) {
        int end = itemSize;
        while (end > 0 && rawByte(off + end - 1) == 0) {
            end--;
        }
        try {
            return segment.asSlice(off, end).toArray(I8);
        } catch (InternalError | IllegalStateException fault) {
            throw fault("read", off, fault);
        }
    }

}
