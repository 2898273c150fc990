package org.mmappickle.internal.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mmappickle.internal.pickle.PickleTestSupport.norm;

import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.mmappickle.MmapDict;

/** Random values of every type go through a file: MmapDict writes, MmapDict (and a fresh open) reads, equal. */
class DictRoundTripPropertiesTest {
    private static Path dir;
    private static MmapDict dict;
    private static int n;

    @BeforeContainer
    static void open() throws Exception {
        dir = Files.createTempDirectory("mmappickle-prop");
        dict = MmapDict.open(dir.resolve("prop.mmdpickle"));
    }

    @AfterContainer
    static void close() throws Exception {
        dict.close();
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Property(tries = 200)
    void valuesRoundTripThroughTheFile(@ForAll("values") Object v) throws Exception {
        String key = "k" + (n++ % 50);   // replacing keys too, so memo numbering spans many entries
        dict.put(key, v);
        assertEquals(norm(v, true), norm(dict.get(key), true));
        if (n % 20 == 0) {
            try (MmapDict other = MmapDict.openReadOnly(dict.path())) {
                assertEquals(norm(v, true), norm(other.get(key), true), "another open reads it too");
            }
        }
    }

    @Provide
    Arbitrary<Object> values() {
        return new RoundTripPropertiesTest().values();
    }
}
