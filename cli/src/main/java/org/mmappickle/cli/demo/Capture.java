package org.mmappickle.cli.demo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mmappickle.ArrayWriter;
import org.mmappickle.DType;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.py.PyTuple;

/**
 * The timelapse capture: each frame is synthesized into a buffer in memory (as a camera hands one over), then
 * written the fastest documented way for data already in memory: allocated pending in the file (blocks reserved,
 * invisible to readers), copied in through the descriptor by the dict's ingest threads
 * ({@link ArrayWriter#copyFrom}), published, then its metadata. The metadata lands after the pixels, so a reader
 * that sees {@code meta_N} knows {@code frame_N} is complete. The same bytes are also copied into a second buffer in
 * RAM, so the capture can report how close the write to the file comes to a plain memory copy.
 */
final class Capture {
    /** Key prefix of each frame's metadata dict. */
    static final String META = "meta_";
    /** Key prefix of each frame's (height, width, bands) float32 cube. */
    static final String FRAME = "frame_";
    /** Key of the capture's description; replaced with {@code complete: True} when the capture ends. */
    static final String CAPTURE = "capture";
    /** Key of the band centres in nanometres. */
    static final String BANDS = "bands_nm";

    private Capture() {
    }

    /** Returns the key of frame {@code i} of {@code n}: zero-padded so that keys sort in frame order. */
    static String frameKey(int i, int n) {
        return FRAME + pad(i, n);
    }

    /** Returns the key of the metadata of frame {@code i} of {@code n}. */
    static String metaKey(int i, int n) {
        return META + pad(i, n);
    }

    static String pad(int i, int n) {
        int digits = Math.max(3, Integer.toString(Math.max(0, n - 1)).length());
        return String.format("%0" + digits + "d", i);
    }

    /** Writes what a viewer needs before the first frame: the band centres and the capture's description. */
    static void begin(MmapDict d, Scene scene, int frames, int h, int w, int bands) {
        d.set(BANDS, NDArray.of(scene.wavelengths(), bands));
        d.set(CAPTURE, description(frames, h, w, bands, false, 0));
    }

    /**
     * The memory a capture reuses for every frame (the camera's buffer, and the RAM copy's target, touched once so
     * that the comparison does not count its first faults) and the time spent on each step.
     */
    static final class Buffers implements AutoCloseable {
        private final Arena arena = Arena.ofShared();
        final MemorySegment frame;
        final MemorySegment ram;
        /** Nanoseconds spent synthesizing frames into the buffer. */
        long synthesis;
        /** Nanoseconds spent writing frames to the file: allocatePending + copyFrom + publish. */
        long toFile;
        /** Nanoseconds spent copying the same bytes into RAM. */
        long toRam;

        Buffers(long frameBytes) {
            frame = arena.allocate(frameBytes, 4096);
            ram = arena.allocate(frameBytes, 4096);
            ram.fill((byte) 0);
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    /**
     * Captures frame {@code i}: synthesize it into the buffer, allocate it pending, copy it in, publish, then the
     * metadata; the same bytes are also copied into RAM (before or after the file, alternately, so that neither
     * always finds the source in the cache).
     */
    static void frame(MmapDict d, Scene scene, int i, int frames, int h, int w, int bands, Buffers b) throws IOException {
        long t0 = System.nanoTime();
        scene.fill(NDArray.wrap(b.frame, DType.FLOAT32, h, w, bands), i);
        b.synthesis += System.nanoTime() - t0;
        if (i % 2 == 1) {
            copyToRam(b);
        }
        long t1 = System.nanoTime();
        // pending until published: a viewer that reacts to the key never sees a half-filled frame
        try (ArrayWriter pending = d.allocatePending(frameKey(i, frames), DType.FLOAT32, h, w, bands)) {
            pending.copyFrom(b.frame);
            pending.publish();
        }
        b.toFile += System.nanoTime() - t1;
        if (i % 2 == 0) {
            copyToRam(b);
        }
        double[] drift = Scene.shift(i);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("frame", i);
        meta.put("timestamp", System.currentTimeMillis() / 1000.0);
        meta.put("time", OffsetDateTime.now(ZoneOffset.UTC));
        meta.put("exposure_ms", 10.0 + 0.5 * (i % 8));
        meta.put("shape", PyTuple.of(h, w, bands));
        meta.put("synthetic_drift_px", PyTuple.of(round(drift[0]), round(drift[1])));
        d.set(metaKey(i, frames), meta);
    }

    private static void copyToRam(Buffers b) {
        long t = System.nanoTime();
        MemorySegment.copy(b.frame, 0, b.ram, 0, b.frame.byteSize());
        b.toRam += System.nanoTime() - t;
    }

    /** Marks the capture complete (the viewer stops when it sees this). */
    static void end(MmapDict d, int frames, int h, int w, int bands, int written) {
        d.set(CAPTURE, description(frames, h, w, bands, true, written));
    }

    private static Map<String, Object> description(int frames, int h, int w, int bands, boolean complete, int written) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("instrument", "synthetic hyperspectral camera (mmappickle demo)");
        c.put("frames_planned", frames);
        c.put("frames_written", written);
        c.put("frame_shape", PyTuple.of(h, w, bands));
        c.put("dtype", "float32");
        c.put("complete", complete);
        return c;
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
