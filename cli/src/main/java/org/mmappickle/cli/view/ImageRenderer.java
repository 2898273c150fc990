package org.mmappickle.cli.view;

import java.util.Arrays;
import org.mmappickle.DType;
import org.mmappickle.NDArray;

/**
 * Renders an array as an image through its mapped view: a 2-D array in grey, an (H, W, B) array as one band in grey
 * or three bands as red, green and blue. The image is downsampled to at most the requested size by reading every
 * {@code step}-th pixel through a strided view, so a frame is never copied; each channel is stretched between its 2nd
 * and 98th percentile (robust to hot pixels). Masked elements and NaNs are drawn in magenta, which no stretched
 * grey can be.
 */
final class ImageRenderer {
    /** The colour of masked and not-a-number pixels. */
    static final int[] MASKED = {255, 0, 255};
    /** Percentiles of the contrast stretch. */
    static final double LOW = 0.02;
    static final double HIGH = 0.98;

    private ImageRenderer() {
    }

    /**
     * A rendered image.
     *
     * @param png the PNG file
     * @param width the image's width in pixels
     * @param height the image's height in pixels
     * @param step the array pixels per image pixel along each axis
     */
    record Image(byte[] png, int width, int height, long step) {
    }

    /** Returns whether an array can be rendered: real numbers, with 2 or 3 dimensions, none of them 0. */
    static boolean renderable(NDArray a) {
        DType.Kind k = a.dtype().kind();
        boolean real = !(k == DType.Kind.COMPLEX64 || k == DType.Kind.COMPLEX128 || k == DType.Kind.BYTES || k == DType.Kind.UNICODE);
        return real && (a.ndim() == 2 || a.ndim() == 3) && a.size() > 0;
    }

    /**
     * Renders the array.
     *
     * @param a the data, (H, W) or (H, W, B)
     * @param mask a bool array of the same shape, or null
     * @param bands one band (grey) or three (red, green, blue) of an (H, W, B) array; ignored for 2-D arrays
     * @param maxSide the largest side of the image
     * @return the image
     */
    static Image render(NDArray a, NDArray mask, int[] bands, int maxSide) {
        long h = a.shape(0);
        long w = a.shape(1);
        long step = Math.max(1, Math.ceilDiv(Math.max(h, w), Math.max(1, maxSide)));
        NDArray small = a.slice(0, 0, h, step).slice(1, 0, w, step);
        NDArray smallMask = mask == null ? null : mask.slice(0, 0, h, step).slice(1, 0, w, step);
        int ih = (int) small.shape(0);
        int iw = (int) small.shape(1);
        int[] channels = a.ndim() == 2 ? new int[] {-1} : bands;
        byte[] rgb = new byte[iw * ih * 3];
        boolean[] hidden = new boolean[iw * ih];
        double[][] values = new double[channels.length][];
        for (int c = 0; c < channels.length; c++) {
            NDArray plane = channels[c] < 0 ? small : small.slice(2, channels[c]);
            NDArray planeMask = smallMask == null ? null : channels[c] < 0 ? smallMask : smallMask.slice(2, channels[c]);
            double[] v = new double[iw * ih];
            for (int i = 0; i < v.length; i++) {
                v[i] = plane.flatDouble(i);
                hidden[i] |= Double.isNaN(v[i]) || planeMask != null && planeMask.flatBoolean(i);
            }
            values[c] = v;
        }
        for (int c = 0; c < channels.length; c++) {
            double[] range = stretch(values[c], hidden);
            double span = range[1] > range[0] ? range[1] - range[0] : 1;
            for (int i = 0; i < hidden.length; i++) {
                int level = (int) Math.round(255 * Math.clamp((values[c][i] - range[0]) / span, 0.0, 1.0));
                if (channels.length == 1) {
                    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = (byte) level;
                } else {
                    rgb[3 * i + c] = (byte) level;
                }
            }
        }
        for (int i = 0; i < hidden.length; i++) {
            if (hidden[i]) {
                rgb[3 * i] = (byte) MASKED[0];
                rgb[3 * i + 1] = (byte) MASKED[1];
                rgb[3 * i + 2] = (byte) MASKED[2];
            }
        }
        return new Image(Png.encode(rgb, iw, ih), iw, ih, step);
    }

    /** Returns the {@link #LOW} and {@link #HIGH} percentiles of the shown values (0 and 1 when none is shown). */
    static double[] stretch(double[] v, boolean[] hidden) {
        double[] shown = new double[v.length];
        int n = 0;
        for (int i = 0; i < v.length; i++) {
            if (!hidden[i] && !Double.isInfinite(v[i])) {
                shown[n++] = v[i];
            }
        }
        if (n == 0) {
            return new double[] {0, 1};
        }
        Arrays.sort(shown, 0, n);
        return new double[] {shown[(int) Math.floor(LOW * (n - 1))], shown[(int) Math.ceil(HIGH * (n - 1))]};
    }
}
