package org.mmappickle.codec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Turns one kind of value into the bytes of an entry and back: the Java counterpart of the original
 * mmappickle's picklers. A dict tries its codecs in decreasing {@link #priority()}: to read an entry,
 * the first whose {@link #recognizes} accepts the value's first bytes reads it; to write a value,
 * the first whose {@link #canWrite} accepts it writes it. An entry that no codec recognises is read
 * by the generic reader ({@link GenericCodec}); a value that no codec can write is refused with an
 * {@link IllegalArgumentException} before the file is touched.
 *
 * <p>The bytes a codec writes must be one pickle value (opcodes that push exactly one object, with
 * any memo indices numbered from {@link WriteContext#memoStart()}), so that plain Python
 * {@code pickle.load} still reads the whole file. Payloads (array data) are given as memory
 * segments that the dict copies into the file, possibly with no lock held.
 *
 * <p>Implementations are shared by every dict that uses them and called from any thread: they
 * must be thread-safe (stateless is simplest). To be found by {@link java.util.ServiceLoader}, a
 * codec needs a public no-argument constructor and a line in
 * {@code META-INF/services/org.mmappickle.codec.ValueCodec} (or a {@code provides} clause in its
 * module).
 */
public interface ValueCodec {
    /**
     * The codec's rank: codecs with a higher priority are tried first, for reading and for writing;
     * codecs of equal priority in the order they were given. The built-in array codecs have 0,
     * {@link GenericCodec} has {@value GenericCodec#PRIORITY}. A codec that replaces how the
     * built-ins handle a value needs more than 0.
     *
     * @return the priority
     */
    int priority();

    /**
     * Returns true when an entry's value bytes are this codec's to read. It must be cheap: the dict
     * asks it for every entry it reads until one codec says yes.
     *
     * @param head the value's first {@code min(value.length(), StoredValue.HEAD_BYTES)} bytes (or
     *     more), in memory
     * @param value the entry being read, for its length, key and offset (reading its bytes from
     *     here costs I/O)
     * @return true when {@link #read} should read the value
     */
    boolean recognizes(MemorySegment head, StoredValue value);

    /**
     * Reads a value this codec recognised. A codec that returns views of the file maps it with
     * {@link StoredValue#map()}; such a value is kept by the dict and returned again by later reads
     * of the same entry. A codec that finds the bytes are not its own after all may hand them to
     * {@link GenericCodec#read} (through {@link Codecs#generic()}).
     *
     * @param value the entry's value
     * @return the Java value (may be null, for Python's None)
     * @throws IOException when reading the file fails
     * @throws org.mmappickle.PickleFormatException when the bytes are malformed (with their offset)
     */
    Object read(StoredValue value) throws IOException;

    /**
     * Returns true when this codec writes the value. It should not do the work of writing: the dict
     * calls it to choose a codec, then {@link #write}.
     *
     * @param value the value to store (may be null)
     * @return true when {@link #write} accepts it
     */
    boolean canWrite(Object value);

    /**
     * Encodes a value this codec {@linkplain #canWrite can write} into the bytes of an entry's
     * value. The dict calls it before taking the file's lock with its best guess of where the value
     * will start and of the first free memo index, and again under the lock only when a guess the
     * codec asked for ({@link WriteContext#valueOffset()}, {@link WriteContext#memoStart()}) turned
     * out wrong; so a codec must not write the file, and must give the same bytes for the same
     * context.
     *
     * @param value the value
     * @param context where the value will start in the file, the first free memo index, and the
     *     array layout asked for
     * @return the value's bytes: structural pieces and payload segments
     * @throws IllegalArgumentException when the value cannot be written after all (naming why)
     */
    EncodedValue write(Object value, WriteContext context);
}
