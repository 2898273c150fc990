/**
 * Value codecs: how the values of a dict's entries become bytes in the file and back, the Java
 * counterpart of the original mmappickle's "picklers".
 *
 * <p>A {@link org.mmappickle.codec.ValueCodec} recognises an entry's value bytes, reads them (as
 * views of the file's memory map or as a copy), says whether it can write a Java value, and writes
 * it given the file offset where its bytes will start (so that it can align payloads). A dict tries
 * its codecs in decreasing {@linkplain org.mmappickle.codec.ValueCodec#priority() priority}, for
 * reading and for writing. The built-in codecs are ordinary implementations:
 * {@link org.mmappickle.codec.MaskedArrayCodec}, {@link org.mmappickle.codec.NDArrayCodec} and the
 * catch-all {@link org.mmappickle.codec.GenericCodec}. By default a dict uses them and every codec
 * that {@link java.util.ServiceLoader} finds ({@link org.mmappickle.codec.Codecs#defaults()}); an
 * explicit list ({@code MmapDict.Options.codecs}) restricts them.
 */
package org.mmappickle.codec;
