package org.mmappickle.internal.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.mmappickle.internal.bindings.mmappickle_native_h;

/**
 * Finds and loads the bundled native library ({@code libmmappickle.so}) once per class loader.
 *
 * <p>The jar carries {@code org/mmappickle/native/<platform>/libmmappickle.so} for the platforms
 * {@link #BUNDLED}; the one matching this JVM is chosen at load time (musl is recognised by its
 * dynamic loader, {@code ld-musl}, in {@code /proc/self/maps}). When the library lies on the file
 * system (an exploded class directory) it is loaded in place. Inside a jar it is extracted into
 * {@code <mmappickle.extract.dir>/mmappickle-<uid>} (default {@code java.io.tmpdir}): a directory
 * that only this user can write (created 0700; its owner, mode and that it is no symbolic link are
 * checked before use), under a name derived from the library's SHA-256, written to a private
 * temporary file and renamed into place, and hashed again before loading. Each JVM reuses the file
 * the previous one extracted, so nothing piles up. The system property
 * {@code mmappickle.native.lib} names a library file to load instead.
 */
public final class NativeLibrary {
    /** The native API version this Java code was written against ({@code MMP_VERSION}). */
    public static final int EXPECTED_VERSION = 10000;
    /** The platforms the jar carries a library for, as named in its resource path. */
    public static final List<String> BUNDLED = List.of("linux-x86_64", "linux-aarch64", "linux-x86_64-musl");
    /** The file name of the library inside each platform's resource directory. */
    static final String LIBRARY_NAME = "libmmappickle.so";

    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    private static final String PLATFORM = platform(System.getProperty("os.name", "?"),
            System.getProperty("os.arch", "?"), procSelfMaps());

    private NativeLibrary() {
    }

    /** Loads the library on first use, so that the portable io path never loads it. */
    private static final class Loaded {
        static final Path PATH = load();
    }

    /**
     * Ensures the library is loaded; returns the file it was loaded from.
     *
     * @return the library file
     */
    public static Path path() {
        return Loaded.PATH;
    }

    /**
     * Returns the io path in use, {@code native} (the bundled library) or {@code portable}
     * ({@code -Dmmappickle.io=portable}: FFM calls into the platform's C library).
     *
     * @return the io path's name
     */
    public static String io() {
        return IoCalls.name();
    }

    /**
     * Returns the version the loaded library reports.
     *
     * @return {@code major*10000 + minor*100 + patch}
     */
    public static int version() {
        return mmappickle_native_h.mmp_version();
    }

    /**
     * Returns the bundled platform this JVM runs on ({@code linux-x86_64}, {@code linux-aarch64},
     * {@code linux-x86_64-musl}), or a description such as {@code mac os x-aarch64} when none fits.
     *
     * @return the platform's name
     */
    public static String platform() {
        return PLATFORM;
    }

    /**
     * Returns the resource path of a platform's bundled library.
     *
     * @param platform a name from {@link #BUNDLED}
     * @return the absolute resource path
     */
    public static String resource(String platform) {
        return "/org/mmappickle/native/" + platform + "/" + LIBRARY_NAME;
    }

    /**
     * Names the platform from the JVM's {@code os.name} and {@code os.arch} and the text of
     * {@code /proc/self/maps} (empty where unreadable): a process whose loader is musl's cannot
     * load a library linked against glibc, and the reverse.
     */
    static String platform(String osName, String osArch, String maps) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = switch (osArch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> osArch;
        };
        if (!os.startsWith("linux")) {
            return os + "-" + arch;
        }
        return "linux-" + arch + (maps.contains("/ld-musl-") ? "-musl" : "");
    }

    private static String procSelfMaps() {
        try {
            return Files.readString(Path.of("/proc/self/maps"), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static Path load() {
        String override = System.getProperty("mmappickle.native.lib");
        Path file;
        if (override != null && !override.isEmpty()) {
            file = Path.of(override).toAbsolutePath();
            if (!Files.isRegularFile(file)) {
                throw new UnsatisfiedLinkError("mmappickle: the native library named by -Dmmappickle.native.lib="
                        + override + " does not exist");
            }
        } else {
            if (!BUNDLED.contains(PLATFORM)) {
                throw new UnsatisfiedLinkError(String.format(Locale.ROOT,
                        "mmappickle: no bundled native library for %s (bundled: %s);"
                                + " build it with cmake (see README) and pass -Dmmappickle.native.lib=/path/libmmappickle.so",
                        PLATFORM, String.join(", ", BUNDLED)));
            }
            file = locateResource(resource(PLATFORM));
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

    private static Path locateResource(String resource) {
        URL url = NativeLibrary.class.getResource(resource);
        if (url == null) {
            throw new UnsatisfiedLinkError("mmappickle: the native library resource " + resource
                    + " is missing from the class path (was the jar built with ./mvnw package, which runs cmake?)");
        }
        if ("file".equals(url.getProtocol())) {
            try {
                return Path.of(url.toURI());
            } catch (URISyntaxException e) {
                // fall through to extraction
            }
        }
        Path base = Path.of(System.getProperty("mmappickle.extract.dir", System.getProperty("java.io.tmpdir")));
        try (InputStream in = url.openStream()) {
            return extract(in.readAllBytes(), base);
        } catch (IOException e) {
            UnsatisfiedLinkError u = new UnsatisfiedLinkError("mmappickle: could not extract the native library "
                    + url + " under " + base + " (set -Dmmappickle.extract.dir to a directory of your own): " + e);
            u.initCause(e);
            throw u;
        }
    }

    /**
     * Places {@code library} in this user's private directory under {@code base} and returns the
     * file, verified to hold exactly those bytes. An existing file of the right name is reused only
     * when it is a regular file of this user's, writable by no one else, with the right hash;
     * anything else there (wrong bytes, loose mode, a link) is replaced by an atomic rename.
     *
     * @param library the library's bytes
     * @param base the directory to create the private directory in
     * @return the verified library file
     * @throws IOException when the private directory is not safe (owned by another user, writable
     *     by others, a symbolic link) or the file cannot be written or verified
     */
    static Path extract(byte[] library, Path base) throws IOException {
        return extract(library, base, currentUid());
    }

    /** {@link #extract(byte[], Path)} for the user {@code uid} (tests pass another uid to see a foreign directory refused). */
    static Path extract(byte[] library, Path base, int uid) throws IOException {
        String hash = sha256(library);
        Path dir = privateDirectory(base, uid);
        Path target = dir.resolve("libmmappickle-" + hash.substring(0, 32) + ".so");
        if (!isTrusted(target, hash, uid)) {
            Path tmp = Files.createTempFile(dir, ".libmmappickle-", ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                    out.write(library);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("cannot rename " + tmp + " to " + target + " atomically", e);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            if (!isTrusted(target, hash, uid)) {
                throw new IOException(target + " does not hold the library just written (SHA-256 " + hash + ")");
            }
        }
        return target;
    }

    /** Creates or checks {@code base/mmappickle-<uid>}: a real directory of this user's, mode 0700. */
    private static Path privateDirectory(Path base, int uid) throws IOException {
        Path dir = base.toAbsolutePath().resolve("mmappickle-" + uid);
        try {
            // the mode is given to mkdir itself (a umask can only narrow it), so it is never wider
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        } catch (FileAlreadyExistsException exists) {
            // checked below
        }
        PosixFileAttributes a = Files.getFileAttributeView(dir, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS).readAttributes();
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink() || !a.isDirectory()) {
            throw new IOException(dir + " is not a directory (a symbolic link or another file):"
                    + " refusing to extract the native library there");
        }
        if (owner != uid) {
            throw new IOException(dir + " belongs to uid " + owner + ", not to this user (uid " + uid
                    + "): refusing to extract the native library there");
        }
        if (!a.permissions().equals(OWNER_ONLY_DIR)) {
            throw new IOException(dir + " has mode " + PosixFilePermissions.toString(a.permissions())
                    + ", expected rwx------ (chmod 700 it or remove it): refusing to extract the native library there");
        }
        return dir;
    }

    /** True when {@code file} is a regular file of this user's that no one else can write, holding {@code hash}. */
    private static boolean isTrusted(Path file, String hash, int uid) throws IOException {
        PosixFileAttributes a;
        try {
            a = Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
        } catch (NoSuchFileException missing) {
            return false;
        }
        if (!a.isRegularFile()
                || (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS) != uid
                || a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            return false;
        }
        // read without following a link swapped in after the check above (the directory is ours, but be exact)
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return sha256(in.readAllBytes()).equals(hash);
        }
    }

    /** The effective uid of this process, from {@code /proc/self/status} (Linux: the only platform extracted). */
    static int currentUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
            }
        }
        throw new IOException("/proc/self/status has no Uid line");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
