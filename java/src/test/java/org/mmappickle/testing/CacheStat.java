package org.mmappickle.testing;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The page-cache state of a file range from Linux's {@code cachestat} system call (6.5 and
 * later): how many of its pages are cached, dirty and under write-back. Lets a test see whether
 * write-back of a range was started, which no byte of the file shows.
 */
public final class CacheStat {
    /** {@code __NR_cachestat}: the same number on every architecture (added after the tables were unified). */
    private static final long NR_CACHESTAT = 451;
    private static final MethodHandle SYSCALL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle OPEN = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    /**
     * Pages of a range in each state.
     *
     * @param cached pages in the page cache
     * @param dirty cached pages not yet written back
     * @param writeback pages being written back now
     */
    public record Pages(long cached, long dirty, long writeback) {
    }

    private CacheStat() {
    }

    /** Returns true when this kernel has {@code cachestat} (tests that need it assume this). */
    public static boolean available(Path anyFile) {
        try {
            of(anyFile, 0, 1);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Returns the state of the pages of {@code [offset, offset + length)} of a file.
     *
     * @param file the file (opened read-only for the call)
     * @param offset the first byte
     * @param length the number of bytes (0: to the end of the file)
     * @return the page counts
     * @throws IOException when the call fails (ENOSYS before Linux 6.5)
     */
    public static Pages of(Path file, long offset, long length) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(a.allocateFrom(file.toString()), 0);
            if (fd < 0) {
                throw new IOException("cannot open " + file);
            }
            try {
                MemorySegment range = a.allocate(16, 8);
                range.set(ValueLayout.JAVA_LONG, 0, offset);
                range.set(ValueLayout.JAVA_LONG, 8, length);
                MemorySegment out = a.allocate(40, 8);
                long rc = (long) SYSCALL.invokeExact(NR_CACHESTAT, fd, range, out, 0);
                if (rc != 0) {
                    throw new IOException("cachestat(" + file + ") failed (kernel before 6.5?)");
                }
                return new Pages(out.get(ValueLayout.JAVA_LONG, 0), out.get(ValueLayout.JAVA_LONG, 8),
                        out.get(ValueLayout.JAVA_LONG, 16));
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
