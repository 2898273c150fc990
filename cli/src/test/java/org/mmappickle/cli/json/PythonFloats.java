package org.mmappickle.cli.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.DoubleNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Checks a batch of doubles against Python's {@code repr} and {@code json.dumps} in one python3 call. */
final class PythonFloats {
    private static final String CODE = """
            import json, struct, sys
            out = []
            for line in open(sys.argv[1]):
                x = struct.unpack('>d', bytes.fromhex(line.strip()))[0]
                out.append(repr(x) + '\\t' + json.dumps(x))
            print('\\n'.join(out))
            """;

    private PythonFloats() {
    }

    /** Asserts that pythonRepr and write format every double exactly as Python does. */
    static void assertFormattedLikePython(List<Double> xs) throws Exception {
        Path in = Files.createTempFile("doubles", ".txt");
        try {
            List<String> lines = new ArrayList<>(xs.size());
            for (double x : xs) {
                lines.add(String.format(Locale.ROOT, "%016x", Double.doubleToRawLongBits(x)));
            }
            Files.write(in, lines, StandardCharsets.US_ASCII);
            String[] out = Interop.run(CODE, in.toString()).strip().split("\n");
            assertEquals(xs.size(), out.length);
            for (int i = 0; i < out.length; i++) {
                double x = xs.get(i);
                String[] f = out[i].split("\t");
                String what = "double with bits " + lines.get(i) + " (Java " + x + ")";
                assertEquals(f[0], TaggedJson.pythonRepr(x), what);
                assertEquals(f[1], TaggedJson.write(DoubleNode.valueOf(x)), what);
            }
        } finally {
            Files.deleteIfExists(in);
        }
    }
}
