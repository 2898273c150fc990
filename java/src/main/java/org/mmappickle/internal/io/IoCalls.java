package org.mmappickle.internal.io;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.mmappickle.internal.bindings.mmappickle_native_h;

/**
 * The native API as {@link NativeFile} calls it, from one of three io paths chosen once per class
 * loader by {@code -Dmmappickle.io}: {@code native} (the bundled library, through the jextract
 * bindings), {@code portable} ({@link PortableIo}: the same functions in Java over Linux's C
 * library) or {@code channel} ({@link ChannelIo}: the JDK's FileChannel, for macOS, Windows and
 * the rest). Without the property: native where a bundled library fits (or
 * {@code -Dmmappickle.native.lib} names one), else portable on Linux, else channel. Same names,
 * arguments and results as {@code native/mmappickle_native.h}.
 */
final class IoCalls {
    /** The io path in use: {@code native}, {@code portable} or {@code channel}. */
    static final String IO = choose();
    /** True when the portable path is in use. */
    static final boolean PORTABLE = IO.equals("portable");
    /** True when the channel path is in use. */
    static final boolean CHANNEL = IO.equals("channel");

    private IoCalls() {
    }

    private static String choose() {
        String io = System.getProperty("mmappickle.io", "").trim();
        if (io.isEmpty()) {
            io = automatic(NativeLibrary.platform(), System.getProperty("mmappickle.native.lib", ""));
        }
        switch (io) {
            case "native" -> NativeLibrary.path();
            case "portable" -> {
                String why = PortableIo.unsupportedReason();
                if (why != null) {
                    throw new UnsatisfiedLinkError("mmappickle: -Dmmappickle.io=portable: " + why
                            + " (-Dmmappickle.io=channel runs on any system)");
                }
            }
            case "channel" -> {
            }
            default -> throw new IllegalArgumentException(
                    "mmappickle: -Dmmappickle.io=" + io + " is none of native, portable, channel");
        }
        return io;
    }

    /**
     * The io path chosen without {@code -Dmmappickle.io}: the bundled library where one fits this
     * platform or a library is named, the portable path on other Linux systems, the channel path
     * elsewhere.
     *
     * @param platform {@link NativeLibrary#platform()}
     * @param namedLibrary the value of {@code -Dmmappickle.native.lib}, empty when unset
     * @return {@code native}, {@code portable} or {@code channel}
     */
    static String automatic(String platform, String namedLibrary) {
        if (!namedLibrary.isEmpty() || NativeLibrary.BUNDLED.contains(platform)) {
            return "native";
        }
        return platform.startsWith("linux-") ? "portable" : "channel";
    }

    /** The name of the io path in use: {@code native}, {@code portable} or {@code channel}. */
    static String name() {
        return IO;
    }

    /** A handle shaped like {@code mmp_pwrite} that writes from heap segments (a critical call). */
    static MethodHandle pwriteHeap() {
        return PORTABLE ? PortableIo.pwriteHeapHandle() : CHANNEL ? ChannelIo.pwriteHeapHandle() : Linker.nativeLinker().downcallHandle(
                mmappickle_native_h.mmp_pwrite$address(), mmappickle_native_h.mmp_pwrite$descriptor(),
                Linker.Option.critical(true));
    }

    /** A handle shaped like {@code mmp_pread} that reads into heap segments (a critical call). */
    static MethodHandle preadHeap() {
        return PORTABLE ? PortableIo.preadHeapHandle() : CHANNEL ? ChannelIo.preadHeapHandle() : Linker.nativeLinker().downcallHandle(
                mmappickle_native_h.mmp_pread$address(), mmappickle_native_h.mmp_pread$descriptor(),
                Linker.Option.critical(true));
    }

    /**
     * Returns a handle of a Java method with the shape of the {@code mmp_pread}/{@code mmp_pwrite}
     * downcalls, for the paths that move heap arrays in Java instead of with a critical downcall.
     */
    static MethodHandle heapTransferHandle(java.lang.invoke.MethodHandles.Lookup lookup, Class<?> owner, String name) {
        try {
            return lookup.findStatic(owner, name, java.lang.invoke.MethodType.methodType(
                    long.class, int.class, MemorySegment.class, long.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static int MMP_OPEN_READ() {
        return mmappickle_native_h.MMP_OPEN_READ();
    }

    static int MMP_OPEN_READWRITE() {
        return mmappickle_native_h.MMP_OPEN_READWRITE();
    }

    static int MMP_OPEN_CREATE() {
        return mmappickle_native_h.MMP_OPEN_CREATE();
    }

    static int MMP_OPEN_CREATE_NEW() {
        return mmappickle_native_h.MMP_OPEN_CREATE_NEW();
    }

    static int MMP_MAP_READ() {
        return mmappickle_native_h.MMP_MAP_READ();
    }

    static int MMP_MAP_WRITE() {
        return mmappickle_native_h.MMP_MAP_WRITE();
    }

    static int MMP_MAP_POPULATE() {
        return mmappickle_native_h.MMP_MAP_POPULATE();
    }

    static int MMP_ADVICE_NORMAL() {
        return mmappickle_native_h.MMP_ADVICE_NORMAL();
    }

    static int MMP_ADVICE_SEQUENTIAL() {
        return mmappickle_native_h.MMP_ADVICE_SEQUENTIAL();
    }

    static int MMP_ADVICE_RANDOM() {
        return mmappickle_native_h.MMP_ADVICE_RANDOM();
    }

    static int MMP_ADVICE_WILLNEED() {
        return mmappickle_native_h.MMP_ADVICE_WILLNEED();
    }

    static int MMP_ADVICE_DONTNEED() {
        return mmappickle_native_h.MMP_ADVICE_DONTNEED();
    }

    static int MMP_ADVICE_HUGEPAGE() {
        return mmappickle_native_h.MMP_ADVICE_HUGEPAGE();
    }

    static int MMP_ADVICE_POPULATE_WRITE() {
        return mmappickle_native_h.MMP_ADVICE_POPULATE_WRITE();
    }

    static int MMP_SYNC_WAIT() {
        return mmappickle_native_h.MMP_SYNC_WAIT();
    }

    static int MMP_SYNC_ASYNC() {
        return mmappickle_native_h.MMP_SYNC_ASYNC();
    }

    static int MMP_LOCK_SHARED() {
        return mmappickle_native_h.MMP_LOCK_SHARED();
    }

    static int MMP_LOCK_EXCLUSIVE() {
        return mmappickle_native_h.MMP_LOCK_EXCLUSIVE();
    }

    static int MMP_LOCK_NONBLOCK() {
        return mmappickle_native_h.MMP_LOCK_NONBLOCK();
    }

    static int MMP_LOCK_UNLOCK() {
        return mmappickle_native_h.MMP_LOCK_UNLOCK();
    }

    static int MMP_OFD_READ() {
        return mmappickle_native_h.MMP_OFD_READ();
    }

    static int MMP_OFD_WRITE() {
        return mmappickle_native_h.MMP_OFD_WRITE();
    }

    static int MMP_OFD_UNLOCK() {
        return mmappickle_native_h.MMP_OFD_UNLOCK();
    }

    static long mmp_page_size() {
        return PORTABLE ? PortableIo.mmp_page_size() : CHANNEL ? ChannelIo.mmp_page_size() : mmappickle_native_h.mmp_page_size();
    }

    static int mmp_open(MemorySegment path, int mode) {
        return PORTABLE ? PortableIo.mmp_open(path, mode) : CHANNEL ? ChannelIo.mmp_open(path, mode) : mmappickle_native_h.mmp_open(path, mode);
    }

    static int mmp_close(int fd) {
        return PORTABLE ? PortableIo.mmp_close(fd) : CHANNEL ? ChannelIo.mmp_close(fd) : mmappickle_native_h.mmp_close(fd);
    }

    static long mmp_size(int fd) {
        return PORTABLE ? PortableIo.mmp_size(fd) : CHANNEL ? ChannelIo.mmp_size(fd) : mmappickle_native_h.mmp_size(fd);
    }

    static int mmp_truncate(int fd, long size) {
        return PORTABLE ? PortableIo.mmp_truncate(fd, size) : CHANNEL ? ChannelIo.mmp_truncate(fd, size) : mmappickle_native_h.mmp_truncate(fd, size);
    }

    static int mmp_reserve(int fd, long offset, long length) {
        return PORTABLE ? PortableIo.mmp_reserve(fd, offset, length) : CHANNEL ? ChannelIo.mmp_reserve(fd, offset, length) : mmappickle_native_h.mmp_reserve(fd, offset, length);
    }

    static int mmp_punch_hole(int fd, long offset, long length) {
        return PORTABLE ? PortableIo.mmp_punch_hole(fd, offset, length) : CHANNEL ? ChannelIo.mmp_punch_hole(fd, offset, length) : mmappickle_native_h.mmp_punch_hole(fd, offset, length);
    }

    static long mmp_allocated_blocks(int fd) {
        return PORTABLE ? PortableIo.mmp_allocated_blocks(fd) : CHANNEL ? ChannelIo.mmp_allocated_blocks(fd) : mmappickle_native_h.mmp_allocated_blocks(fd);
    }

    static int mmp_fallocate(int fd, long offset, long length) {
        return PORTABLE ? PortableIo.mmp_fallocate(fd, offset, length) : CHANNEL ? ChannelIo.mmp_fallocate(fd, offset, length) : mmappickle_native_h.mmp_fallocate(fd, offset, length);
    }

    static long mmp_fs_type(int fd) {
        return PORTABLE ? PortableIo.mmp_fs_type(fd) : CHANNEL ? ChannelIo.mmp_fs_type(fd) : mmappickle_native_h.mmp_fs_type(fd);
    }

    static int mmp_map(int fd, long offset, long length, int flags, MemorySegment address) {
        return PORTABLE ? PortableIo.mmp_map(fd, offset, length, flags, address) : CHANNEL ? ChannelIo.mmp_map(fd, offset, length, flags, address) : mmappickle_native_h.mmp_map(fd, offset, length, flags, address);
    }

    static int mmp_unmap(MemorySegment address, long length) {
        return PORTABLE ? PortableIo.mmp_unmap(address, length) : CHANNEL ? ChannelIo.mmp_unmap(address, length) : mmappickle_native_h.mmp_unmap(address, length);
    }

    static int mmp_advise(MemorySegment address, long length, int advice) {
        return PORTABLE ? PortableIo.mmp_advise(address, length, advice) : CHANNEL ? ChannelIo.mmp_advise(address, length, advice) : mmappickle_native_h.mmp_advise(address, length, advice);
    }

    static int mmp_msync(MemorySegment address, long length, int flags) {
        return PORTABLE ? PortableIo.mmp_msync(address, length, flags) : CHANNEL ? ChannelIo.mmp_msync(address, length, flags) : mmappickle_native_h.mmp_msync(address, length, flags);
    }

    static int mmp_fsync(int fd, int dataOnly) {
        return PORTABLE ? PortableIo.mmp_fsync(fd, dataOnly) : CHANNEL ? ChannelIo.mmp_fsync(fd, dataOnly) : mmappickle_native_h.mmp_fsync(fd, dataOnly);
    }

    static int mmp_sync_range(int fd, long offset, long length) {
        return PORTABLE ? PortableIo.mmp_sync_range(fd, offset, length) : CHANNEL ? ChannelIo.mmp_sync_range(fd, offset, length) : mmappickle_native_h.mmp_sync_range(fd, offset, length);
    }

    static int mmp_flock(int fd, int operation) {
        return PORTABLE ? PortableIo.mmp_flock(fd, operation) : CHANNEL ? ChannelIo.mmp_flock(fd, operation) : mmappickle_native_h.mmp_flock(fd, operation);
    }

    static int mmp_ofd_lock(int fd, int type, long start, long length, int wait) {
        return PORTABLE ? PortableIo.mmp_ofd_lock(fd, type, start, length, wait) : CHANNEL ? ChannelIo.mmp_ofd_lock(fd, type, start, length, wait) : mmappickle_native_h.mmp_ofd_lock(fd, type, start, length, wait);
    }

    static int mmp_ofd_test(int fd, int type, long start, long length) {
        return PORTABLE ? PortableIo.mmp_ofd_test(fd, type, start, length) : CHANNEL ? ChannelIo.mmp_ofd_test(fd, type, start, length) : mmappickle_native_h.mmp_ofd_test(fd, type, start, length);
    }

    static long mmp_pread(int fd, MemorySegment buffer, long length, long offset) {
        return PORTABLE ? PortableIo.mmp_pread(fd, buffer, length, offset) : CHANNEL ? ChannelIo.mmp_pread(fd, buffer, length, offset) : mmappickle_native_h.mmp_pread(fd, buffer, length, offset);
    }

    static long mmp_pwrite(int fd, MemorySegment buffer, long length, long offset) {
        return PORTABLE ? PortableIo.mmp_pwrite(fd, buffer, length, offset) : CHANNEL ? ChannelIo.mmp_pwrite(fd, buffer, length, offset) : mmappickle_native_h.mmp_pwrite(fd, buffer, length, offset);
    }

    static int mmp_strerror(int errnum, MemorySegment buffer, long length) {
        return PORTABLE ? PortableIo.mmp_strerror(errnum, buffer, length) : CHANNEL ? ChannelIo.mmp_strerror(errnum, buffer, length) : mmappickle_native_h.mmp_strerror(errnum, buffer, length);
    }

    static int mmp_errno_name(int errnum, MemorySegment buffer, long length) {
        return PORTABLE ? PortableIo.mmp_errno_name(errnum, buffer, length) : CHANNEL ? ChannelIo.mmp_errno_name(errnum, buffer, length) : mmappickle_native_h.mmp_errno_name(errnum, buffer, length);
    }
}
