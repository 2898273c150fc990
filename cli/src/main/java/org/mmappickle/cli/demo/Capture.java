package org.mmappickle.cli.demo;

import java.io.IOException;
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
 * The timelapse capture: for each frame, an array allocated in the file without ever being in memory, filled in
 * place through its mapping while still pending (invisible to readers), published, then its metadata. The metadata lands after the pixels, so a reader that sees
 * {@code meta_N} knows {@code frame_N} is complete.
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
     * Captures frame {@code i}: allocate pending (blocks reserved), fill in place, publish, then the metadata.
     * Returns the thread time spent copying pixels into the file's mapping, in nanoseconds.
     */
    static long frame(MmapDict d, Scene scene, int i, int frames, int h, int w, int bands) throws IOException {
        long copying;
        // pending until published: a viewer that reacts to the key never sees a half-filled frame
        try (ArrayWriter pending = d.allocatePending(frameKey(i, frames), DType.FLOAT32, h, w, bands)) {
            copying = scene.fill(pending.array(), i);
            pending.publish();
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
        return copying;
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
