package org.mmappickle.codec.service;

/**
 * A value type that only the codec of {@code CodecServiceLoaderTest}'s separate jar writes (the
 * generic pickler refuses records).
 *
 * @param celsius the temperature
 */
public record Temperature(double celsius) {
}
