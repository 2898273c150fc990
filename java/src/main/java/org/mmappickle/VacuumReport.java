package org.mmappickle;

/**
 * What a hole-punching {@link MmapDict#vacuum()} did.
 *
 * @param entriesReclaimed deleted entries whose values were turned into punched fillers
 * @param bytesPunched bytes of deleted values handed to the file system to free
 * @param allocatedBefore bytes of disk the file used before
 * @param allocatedAfter bytes of disk the file uses after
 */
public record VacuumReport(int entriesReclaimed, long bytesPunched, long allocatedBefore, long allocatedAfter) {
}
