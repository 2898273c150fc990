package org.mmappickle.cli.demo;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.mmappickle.NDArray;

/**
 * A synthetic hyperspectral scene seen by a drifting camera: a texture of Gaussian blobs with one spectrum, a
 * bright target with another, a dark level and noise. Frame {@code i} sees the whole scene moved by
 * {@link #shift(int)} (content at scene point p lands on sensor pixel p + shift), so registration has a known
 * answer to find. Cubes are (height, width, bands), C order: the bands of a pixel are contiguous.
 */
final class Scene {
    private static final float DARK = 0.1f;
    private static final float NOISE = 0.05f;

    private final int height;
    private final int width;
    private final int bands;
    private final double[] blobY;
    private final double[] blobX;
    private final double[] blobSigma;
    private final double[] blobAmp;
    private final double targetY;
    private final double targetX;
    private final double targetSigma;
    private final float[] textureSpectrum;
    private final float[] targetSpectrum;
    private final double[] wavelengths;

    Scene(int height, int width, int bands, long seed) {
        this.height = height;
        this.width = width;
        this.bands = bands;
        SplittableRandom r = new SplittableRandom(seed);
        // about one blob per 32x32 pixels, and never so few that a small frame has nothing to lock on to
        int n = Math.max(16, height * width / 1024);
        blobY = new double[n];
        blobX = new double[n];
        blobSigma = new double[n];
        blobAmp = new double[n];
        for (int i = 0; i < n; i++) {
            // the texture extends past the frame, so that drifting brings in real content, not emptiness
            blobY[i] = r.nextDouble(-16, height + 16);
            blobX[i] = r.nextDouble(-16, width + 16);
            blobSigma[i] = r.nextDouble(2.0, 7.0);
            blobAmp[i] = r.nextDouble(0.3, 1.0);
        }
        targetY = height * 0.45;
        targetX = width * 0.55;
        targetSigma = Math.max(3, Math.min(height, width) / 12.0);
        textureSpectrum = new float[bands];
        targetSpectrum = new float[bands];
        wavelengths = new double[bands];
        for (int b = 0; b < bands; b++) {
            double f = bands == 1 ? 0 : b / (double) (bands - 1);
            wavelengths[b] = 400 + 600 * f;
            textureSpectrum[b] = (float) (1.0 - 0.5 * f);
            targetSpectrum[b] = (float) (1.5 * Math.exp(-Math.pow((f - 0.7) / 0.12, 2)));
        }
    }

    /** Returns the band centres in nanometres (400 to 1000). */
    double[] wavelengths() {
        return wavelengths.clone();
    }

    /** Returns the camera drift of frame {@code i} as {dy, dx} pixels: zero for frame 0, within 5.5 pixels. */
    static double[] shift(int i) {
        return new double[] {-4.0 * Math.sin(0.61 * i), 5.5 * Math.sin(0.37 * i)};
    }

    /** Fills a (height, width, bands) float32 array in place with frame {@code i}, rows in parallel. */
    void fill(NDArray cube, int frame) {
        double[] s = shift(frame);
        float[] texture = new float[height * width];
        float[] target = new float[height * width];
        spatial(s[0], s[1], texture, target);
        int rowFloats = width * bands;
        IntStream.range(0, height).parallel().forEach(y -> {
            float[] row = new float[rowFloats];
            long state = mix(frame * 0x9E3779B97F4A7C15L + y + 1);
            for (int x = 0; x < width; x++) {
                float t = texture[y * width + x];
                float g = target[y * width + x];
                int o = x * bands;
                for (int b = 0; b < bands; b++) {
                    state ^= state << 13;
                    state ^= state >>> 7;
                    state ^= state << 17;
                    // two uniform draws summed: triangular noise, cheap and close enough to Gaussian here
                    float u = ((state >>> 40) + ((state >>> 16) & 0xFFFFFF)) * 0x1p-24f - 1f;
                    row[o + b] = DARK + t * textureSpectrum[b] + g * targetSpectrum[b] + NOISE * u;
                }
            }
            cube.copyFrom(row, 0, (long) y * rowFloats, rowFloats);
        });
    }

    /** The texture and the target at sensor resolution for a drift: separable Gaussians, one row at a time. */
    private void spatial(double dy, double dx, float[] texture, float[] target) {
        int n = blobY.length;
        double[][] gx = new double[n][width];
        for (int i = 0; i < n; i++) {
            double k = -0.5 / (blobSigma[i] * blobSigma[i]);
            for (int x = 0; x < width; x++) {
                double d = x - dx - blobX[i];
                gx[i][x] = blobAmp[i] * Math.exp(k * d * d);
            }
        }
        double kt = -0.5 / (targetSigma * targetSigma);
        IntStream.range(0, height).parallel().forEach(y -> {
            double[] acc = new double[width];
            for (int i = 0; i < n; i++) {
                double d = y - dy - blobY[i];
                double gy = Math.exp(-0.5 * d * d / (blobSigma[i] * blobSigma[i]));
                if (gy < 1e-6) {
                    continue;
                }
                double[] g = gx[i];
                for (int x = 0; x < width; x++) {
                    acc[x] += gy * g[x];
                }
            }
            double ty = y - dy - targetY;
            for (int x = 0; x < width; x++) {
                double tx = x - dx - targetX;
                texture[y * width + x] = (float) acc[x];
                target[y * width + x] = (float) Math.exp(kt * (tx * tx + ty * ty));
            }
        });
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        z ^= z >>> 33;
        return z == 0 ? 0x9E3779B97F4A7C15L : z;
    }
}
