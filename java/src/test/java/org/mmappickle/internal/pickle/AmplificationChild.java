package org.mmappickle.internal.pickle;

import java.nio.file.Path;
import org.mmappickle.MmapDict;
import org.mmappickle.PickleFormatException;

/**
 * Child JVM of {@link AmplificationTest}, run with a small heap: reads the entry "v" of each file
 * given and prints, per file, "refused", "read" or "OOM" (then exits 3).
 */
public final class AmplificationChild {
    private AmplificationChild() {
    }

    /**
     * Reads each file's "v".
     *
     * @param args the files
     * @throws Exception when a file cannot be opened for another reason
     */
    public static void main(String[] args) throws Exception {
        for (String a : args) {
            String result;
            try (MmapDict m = MmapDict.openReadOnly(Path.of(a))) {
                Object v = m.get("v");
                result = "read " + (v == null ? "None" : v.getClass().getSimpleName());
            } catch (PickleFormatException e) {
                result = "refused " + e.getMessage().replace('\n', ' ');
            } catch (OutOfMemoryError e) {
                System.out.println(Path.of(a).getFileName() + "\tOOM");
                System.out.flush();
                System.exit(3);
                return;
            }
            System.out.println(Path.of(a).getFileName() + "\t" + result);
            System.out.flush();
        }
    }
}
