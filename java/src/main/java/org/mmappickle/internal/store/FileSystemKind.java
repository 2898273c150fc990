package org.mmappickle.internal.store;

import java.util.Locale;
import java.util.Map;

/**
 * What a file system's {@code statfs} magic number says about sharing: its name, and whether
 * other machines may change files on it (then the shared-storage mode applies). The numbers are
 * those of linux/magic.h and the file systems' own sources.
 *
 * @param magic the {@code f_type} value
 * @param name a short name ("ext4/ext3/ext2", "nfs", "fuse", or "unknown (0x...)")
 * @param shared true for network, cluster and FUSE file systems, and for unknown types
 */
public record FileSystemKind(long magic, String name, boolean shared) {
    private static final Map<Long, String> LOCAL = Map.ofEntries(
            Map.entry(0xEF53L, "ext4/ext3/ext2"), Map.entry(0x58465342L, "xfs"), Map.entry(0x9123683EL, "btrfs"),
            Map.entry(0x01021994L, "tmpfs"), Map.entry(0x858458F6L, "ramfs"), Map.entry(0x794C7630L, "overlayfs"),
            Map.entry(0x2FC12FC1L, "zfs"), Map.entry(0xF2F52010L, "f2fs"), Map.entry(0xCA451A4EL, "bcachefs"),
            Map.entry(0x52654973L, "reiserfs"), Map.entry(0x3153464AL, "jfs"), Map.entry(0x3434L, "nilfs2"),
            Map.entry(0x4D44L, "vfat"), Map.entry(0x2011BAB0L, "exfat"), Map.entry(0x7366746EL, "ntfs3"),
            Map.entry(0x5346544EL, "ntfs"), Map.entry(0xF15FL, "ecryptfs"), Map.entry(0x73717368L, "squashfs"));
    private static final Map<Long, String> SHARED = Map.ofEntries(
            Map.entry(0x6969L, "nfs"), Map.entry(0x517BL, "smb"), Map.entry(0xFE534D42L, "smb2"),
            Map.entry(0xFF534D42L, "cifs"), Map.entry(0x0BD00BD0L, "lustre"), Map.entry(0x47504653L, "gpfs"),
            Map.entry(0x19830326L, "beegfs"), Map.entry(0x00C36400L, "cephfs"), Map.entry(0x65735546L, "fuse"),
            Map.entry(0x01021997L, "9p"), Map.entry(0x5346414FL, "afs"), Map.entry(0x6B414653L, "afs (kafs)"),
            Map.entry(0x7461636FL, "ocfs2"), Map.entry(0x01161970L, "gfs2"), Map.entry(0x564C4C43L, "orangefs"),
            Map.entry(0x0C0DD01EL, "glusterfs (fuse)"), Map.entry(0xA501FCF5L, "vxfs"));

    /**
     * Classifies a magic number.
     *
     * @param magic the {@code f_type} value, as unsigned 32 bits
     * @return what it is
     */
    public static FileSystemKind of(long magic) {
        String local = LOCAL.get(magic);
        if (local != null) {
            return new FileSystemKind(magic, local, false);
        }
        String shared = SHARED.get(magic);
        if (shared != null) {
            return new FileSystemKind(magic, shared, true);
        }
        // a type we do not know may be a network file system: the safe mode is the shared one
        return new FileSystemKind(magic, String.format(Locale.ROOT, "unknown (0x%X)", magic), true);
    }
}
