package org.mmappickle.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.mmappickle.internal.format.ArrayValues;
import org.mmappickle.internal.pickle.Pickler;
import org.mmappickle.internal.pickle.Unpickler;

/**
 * The catch-all codec (the original's {@code GenericPickler}): reads any pickle value with the
 * unpickler, numpy arrays inside it (or the whole value) becoming in-memory {@link
 * org.mmappickle.NDArray} copies, and writes any value the pickler accepts (see the README's type
 * mapping; arrays are written as {@code numpy.ndarray(shape, dtype, bytearray)} inside the value).
 * It recognises every entry and has the lowest priority. It is also the reader of entries that no
 * codec of a dict recognises.
 */
public final class GenericCodec implements ValueCodec {
    /** Its priority, below every other built-in codec (the original's -100). */
    public static final int PRIORITY = -100;

    static final GenericCodec INSTANCE = new GenericCodec();

    /** Creates the codec (stateless: {@link Codecs#generic()} returns a shared one). */
    public GenericCodec() {
    }

    /** Returns {@value #PRIORITY}. */
    @Override
    public int priority() {
        return PRIORITY;
    }

    /** Returns true: any bytes are worth giving to the unpickler. */
    @Override
    public boolean recognizes(MemorySegment head, StoredValue value) {
        return true;
    }

    /**
     * Unpickles the value into a fresh Java value.
     *
     * @throws org.mmappickle.PickleFormatException when the bytes are not a pickle value, with the
     *     file offset where they go wrong
     */
    @Override
    public Object read(StoredValue value) throws IOException {
        MemorySegment bytes = value.bytes();
        return ArrayValues.toJava(Unpickler.loadValue(bytes, 0, value.length(), value.file(), value.offset()),
                value.file(), value.offset());
    }

    /** Returns true: values the pickler refuses are refused by {@link #write}, naming their class. */
    @Override
    public boolean canWrite(Object value) {
        return true;
    }

    /**
     * Pickles the value, numbering memo indices from the context's memo start.
     *
     * @throws IllegalArgumentException naming the class of a value (or a nested one) the pickler
     *     cannot write
     */
    @Override
    public EncodedValue write(Object value, WriteContext context) {
        Pickler.Result r = Pickler.dumpValue(ArrayValues.toPickle(value), context.memoStart());
        return EncodedValue.of(r.bytes(), r.memoMax());
    }

    @Override
    public String toString() {
        return "GenericCodec";
    }
}
