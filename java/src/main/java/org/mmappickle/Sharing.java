package org.mmappickle;

/**
 * How a dict guards its index against other processes, chosen by the file system it is on
 * (README "Shared storage"; docs/architecture.md "Shared-storage mode").
 */
public enum Sharing {
    /**
     * Chosen from the file system's type ({@code statfs}): {@link #SHARED_STORAGE} on network and
     * cluster file systems (NFS, SMB/CIFS, Lustre, GPFS, BeeGFS, CephFS, GlusterFS, AFS, 9p, FUSE)
     * and on types this library does not know, {@link #LOCAL} on local disks and tmpfs. The
     * system property {@code mmappickle.sharing} ({@code local} or {@code shared}) overrides the
     * choice for every dict opened with this default.
     */
    AUTO,
    /**
     * One machine's page cache is the file: reads of an unchanged index take no lock (the commit
     * number is read through a memory map) and deletions by other processes are read through the
     * long-lived maps.
     */
    LOCAL,
    /**
     * Other machines may change the file, and their changes reach this one only at lock time:
     * every read of the index takes the file's lock and rereads the commit number, the new tail
     * and the valid bytes it checks with {@code pread}, never through a map; no presence lock is
     * held (so compaction is refused), since where {@code flock} is emulated with byte-range locks
     * (NFS) it would block every other process's {@code flock}.
     */
    SHARED_STORAGE
}
