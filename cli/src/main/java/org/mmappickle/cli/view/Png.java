package org.mmappickle.cli.view;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/** Encodes an 8-bit RGB image as PNG with the JDK's zlib: no {@code java.desktop}, no dependency. */
final class Png {
    private static final byte[] SIGNATURE = {(byte) 137, 80, 78, 71, 13, 10, 26, 10};

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
        ByteArrayOutputStream out = new ByteArrayOutputStream(rgb.length / 4 + 1024);
        out.writeBytes(SIGNATURE);
        byte[] header = new byte[13];
        putInt(header, 0, width);
        putInt(header, 4, height);
        header[8] = 8;    // bits per sample
        header[9] = 2;    // truecolour
        chunk(out, "IHDR", header);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try (DeflaterOutputStream z = new DeflaterOutputStream(raw, deflater)) {
            for (int y = 0; y < height; y++) {
                z.write(0);   // filter: none
                z.write(rgb, y * width * 3, width * 3);
            }
        } catch (java.io.IOException impossible) {
            throw new IllegalStateException(impossible);
        } finally {
            deflater.end();
        }
        chunk(out, "IDAT", raw.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] len = new byte[4];
        putInt(len, 0, data.length);
        out.writeBytes(len);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        byte[] c = new byte[4];
        putInt(c, 0, (int) crc.getValue());
        out.writeBytes(c);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
