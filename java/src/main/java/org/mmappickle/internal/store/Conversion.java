package org.mmappickle.internal.store;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.mmappickle.ArrayFormat;
import org.mmappickle.Durability;
import org.mmappickle.NotMmapPickleException;
import org.mmappickle.PickleFormatException;
import org.mmappickle.codec.Codecs;
import org.mmappickle.internal.format.ArrayValues;
import org.mmappickle.internal.format.FileLayout;
import org.mmappickle.internal.io.NativeFile;
import org.mmappickle.internal.pickle.Unpickler;

/**
 * Conversion of a plain pickle of a dict with string keys into an mmappickle file: the new file
 * is created beside the target exclusively (never through a link), given the target's owner and
 * mode when it exists, written through that descriptor, and renamed over the target.
 */
final class Conversion {
    private Conversion() {
    }

    static void convert(Path source, Path target) throws IOException {
        Object value;
        try (NativeFile in = NativeFile.open(source, NativeFile.Mode.READ); Arena arena = Arena.ofConfined()) {
            long size = in.size();
            if (size == 0) {
                throw new NotMmapPickleException(source, NotMmapPickleException.Kind.EMPTY, "an empty file");
            }
            try {
                value = ArrayValues.toJava(Unpickler.loadPickle(in.map(0, size, false, false, arena), source));
            } catch (PickleFormatException e) {
                throw new NotMmapPickleException(source, NotMmapPickleException.Kind.NOT_A_PICKLE,
                        "bytes that are not a pickle (" + e.getMessage() + ")");
            }
        }
        if (!(value instanceof Map<?, ?> m) || !m.keySet().stream().allMatch(k -> k instanceof String)) {
            throw new NotMmapPickleException(source, NotMmapPickleException.Kind.OTHER_PICKLE,
                    "a pickle of " + (value instanceof Map ? "a dict with non-string keys" : value == null ? "None"
                            : "a " + value.getClass().getSimpleName()) + ", which cannot become an mmappickle dict");
        }
        for (Object k : m.keySet()) {
            FileLayout.keyBytes((String) k);   // every key fits before anything is written
        }
        Path tmp = Compaction.sibling(target, ".converting");
        Files.deleteIfExists(tmp);   // a leftover, or a link planted there: removed, never followed
        boolean ok = false;
        // created exclusively (O_EXCL: no link is followed) and written through this descriptor only
        NativeFile created = NativeFile.open(tmp, NativeFile.Mode.CREATE_NEW);
        try {
            if (Files.exists(target)) {
                Compaction.copyModeAndOwner(target, created, target);
            }
            FileStore.Settings settings = new FileStore.Settings(true, false, ArrayFormat.OURS, Durability.PAGE_CACHE,
                    null, Codecs.inPriorityOrder(Codecs.defaults()));
            try (FileStore d = FileStore.openCreated(tmp, created, settings)) {
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    d.put((String) e.getKey(), e.getValue(), ArrayFormat.OURS, false, Durability.PAGE_CACHE);
                }
                d.flush();
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();   // a full disk while writing the new file: an IOException, as documented
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Compaction.syncDirectory(target, true);
            ok = true;
        } finally {
            created.close();   // idempotent: the dict closed it already unless its open failed
            if (!ok) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
