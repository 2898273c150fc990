package org.mmappickle;

/**
 * What a hole-punching {@link MmapDict##vacuum() MmapDict.vacuum()} did.
 *
 * @param entriesReclaimed deleted entries whose values were turned into fillers
 * @param bytesPunched bytes of deleted values handed to the file system to free
 * @param allocatedBefore bytes of disk the file used before; -1 where the io path cannot tell (the
 *     channel path: {@code NativeInfo.lacks()})
 * @param allocatedAfter bytes of disk the file uses after; -1 where the io path cannot tell
 * @param spaceReclaimed false when the file system or the io path cannot punch holes (EOPNOTSUPP):
 *     the fillers were written, so the deleted values are gone, but their disk space was not reclaimed
 * @param bytesZeroed bytes of deleted values overwritten with zeros because holes could not be
 *     punched (0 when they could): their contents are gone from the file, their space is not
 */
public record VacuumReport(int entriesReclaimed, long bytesPunched, long allocatedBefore, long allocatedAfter,
                           boolean spaceReclaimed, long bytesZeroed) {
    /**
     * A report without zeroed bytes.
     *
     * @param entriesReclaimed deleted entries whose values were turned into fillers
     * @param bytesPunched bytes of deleted values handed to the file system to free
     * @param allocatedBefore bytes of disk the file used before
     * @param allocatedAfter bytes of disk the file uses after
     * @param spaceReclaimed false when the file system cannot punch holes
     */
    public VacuumReport(int entriesReclaimed, long bytesPunched, long allocatedBefore, long allocatedAfter,
                        boolean spaceReclaimed) {
        this(entriesReclaimed, bytesPunched, allocatedBefore, allocatedAfter, spaceReclaimed, 0);
    }

    /**
     * A report of a vacuum whose space was reclaimed.
     *
     * @param entriesReclaimed deleted entries whose values were turned into fillers
     * @param bytesPunched bytes of deleted values handed to the file system to free
     * @param allocatedBefore bytes of disk the file used before
     * @param allocatedAfter bytes of disk the file uses after
     */
    public VacuumReport(int entriesReclaimed, long bytesPunched, long allocatedBefore, long allocatedAfter) {
        this(entriesReclaimed, bytesPunched, allocatedBefore, allocatedAfter, true, 0);
    }
}
