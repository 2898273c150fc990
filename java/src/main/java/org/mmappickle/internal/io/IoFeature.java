package org.mmappickle.internal.io;

import java.util.ArrayList;
import java.util.List;

/**
 * What the io path in use can do, for the code and tests that must behave differently where it
 * cannot (one place to ask): every feature is there on the native and portable paths; the
 * channel path ({@link ChannelIo}) lacks those the JDK has no call for.
 */
public enum IoFeature {
    /** Freeing a range's disk blocks ({@code fallocate} PUNCH_HOLE); without it vacuum writes zeros. */
    HOLE_PUNCHING("hole punching (vacuum overwrites deleted values with zeros instead; their disk space is not freed)"),
    /** Reserving disk blocks without writing them ({@code fallocate}); without it reservation writes zeros. */
    RESERVATION("block reservation without writing (reserved allocations are written as zeros first; large puts"
            + " copy unreserved, so a full disk is found by the copy and leaves an abandoned entry)"),
    /** Range locks held per open file description; without them they are the process's (POSIX FileChannel locks). */
    PER_DESCRIPTION_RANGE_LOCKS("per-descriptor range locks (FileChannel locks belong to the process on POSIX:"
            + " closing any descriptor of the file in this JVM drops this JVM's range locks on it for other processes)"),
    /** The file system's type ({@code fstatfs}); without it the type comes from the JDK's name for it. */
    FILE_SYSTEM_MAGIC("the file system's statfs type (the JDK's name for it is used; names Linux has no number for,"
            + " such as apfs and NTFS, count as unknown, so dicts default to the shared-storage mode there)"),
    /** The disk space a file occupies ({@code st_blocks}). */
    ALLOCATED_SIZE("the disk space a file occupies (reported as unknown)"),
    /** Mapping past the end of the file, as mmap does; FileChannel.map would grow the file instead. */
    MAP_PAST_END("maps past the end of the file (the long-lived windows end at the end of the file and are mapped"
            + " again as it grows; a replaced map goes at the next garbage collection that finds no view of it)"),
    /** Reads and writes that an interrupt of the calling thread cannot break (FileChannel closes itself). */
    UNINTERRUPTIBLE_IO("io that interrupts cannot break (an interrupt arriving during a FileChannel read or write"
            + " closes the file for the dict: later calls fail with EBADF)"),
    /** Starting write-back of a range without waiting ({@code sync_file_range}); without it the final fsync does it all. */
    EARLY_WRITE_BACK("starting write-back of each finished piece of a durable copy (the final fsync writes"
            + " everything back at once, after the copy)"),
    /** Access advice for mappings ({@code madvise}); without it the advice is ignored. */
    ACCESS_ADVICE("access advice for mappings (ignored)"),
    /** A name for an open descriptor ({@code /proc/self/fd/N}); without it the path the file was opened with. */
    DESCRIPTOR_PATHS("names for open descriptors (the path a file was opened with is used, which a rename can re-point)");

    private final String lack;

    IoFeature(String lack) {
        this.lack = lack;
    }

    /**
     * Returns true when the io path in use has this feature.
     *
     * @return whether it is available
     */
    public boolean available() {
        return !IoCalls.CHANNEL;
    }

    /**
     * Returns what is missing and what happens instead, in words, for {@code selfcheck} and {@code info}.
     *
     * @return the description of the lack
     */
    public String lack() {
        return lack;
    }

    /**
     * Returns the descriptions of the features the io path in use lacks (empty on the native and portable paths).
     *
     * @return one line per missing feature
     */
    public static List<String> missing() {
        List<String> out = new ArrayList<>();
        for (IoFeature f : values()) {
            if (!f.available()) {
                out.add(f.lack());
            }
        }
        return out;
    }

    /**
     * Says which lock the dict's whole-file lock is on the io path in use, in words.
     *
     * @return {@code flock}, or the FileChannel range Python's mmappickle locks on Windows
     */
    public static String wholeFileLock() {
        if (!IoCalls.CHANNEL || ChannelIo.flockAvailable()) {
            return "flock (as Python's mmappickle on POSIX systems)";
        }
        return "FileChannel.lock over bytes 0 to 0xFFFF0000 (as Python's mmappickle locks with LockFileEx on Windows)";
    }
}
