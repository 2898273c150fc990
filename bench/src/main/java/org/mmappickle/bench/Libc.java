package org.mmappickle.bench;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The few libc calls the harness needs: anonymous huge-page memory, and dropping a file's clean
 * pages from the page cache (Linux x86-64/aarch64).
 */
final class Libc {
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 2;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle FADVISE;

    static {
        Linker l = Linker.nativeLinker();
        SymbolLookup libc = l.defaultLookup();
        MMAP = l.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        MUNMAP = l.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        MADVISE = l.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        OPEN = l.downcallHandle(libc.find("open").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
        CLOSE = l.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT));
        FADVISE = l.downcallHandle(libc.find("posix_fadvise").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    }

    /**
     * Drops a file's clean pages from the page cache ({@code posix_fadvise(POSIX_FADV_DONTNEED)}),
     * so the next read of it comes from the disk. Dirty pages stay: flush the file first.
     *
     * @param path the file
     */
    static void dropCache(java.nio.file.Path path) {
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(a.allocateFrom(path.toString()), 0);
            if (fd < 0) {
                throw new IllegalStateException("cannot open " + path);
            }
            int rc = (int) FADVISE.invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED);
            int ignored = (int) CLOSE.invokeExact(fd);
            if (rc != 0) {
                throw new IllegalStateException("posix_fadvise(" + path + ") failed: " + rc);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private Libc() {
    }

    /**
     * Maps {@code bytes} of private anonymous memory advised MADV_HUGEPAGE (as numpy does for its
     * large arrays), unmapped when the arena closes. The memory reads as zeros and is not touched.
     */
    static MemorySegment allocateHuge(long bytes, java.lang.foreign.Arena arena) {
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
            if (p.address() == -1L) {
                throw new IllegalStateException("mmap of " + bytes + " bytes failed");
            }
            int ignored = (int) MADVISE.invokeExact(p, bytes, MADV_HUGEPAGE);
            long address = p.address();
            return p.reinterpret(bytes, arena, s -> unmap(MemorySegment.ofAddress(address), bytes));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void unmap(MemorySegment p, long bytes) {
        try {
            int ignored = (int) MUNMAP.invokeExact(p, bytes);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Maps {@code bytes} of private anonymous memory advised MADV_HUGEPAGE, writes one byte per 4 KiB, unmaps it. */
    static void touchHugeAndFree(long bytes) {
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
            if (p.address() == -1L) {
                throw new IllegalStateException("mmap of " + bytes + " bytes failed");
            }
            try {
                int ignored = (int) MADVISE.invokeExact(p, bytes, MADV_HUGEPAGE);   // EINVAL where THP is off: fine
                MemorySegment s = p.reinterpret(bytes);
                for (long o = 0; o < bytes; o += 4096) {
                    s.set(ValueLayout.JAVA_BYTE, o, (byte) 1);
                }
            } finally {
                int rc = (int) MUNMAP.invokeExact(p, bytes);
                if (rc != 0) {
                    throw new IllegalStateException("munmap failed");
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
