package org.mmappickle;

/** An access hint for a mapped region, passed to the kernel with {@code madvise(2)}. */
public enum Advice {
    /** No special treatment (the default). */
    NORMAL,
    /** Pages will be read in order: read ahead aggressively, free behind. */
    SEQUENTIAL,
    /** Pages will be read in no particular order: read ahead less. */
    RANDOM,
    /** The pages will be needed soon: start reading them in now. */
    WILLNEED,
    /** The pages are not needed any more: drop them from this process (the file keeps the data). */
    DONTNEED,
    /** Back the region with transparent huge pages where the kernel supports it. */
    HUGEPAGE
}
