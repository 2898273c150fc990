package org.mmappickle;

import java.nio.file.Path;
import java.util.List;
import org.mmappickle.internal.io.IoFeature;
import org.mmappickle.internal.io.NativeLibrary;

/**
 * Which native library this process loaded, for diagnostics.
 *
 * @param path the file the library was loaded from; null on the portable io path, which loads none
 * @param version the version the library reports ({@code major*10000 + minor*100 + patch}); 0 on the
 *     portable io path
 * @param platform the platform the library was chosen for ({@code linux-x86_64}, {@code linux-aarch64},
 *     {@code linux-x86_64-musl}); a {@code -Dmmappickle.native.lib} override is loaded whatever it says
 * @param io the io path in use: {@code native} (the bundled library), {@code portable}
 *     ({@code -Dmmappickle.io=portable}: FFM calls into Linux's C library, no bundled library) or
 *     {@code channel} (the JDK's FileChannel: macOS, Windows and other systems, or
 *     {@code -Dmmappickle.io=channel})
 */
public record NativeInfo(Path path, int version, String platform, String io) {
    /**
     * Loads the native library if needed (not on the portable io path) and describes it.
     *
     * @return the loaded library's description
     */
    public static NativeInfo load() {
        String io = NativeLibrary.io();
        if (!io.equals("native")) {
            return new NativeInfo(null, 0, NativeLibrary.platform(), io);
        }
        return new NativeInfo(NativeLibrary.path(), NativeLibrary.version(), NativeLibrary.platform(), "native");
    }

    /**
     * Describes the io path in one line, for {@code selfcheck} and {@code info}: the library file
     * and version, or that the portable path runs without one.
     *
     * @return the description
     */
    public String describe() {
        if (io.equals("channel")) {
            return "io: channel (the JDK's FileChannel; no native library loaded; whole-file lock: "
                    + IoFeature.wholeFileLock() + ") on " + platform;
        }
        if (path == null) {
            return "io: portable (FFM calls into the platform's C library; no bundled library loaded) on " + platform;
        }
        return "io: native library " + path + " (version " + version / 10000 + "." + version / 100 % 100 + "."
                + version % 100 + ", " + platform + ")";
    }

    /**
     * Lists what the io path in use lacks and what happens instead, one line each (empty on the
     * native and portable paths), for {@code selfcheck} and {@code info}.
     *
     * @return the lacks
     */
    public List<String> lacks() {
        return IoFeature.missing();
    }
}
