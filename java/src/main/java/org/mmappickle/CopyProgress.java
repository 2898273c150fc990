package org.mmappickle;

/**
 * Told how far the copy of a large array payload has gone, for progress bars. Large payloads
 * are copied in chunks with the file's lock released (readers are never held up by a copy); the
 * listener runs on the writing thread after each chunk, so it should return quickly.
 */
@FunctionalInterface
public interface CopyProgress {
    /**
     * Reports progress.
     *
     * @param key the key being written
     * @param copied bytes copied so far
     * @param total bytes to copy
     */
    void copied(String key, long copied, long total);
}
