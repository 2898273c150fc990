package org.mmappickle;

import java.util.List;

/**
 * What changed in a file between two looks of a {@link ChangeWatcher}.
 *
 * @param added keys that appeared, in file order
 * @param replaced keys whose value was replaced
 * @param deleted keys that disappeared
 * @param commitNumber the commit number the file had at this look
 */
public record Changes(List<String> added, List<String> replaced, List<String> deleted, int commitNumber) {
    /** Copies the lists. */
    public Changes {
        added = List.copyOf(added);
        replaced = List.copyOf(replaced);
        deleted = List.copyOf(deleted);
    }

    /**
     * Returns true when nothing changed.
     *
     * @return true when nothing changed
     */
    public boolean isEmpty() {
        return added.isEmpty() && replaced.isEmpty() && deleted.isEmpty();
    }
}
