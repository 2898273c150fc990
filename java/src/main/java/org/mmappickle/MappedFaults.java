package org.mmappickle;

import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.DoubleConsumer;
import java.util.function.LongToDoubleFunction;
import java.util.stream.DoubleStream;
import java.util.stream.StreamSupport;

/**
 * Catches the faults on mapped pages that HotSpot reports late, at a compiled loop's safepoint poll rather than at
 * the access: a loop run through here sees {@link MappedAccessException} wherever in the loop the JDK's
 * {@link InternalError} surfaces.
 */
final class MappedFaults {
    private MappedFaults() {
    }

    /** Runs the work, turning the JDK's report of a fault on a mapped page into {@link MappedAccessException}. */
    static void translating(String what, Runnable work) {
        try {
            work.run();
        } catch (InternalError e) {
            if (isPageFault(e)) {
                throw new MappedAccessException(what, e);
            }
            throw e;
        }
    }

    /** Computes a result by reading, turning the JDK's report of a fault on a mapped page into {@link MappedAccessException}. */
    static <T> T reading(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (InternalError e) {
            if (isPageFault(e)) {
                throw new MappedAccessException("read", e);
            }
            throw e;
        }
    }

    /**
     * Makes a fault that compiled code has posted but not yet thrown arrive now, inside the caller's handler: the
     * return from a native method is where HotSpot delivers pending asynchronous errors. About the cost of a JNI
     * call, so it ends bulk copies, never single-element accesses.
     */
    static void deliverPending() {
        Thread.holdsLock(MappedFaults.class);
    }

    /** HotSpot's message for SIGBUS in an unsafe access: "a fault occurred in a (recent) unsafe memory access ...". */
    static boolean isPageFault(InternalError e) {
        return e.getMessage() != null && e.getMessage().contains("unsafe memory access");
    }

    /** Returns a stream of {@code count} values read lazily, whose traversal translates faults. */
    static DoubleStream doubles(LongToDoubleFunction at, long count) {
        return StreamSupport.doubleStream(new Values(at, 0, count), false);
    }

    /** Values of flat indices {@code [next, end)}; splits in halves for parallel streams. */
    private static final class Values extends Spliterators.AbstractDoubleSpliterator {
        private final LongToDoubleFunction at;
        private long next;
        private final long end;

        Values(LongToDoubleFunction at, long from, long end) {
            super(end - from, Spliterator.ORDERED | Spliterator.SIZED | Spliterator.SUBSIZED | Spliterator.IMMUTABLE);
            this.at = at;
            this.next = from;
            this.end = end;
        }

        @Override
        public boolean tryAdvance(DoubleConsumer action) {
            if (next >= end) {
                return false;
            }
            double[] v = new double[1];
            translating("read", () -> v[0] = at.applyAsDouble(next));
            next++;
            action.accept(v[0]);
            return true;
        }

        @Override
        public void forEachRemaining(DoubleConsumer action) {
            translating("read", () -> {
                while (next < end) {
                    action.accept(at.applyAsDouble(next++));
                }
            });
        }

        @Override
        public Spliterator.OfDouble trySplit() {
            long mid = next + (end - next) / 2;
            if (mid <= next) {
                return null;
            }
            Values prefix = new Values(at, next, mid);
            next = mid;
            return prefix;
        }

        @Override
        public long estimateSize() {
            return end - next;
        }
    }
}
