package org.mmappickle.internal.store;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import org.mmappickle.NotMmapPickleException;
import org.mmappickle.PickleFormatException;
import org.mmappickle.internal.io.NativeFile;
import org.mmappickle.internal.pickle.Unpickler;

/** Says what a file that is not in the mmappickle layout holds, for the open's exception. */
final class FileClassifier {
    /** Files larger than this are not unpickled just to say what they are. */
    private static final long MAX_PROBE_BYTES = 256L << 20;

    private FileClassifier() {
    }

    static NotMmapPickleException classify(Path path, NativeFile file, long size) throws IOException {
        if (size == 0) {
            return new NotMmapPickleException(path, NotMmapPickleException.Kind.EMPTY, "an empty file");
        }
        if (size > MAX_PROBE_BYTES) {
            return new NotMmapPickleException(path, NotMmapPickleException.Kind.NOT_A_PICKLE,
                    "a file of " + size + " bytes without the header (not examined further)");
        }
        Object value;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment all = file.map(0, size, false, false, a);
            value = Unpickler.loadPickle(all, path);
        } catch (PickleFormatException e) {
            return new NotMmapPickleException(path, NotMmapPickleException.Kind.NOT_A_PICKLE,
                    "bytes that are not a pickle (" + e.getMessage() + ")");
        }
        if (value instanceof Map<?, ?> m) {
            boolean stringKeys = m.keySet().stream().allMatch(k -> k instanceof String);
            if (stringKeys) {
                return new NotMmapPickleException(path, NotMmapPickleException.Kind.CONVERTIBLE_DICT,
                        "a plain pickle of a dict with " + m.size() + " string keys, not in the mmappickle layout"
                                + " (MmapDict.convert rewrites it)");
            }
            return new NotMmapPickleException(path, NotMmapPickleException.Kind.OTHER_PICKLE,
                    "a pickle of a dict with non-string keys");
        }
        return new NotMmapPickleException(path, NotMmapPickleException.Kind.OTHER_PICKLE,
                "a pickle of " + (value == null ? "None" : "a " + value.getClass().getSimpleName()));
    }
}
