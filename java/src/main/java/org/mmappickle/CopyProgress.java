package org.mmappickle;

/**
 * Told how far the copy of a large array payload has gone, for progress bars. Large payloads
 * are copied in chunks with the file's lock released (readers are never held up by a copy),
 * possibly by several threads ({@link MmapDict.Options#ingestThreads(int)}); the listener runs on
 * the thread that finished a chunk, one call at a time, with {@code copied} increasing, so it
 * should return quickly.
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
