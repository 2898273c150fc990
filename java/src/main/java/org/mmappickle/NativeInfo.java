package org.mmappickle;

import java.nio.file.Path;
import org.mmappickle.internal.io.NativeLibrary;

/**
 * Which native library this process loaded, for diagnostics.
 *
 * @param path the file the library was loaded from
 * @param version the version the library reports ({@code major*10000 + minor*100 + patch})
 * @param platform the platform the library was chosen for ({@code linux-x86_64}, {@code linux-aarch64},
 *     {@code linux-x86_64-musl}); a {@code -Dmmappickle.native.lib} override is loaded whatever it says
 */
public record NativeInfo(Path path, int version, String platform) {
    /**
     * Loads the native library if needed and describes it.
     *
     * @return the loaded library's description
     */
    public static NativeInfo load() {
        return new NativeInfo(NativeLibrary.path(), NativeLibrary.version(), NativeLibrary.platform());
    }
}
