package org.mmappickle;

/**
 * What a hole-punching {@link MmapDict##vacuum() MmapDict.vacuum()} did.
 *
 * @param entriesReclaimed deleted entries whose values were turned into fillers
 * @param bytesPunched bytes of deleted values handed to the file system to free
 * @param allocatedBefore bytes of disk the file used before
 * @param allocatedAfter bytes of disk the file uses after
 * @param spaceReclaimed false when the file system cannot punch holes (EOPNOTSUPP): the fillers
 *     were written, so the deleted values are gone, but their disk space was not reclaimed
 */
public record VacuumReport(int entriesReclaimed, long bytesPunched, long allocatedBefore, long allocatedAfter,
                           boolean spaceReclaimed) {
    /**
     * A report of a vacuum whose space was reclaimed.
     *
     * @param entriesReclaimed deleted entries whose values were turned into fillers
     * @param bytesPunched bytes of deleted values handed to the file system to free
     * @param allocatedBefore bytes of disk the file used before
     * @param allocatedAfter bytes of disk the file uses after
     */
    public VacuumReport(int entriesReclaimed, long bytesPunched, long allocatedBefore, long allocatedAfter) {
        this(entriesReclaimed, bytesPunched, allocatedBefore, allocatedAfter, true);
    }
}
