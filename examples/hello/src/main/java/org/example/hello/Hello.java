package org.example.hello;

import java.nio.file.Path;
import java.util.List;
import org.mmappickle.DType;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;

/**
 * Stores a value, a list and an array in an mmappickle file, then reads them back from a second open of the
 * file. Python reads the same file with {@code pickle.load(open(path, 'rb'))}.
 *
 * <p>Run it with {@code java --enable-native-access=org.mmappickle -p <module path> -m org.example.hello/org.example.hello.Hello FILE}.
 */
public final class Hello {
    private Hello() {
    }

    /**
     * Writes the file, reads it back and prints what it read.
     *
     * @param args the file to write
     * @throws Exception when the file cannot be written or read
     */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "hello.mmdpickle");
        try (MmapDict m = MmapDict.open(file)) {
            m.put("greeting", "hello from Java");
            m.put("primes", List.of(2, 3, 5, 7));
            NDArray ramp = m.allocate("ramp", DType.FLOAT64, 4);   // zeros in the file, filled in place
            for (int i = 0; i < 4; i++) {
                ramp.setDouble(i * 0.5, i);
            }
        }
        try (MmapDict m = MmapDict.openReadOnly(file)) {
            System.out.println(m.get("greeting"));
            System.out.println(m.get("primes"));
            System.out.println(m.get("ramp"));
        }
    }
}
