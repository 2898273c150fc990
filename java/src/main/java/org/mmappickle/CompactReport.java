package org.mmappickle;

/**
 * What a {@link MmapDict##compact() MmapDict.compact()} did.
 *
 * @param entriesKept valid entries written to the compacted file
 * @param entriesDropped deleted entries left out
 * @param sizeBefore the file's size before
 * @param sizeAfter the file's size after
 */
public record CompactReport(int entriesKept, int entriesDropped, long sizeBefore, long sizeAfter) {
}
