/**
 * mmappickle for Java: reads and writes mmappickle files (Python pickles of dicts whose numpy
 * arrays are memory-mapped straight from the file).
 *
 * <p>Start with {@link org.mmappickle.MmapDict}. The module needs native access for its small C
 * library: run with {@code --enable-native-access=org.mmappickle} (or {@code ALL-UNNAMED} on the
 * class path) to avoid the JDK's warning.
 */
module org.mmappickle {
    exports org.mmappickle;
    exports org.mmappickle.py;
    exports org.mmappickle.codec;

    uses org.mmappickle.codec.ValueCodec;
}
