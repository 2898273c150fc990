package org.mmappickle.internal.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import org.mmappickle.internal.bindings.mmappickle_native_h;

/**
 * The native API of {@code native/mmappickle_native.h} implemented in Java with FFM downcalls into
 * the platform's own C library ({@link Linker#defaultLookup()}), for machines where no bundled
 * library fits. Same contract as the C functions: a non-negative result or a negative errno (in
 * Linux numbering), EINTR retried, close-on-exec descriptors, no access to mapped memory.
 *
 * <p>It covers Linux on any CPU (the flag and errno values are the generic Linux ones, as on
 * x86_64, aarch64, riscv64, ppc64le and s390x; file metadata comes from {@code statx}, whose layout
 * is the same on every architecture, so it needs glibc 2.28+ or musl 1.2.5+). Other systems are
 * refused by {@link #unsupportedReason()} with a clear message.
 */
final class PortableIo {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // Linux's generic values (the same on every architecture the JDK runs Linux on, except alpha, mips, parisc, sparc)
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_NOCTTY = 0400;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int F_OFD_GETLK = 36;
    private static final int F_OFD_SETLK = 37;
    private static final int F_OFD_SETLKW = 38;
    private static final short F_RDLCK = 0;
    private static final short F_WRLCK = 1;
    private static final short F_UNLCK = 2;
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int LOCK_UN = 8;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final int MAP_POPULATE = 0x8000;
    private static final int MS_ASYNC = 1;
    private static final int MS_SYNC = 4;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int FALLOC_FL_PUNCH_HOLE = 2;
    private static final int SYNC_FILE_RANGE_WRITE = 2;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;

    static final int EINTR = 4;
    static final int EINVAL = 22;
    static final int EISDIR = 21;
    static final int ENODEV = 19;
    static final int ENOSPC = 28;
    static final int ESPIPE = 29;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;

    /** struct flock on 64-bit Linux: l_type, l_whence, l_start, l_len, l_pid. */
    private static final long FLOCK_SIZE = 32;
    /** struct statx: stx_mode at 28, stx_size at 40, stx_blocks at 48; 256 bytes in all. */
    private static final long STATX_SIZE = 256;

    private static final MethodHandle OPEN = variadic("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FCNTL_INT = variadic("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle FCNTL_PTR = variadic("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), 2);
    private static final MethodHandle STATX = call("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    /** {@code fstatfs(fd, struct statfs *)}: its {@code f_type} is the first field, a word on 64-bit Linux. */
    private static final MethodHandle FSTATFS = call("fstatfs", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle FTRUNCATE = call("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle POSIX_FALLOCATE = plain("posix_fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FALLOCATE = call("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle GETPAGESIZE = plain("getpagesize", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle MMAP = call("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = call("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MADVISE = call("madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MSYNC = call("msync", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle FSYNC = call("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FDATASYNC = call("fdatasync", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** {@code sync_file_range}, or null where the C library has none (then {@link #mmp_sync_range} does nothing). */
    private static final MethodHandle SYNC_FILE_RANGE = LIBC.find("sync_file_range").map(a -> LINKER.downcallHandle(a,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO)).orElse(null);
    private static final MethodHandle FLOCK = call("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final FunctionDescriptor RW = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle PREAD = call("pread", RW);
    private static final MethodHandle PWRITE = call("pwrite", RW);
    private static final MethodHandle PREAD_CRITICAL = LINKER.downcallHandle(find("pread"), RW, CAPTURE_ERRNO,
            Linker.Option.critical(true));
    private static final MethodHandle PWRITE_CRITICAL = LINKER.downcallHandle(find("pwrite"), RW, CAPTURE_ERRNO,
            Linker.Option.critical(true));
    private static final MethodHandle STRERROR = plain("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    /** Offsets in the per-thread scratch space: the captured errno, a struct statx, a struct flock, "". */
    private static final long STATX_AT = (CAPTURE.byteSize() + 15) & -16;
    private static final long FLOCK_AT = STATX_AT + STATX_SIZE;
    private static final long EMPTY_AT = FLOCK_AT + FLOCK_SIZE;
    /** Per-thread space for the captured errno and small structs, so a call allocates nothing. */
    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(EMPTY_AT + 16, 16));

    private PortableIo() {
    }

    /** Returns why this path cannot run here, or null when it can. */
    static String unsupportedReason() {
        String os = System.getProperty("os.name", "?");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "the portable io path covers Linux only so far (os.name=" + os + ")";
        }
        return null;
    }

    private static MemorySegment find(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(
                "mmappickle portable io: the C library has no " + name + "()"));
    }

    private static MethodHandle call(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(find(name), d, CAPTURE_ERRNO);
    }

    private static MethodHandle variadic(String name, FunctionDescriptor d, int firstVariadic) {
        return LINKER.downcallHandle(find(name), d, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    private static MethodHandle plain(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(find(name), d);
    }

    private static MemorySegment capture() {
        return SCRATCH.get().asSlice(0, CAPTURE.byteSize());
    }

    private static MemorySegment statxBuffer() {
        return SCRATCH.get().asSlice(STATX_AT, STATX_SIZE);
    }

    private static MemorySegment flockBuffer() {
        return SCRATCH.get().asSlice(FLOCK_AT, FLOCK_SIZE);
    }

    private static int errno(MemorySegment cap) {
        return (int) ERRNO.get(cap, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    static int mmp_open(MemorySegment path, int mode) {
        int flags = switch (mode) {
            case 0 -> O_RDONLY;
            case 1 -> O_RDWR;
            case 2 -> O_RDWR | O_CREAT;
            case 3 -> O_RDWR | O_CREAT | O_EXCL;
            default -> -1;
        };
        if (flags < 0) {
            return -EINVAL;
        }
        try {
            MemorySegment cap = capture();
            int fd;
            do {
                // O_NONBLOCK: a FIFO without a writer must not block the open before the type check
                fd = (int) OPEN.invokeExact(cap, path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0666);
            } while (fd < 0 && errno(cap) == EINTR);
            if (fd < 0) {
                return -errno(cap);
            }
            int rc = statx(fd);
            if (rc < 0) {
                closeQuietly(fd);
                return rc;
            }
            int type = Short.toUnsignedInt(statxBuffer().get(JAVA_SHORT, 28)) & S_IFMT;
            if (type != S_IFREG) {
                closeQuietly(fd);
                return type == S_IFDIR ? -EISDIR : -ENODEV;
            }
            int fl = (int) FCNTL_INT.invokeExact(cap, fd, F_GETFL, 0);
            if (fl < 0 || (int) FCNTL_INT.invokeExact(cap, fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
                int e = errno(cap);
                closeQuietly(fd);
                return -e;
            }
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void closeQuietly(int fd) throws Throwable {
        int unused = (int) CLOSE.invokeExact(capture(), fd);
    }

    /** Fills {@link #statxBuffer()} for fd; 0 or -errno. */
    private static int statx(int fd) throws Throwable {
        MemorySegment cap = capture();
        MemorySegment empty = SCRATCH.get().asSlice(EMPTY_AT, 1);
        empty.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 0);
        int rc = (int) STATX.invokeExact(cap, fd, empty, AT_EMPTY_PATH, STATX_BASIC_STATS, statxBuffer());
        return rc == 0 ? 0 : -errno(cap);
    }

    static int mmp_close(int fd) {
        try {
            MemorySegment cap = capture();
            // never retried: after EINTR the descriptor may already be reused by another thread
            int rc = (int) CLOSE.invokeExact(cap, fd);
            return rc != 0 && errno(cap) != EINTR ? -errno(cap) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long mmp_size(int fd) {
        try {
            int rc = statx(fd);
            return rc < 0 ? rc : statxBuffer().get(JAVA_LONG, 40);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long mmp_allocated_blocks(int fd) {
        try {
            int rc = statx(fd);
            return rc < 0 ? rc : statxBuffer().get(JAVA_LONG, 48);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long mmp_fs_type(int fd) {
        try {
            MemorySegment cap = capture();
            // struct statfs (120 bytes on x86_64 and aarch64) fits the statx scratch area
            MemorySegment buf = statxBuffer();
            int rc = (int) FSTATFS.invokeExact(cap, fd, buf);
            return rc != 0 ? -errno(cap) : buf.get(JAVA_LONG, 0) & 0xFFFFFFFFL;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mmp_truncate(int fd, long size) {
        if (size < 0) {
            return -EINVAL;
        }
        try {
            MemorySegment cap = capture();
            int rc;
            do {
                rc = (int) FTRUNCATE.invokeExact(cap, fd, size);
            } while (rc != 0 && errno(cap) == EINTR);
            return rc != 0 ? -errno(cap) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mmp_reserve(int fd, long offset, long length) {
        if (offset < 0 || length <= 0) {
            return -EINVAL;
        }
        try {
            int rc;
            // posix_fallocate returns the error number instead of setting errno
            do {
                rc = (int) POSIX_FALLOCATE.invokeExact(fd, offset, length);
            } while (rc == EINTR);
            return -rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mmp_fallocate(int fd, long offset, long length) {
        if (offset < 0 || length <= 0) {
            return -EINVAL;
        }
        try {
            MemorySegment cap = capture();
            int rc;
            // mode 0 and no emulation, as the C library's mmp_fallocate: EOPNOTSUPP where it cannot
            do {
                rc = (int) FALLOCATE.invokeExact(cap, fd, 0, offset, length);
            } while (rc != 0 && errno(cap) == EINTR);
            return rc != 0 ? -errno(cap) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mmp_punch_hole(int fd, long offset, long length) {
        if (offset < 0 || length < 0) {
            return -EINVAL;
        }
        if (length == 0) {
            return 0;
        }
        try {
            MemorySegment cap = capture();
            int rc;
            do {
                rc = (int) FALLOCATE.invokeExact(cap, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
            } while (rc != 0 && errno(cap) == EINTR);
            return rc != 0 ? -errno(cap) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long mmp_page_size() {
        try {
            int p = (int) GETPAGESIZE.invokeExact();
            return p > 0 ? p : -EINVAL;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mmp_map(int fd, long offset, long length, int flags, MemorySegment address) {
        if (offset < 0 || length <= 0 || address.equals(MemorySegment.NULL)) {
            return -EINVAL;
        }
        int prot = (flags & mmappickle_native_h.MMP_MAP_WRITE()) != 0 ? PROT_READ | PROT_WRITE : PROT_READ;
        int mflags = MAP_SHARED | ((flags & mmappickle_native_h.MMP_MAP_POPULATE()) != 0 ? MAP_POPULATE : 0);
        try {
            MemorySegment cap = capture();
            MemorySegment p = (MemorySegment) MMAP.invokeExact(cap, MemorySegment.NULL, length, prot, mflags, fd, offset);
            if (p.address() == -1L) {
                address.set(ADDRESS, 0, MemorySegment.NULL);
                return -errno(cap);
            }
            address.set(ADDRESS, 0, p);
            return 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mmp_unmap(MemorySegment address, long length) {
        if (address.equals(MemorySegment.NULL) || length <= 0) {
            return -EINVAL;
        }
        try {
            MemorySegment cap = capture();
            return (int) MUNMAP.invokeExact(cap, address, length) != 0 ? -errno(cap) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mmp_advise(MemorySegment address, long length, int advice) {
        int a = switch (advice) {
            case 0 -> 0;   // MADV_NORMAL
            case 1 -> 2;   // MADV_SEQUENTIAL
            case 2 -> 1;   // MADV_RANDOM
            case 3 -> 3;   // MADV_WILLNEED
            case 4 -> 4;   // MADV_DONTNEED
            case 5 -> 14;  // MADV_HUGEPAGE
            case 6 -> 23;  // MADV_POPULATE_WRITE (EINVAL from kernels before 5.14)
            default -> -1;
        };
        if (a < 0) {
            return -EINVAL;
        }
        if (length <= 0) {
            return 0;
        }
        try {
            MemorySegment cap = capture();
            return (int) MADVISE.invokeExact(cap, address, length, a) != 0 ? -errno(cap) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mmp_msync(MemorySegment address, long length, int flags) {
        if (length <= 0) {
            return 0;
        }
        try {
            MemorySegment cap = capture();
            int f = flags == mmappickle_native_h.MMP_SYNC_ASYNC() ? MS_ASYNC : MS_SYNC;
            return (int) MSYNC.invokeExact(cap, address, length, f) != 0 ? -errno(cap) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mmp_fsync(int fd, int dataOnly) {
        try {
            MemorySegment cap = capture();
            int rc;
            do {
                rc = dataOnly != 0 ? (int) FDATASYNC.invokeExact(cap, fd) : (int) FSYNC.invokeExact(cap, fd);
            } while (rc != 0 && errno(cap) == EINTR);
            return rc != 0 ? -errno(cap) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mmp_sync_range(int fd, long offset, long length) {
        if (offset < 0 || length < 0) {
            return -EINVAL;
        }
        if (length == 0 || SYNC_FILE_RANGE == null) {
            return 0;   // 0 would mean "to the end of the file"; a C library without the call: the fsync does it all
        }
        try {
            MemorySegment cap = capture();
            int rc;
            do {
                rc = (int) SYNC_FILE_RANGE.invokeExact(cap, fd, offset, length, SYNC_FILE_RANGE_WRITE);
            } while (rc != 0 && errno(cap) == EINTR);
            if (rc == 0) {
                return 0;
            }
            int e = errno(cap);
            // as the C library's mmp_sync_range: refused for this kernel, file system or descriptor is a no-op
            return e == ENOSYS || e == EINVAL || e == ESPIPE || e == EOPNOTSUPP ? 0 : -e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mmp_flock(int fd, int operation) {
        int op = switch (operation & ~4) {
            case 1 -> LOCK_SH;
            case 2 -> LOCK_EX;
            case 8 -> LOCK_UN;
            default -> -1;
        };
        if (op < 0) {
            return -EINVAL;
        }
        if ((operation & 4) != 0) {
            op |= LOCK_NB;
        }
        try {
            MemorySegment cap = capture();
            int rc;
            do {
                rc = (int) FLOCK.invokeExact(cap, fd, op);
            } while (rc != 0 && errno(cap) == EINTR);
            return rc != 0 ? -errno(cap) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Fills {@link #flockBuffer()}; 0 or -EINVAL. */
    private static int fillOfd(int type, long start, long length) {
        short t = switch (type) {
            case 0 -> F_RDLCK;
            case 1 -> F_WRLCK;
            case 2 -> F_UNLCK;
            default -> -1;
        };
        if (t < 0 || start < 0 || length < 0) {
            return -EINVAL;
        }
        MemorySegment fl = flockBuffer();
        fl.fill((byte) 0);
        fl.set(JAVA_SHORT, 0, t);
        fl.set(JAVA_SHORT, 2, (short) 0);   // SEEK_SET
        fl.set(JAVA_LONG, 8, start);
        fl.set(JAVA_LONG, 16, length);
        fl.set(JAVA_INT, 24, 0);            // l_pid must be 0 for OFD locks
        return 0;
    }

    static int mmp_ofd_lock(int fd, int type, long start, long length, int wait) {
        int rc = fillOfd(type, start, length);
        if (rc != 0) {
            return rc;
        }
        try {
            MemorySegment cap = capture();
            do {
                rc = (int) FCNTL_PTR.invokeExact(cap, fd, wait != 0 ? F_OFD_SETLKW : F_OFD_SETLK, flockBuffer());
            } while (rc != 0 && errno(cap) == EINTR);
            return rc != 0 ? -errno(cap) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mmp_ofd_test(int fd, int type, long start, long length) {
        int rc = fillOfd(type, start, length);
        if (rc != 0) {
            return rc;
        }
        if (type == 2) {
            return -EINVAL;
        }
        try {
            MemorySegment cap = capture();
            if ((int) FCNTL_PTR.invokeExact(cap, fd, F_OFD_GETLK, flockBuffer()) != 0) {
                return -errno(cap);
            }
            return flockBuffer().get(JAVA_SHORT, 0) == F_UNLCK ? 0 : 1;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long mmp_pread(int fd, MemorySegment buffer, long length, long offset) {
        return readLoop(PREAD, fd, buffer, length, offset);
    }

    static long mmp_pwrite(int fd, MemorySegment buffer, long length, long offset) {
        return writeLoop(PWRITE, fd, buffer, length, offset);
    }

    /** The loop of {@code mmp_pread} over a heap segment (a critical call: no copy, no GC during it). */
    static long preadHeap(int fd, MemorySegment buffer, long length, long offset) {
        return readLoop(PREAD_CRITICAL, fd, buffer, length, offset);
    }

    /** The loop of {@code mmp_pwrite} over a heap segment. */
    static long pwriteHeap(int fd, MemorySegment buffer, long length, long offset) {
        return writeLoop(PWRITE_CRITICAL, fd, buffer, length, offset);
    }

    private static long readLoop(MethodHandle h, int fd, MemorySegment buffer, long length, long offset) {
        return ioLoop(h, fd, buffer, length, offset, false);
    }

    private static long writeLoop(MethodHandle h, int fd, MemorySegment buffer, long length, long offset) {
        return ioLoop(h, fd, buffer, length, offset, true);
    }

    /**
     * Repeats a pread or pwrite until all is done, retrying on EINTR; a call that moves nothing
     * ends a read (end of file) and fails a write (no progress: a full device, as the C layer says).
     */
    private static long ioLoop(MethodHandle h, int fd, MemorySegment buffer, long length, long offset, boolean write) {
        if (length < 0 || offset < 0) {
            return -EINVAL;
        }
        try {
            MemorySegment cap = capture();
            long done = 0;
            while (done < length) {
                long n = (long) h.invokeExact(cap, fd, buffer.asSlice(done), length - done, offset + done);
                if (n < 0) {
                    int e = errno(cap);
                    if (e == EINTR) {
                        continue;
                    }
                    return -e;
                }
                if (n == 0) {
                    if (write) {
                        return -ENOSPC;
                    }
                    break;
                }
                done += n;
            }
            return done;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mmp_strerror(int errnum, MemorySegment buffer, long length) {
        if (length <= 0) {
            return -EINVAL;
        }
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(Math.abs(errnum));
            return copy(s.reinterpret(4096).getString(0), buffer, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
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
        MemorySegment.copy(b, 0, buffer, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, n);
        buffer.set(java.lang.foreign.ValueLayout.JAVA_BYTE, n, (byte) 0);
        return n;
    }

    /** A method handle of {@link #pwriteHeap} with the shape of the {@code mmp_pwrite} downcall. */
    static MethodHandle pwriteHeapHandle() {
        return IoCalls.heapTransferHandle(MethodHandles.lookup(), PortableIo.class, "pwriteHeap");
    }

    /** A method handle of {@link #preadHeap} with the shape of the {@code mmp_pread} downcall. */
    static MethodHandle preadHeapHandle() {
        return IoCalls.heapTransferHandle(MethodHandles.lookup(), PortableIo.class, "preadHeap");
    }

}
