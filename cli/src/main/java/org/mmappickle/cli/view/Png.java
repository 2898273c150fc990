package org.mmappickle.cli.view;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Encodes an 8-bit RGB image as PNG with the JDK's image I/O. */
final class Png {
    private Png() {
    }

    /**
     * Returns the PNG file of an image.
     *
     * @param rgb the pixels, row by row, three bytes (red, green, blue) each
     * @param width pixels per row
     * @param height rows
     * @return the PNG bytes
     */
    static byte[] encode(byte[] rgb, int width, int height) {
        if ((long) width * height * 3 != rgb.length || width < 1 || height < 1) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs " + 3L * width * height + " bytes, not " + rgb.length);
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] pixels = new int[width * height];
        for (int i = 0, j = 0; i < pixels.length; i++, j += 3) {
            pixels[i] = (rgb[j] & 0xFF) << 16 | (rgb[j + 1] & 0xFF) << 8 | (rgb[j + 2] & 0xFF);
        }
        image.setRGB(0, 0, width, height, pixels, 0, width);
        ByteArrayOutputStream out = new ByteArrayOutputStream(rgb.length / 4 + 1024);
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("this JDK's image I/O has no PNG writer");
            }
        } catch (IOException e) {
            // a ByteArrayOutputStream does not fail; anything here is the encoder's own fault
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
