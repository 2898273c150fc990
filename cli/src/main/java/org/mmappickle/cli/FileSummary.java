package org.mmappickle.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mmappickle.ArrayFormat;
import org.mmappickle.MmapDict;
import org.mmappickle.NativeInfo;
import org.mmappickle.Sharing;

/**
 * The facts {@code info} prints about a file: header, commit number, entry counts, space in deleted entries,
 * size, array layouts and whether plain pickle loads it. Also the demo's closing summary.
 */
public final class FileSummary {
    private final Inventory inv;
    /** A killed compaction's file beside this one, or null. */
    private final Path leftover;
    private final String fileSystem;
    private final String sharing;

    private FileSummary(Inventory inv, MmapDict d) {
        this.inv = inv;
        this.leftover = d.leftoverCompaction().orElse(null);
        this.fileSystem = d.fileSystemType();
        this.sharing = d.sharing() == Sharing.SHARED_STORAGE ? "shared storage" : "local";
    }

    /** Takes the summary of an existing file, opened read-only for the time it takes. */
    public static FileSummary of(Path file) throws IOException {
        try (MmapDict d = BaseCommand.openReadOnly(file)) {
            return new FileSummary(Inventory.of(d), d);
        }
    }

    /** Returns whether plain {@code pickle.load} on numpy 2.x can load the file. */
    public boolean loadsOnNumpy2() {
        return inv.loadsOnNumpy2();
    }

    /** Prints the summary as aligned {@code name: value} lines. */
    public void print(PrintWriter out) {
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"file:", Text.safe(inv.path().toString())});
        lines.add(new String[] {"header:", "pickle protocol 4, mmappickle format version 1"});
        lines.add(new String[] {"commit number:", Integer.toString(inv.commitNumber())});
        lines.add(new String[] {"file system:", fileSystem + "; sharing mode: " + sharing});
        long valid = inv.count(Inventory.State.VALID);
        long deleted = inv.count(Inventory.State.DELETED);
        long pending = inv.count(Inventory.State.PENDING);
        long abandoned = inv.count(Inventory.State.ABANDONED);
        long shadowed = inv.count(Inventory.State.SHADOWED);
        StringBuilder entries = new StringBuilder().append(valid).append(" valid, ").append(deleted).append(" deleted");
        if (pending > 0) {
            entries.append(", ").append(pending).append(" being written");
        }
        if (abandoned > 0) {
            entries.append(", ").append(abandoned).append(" abandoned by a writer that is gone (vacuum reclaims them)");
        }
        if (shadowed > 0) {
            entries.append(", ").append(shadowed).append(" shadowed by a later entry of the same key");
        }
        lines.add(new String[] {"entries:", entries + " (" + inv.rows().size() + " in all)"});
        long ndarrays = inv.live().stream().filter(r -> r.kind() == Inventory.Kind.NDARRAY).count();
        long masked = inv.live().stream().filter(r -> r.kind() == Inventory.Kind.MASKED).count();
        long arrayBytes = inv.live().stream().filter(r -> r.kind() != Inventory.Kind.VALUE)
                .mapToLong(Inventory.Row::bytes).sum();
        lines.add(new String[] {"arrays:", ndarrays + " ndarray, " + masked + " masked, " + Text.bytes(arrayBytes)
                + " of payload (" + inv.liveArrays(ArrayFormat.OURS).size() + " in our layout, "
                + inv.liveArrays(ArrayFormat.ORIGINAL).size() + " in the original layout)"});
        lines.add(new String[] {"deleted entries:", inv.deletedBytes() + " bytes (" + Text.bytes(inv.deletedBytes())
                + ") in " + (deleted + abandoned) + (deleted + abandoned == 1 ? " entry" : " entries")});
        lines.add(new String[] {"size:", inv.fileSize() + " bytes apparent (" + Text.bytes(inv.fileSize()) + "); "
                + (inv.allocatedBytes() < 0 ? "allocated on disk: unknown (the io path cannot tell)"
                        : inv.allocatedBytes() + " bytes allocated on disk (" + Text.bytes(inv.allocatedBytes()) + ")")});
        long torn = inv.tornBytes();
        lines.add(new String[] {"tail:", torn == 0 ? "clean (terminator at " + inv.end() + ")"
                : "torn: " + torn + " bytes after the last complete entry at " + inv.end()
                        + " (opening the file for writing repairs it)"});
        if (leftover != null) {
            lines.add(new String[] {"leftover:", Text.safe(leftover.toString()) + ", the file of a compaction that was"
                    + " killed (the next writable open or 'mmappickle repair' removes it)"});
        }
        NativeInfo io = NativeInfo.load();
        lines.add(new String[] {"io:", io.describe()});
        for (String lack : io.lacks()) {
            lines.add(new String[] {"io lacks:", lack});
        }
        lines.add(new String[] {"plain pickle:", "numpy 2.x " + loads2() + "; numpy 1.x " + (inv.loadsOnNumpy1() ? "yes" : "no")});
        Text.table(out, lines);
    }

    private String loads2() {
        if (inv.tornBytes() != 0) {
            return "no (torn tail)";
        }
        List<Inventory.Row> original = inv.originalLayoutRows();
        if (!original.isEmpty()) {
            return "no (" + original.size() + " entries, valid or deleted, use the original layout, which needs"
                    + " numpy.core.multiarray.fromstring's binary mode, removed in numpy 2; e.g. "
                    + PyRepr.str(original.getFirst().key()) + "; deleted ones stop breaking the load after a vacuum;"
                    + " 'mmappickle convert " + inv.path() + "' rewrites the file in our layout)";
        }
        return "yes";
    }

    /** Returns the same facts as a JSON object. */
    public ObjectNode json() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("file", inv.path().toString());
        o.put("protocol", 4);
        o.put("format_version", 1);
        o.put("commit_number", inv.commitNumber());
        o.put("file_system", fileSystem);
        o.put("sharing", sharing);
        o.put("valid", inv.count(Inventory.State.VALID));
        o.put("deleted", inv.count(Inventory.State.DELETED));
        o.put("pending", inv.count(Inventory.State.PENDING));
        o.put("abandoned", inv.count(Inventory.State.ABANDONED));
        o.put("shadowed", inv.count(Inventory.State.SHADOWED));
        o.put("deleted_bytes", inv.deletedBytes());
        o.put("ndarrays", inv.live().stream().filter(r -> r.kind() == Inventory.Kind.NDARRAY).count());
        o.put("masked", inv.live().stream().filter(r -> r.kind() == Inventory.Kind.MASKED).count());
        o.put("arrays_ours", inv.liveArrays(ArrayFormat.OURS).size());
        o.put("arrays_original", inv.liveArrays(ArrayFormat.ORIGINAL).size());
        o.put("apparent_size", inv.fileSize());
        if (inv.allocatedBytes() < 0) {
            o.putNull("allocated_size");
        } else {
            o.put("allocated_size", inv.allocatedBytes());
        }
        NativeInfo io = NativeInfo.load();
        o.put("io", io.io());
        var lacks = o.putArray("io_lacks");
        io.lacks().forEach(lacks::add);
        o.put("torn_bytes", inv.tornBytes());
        if (leftover != null) {
            o.put("leftover_compaction", leftover.toString());
        } else {
            o.putNull("leftover_compaction");
        }
        o.put("plain_pickle_numpy2", inv.loadsOnNumpy2());
        o.put("plain_pickle_numpy1", inv.loadsOnNumpy1());
        return o;
    }
}
