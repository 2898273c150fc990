package org.mmappickle.internal.io;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.mmappickle.internal.bindings.mmappickle_native_h;

/**
 * Finds and loads the bundled native library ({@code libmmappickle.so}) once per class loader.
 *
 * <p>The jar carries {@code org/mmappickle/native/linux-x86_64/libmmappickle.so}. When it lies on
 * the file system (an exploded class directory) it is loaded in place; inside a jar it is copied to
 * {@code mmappickle.extract.dir} (default {@code java.io.tmpdir}) first. The system property
 * {@code mmappickle.native.lib} names a library file to load instead.
 */
public final class NativeLibrary {
    /** The native API version this Java code was written against ({@code MMP_VERSION}). */
    public static final int EXPECTED_VERSION = 10000;
    /** The resource path of the bundled library for this platform. */
    public static final String RESOURCE = "/org/mmappickle/native/linux-x86_64/libmmappickle.so";

    private static final Path LOADED = load();

    private NativeLibrary() {
    }

    /** Ensures the library is loaded; returns the file it was loaded from. */
    public static Path path() {
        return LOADED;
    }

    /** Returns the version the loaded library reports. */
    public static int version() {
        return mmappickle_native_h.mmp_version();
    }

    private static Path load() {
        String os = System.getProperty("os.name", "?");
        String arch = System.getProperty("os.arch", "?");
        String override = System.getProperty("mmappickle.native.lib");
        Path file;
        if (override != null && !override.isEmpty()) {
            file = Path.of(override).toAbsolutePath();
            if (!Files.isRegularFile(file)) {
                throw new UnsatisfiedLinkError("mmappickle: the native library named by -Dmmappickle.native.lib="
                        + override + " does not exist");
            }
        } else {
            if (!os.toLowerCase(Locale.ROOT).startsWith("linux")
                    || !(arch.equals("amd64") || arch.equals("x86_64"))) {
                throw new UnsatisfiedLinkError(String.format(Locale.ROOT,
                        "mmappickle: no bundled native library for os.name=%s os.arch=%s (bundled: linux-x86_64);"
                                + " build it with cmake (see README) and pass -Dmmappickle.native.lib=/path/libmmappickle.so",
                        os, arch));
            }
            file = locateResource();
        }
        try {
            System.load(file.toString());
        } catch (UnsatisfiedLinkError e) {
            UnsatisfiedLinkError u = new UnsatisfiedLinkError("mmappickle: could not load the native library "
                    + file + ": " + e.getMessage());
            u.initCause(e);
            throw u;
        } catch (IllegalCallerException e) {
            throw new IllegalCallerException("mmappickle: native access is not enabled for this module: run java with"
                    + " --enable-native-access=" + moduleName() + " to load " + file, e);
        }
        int v = mmappickle_native_h.mmp_version();
        if (v != EXPECTED_VERSION) {
            throw new UnsatisfiedLinkError("mmappickle: the native library " + file + " has version " + v
                    + ", this jar expects " + EXPECTED_VERSION + " (a stale -Dmmappickle.native.lib?)");
        }
        return file;
    }

    private static String moduleName() {
        Module m = NativeLibrary.class.getModule();
        return m.isNamed() ? m.getName() : "ALL-UNNAMED";
    }

    private static Path locateResource() {
        URL url = NativeLibrary.class.getResource(RESOURCE);
        if (url == null) {
            throw new UnsatisfiedLinkError("mmappickle: the native library resource " + RESOURCE
                    + " is missing from the class path (was the jar built with ./mvnw package, which runs cmake?)");
        }
        if ("file".equals(url.getProtocol())) {
            try {
                return Path.of(url.toURI());
            } catch (URISyntaxException e) {
                // fall through to extraction
            }
        }
        String dir = System.getProperty("mmappickle.extract.dir", System.getProperty("java.io.tmpdir"));
        try {
            Path target = Files.createTempFile(Path.of(dir), "mmappickle-native-", ".so");
            target.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            UnsatisfiedLinkError u = new UnsatisfiedLinkError("mmappickle: could not extract the native library "
                    + url + " to " + dir + " (set -Dmmappickle.extract.dir to a writable directory): " + e);
            u.initCause(e);
            throw u;
        }
    }
}
