package org.mmappickle.cli.demo;

import java.util.stream.IntStream;
import org.mmappickle.NDArray;

/**
 * Image registration on band-summed frames: the shift of each frame against a reference by normalized
 * cross-correlation (a coarse search on 2x2-binned images, a fine one at full resolution, then a parabola
 * through the peak for the sub-pixel part), and keypoints (the strongest local maximum in each cell of a grid).
 */
final class Registration {
    /** Keypoints are searched in a GRID x GRID grid of cells. */
    static final int GRID = 4;

    private Registration() {
    }

    /**
     * Sums the bands of a (height, width, bands) cube into a height x width image, reading the cube through its
     * view (for a mapped frame: straight from the file's pages), rows in parallel.
     */
    static float[] bandSum(NDArray cube) {
        int h = (int) cube.shape(0);
        int w = (int) cube.shape(1);
        int bands = (int) cube.shape(2);
        float[] image = new float[h * w];
        IntStream.range(0, h).parallel().forEach(y -> {
            float[] row = new float[w * bands];
            cube.copyTo((long) y * w * bands, row, 0, row.length);
            for (int x = 0; x < w; x++) {
                float s = 0;
                for (int b = 0, o = x * bands; b < bands; b++) {
                    s += row[o + b];
                }
                image[y * w + x] = s;
            }
        });
        return image;
    }

    /**
     * Returns {dy, dx, score}: where the content of {@code ref} appears in {@code img} (so a frame drifted by
     * (dy, dx) gives (dy, dx)), searched within {@code radius} pixels, and the correlation at the peak (1 is
     * a perfect match).
     */
    static double[] shift(float[] ref, float[] img, int h, int w, int radius) {
        float[] a = zeroMean(ref);
        float[] b = zeroMean(img);
        // coarse: half resolution covers the whole window at a quarter of the cost per position
        int h2 = h / 2;
        int w2 = w / 2;
        float[] a2 = bin2(a, h, w);
        float[] b2 = bin2(b, h, w);
        int r2 = radius / 2 + 1;
        int best2y = 0;
        int best2x = 0;
        double best = Double.NEGATIVE_INFINITY;
        for (int dy = -r2; dy <= r2; dy++) {
            for (int dx = -r2; dx <= r2; dx++) {
                double c = ncc(a2, b2, h2, w2, dy, dx, r2 + 1);
                if (c > best) {
                    best = c;
                    best2y = dy;
                    best2x = dx;
                }
            }
        }
        // fine: full resolution around the coarse answer
        int margin = radius + 4;   // the fine search reaches 2 * (radius / 2 + 1) + 2 pixels out
        int fy = 2 * best2y;
        int fx = 2 * best2x;
        double[][] c = new double[5][5];
        best = Double.NEGATIVE_INFINITY;
        int by = 0;
        int bx = 0;
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                c[i][j] = ncc(a, b, h, w, fy + i - 2, fx + j - 2, margin);
                if (c[i][j] > best) {
                    best = c[i][j];
                    by = i;
                    bx = j;
                }
            }
        }
        int py = Math.clamp(by, 1, 3);
        int px = Math.clamp(bx, 1, 3);
        double subY = parabola(c[py - 1][px], c[py][px], c[py + 1][px]);
        double subX = parabola(c[py][px - 1], c[py][px], c[py][px + 1]);
        return new double[] {fy + py - 2 + subY, fx + px - 2 + subX, best};
    }

    /** The vertex of the parabola through (-1, l), (0, m), (1, r), clamped to half a pixel. */
    private static double parabola(double l, double m, double r) {
        double d = l - 2 * m + r;
        if (d >= 0) {
            return 0;
        }
        return Math.clamp(0.5 * (l - r) / d, -0.5, 0.5);
    }

    /** Normalized cross-correlation of a's central window with b's window moved by (dy, dx). */
    private static double ncc(float[] a, float[] b, int h, int w, int dy, int dx, int margin) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int y = margin; y < h - margin; y++) {
            int ra = y * w;
            int rb = (y + dy) * w + dx;
            for (int x = margin; x < w - margin; x++) {
                float va = a[ra + x];
                float vb = b[rb + x];
                ab += va * vb;
                aa += va * va;
                bb += vb * vb;
            }
        }
        return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb);
    }

    private static float[] zeroMean(float[] img) {
        double s = 0;
        for (float v : img) {
            s += v;
        }
        float mean = (float) (s / img.length);
        float[] out = new float[img.length];
        for (int i = 0; i < img.length; i++) {
            out[i] = img[i] - mean;
        }
        return out;
    }

    private static float[] bin2(float[] img, int h, int w) {
        int h2 = h / 2;
        int w2 = w / 2;
        float[] out = new float[h2 * w2];
        for (int y = 0; y < h2; y++) {
            for (int x = 0; x < w2; x++) {
                int o = 2 * y * w + 2 * x;
                out[y * w2 + x] = img[o] + img[o + 1] + img[o + w] + img[o + w + 1];
            }
        }
        return out;
    }

    /**
     * Returns GRID*GRID keypoints as (y, x, response) triples: in each cell, the strongest pixel that is
     * above its 8 neighbours; NaNs for a cell without one.
     */
    static float[] keypoints(float[] img, int h, int w) {
        float[] kp = new float[GRID * GRID * 3];
        java.util.Arrays.fill(kp, Float.NaN);
        for (int y = 1; y < h - 1; y++) {
            int cy = Math.min(GRID - 1, y * GRID / h);
            for (int x = 1; x < w - 1; x++) {
                float v = img[y * w + x];
                int cell = (cy * GRID + Math.min(GRID - 1, x * GRID / w)) * 3;
                if (!(v > kp[cell + 2]) && !Float.isNaN(kp[cell + 2])) {
                    continue;
                }
                if (isPeak(img, w, y, x, v)) {
                    kp[cell] = y;
                    kp[cell + 1] = x;
                    kp[cell + 2] = v;
                }
            }
        }
        return kp;
    }

    private static boolean isPeak(float[] img, int w, int y, int x, float v) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                if ((dy != 0 || dx != 0) && img[(y + dy) * w + x + dx] >= v) {
                    return false;
                }
            }
        }
        return true;
    }
}
