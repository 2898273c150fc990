package org.mmappickle.internal.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.mmappickle.internal.bindings.mmappickle_native_h;

/**
 * The native API of {@code native/mmappickle_native.h} implemented with the JDK's
 * {@link FileChannel}, for systems where neither a bundled library nor the Linux C library path
 * ({@link PortableIo}) fits: macOS, Windows, the BSDs. Same contract as the C functions (a
 * non-negative result or a negative errno in Linux numbering), with small int handles from a table
 * standing for descriptors, so {@link NativeFile} and everything above it work unchanged.
 *
 * <p>What the JDK cannot do is degraded, never faked (see {@link IoFeature}): no hole punching
 * ({@code EOPNOTSUPP}, vacuum then writes zeros), reservation by writing zeros past the end of the
 * file, access advice ignored, the file system type and the allocated size unknown. The
 * whole-file lock is the one Python's mmappickle takes on the same system: the C library's
 * {@code flock} on a side descriptor where it exists (POSIX), else {@code FileChannel.lock} over
 * bytes 0 to 0xFFFF0000, the range Python locks with {@code LockFileEx} (Windows). Range locks
 * are {@code FileChannel} locks, which POSIX systems hold per process (closing any descriptor of
 * the file in this process drops them all), behind a registry that makes two handles of one JVM
 * exclude each other as two processes would.
 *
 * <p>Written to the JDK's documented behaviour; tested on Linux by forcing it
 * ({@code -Dmmappickle.io=channel}).
 */
final class ChannelIo {
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EBADF = 9;
    static final int EWOULDBLOCK = 11;
    static final int EACCES = 13;
    static final int EEXIST = 17;
    static final int ENODEV = 19;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int EMFILE = 24;
    static final int EFBIG = 27;
    static final int ENOSPC = 28;
    static final int EROFS = 30;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;
    static final int EDQUOT = 122;

    /** The range Python's mmappickle locks with LockFileEx on Windows (and this path where there is no flock). */
    static final long WHOLE_FILE_LOCK_LENGTH = 0xFFFF0000L;
    /** FileChannel reads and writes take ByteBuffers, so a transfer goes in pieces of at most this. */
    private static final long IO_CHUNK = 1L << 30;
    /** Zeros written per call where the path writes zeros (reservation, vacuum). */
    private static final int ZERO_CHUNK = 1 << 20;

    private static final Map<Integer, Handle> HANDLES = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT_HANDLE = new AtomicInteger(3);
    /** The live mappings by start address, for unmap and msync. */
    private static final ConcurrentSkipListMap<Long, Mapping> MAPPINGS = new ConcurrentSkipListMap<>();
    /** The range locks this JVM holds, per file (its file key). */
    private static final Map<Object, RangeLocks> LOCKS = new ConcurrentHashMap<>();
    /** The failure behind the last negative errno this thread returned, for a precise strerror. */
    private static final ThreadLocal<Failure> LAST = new ThreadLocal<>();

    private ChannelIo() {
    }

    /** One open file: its channel, the key of the file it names, and the side descriptor of its flock. */
    private static final class Handle {
        final Path path;
        /** The file, for setLength (which grows a file sparsely: FileChannel.truncate never grows one). */
        final java.io.RandomAccessFile file;
        final FileChannel channel;
        final Object fileKey;
        final boolean writable;
        /** The libc descriptor {@code flock} works on (POSIX), or -1 until the first lock. */
        int lockFd = -1;

        Handle(Path path, java.io.RandomAccessFile file, Object fileKey, boolean writable) {
            this.path = path;
            this.file = file;
            this.channel = file.getChannel();
            this.fileKey = fileKey;
            this.writable = writable;
        }
    }

    /** A mapping: its own arena (closing it unmaps) and the mapped segment (for force). */
    private record Mapping(Arena arena, MemorySegment segment) {
    }

    private record Failure(int errno, String text) {
    }

    // ------------------------------------------------------------------ the C library's flock, where there is one

    /** {@code flock}, {@code open}, {@code close} of the platform's C library, or null where it has no flock (Windows). */
    private static final class Posix {
        static final Linker LINKER = Linker.nativeLinker();
        static final SymbolLookup LIBC = LINKER.defaultLookup();
        static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle FLOCK = handle("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), -1);
        static final MethodHandle OPEN = FLOCK == null ? null
                : handle("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
        static final MethodHandle CLOSE = FLOCK == null ? null : handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
        static final MethodHandle FCNTL = FLOCK == null ? null
                : handle("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
        /** EWOULDBLOCK of this system: 11 on Linux, 35 on macOS and the BSDs. */
        static final int SYSTEM_EWOULDBLOCK = System.getProperty("os.name", "").toLowerCase(Locale.ROOT)
                .startsWith("linux") ? 11 : 35;
        // the same on Linux, macOS and the BSDs
        static final int LOCK_SH = 1;
        static final int LOCK_EX = 2;
        static final int LOCK_NB = 4;
        static final int LOCK_UN = 8;
        static final int O_RDONLY = 0;
        static final int F_SETFD = 2;
        static final int FD_CLOEXEC = 1;

        private static MethodHandle handle(String name, FunctionDescriptor d, int firstVariadic) {
            Optional<MemorySegment> s = LIBC.find(name);
            if (s.isEmpty()) {
                return null;
            }
            Linker.Option capture = Linker.Option.captureCallState("errno");
            return firstVariadic < 0 ? LINKER.downcallHandle(s.get(), d, capture)
                    : LINKER.downcallHandle(s.get(), d, capture, Linker.Option.firstVariadicArg(firstVariadic));
        }
    }

    /** True where the whole-file lock is the C library's flock (POSIX systems), false where it is a FileChannel lock. */
    static boolean flockAvailable() {
        return Posix.FLOCK != null;
    }

    // ------------------------------------------------------------------ errors

    private static int fail(int errno, String text) {
        LAST.set(new Failure(errno, text));
        return -errno;
    }

    /** The errno (Linux numbering) that an exception of the JDK's stands for; remembers its text for strerror. */
    private static int fail(Throwable e) {
        int errno = switch (e) {
            case NoSuchFileException x -> ENOENT;
            case FileAlreadyExistsException x -> EEXIST;
            case AccessDeniedException x -> EACCES;
            case NonWritableChannelException x -> EBADF;
            case ClosedChannelException x -> EBADF;
            case java.nio.channels.NonReadableChannelException x -> EBADF;
            case UnsupportedOperationException x -> EOPNOTSUPP;
            case IllegalArgumentException x -> EINVAL;
            default -> byText(e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage());
        };
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return fail(errno, text);
    }

    /** The errno of a JDK message, which carries the system's text (POSIX strerror, Windows FormatMessage). */
    private static int byText(String message) {
        if (message == null) {
            return EIO;
        }
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("no space left") || m.contains("not enough space on the disk") || m.contains("disk is full")) {
            return ENOSPC;
        }
        if (m.contains("quota")) {
            return EDQUOT;
        }
        if (m.contains("file too large")) {
            return EFBIG;
        }
        if (m.contains("read-only file system")) {
            return EROFS;
        }
        if (m.contains("too many open files")) {
            return EMFILE;
        }
        if (m.contains("permission denied") || m.contains("access is denied")) {
            return EACCES;
        }
        if (m.contains("no such file") || m.contains("cannot find the file") || m.contains("cannot find the path")) {
            return ENOENT;
        }
        if (m.contains("is a directory")) {
            return EISDIR;
        }
        if (m.contains("invalid argument")) {
            return EINVAL;
        }
        return EIO;
    }

    private static final Map<Integer, String> TEXTS = Map.ofEntries(
            Map.entry(ENOENT, "No such file or directory"), Map.entry(EIO, "Input/output error"),
            Map.entry(EBADF, "Bad file descriptor"), Map.entry(EWOULDBLOCK, "Resource temporarily unavailable"),
            Map.entry(EACCES, "Permission denied"), Map.entry(EEXIST, "File exists"),
            Map.entry(ENODEV, "No such device"), Map.entry(EISDIR, "Is a directory"),
            Map.entry(EINVAL, "Invalid argument"), Map.entry(EMFILE, "Too many open files"),
            Map.entry(EFBIG, "File too large"), Map.entry(ENOSPC, "No space left on device"),
            Map.entry(EROFS, "Read-only file system"), Map.entry(ENOSYS, "Function not implemented"),
            Map.entry(EOPNOTSUPP, "Operation not supported"), Map.entry(EDQUOT, "Disk quota exceeded"));

    static int mmp_strerror(int errnum, MemorySegment buffer, long length) {
        if (length <= 0) {
            return -EINVAL;
        }
        int e = Math.abs(errnum);
        Failure last = LAST.get();
        String text = last != null && last.errno() == e ? last.text()
                : TEXTS.getOrDefault(e, "Unknown error " + e);
        return copy(text, buffer, length);
    }

    static int mmp_errno_name(int errnum, MemorySegment buffer, long length) {
        if (length <= 0) {
            return -EINVAL;
        }
        return copy(ErrnoNames.name(Math.abs(errnum)), buffer, length);
    }

    private static int copy(String text, MemorySegment buffer, long length) {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int n = (int) Math.min(b.length, length - 1);
        MemorySegment.copy(b, 0, buffer, ValueLayout.JAVA_BYTE, 0, n);
        buffer.set(ValueLayout.JAVA_BYTE, n, (byte) 0);
        return n;
    }

    // ------------------------------------------------------------------ files
    //
    // holdInterrupt: a FileChannel closes itself when a thread using it is interrupted, or enters it with its
    // interrupt status set (ClosedByInterruptException), which would close the file under every other user of
    // the handle; so each call that uses the channel clears the status first and sets it again after. An
    // interrupt arriving during the call itself still closes the channel (later calls fail with EBADF).

    private static Handle handle(int fd) {
        return HANDLES.get(fd);
    }

    /** Returns the path a handle was opened with, or null for an unknown handle. */
    static Path path(int fd) {
        Handle h = handle(fd);
        return h == null ? null : h.path;
    }

    /**
     * Returns true when {@code other} names the file the handle has open (by file key: device and
     * inode on POSIX, volume and file index on Windows), false after another file was renamed over it.
     */
    static boolean isStillAt(int fd, Path other) throws IOException {
        Handle h = handle(fd);
        if (h == null) {
            throw new ClosedChannelException();
        }
        try {
            Object now = fileKey(other);
            return h.fileKey.equals(now);
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    /** The file key of a path, or its real path where the system gives no key. */
    private static Object fileKey(Path p) throws IOException {
        Object key = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        return key != null ? key : p.toRealPath();
    }

    static long mmp_page_size() {
        return PageSize.VALUE;
    }

    /** The page size from the C library's {@code getpagesize} where it has one, else 4096 (Windows' page). */
    private static final class PageSize {
        static final long VALUE = compute();

        private static long compute() {
            Linker linker = Linker.nativeLinker();
            Optional<MemorySegment> f = linker.defaultLookup().find("getpagesize");
            if (f.isEmpty()) {
                return 4096;
            }
            try {
                int p = (int) linker.downcallHandle(f.get(), FunctionDescriptor.of(JAVA_INT)).invokeExact();
                return p > 0 ? p : 4096;
            } catch (Throwable t) {
                return 4096;
            }
        }
    }

    static int mmp_open(MemorySegment pathName, int mode) {
        Path path;
        try {
            path = Path.of(pathName.getString(0));
        } catch (RuntimeException bad) {
            return fail(bad);
        }
        if (mode < 0 || mode > 3) {
            return fail(EINVAL, "unknown open mode " + mode);
        }
        try {
            if (mode == 3 && Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return fail(EEXIST, TEXTS.get(EEXIST));   // O_CREAT|O_EXCL: whatever is there, even a FIFO
            }
            // opening a FIFO would block until a writer comes: look first (a FIFO swapped in between is not caught)
            if (Files.exists(path)) {
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
                if (a.isDirectory()) {
                    return fail(EISDIR, TEXTS.get(EISDIR));
                }
                if (!a.isRegularFile()) {
                    return fail(ENODEV, TEXTS.get(ENODEV));
                }
            } else if (mode < 2) {
                return fail(ENOENT, TEXTS.get(ENOENT));
            }
            if (mode == 3) {
                Files.createFile(path);   // atomic: EEXIST when another process created it first
            }
            // a RandomAccessFile, not FileChannel.open, for its setLength (sparse growth); its "rw" would create a
            // file removed since the check above (a narrow race the C path, with O_CREAT only where asked, has not)
            java.io.RandomAccessFile file = new java.io.RandomAccessFile(path.toFile(), mode == 0 ? "r" : "rw");
            Object key;
            try {
                key = fileKey(path);
            } catch (IOException | RuntimeException e) {
                file.close();
                throw e;
            }
            int fd = NEXT_HANDLE.getAndIncrement();
            HANDLES.put(fd, new Handle(path, file, key, mode != 0));
            return fd;
        } catch (IOException | RuntimeException e) {
            return fail(e);
        }
    }

    static int mmp_close(int fd) {
        Handle h = HANDLES.remove(fd);
        if (h == null) {
            return fail(EBADF, TEXTS.get(EBADF));
        }
        RangeLocks locks = LOCKS.get(h.fileKey);
        if (locks != null) {
            locks.releaseAll(fd);
        }
        int rc = 0;
        synchronized (h) {
            if (h.lockFd >= 0) {
                rc = closeLockFd(h);
            }
        }
        try {
            h.file.close();
        } catch (IOException e) {
            return fail(e);
        }
        return rc;
    }

    static long mmp_size(int fd) {
        boolean interrupted = Thread.interrupted();   // see holdInterrupt
        try {
            return mmp_size0(fd);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long mmp_size0(int fd) {
        Handle h = handle(fd);
        if (h == null) {
            return fail(EBADF, TEXTS.get(EBADF));
        }
        try {
            return h.channel.size();
        } catch (IOException e) {
            return fail(e);
        }
    }

    static int mmp_truncate(int fd, long size) {
        Handle h = handle(fd);
        if (h == null) {
            return fail(EBADF, TEXTS.get(EBADF));
        }
        if (size < 0) {
            return fail(EINVAL, "negative size " + size);
        }
        if (!h.writable) {
            return fail(EINVAL, "truncate of a file open read-only");   // ftruncate on O_RDONLY: EINVAL (or EBADF)
        }
        try {
            h.file.setLength(size);   // ftruncate on POSIX, SetEndOfFile on Windows: growth needs no disk space
            return 0;
        } catch (IOException | RuntimeException e) {
            return fail(e);
        }
    }

    /**
     * Allocates a range by writing zeros where it lies past the end of the file (as the C library's
     * posix_fallocate does where the file system cannot reserve): a full disk fails here, not in a
     * later write into a mapping. The part inside the file is left as it is.
     */
    static int mmp_reserve(int fd, long offset, long length) {
        boolean interrupted = Thread.interrupted();   // see holdInterrupt
        try {
            return mmp_reserve0(fd, offset, length);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int mmp_reserve0(int fd, long offset, long length) {
        Handle h = handle(fd);
        if (h == null) {
            return fail(EBADF, TEXTS.get(EBADF));
        }
        if (offset < 0 || length <= 0) {
            return fail(EINVAL, "offset=" + offset + ", length=" + length);
        }
        long before = -1;
        try {
            long end = Math.addExact(offset, length);
            before = h.channel.size();
            long from = Math.max(offset, before);
            int rc = writeZeros(h.channel, from, end - from);
            if (rc != 0) {
                cutBack(h, before);
            }
            return rc;
        } catch (IOException | RuntimeException e) {
            int rc = fail(e);
            cutBack(h, before);
            return rc;
        }
    }

    /** A reservation that failed (a full disk) leaves the file at its size before, as posix_fallocate does. */
    private static void cutBack(Handle h, long size) {
        if (size < 0) {
            return;
        }
        try {
            if (h.channel.size() > size) {
                h.channel.truncate(size);
            }
        } catch (IOException | RuntimeException ignored) {
            // the failure being reported is the reservation's; the caller cuts the file back again
        }
    }

    /** Writes {@code length} zeros at {@code offset}; 0 or -errno. */
    static int writeZeros(FileChannel ch, long offset, long length) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(ZERO_CHUNK, Math.max(length, 0)));
        long done = 0;
        while (done < length) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), length - done));
            int n = ch.write(zeros, offset + done);
            if (n <= 0) {
                return fail(ENOSPC, TEXTS.get(ENOSPC));
            }
            done += n;
        }
        return 0;
    }

    static int mmp_fallocate(int fd, long offset, long length) {
        if (offset < 0 || length <= 0) {
            return fail(EINVAL, "offset=" + offset + ", length=" + length);
        }
        return handle(fd) == null ? fail(EBADF, TEXTS.get(EBADF))
                : fail(EOPNOTSUPP, "the JDK's FileChannel cannot reserve blocks without writing them (channel io path)");
    }

    static int mmp_punch_hole(int fd, long offset, long length) {
        if (offset < 0 || length < 0) {
            return fail(EINVAL, "offset=" + offset + ", length=" + length);
        }
        if (handle(fd) == null) {
            return fail(EBADF, TEXTS.get(EBADF));
        }
        return length == 0 ? 0 : fail(EOPNOTSUPP, "the JDK's FileChannel cannot punch holes (channel io path)");
    }

    static long mmp_allocated_blocks(int fd) {
        return handle(fd) == null ? fail(EBADF, TEXTS.get(EBADF))
                : fail(ENOSYS, "the JDK does not tell the disk space a file occupies (channel io path)");
    }

    /** Linux's statfs magic numbers of the file systems by the names the JDK gives them ({@code FileStore.type()}). */
    private static final Map<String, Long> MAGIC_BY_NAME = Map.ofEntries(
            Map.entry("ext2", 0xEF53L), Map.entry("ext3", 0xEF53L), Map.entry("ext4", 0xEF53L),
            Map.entry("xfs", 0x58465342L), Map.entry("btrfs", 0x9123683EL), Map.entry("tmpfs", 0x01021994L),
            Map.entry("ramfs", 0x858458F6L), Map.entry("overlay", 0x794C7630L), Map.entry("zfs", 0x2FC12FC1L),
            Map.entry("f2fs", 0xF2F52010L), Map.entry("vfat", 0x4D44L), Map.entry("exfat", 0x2011BAB0L),
            Map.entry("ntfs3", 0x7366746EL), Map.entry("nfs", 0x6969L), Map.entry("nfs4", 0x6969L),
            Map.entry("cifs", 0xFF534D42L), Map.entry("smb3", 0xFE534D42L), Map.entry("smbfs", 0x517BL),
            Map.entry("lustre", 0x0BD00BD0L), Map.entry("gpfs", 0x47504653L), Map.entry("beegfs", 0x19830326L),
            Map.entry("ceph", 0x00C36400L), Map.entry("9p", 0x01021997L), Map.entry("gfs2", 0x01161970L),
            Map.entry("ocfs2", 0x7461636FL));
    /** FUSE's magic: the JDK names FUSE mounts {@code fuse}, {@code fuseblk} or {@code fuse.<subtype>}. */
    private static final long FUSE_MAGIC = 0x65735546L;

    /**
     * Returns Linux's statfs magic for the JDK's name of the file system, or 0 (unknown, which the
     * store treats as possibly shared) for names Linux has no number for (apfs, hfs, NTFS, ReFS...):
     * a Windows network drive reports the server's file system name, so no name can prove a disk local.
     */
    static long mmp_fs_type(int fd) {
        Handle h = handle(fd);
        if (h == null) {
            return fail(EBADF, TEXTS.get(EBADF));
        }
        try {
            String type = Files.getFileStore(h.path).type().toLowerCase(Locale.ROOT);
            if (type.equals("fuse") || type.startsWith("fuse.") || type.equals("fuseblk")) {
                return FUSE_MAGIC;
            }
            return MAGIC_BY_NAME.getOrDefault(type, 0L);
        } catch (IOException | RuntimeException e) {
            return fail(e);
        }
    }

    static int mmp_fsync(int fd, int dataOnly) {
        boolean interrupted = Thread.interrupted();   // see holdInterrupt
        try {
            return mmp_fsync0(fd, dataOnly);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int mmp_fsync0(int fd, int dataOnly) {
        Handle h = handle(fd);
        if (h == null) {
            return fail(EBADF, TEXTS.get(EBADF));
        }
        try {
            h.channel.force(dataOnly == 0);
            return 0;
        } catch (IOException | RuntimeException e) {
            return fail(e);
        }
    }

    /**
     * Checks the range and does nothing else: the JDK cannot start write-back without waiting for
     * it, and waiting here would serialize the copy (see {@link IoFeature#EARLY_WRITE_BACK}).
     */
    static int mmp_sync_range(int fd, long offset, long length) {
        if (offset < 0 || length < 0) {
            return fail(EINVAL, TEXTS.get(EINVAL));
        }
        return handle(fd) == null ? fail(EBADF, TEXTS.get(EBADF)) : 0;
    }

    // ------------------------------------------------------------------ reads and writes

    static long mmp_pread(int fd, MemorySegment buffer, long length, long offset) {
        return transfer(fd, buffer, length, offset, false);
    }

    static long mmp_pwrite(int fd, MemorySegment buffer, long length, long offset) {
        return transfer(fd, buffer, length, offset, true);
    }

    /**
     * Reads or writes all of a range in pieces a ByteBuffer can hold; a read stops at the end of the
     * file, a write that moves nothing fails with ENOSPC (as the C layer).
     */
    private static long transfer(int fd, MemorySegment buffer, long length, long offset, boolean write) {
        boolean interrupted = Thread.interrupted();   // see holdInterrupt
        try {
            return transfer0(fd, buffer, length, offset, write);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long transfer0(int fd, MemorySegment buffer, long length, long offset, boolean write) {
        Handle h = handle(fd);
        if (h == null) {
            return fail(EBADF, TEXTS.get(EBADF));
        }
        if (length < 0 || offset < 0) {
            return fail(EINVAL, "offset=" + offset + ", length=" + length);
        }
        try {
            // a native buffer arrives as a bare address (size 0) from a downcall-shaped caller; a heap one has its size
            MemorySegment all = buffer.isNative() && buffer.byteSize() < length ? buffer.reinterpret(length) : buffer.asSlice(0, length);
            long done = 0;
            // ByteBuffers view native memory and byte[] only: other heap arrays (double[]...) go through a bounce buffer
            boolean bounce = all.heapBase().map(base -> !(base instanceof byte[])).orElse(false);
            ByteBuffer bounceBuffer = bounce ? ByteBuffer.allocate((int) Math.min(ZERO_CHUNK, length)) : null;
            while (done < length) {
                long n = Math.min(bounce ? bounceBuffer.capacity() : IO_CHUNK, length - done);
                MemorySegment piece = all.asSlice(done, n);
                int moved;
                if (bounce) {
                    bounceBuffer.clear().limit((int) n);
                    MemorySegment b = MemorySegment.ofBuffer(bounceBuffer);
                    if (write) {
                        b.copyFrom(piece);
                        moved = h.channel.write(bounceBuffer, offset + done);
                    } else {
                        moved = h.channel.read(bounceBuffer, offset + done);
                        if (moved > 0) {
                            piece.asSlice(0, moved).copyFrom(b.asSlice(0, moved));
                        }
                    }
                } else {
                    ByteBuffer bb = piece.asByteBuffer();
                    moved = write ? h.channel.write(bb, offset + done) : h.channel.read(bb, offset + done);
                }
                if (moved < 0) {
                    break;
                }
                if (moved == 0) {
                    if (write) {
                        return fail(ENOSPC, TEXTS.get(ENOSPC));
                    }
                    break;
                }
                done += moved;
            }
            return done;
        } catch (IOException | RuntimeException e) {
            return fail(e);
        }
    }

    /** {@link #mmp_pread} for heap segments, with the shape of the {@code mmp_pread} downcall. */
    static long preadHeap(int fd, MemorySegment buffer, long length, long offset) {
        return transfer(fd, buffer, length, offset, false);
    }

    /** {@link #mmp_pwrite} for heap segments, with the shape of the {@code mmp_pwrite} downcall. */
    static long pwriteHeap(int fd, MemorySegment buffer, long length, long offset) {
        return transfer(fd, buffer, length, offset, true);
    }

    /** A method handle of {@link #pwriteHeap}. */
    static MethodHandle pwriteHeapHandle() {
        return IoCalls.heapTransferHandle(MethodHandles.lookup(), ChannelIo.class, "pwriteHeap");
    }

    /** A method handle of {@link #preadHeap}. */
    static MethodHandle preadHeapHandle() {
        return IoCalls.heapTransferHandle(MethodHandles.lookup(), ChannelIo.class, "preadHeap");
    }


    // ------------------------------------------------------------------ mappings

    static int mmp_map(int fd, long offset, long length, int flags, MemorySegment address) {
        boolean interrupted = Thread.interrupted();   // see holdInterrupt
        try {
            return mmp_map0(fd, offset, length, flags, address);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int mmp_map0(int fd, long offset, long length, int flags, MemorySegment address) {
        Handle h = handle(fd);
        if (address.equals(MemorySegment.NULL)) {
            return fail(EINVAL, "no address out-parameter");
        }
        address.set(ADDRESS, 0, MemorySegment.NULL);
        if (h == null) {
            return fail(EBADF, TEXTS.get(EBADF));
        }
        if (offset < 0 || length <= 0 || offset % PageSize.VALUE != 0) {
            return fail(EINVAL, "offset=" + offset + ", length=" + length);
        }
        boolean write = (flags & mmappickle_native_h.MMP_MAP_WRITE()) != 0;
        Arena arena = Arena.ofShared();
        try {
            // FileChannel.map grows a file that ends before the range, which mmap never does: refuse that instead
            if (Math.addExact(offset, length) > h.channel.size()) {
                arena.close();
                return fail(EINVAL, "the range ends past the end of the file (the channel io path maps only what exists)");
            }
            MemorySegment m = h.channel.map(write ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY,
                    offset, length, arena);
            if ((flags & mmappickle_native_h.MMP_MAP_POPULATE()) != 0) {
                m.load();
            }
            MAPPINGS.put(m.address(), new Mapping(arena, m));
            address.set(ADDRESS, 0, MemorySegment.ofAddress(m.address()));
            return 0;
        } catch (NonWritableChannelException e) {
            arena.close();
            return fail(EACCES, TEXTS.get(EACCES));
        } catch (IOException | RuntimeException e) {
            arena.close();
            return fail(e);
        }
    }

    static int mmp_unmap(MemorySegment address, long length) {
        if (address.equals(MemorySegment.NULL) || length <= 0) {
            return fail(EINVAL, "address=" + address + ", length=" + length);
        }
        Mapping m = MAPPINGS.remove(address.address());
        if (m == null) {
            return fail(EINVAL, "no mapping starts at " + Long.toHexString(address.address()));
        }
        m.arena().close();
        return 0;
    }

    /**
     * Access advice is a hint the JDK has no call for: accepted and ignored, whatever its kind (a
     * kind added to the native API later needs nothing here).
     */
    static int mmp_advise(MemorySegment address, long length, int advice) {
        return advice < 0 ? fail(EINVAL, "advice " + advice) : 0;
    }

    static int mmp_msync(MemorySegment address, long length, int flags) {
        if (length <= 0) {
            return 0;
        }
        if (flags == mmappickle_native_h.MMP_SYNC_ASYNC()) {
            return 0;   // the system writes dirty pages back by itself; MS_ASYNC only says "soon"
        }
        long start = address.address();
        var e = MAPPINGS.floorEntry(start);
        if (e == null || start + length > e.getKey() + e.getValue().segment().byteSize()) {
            return fail(EINVAL, "msync of a range outside any mapping");
        }
        try {
            e.getValue().segment().asSlice(start - e.getKey(), length).force();
            return 0;
        } catch (RuntimeException x) {
            Throwable cause = x.getCause() != null ? x.getCause() : x;
            return fail(cause);
        }
    }

    // ------------------------------------------------------------------ the whole-file lock

    static int mmp_flock(int fd, int operation) {
        return wholeFileLock(fd, operation, flockAvailable());
    }

    /**
     * The whole-file lock through the C library's flock ({@code viaFlock}) or through FileChannel over
     * the range Python's mmappickle locks on Windows (tests take the second route on Linux too).
     */
    static int wholeFileLock(int fd, int operation, boolean viaFlock) {
        boolean interrupted = Thread.interrupted();   // see holdInterrupt
        try {
            return wholeFileLock0(fd, operation, viaFlock);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int wholeFileLock0(int fd, int operation, boolean viaFlock) {
        Handle h = handle(fd);
        if (h == null) {
            return fail(EBADF, TEXTS.get(EBADF));
        }
        int kind = operation & ~4;
        boolean nonblock = (operation & 4) != 0;
        if (kind != 1 && kind != 2 && kind != 8) {
            return fail(EINVAL, "flock operation " + operation);
        }
        if (!viaFlock) {
            // Windows: the range Python's mmappickle locks with LockFileEx
            return kind == 8 ? rangeUnlock(h, fd, 0, WHOLE_FILE_LOCK_LENGTH)
                    : rangeLock(h, fd, 0, WHOLE_FILE_LOCK_LENGTH, kind == 1, !nonblock);
        }
        int op = (kind == 1 ? Posix.LOCK_SH : kind == 2 ? Posix.LOCK_EX : Posix.LOCK_UN) | (nonblock ? Posix.LOCK_NB : 0);
        try {
            int lockFd;
            synchronized (h) {
                if (h.lockFd < 0) {
                    int rc = openLockFd(h);
                    if (rc < 0) {
                        return rc;
                    }
                }
                lockFd = h.lockFd;
            }
            MemorySegment cap = Arena.ofAuto().allocate(Posix.CAPTURE);
            int rc;
            do {
                rc = (int) Posix.FLOCK.invokeExact(cap, lockFd, op);
            } while (rc != 0 && (int) Posix.ERRNO.get(cap, 0L) == EINTR);
            if (rc == 0) {
                return 0;
            }
            int e = (int) Posix.ERRNO.get(cap, 0L);
            return e == Posix.SYSTEM_EWOULDBLOCK ? fail(EWOULDBLOCK, TEXTS.get(EWOULDBLOCK))
                    : fail(EIO, "flock failed with the system's errno " + e);
        } catch (Throwable t) {
            return fail(t);
        }
    }

    /** Opens the side descriptor flock works on (read-only, close-on-exec); 0 or -errno. */
    private static int openLockFd(Handle h) throws Throwable {
        MemorySegment cap = Arena.ofAuto().allocate(Posix.CAPTURE);
        try (Arena a = Arena.ofConfined()) {
            int lfd = (int) Posix.OPEN.invokeExact(cap, a.allocateFrom(h.path.toString()), Posix.O_RDONLY, 0);
            if (lfd < 0) {
                return fail(EIO, "open(" + h.path + ") for flock failed with the system's errno " + (int) Posix.ERRNO.get(cap, 0L));
            }
            int unused = (int) Posix.FCNTL.invokeExact(cap, lfd, Posix.F_SETFD, Posix.FD_CLOEXEC);
            h.lockFd = lfd;
            return 0;
        }
    }

    private static int closeLockFd(Handle h) {
        try {
            MemorySegment cap = Arena.ofAuto().allocate(Posix.CAPTURE);
            int rc = (int) Posix.CLOSE.invokeExact(cap, h.lockFd);
            h.lockFd = -1;
            return rc == 0 ? 0 : fail(EIO, "close of the flock descriptor failed");
        } catch (Throwable t) {
            return fail(t);
        }
    }

    // ------------------------------------------------------------------ range locks

    static int mmp_ofd_lock(int fd, int type, long start, long length, int wait) {
        boolean interrupted = Thread.interrupted();   // see holdInterrupt
        try {
            return mmp_ofd_lock0(fd, type, start, length, wait);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int mmp_ofd_lock0(int fd, int type, long start, long length, int wait) {
        Handle h = handle(fd);
        if (h == null) {
            return fail(EBADF, TEXTS.get(EBADF));
        }
        if (type < 0 || type > 2 || start < 0 || length <= 0) {
            return fail(EINVAL, "type=" + type + ", start=" + start + ", length=" + length);
        }
        return type == 2 ? rangeUnlock(h, fd, start, length) : rangeLock(h, fd, start, length, type == 0, wait != 0);
    }

    static int mmp_ofd_test(int fd, int type, long start, long length) {
        boolean interrupted = Thread.interrupted();   // see holdInterrupt
        try {
            return mmp_ofd_test0(fd, type, start, length);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int mmp_ofd_test0(int fd, int type, long start, long length) {
        Handle h = handle(fd);
        if (h == null) {
            return fail(EBADF, TEXTS.get(EBADF));
        }
        if (type < 0 || type > 1 || start < 0 || length <= 0) {
            return fail(EINVAL, "type=" + type + ", start=" + start + ", length=" + length);
        }
        // a read-only channel probes with a shared lock, which finds every exclusive holder (those are what matter: writers)
        return locks(h).test(h, fd, start, length, type == 0 || !h.writable);
    }

    private static int rangeLock(Handle h, int fd, long start, long length, boolean shared, boolean wait) {
        // FileChannel takes exclusive locks on writable channels only: a read-only handle's is shared,
        // which still excludes every writer's exclusive lock
        return locks(h).lock(h, fd, start, length, shared || !h.writable, wait);
    }

    private static int rangeUnlock(Handle h, int fd, long start, long length) {
        return locks(h).unlock(fd, start, length);
    }

    private static RangeLocks locks(Handle h) {
        return LOCKS.computeIfAbsent(h.fileKey, k -> new RangeLocks());
    }

    /**
     * The range locks this JVM holds on one file. FileChannel refuses a lock that overlaps one held
     * through any channel of the JVM (OverlappingFileLockException) and, on POSIX, the system would
     * grant it anyway (its locks belong to the process): so handles are kept apart here, as two
     * processes would be. Ranges are locked whole, as the store locks them (one byte, or the
     * whole-file range); a lock partly overlapping another of this JVM is refused with EINVAL.
     */
    private static final class RangeLocks {
        /** One locked range: the system lock and the handles holding it (several only when shared). */
        private static final class Held {
            final long start;
            final long length;
            java.nio.channels.FileLock lock;
            boolean shared;
            final Set<Integer> holders = new java.util.HashSet<>();
            /** True while a thread waits for the system lock outside the monitor. */
            boolean acquiring;

            Held(long start, long length) {
                this.start = start;
                this.length = length;
            }
        }

        private final Map<Long, Held> byStart = new java.util.HashMap<>();

        private Held find(long start, long length) throws IllegalArgumentException {
            Held exact = null;
            for (Held x : byStart.values()) {
                if (x.start < start + length && start < x.start + x.length) {
                    if (x.start == start && x.length == length) {
                        exact = x;
                    } else {
                        throw new IllegalArgumentException("the range locks of the channel io path lock whole ranges:"
                                + " [" + start + ", +" + length + ") overlaps [" + x.start + ", +" + x.length + ")");
                    }
                }
            }
            return exact;
        }

        synchronized int lock(Handle h, int fd, long start, long length, boolean shared, boolean wait) {
            try {
                while (true) {
                    Held x = find(start, length);
                    if (x == null) {
                        x = new Held(start, length);
                        byStart.put(start, x);
                        int rc = acquire(h, x, shared, wait);
                        if (rc == 0) {
                            x.holders.add(fd);
                        } else {
                            byStart.remove(start);
                        }
                        notifyAll();
                        return rc;
                    }
                    if (x.acquiring) {
                        if (!wait) {
                            return fail(EWOULDBLOCK, TEXTS.get(EWOULDBLOCK));
                        }
                        wait();
                        continue;
                    }
                    boolean mine = x.holders.contains(fd);
                    boolean others = x.holders.size() > (mine ? 1 : 0);
                    if (mine && x.shared == shared) {
                        return 0;
                    }
                    if (others && (!shared || !x.shared)) {
                        if (!wait) {
                            return fail(EWOULDBLOCK, TEXTS.get(EWOULDBLOCK));
                        }
                        wait();
                        continue;
                    }
                    if (!mine) {   // shared beside other shared holders: the system lock is already the process's
                        x.holders.add(fd);
                        return 0;
                    }
                    // this handle alone converts its lock: the system lock is released and taken again (not atomic)
                    x.lock.release();
                    x.lock = null;
                    int rc = acquire(h, x, shared, wait);
                    if (rc != 0) {
                        int back = acquire(h, x, x.shared, false);
                        if (back != 0) {   // lost to another process in between: this handle holds nothing now
                            x.holders.remove(fd);
                            byStart.remove(start);
                        }
                    }
                    notifyAll();
                    return rc;
                }
            } catch (IllegalArgumentException e) {
                return fail(EINVAL, e.getMessage());
            } catch (IOException e) {
                return fail(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail(EINTR, "interrupted while waiting for a lock");
            }
        }

        /**
         * Takes the system lock of {@code x}: at once without waiting, else outside the monitor
         * (others must be able to unlock meanwhile) with the range marked as being acquired.
         */
        private int acquire(Handle h, Held x, boolean shared, boolean wait) throws IOException, InterruptedException {
            java.nio.channels.FileLock got = h.channel.tryLock(x.start, x.length, shared);
            if (got == null && wait) {
                x.acquiring = true;
                try {
                    while (got == null) {
                        // FileChannel.lock would block this monitor; poll instead, giving the monitor up between tries
                        wait(10);
                        got = h.channel.tryLock(x.start, x.length, shared);
                    }
                } finally {
                    x.acquiring = false;
                }
            }
            if (got == null) {
                return fail(EWOULDBLOCK, TEXTS.get(EWOULDBLOCK));
            }
            x.lock = got;
            x.shared = shared;
            return 0;
        }

        synchronized int unlock(int fd, long start, long length) {
            Held x;
            try {
                x = find(start, length);
            } catch (IllegalArgumentException e) {
                return fail(EINVAL, e.getMessage());
            }
            if (x == null || !x.holders.remove(fd)) {
                return 0;
            }
            int rc = 0;
            if (x.holders.isEmpty()) {
                byStart.remove(start);
                try {
                    if (x.lock.isValid()) {
                        x.lock.release();
                    }
                } catch (IOException e) {
                    rc = fail(e);
                }
            }
            notifyAll();
            return rc;
        }

        synchronized void releaseAll(int fd) {
            for (Held x : new java.util.ArrayList<>(byStart.values())) {
                if (x.holders.contains(fd)) {
                    unlock(fd, x.start, x.length);
                }
            }
        }

        /** 1 when a lock of another handle or process conflicts with the one described, else 0. */
        synchronized int test(Handle h, int fd, long start, long length, boolean shared) {
            try {
                Held x = find(start, length);
                if (x != null) {
                    boolean others = x.holders.size() > (x.holders.contains(fd) ? 1 : 0) || x.acquiring;
                    if (others && (!shared || !x.shared)) {
                        return 1;
                    }
                    // the process holds the range: a system lock of another process cannot conflict, but for
                    // another's shared lock beside this shared one, which the JDK cannot ask about
                    return 0;
                }
                java.nio.channels.FileLock probe = h.channel.tryLock(start, length, shared);
                if (probe == null) {
                    return 1;
                }
                probe.release();
                return 0;
            } catch (IllegalArgumentException e) {
                return fail(EINVAL, e.getMessage());
            } catch (IOException | RuntimeException e) {
                return fail(e);
            }
        }
    }
}
