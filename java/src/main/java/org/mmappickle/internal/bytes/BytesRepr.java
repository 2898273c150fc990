package org.mmappickle.internal.bytes;

import java.util.HexFormat;

/** Python's {@code repr} of a {@code bytes} object, for every {@code toString} that shows bytes. */
public final class BytesRepr {
    private BytesRepr() {
    }

    /**
     * Formats bytes the way Python's {@code repr(bytes)} does: {@code b'...'} with printable ASCII
     * as itself, {@code \n \r \t \\ \'} escaped and every other byte as {@code \xNN}.
     *
     * @param b the bytes
     * @return the repr
     */
    public static String of(byte[] b) {
        StringBuilder s = new StringBuilder("b'");
        HexFormat hex = HexFormat.of();
        for (byte x : b) {
            int c = x & 0xFF;
            switch (c) {
                case '\\', '\'' -> s.append('\\').append((char) c);
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        s.append((char) c);
                    } else {
                        s.append("\\x").append(hex.toHexDigits((byte) c));
                    }
                }
            }
        }
        return s.append('\'').toString();
    }
}
