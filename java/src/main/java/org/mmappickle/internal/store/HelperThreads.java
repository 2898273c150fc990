package org.mmappickle.internal.store;

import java.util.List;

/** Waits for the helper threads of a parallel copy or populate, which must never outlive the call that started them. */
final class HelperThreads {
    private HelperThreads() {
    }

    /**
     * Joins every thread, going on through interrupts (a helper still running could write through
     * a descriptor the caller is about to release), then restores the caller's interrupt status.
     *
     * @param helpers the threads to wait for
     */
    static void joinAll(List<Thread> helpers) {
        boolean interrupted = false;
        for (Thread h : helpers) {
            while (true) {
                try {
                    h.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
