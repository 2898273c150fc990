package org.mmappickle.internal.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mmappickle.internal.pickle.PickleTestSupport.norm;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.MmapDict;
import org.mmappickle.testsupport.Tries;

/** Random values of every type go through a file: MmapDict writes, MmapDict (and a fresh open) reads, equal. */
class DictRoundTripPropertiesTest {

    @Test
    void valuesRoundTripThroughTheFile(@TempDir Path dir) throws Exception {
        try (MmapDict dict = MmapDict.open(dir.resolve("prop.mmdpickle"))) {
            int[] n = {0};
            Tries.check(200, r -> {
                Object v = RoundTripPropertiesTest.value(r);
                String key = "k" + (n[0]++ % 50);   // replacing keys too, so memo numbering spans many entries
                dict.put(key, v);
                assertEquals(norm(v, true), norm(dict.get(key), true));
                if (n[0] % 20 == 0) {
                    try (MmapDict other = MmapDict.openReadOnly(dict.path())) {
                        assertEquals(norm(v, true), norm(other.get(key), true), "another open reads it too");
                    }
                }
            });
        }
    }
}
