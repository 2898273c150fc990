package org.example.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;

class HelloTest {

    @Test
    void writesWhatItReadsBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hello.mmdpickle");
        Hello.main(new String[] {file.toString()});
        try (MmapDict m = MmapDict.openReadOnly(file)) {
            assertEquals("hello from Java", m.get("greeting"));
            assertEquals(List.of(2, 3, 5, 7), m.get("primes"));
            NDArray ramp = (NDArray) m.get("ramp");
            assertEquals(1.5, ramp.getDouble(3));
        }
    }
}
