package org.mmappickle.codec.service;

import java.nio.file.Path;
import org.mmappickle.MmapDict;
import org.mmappickle.codec.Codecs;

/**
 * A child JVM for {@code CodecServiceLoaderTest}: opens a dict with the default codecs (so
 * whatever {@link java.util.ServiceLoader} finds on its class path), stores a {@link Temperature}
 * ({@code put FILE}) or reads it ({@code get FILE}), and prints what happened.
 */
public final class ServiceCodecMain {
    private ServiceCodecMain() {
    }

    /** Entry point: put|get FILE. */
    public static void main(String[] args) throws Exception {
        System.out.println("discovered " + Codecs.discovered().stream().map(c -> c.getClass().getName()).toList());
        try (MmapDict m = MmapDict.open(Path.of(args[1]))) {
            if (args[0].equals("put")) {
                try {
                    m.put("t", new Temperature(21.5));
                } catch (IllegalArgumentException e) {
                    System.out.println("refused " + e.getMessage());
                    return;
                }
            }
            Object back = m.get("t");
            System.out.println("read " + (back == null ? "null" : back.getClass().getName() + " " + back));
        }
    }
}
