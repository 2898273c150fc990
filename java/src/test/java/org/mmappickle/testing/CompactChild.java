package org.mmappickle.testing;

import java.nio.file.Path;
import org.mmappickle.MmapDict;

/** A child process that compacts a file (for the kill-during-compaction test), or holds it open. */
public final class CompactChild {
    private CompactChild() {
    }

    /** Entry point: FILE compact|hold. */
    public static void main(String[] args) throws Exception {
        try (MmapDict m = MmapDict.open(Path.of(args[0]))) {
            System.out.println("starting");
            System.out.flush();
            if (args[1].equals("compact")) {
                m.compact();
                System.out.println("compacted");
            } else {
                System.in.read();   // hold the file open until the parent closes our stdin
            }
        }
    }
}
