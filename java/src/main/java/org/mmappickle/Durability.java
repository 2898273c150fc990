package org.mmappickle;

/** When a change is safe from a crash. */
public enum Durability {
    /**
     * A change is in the page cache when the call returns: every other process sees it at once,
     * and it survives a crash of this process, but not a power loss or kernel crash.
     */
    PAGE_CACHE,
    /**
     * A change is on the device when the call returns: the payload is flushed, then the bytes that
     * make it valid, then those are flushed, so a power loss at any instant leaves either the old
     * state or the new one (after the automatic repair of a torn tail).
     */
    DURABLE
}
