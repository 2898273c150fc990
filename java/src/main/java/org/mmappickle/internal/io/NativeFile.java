package org.mmappickle.internal.io;

import static org.mmappickle.internal.io.IoCalls.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.channels.ClosedChannelException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import org.mmappickle.Advice;
import org.mmappickle.NativeIOException;

/**
 * One open file descriptor and the memory maps made from it: the only class above {@link IoCalls}
 * that calls native code. Results become Java values; failures become {@link NativeIOException}s
 * that name the call, the path and the errno.
 *
 * <p>Every mapping lives in this file's shared {@link Arena}: it is unmapped exactly once, when
 * {@link #close()} closes the arena, and never while another thread is inside an access to it
 * (closing a shared arena waits for those to finish or fails, and is retried).
 */
public final class NativeFile implements AutoCloseable {
    /** How to open a file. */
    public enum Mode {
        /** Read-only; the file must exist. */
        READ,
        /** Read-write; the file must exist. */
        READ_WRITE,
        /** Read-write; created when missing. */
        CREATE,
        /** Read-write; fails when the file exists. */
        CREATE_NEW
    }

    /** The system's page size in bytes. */
    public static final long PAGE_SIZE;
    private static final MethodHandle PWRITE_HEAP;
    private static final MethodHandle PREAD_HEAP;
    /** Linux's EWOULDBLOCK (== EAGAIN): a non-blocking lock attempt found the lock taken. */
    static final int EWOULDBLOCK = 11;
    /** Linux's EACCES, which F_OFD_SETLK may return instead of EAGAIN for a conflict. */
    static final int EACCES = 13;
    /** Heap arrays are written in chunks so a critical call never holds off the GC for long. */
    private static final long HEAP_CHUNK = 8L << 20;

    static {
        PAGE_SIZE = mmp_page_size();
        PWRITE_HEAP = pwriteHeap();
        PREAD_HEAP = preadHeap();
    }

    private final Path path;
    private final int fd;
    private final boolean writable;
    private final Arena arena;
    private volatile boolean closed;

    private NativeFile(Path path, int fd, boolean writable) {
        this.path = path;
        this.fd = fd;
        this.writable = writable;
        this.arena = Arena.ofShared();
    }

    /**
     * Opens a file.
     *
     * @throws NoSuchFileException when the file is missing and the mode does not create it
     * @throws FileAlreadyExistsException for {@link Mode#CREATE_NEW} on an existing file
     * @throws FileSystemException when the path names a FIFO, socket or device (refused without blocking)
     */
    public static NativeFile open(Path path, Mode mode) throws IOException {
        int m = switch (mode) {
            case READ -> MMP_OPEN_READ();
            case READ_WRITE -> MMP_OPEN_READWRITE();
            case CREATE -> MMP_OPEN_CREATE();
            case CREATE_NEW -> MMP_OPEN_CREATE_NEW();
        };
        int fd;
        try (Arena a = Arena.ofConfined()) {
            fd = mmp_open(a.allocateFrom(path.toString()), m);
        }
        if (fd < 0) {
            String name = errnoName(-fd);
            if (name.equals("ENOENT")) {
                throw new NoSuchFileException(path.toString());
            }
            if (name.equals("EEXIST")) {
                throw new FileAlreadyExistsException(path.toString());
            }
            if (name.equals("ENODEV")) {
                throw new FileSystemException(path.toString(), null,
                        "not a regular file (a FIFO, socket or device): mmappickle files are regular files");
            }
            throw error("open", path, fd, "mode=" + mode);
        }
        return new NativeFile(path, fd, mode != Mode.READ);
    }

    /** Returns the path this file was opened with. */
    public Path path() {
        return path;
    }

    /** Returns true when the file was opened for writing. */
    public boolean writable() {
        return writable;
    }

    /** Returns the file's size in bytes. */
    public long size() throws IOException {
        return check("size", mmp_size(fd()), "");
    }

    /** Sets the file's size; growth is sparse. */
    public void truncate(long size) throws IOException {
        check("truncate", mmp_truncate(fd(), size), "size=" + size);
    }

    /** Allocates disk blocks for a range (growing the file), so later writes there cannot hit a full disk. */
    public void reserve(long offset, long length) throws IOException {
        if (length > 0) {
            check("reserve", mmp_reserve(fd(), offset, length), range(offset, length));
        }
    }

    /**
     * Allocates disk blocks for a range with {@code fallocate} (growing the file), without the C
     * library's emulation: a file system that cannot reserve (ramfs, vfat, some network file
     * systems) fails with {@code EOPNOTSUPP}, which {@link NativeIOException#errnoName()} names.
     *
     * @param offset where the range starts
     * @param length its length in bytes
     * @throws IOException when the file system refuses ({@code EOPNOTSUPP}) or is full ({@code ENOSPC})
     */
    public void fallocate(long offset, long length) throws IOException {
        if (length > 0) {
            check("fallocate", mmp_fallocate(fd(), offset, length), range(offset, length));
        }
    }

    /** Frees the file-system blocks inside a range; the size stays and the range reads as zeros. */
    public void punchHole(long offset, long length) throws IOException {
        check("punch_hole", mmp_punch_hole(fd(), offset, length), range(offset, length));
    }

    /** Returns the bytes of disk allocated to the file ({@code st_blocks * 512}). */
    public long allocatedBytes() throws IOException {
        return check("allocated_blocks", mmp_allocated_blocks(fd()), "") * 512L;
    }

    /** Returns the magic number of the file system that holds the file ({@code fstatfs} {@code f_type}). */
    public long fileSystemType() throws IOException {
        return check("fs_type", mmp_fs_type(fd()), "");
    }

    /**
     * Maps a range of the file shared, read-only or read-write. The offset needs no alignment: the
     * mapping starts at the page below it and the returned segment is the requested slice. The
     * mapping lasts until this file is closed.
     */
    public MemorySegment map(long offset, long length, boolean write, boolean populate) throws IOException {
        return map(offset, length, write, populate, arena);
    }

    /**
     * Maps a range into a caller's arena (for short-lived maps, such as a scan of the entries, that
     * should be unmapped before this file closes); see {@link #map(long, long, boolean, boolean)}.
     */
    public MemorySegment map(long offset, long length, boolean write, boolean populate, Arena owner)
            throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative offset or length: " + range(offset, length));
        }
        if (write && !writable) {
            throw new IllegalStateException(path + " is open read-only: cannot map it for writing");
        }
        if (length == 0) {
            return MemorySegment.NULL.reinterpret(0);
        }
        long base = offset & -PAGE_SIZE;
        long delta = offset - base;
        long total = Math.addExact(length, delta);
        int flags = (write ? MMP_MAP_WRITE() : MMP_MAP_READ()) | (populate ? MMP_MAP_POPULATE() : 0);
        MemorySegment raw;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            check("map", mmp_map(fd(), base, total, flags, out), range(offset, length));
            raw = out.get(ValueLayout.ADDRESS, 0);
        }
        MemorySegment mapped;
        try {
            long address = raw.address();
            mapped = raw.reinterpret(total, owner, s -> mmp_unmap(MemorySegment.ofAddress(address), total));
        } catch (IllegalStateException closedArena) {
            mmp_unmap(raw, total);
            throw new IllegalStateException(path + " is closed", closedArena);
        }
        MemorySegment view = mapped.asSlice(delta, length);
        return write ? view : view.asReadOnly();
    }

    /** Gives the kernel an access hint for a mapped region; best effort where the kernel lacks the advice. */
    public void advise(MemorySegment region, Advice advice) throws IOException {
        if (region.byteSize() == 0) {
            return;
        }
        int a = switch (advice) {
            case NORMAL -> MMP_ADVICE_NORMAL();
            case SEQUENTIAL -> MMP_ADVICE_SEQUENTIAL();
            case RANDOM -> MMP_ADVICE_RANDOM();
            case WILLNEED -> MMP_ADVICE_WILLNEED();
            case DONTNEED -> MMP_ADVICE_DONTNEED();
            case HUGEPAGE -> MMP_ADVICE_HUGEPAGE();
        };
        long start = region.address() & -PAGE_SIZE;
        long length = region.address() + region.byteSize() - start;
        int rc = mmp_advise(MemorySegment.ofAddress(start), length, a);
        if (rc < 0 && !(advice == Advice.HUGEPAGE && errnoName(-rc).equals("EINVAL"))) {
            check("advise", rc, advice.toString());
        }
    }

    /**
     * Faults every page of a writable mapped region in at once ({@code MADV_POPULATE_WRITE}): one
     * system call instead of a fault per page when the region is then filled. The pages keep what
     * the file holds (zeros in a reserved or sparse range).
     *
     * @param region a writable region of a mapping of this file
     * @throws NativeIOException naming the errno: EINVAL where the kernel lacks the advice (before
     *     Linux 5.14), which callers treat as "fill without it"; EFAULT or ENOMEM when a page cannot
     *     be made writable (a full disk on a range that was not reserved)
     */
    public void populateWrite(MemorySegment region) throws NativeIOException {
        if (region.byteSize() == 0) {
            return;
        }
        long start = region.address() & -PAGE_SIZE;
        long length = region.address() + region.byteSize() - start;
        check("advise", mmp_advise(MemorySegment.ofAddress(start), length, MMP_ADVICE_POPULATE_WRITE()),
                "POPULATE_WRITE, length=" + length);
    }

    /** Writes the dirty pages of a mapped region back to the file; waits for the device when {@code wait}. */
    public void msync(MemorySegment region, boolean wait) throws IOException {
        if (region.byteSize() == 0) {
            return;
        }
        long start = region.address() & -PAGE_SIZE;
        long length = region.address() + region.byteSize() - start;
        check("msync", mmp_msync(MemorySegment.ofAddress(start), length, wait ? MMP_SYNC_WAIT() : MMP_SYNC_ASYNC()),
                "length=" + length);
    }

    /** Flushes the file to its device ({@code fdatasync} when {@code dataOnly}, else {@code fsync}). */
    public void fsync(boolean dataOnly) throws IOException {
        check("fsync", mmp_fsync(fd(), dataOnly ? 1 : 0), "");
    }

    /**
     * Starts writing the dirty pages of a range back to the device and returns without waiting
     * ({@code sync_file_range(SYNC_FILE_RANGE_WRITE)} on Linux), so that a later {@link #fsync}
     * has less left to write: a durable copy overlaps the disk's work with its own. Not a
     * durability guarantee; where the system or file system has no such call it does nothing.
     *
     * @param offset where the range starts
     * @param length its length in bytes (0 does nothing)
     * @throws IOException when the device reports an error ({@code EIO}) or the file is closed
     */
    public void startWriteBack(long offset, long length) throws IOException {
        if (length > 0) {
            int rc = mmp_sync_range(fd(), offset, length);
            if (rc < 0) {
                throw error("sync_range", path, rc, range(offset, length));
            }
        }
    }

    /** Takes the whole-file {@code flock}, waiting for it. */
    public void lock(boolean exclusive) throws IOException {
        check("flock", mmp_flock(fd(), exclusive ? MMP_LOCK_EXCLUSIVE() : MMP_LOCK_SHARED()),
                exclusive ? "LOCK_EX" : "LOCK_SH");
    }

    /** Tries the whole-file {@code flock} without waiting; false when another holds a conflicting one. */
    public boolean tryLock(boolean exclusive) throws IOException {
        int rc = mmp_flock(fd(), (exclusive ? MMP_LOCK_EXCLUSIVE() : MMP_LOCK_SHARED()) | MMP_LOCK_NONBLOCK());
        if (rc == -EWOULDBLOCK) {
            return false;
        }
        check("flock", rc, exclusive ? "LOCK_EX|LOCK_NB" : "LOCK_SH|LOCK_NB");
        return true;
    }

    /** Releases the whole-file {@code flock}. */
    public void unlock() throws IOException {
        check("flock", mmp_flock(fd(), MMP_LOCK_UNLOCK()), "LOCK_UN");
    }

    /**
     * Takes an open-file-description record lock on a byte range (which may lie beyond the end).
     *
     * @return false when {@code wait} is false and another description holds a conflicting lock
     */
    public boolean ofdLock(boolean exclusive, long start, long length, boolean wait) throws IOException {
        int rc = mmp_ofd_lock(fd(), exclusive ? MMP_OFD_WRITE() : MMP_OFD_READ(), start, length, wait ? 1 : 0);
        if (!wait && (rc == -EWOULDBLOCK || rc == -EACCES)) {
            return false;
        }
        check("ofd_lock", rc, range(start, length));
        return true;
    }

    /** Releases an open-file-description record lock. */
    public void ofdUnlock(long start, long length) throws IOException {
        check("ofd_lock", mmp_ofd_lock(fd(), MMP_OFD_UNLOCK(), start, length, 0), "unlock " + range(start, length));
    }

    /** Returns true when another open file description holds a lock conflicting with the one described. */
    public boolean ofdConflicts(boolean exclusive, long start, long length) throws IOException {
        return check("ofd_test", mmp_ofd_test(fd(), exclusive ? MMP_OFD_WRITE() : MMP_OFD_READ(), start, length),
                range(start, length)) == 1;
    }

    /** Reads up to {@code dst.byteSize()} bytes at an offset; returns the count (short only at end of file). */
    public long read(MemorySegment dst, long offset) throws IOException {
        if (!dst.isNative()) {
            long done = 0;
            while (done < dst.byteSize()) {
                long n = Math.min(HEAP_CHUNK, dst.byteSize() - done);
                long r = check("pread", invokeHeap(PREAD_HEAP, dst.asSlice(done, n), offset + done), range(offset + done, n));
                done += r;
                if (r < n) {
                    break;
                }
            }
            return done;
        }
        return check("pread", mmp_pread(fd(), dst, dst.byteSize(), offset), range(offset, dst.byteSize()));
    }

    /**
     * Writes all of {@code src} at an offset (growing the file as needed). A heap source is written
     * in place by critical downcalls of at most 8 MiB (no copy); the error text is built only on
     * failure, so a chunk costs its system call and nothing else.
     */
    public void write(MemorySegment src, long offset) throws IOException {
        if (!src.isNative()) {
            for (long done = 0; done < src.byteSize(); done += HEAP_CHUNK) {
                long n = Math.min(HEAP_CHUNK, src.byteSize() - done);
                long rc = invokeHeap(PWRITE_HEAP, src.asSlice(done, n), offset + done);
                if (rc < 0) {
                    throw error("pwrite", path, rc, range(offset + done, n));
                }
            }
            return;
        }
        long rc = mmp_pwrite(fd(), src, src.byteSize(), offset);
        if (rc < 0) {
            throw error("pwrite", path, rc, range(offset, src.byteSize()));
        }
    }

    /** Writes a byte array at an offset. */
    public void write(byte[] src, long offset) throws IOException {
        write(MemorySegment.ofArray(src), offset);
    }

    private long invokeHeap(MethodHandle h, MemorySegment seg, long offset) throws ClosedChannelException {
        try {
            return (long) h.invokeExact(fd(), seg, seg.byteSize(), offset);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** Returns the descriptor; a closed file throws, because its number may already belong to another file. */
    private int fd() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
        return fd;
    }

    /**
     * Returns true when {@code path} still names the file this descriptor has open (false after
     * another process renamed a new file over it, as compaction and conversion do).
     */
    public boolean isStillAt(Path other) throws IOException {
        if (IoCalls.CHANNEL) {   // its handles are no descriptors: the file key recorded at open is compared
            return ChannelIo.isStillAt(fd(), other);
        }
        try {
            Object mine = java.nio.file.Files.getAttribute(descriptorPath(), "unix:ino");
            Object mineDev = java.nio.file.Files.getAttribute(descriptorPath(), "unix:dev");
            Object theirs = java.nio.file.Files.getAttribute(other, "unix:ino");
            Object theirDev = java.nio.file.Files.getAttribute(other, "unix:dev");
            return mine.equals(theirs) && mineDev.equals(theirDev);
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    /**
     * Returns {@code /proc/self/fd/N} for this descriptor: a name for the open file itself, so
     * that its attributes can be read and changed (chmod, chown) without going through a path
     * that another process could have pointed elsewhere. Valid while the file is open.
     *
     * On the channel io path, which has no descriptors, it is the path the file was opened with
     * (see {@link IoFeature#DESCRIPTOR_PATHS}).
     *
     * @return the descriptor's name under /proc
     * @throws ClosedChannelException when the file is closed
     */
    public Path descriptorPath() throws ClosedChannelException {
        if (IoCalls.CHANNEL) {
            fd();
            return path;
        }
        return Path.of("/proc/self/fd/" + fd());
    }

    /** Returns true once {@link #close()} ran. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Unmaps every mapping and closes the descriptor; idempotent. Waits while another thread is in
     * the middle of an access to a mapping (the shared arena refuses to close until it is done).
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        while (true) {
            try {
                arena.close();
                break;
            } catch (IllegalStateException busy) {
                Thread.onSpinWait();
            }
        }
        check("close", mmp_close(fd), "");
    }

    @Override
    public String toString() {
        return "NativeFile(" + path + (writable ? ", rw" : ", ro") + (closed ? ", closed" : "") + ")";
    }

    private long check(String call, long rc, String detail) throws NativeIOException {
        if (rc < 0) {
            throw error(call, path, rc, detail);
        }
        return rc;
    }

    private static String range(long offset, long length) {
        return "offset=" + offset + ", length=" + length;
    }

    /** Builds the exception for a failed call: {@code mmp_call(path, detail): ENAME: text}. */
    public static NativeIOException error(String call, Path path, long rc, String detail) {
        int errno = (int) -rc;
        String name = errnoName(errno);
        String msg = String.format(Locale.ROOT, "mmp_%s(%s%s): %s: %s", call, path,
                detail.isEmpty() ? "" : ", " + detail, name, strerror(errno));
        return new NativeIOException(msg, errno, name);
    }

    /** Returns the symbolic name of an errno, such as {@code ENOSPC}. */
    public static String errnoName(int errno) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(64);
            int n = mmp_errno_name(errno, buf, 64);
            return n < 0 ? "errno " + errno : buf.getString(0);
        }
    }

    /** Returns the system's text for an errno, such as {@code No space left on device}. */
    public static String strerror(int errno) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            int n = mmp_strerror(errno, buf, 256);
            return n < 0 ? "errno " + errno : buf.getString(0);
        }
    }
}
