package org.mmappickle;

import java.nio.file.Path;
import org.mmappickle.internal.io.NativeLibrary;

/**
 * Which native library this process loaded, for diagnostics.
 *
 * @param path the file the library was loaded from
 * @param version the version the library reports ({@code major*10000 + minor*100 + patch})
 */
public record NativeInfo(Path path, int version) {
    /**
     * Loads the native library if needed and describes it.
     *
     * @return the library's path and version
     */
    public static NativeInfo load() {
        return new NativeInfo(NativeLibrary.path(), NativeLibrary.version());
    }
}
