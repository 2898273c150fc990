package org.mmappickle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * System-wide CPU use from {@code /proc/stat}, so the harness can wait for the machine to be idle
 * before a timed run and notice when other work shared the cores during one (other people's builds
 * on a 2-core VM move every figure). Off Linux every reading is 0 (always quiet).
 */
final class Cpu {
    private final long busy;
    private final long total;

    private Cpu(long busy, long total) {
        this.busy = busy;
        this.total = total;
    }

    /** Reads the counters now. */
    static Cpu now() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).get(0);   // cpu user nice system idle iowait irq softirq steal ...
            String[] f = line.trim().split("\\s+");
            long user = Long.parseLong(f[1]);
            long nice = Long.parseLong(f[2]);
            long system = Long.parseLong(f[3]);
            long idle = Long.parseLong(f[4]);
            long iowait = Long.parseLong(f[5]);
            long irq = Long.parseLong(f[6]);
            long softirq = Long.parseLong(f[7]);
            long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
            long b = user + nice + system + irq + softirq + steal;
            return new Cpu(b, b + idle + iowait);
        } catch (IOException | RuntimeException e) {
            return new Cpu(0, 0);
        }
    }

    /** This JVM's CPU time so far (user and system, every thread), in seconds; 0 where the JDK cannot tell. */
    static double processSeconds() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? Math.max(0, os.getProcessCpuTime()) / 1e9 : 0;
    }

    /** The fraction of all cores that was busy since {@code earlier} (0 to 1; waiting for I/O counts as idle). */
    double busySince(Cpu earlier) {
        long t = total - earlier.total;
        return t <= 0 ? 0 : (busy - earlier.busy) / (double) t;
    }

    /**
     * Waits until the machine's cores are at most {@code maxBusy} busy over a quarter of a second,
     * for at most {@code maxWaitMillis}; returns the milliseconds waited, or -1 when it gave up.
     */
    static long awaitQuiet(double maxBusy, long maxWaitMillis) throws InterruptedException {
        long start = System.nanoTime();
        while (true) {
            Cpu a = now();
            Thread.sleep(250);
            if (now().busySince(a) <= maxBusy) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            if ((System.nanoTime() - start) / 1_000_000 > maxWaitMillis) {
                return -1;
            }
            Thread.sleep(750);
        }
    }
}
