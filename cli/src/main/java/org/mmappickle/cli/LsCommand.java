package org.mmappickle.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mmappickle.MmapDict;
import org.mmappickle.cli.json.TaggedJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ls FILE}: one line per key with what it holds. */
@Command(name = "ls",
        description = {"Lists the keys of a file, one line each: kind (value, ndarray, masked), dtype, shape, "
                + "bytes (an array's payload, a value's pickled length), layout (ours or original) and key.",
            "With --all, every entry in file order, deleted ones too, with offset, length and state first."})
final class LsCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "FILE", description = "The mmappickle file.")
    Path file;

    @Option(names = "--all", description = "Show deleted, pending and shadowed entries and the offsets of each.")
    boolean all;

    @Option(names = "--json", description = "Print a JSON array of objects instead of columns.")
    boolean json;

    @Option(names = "--header", negatable = true,
            description = "Print a header row above the columns (default: when the output is a terminal).")
    Boolean header;

    /** Runs the command and returns its exit status; a failure is thrown, for {@link Main} to report. */
    @Override
    public Integer call() throws Exception {
        Inventory inv;
        try (MmapDict d = openReadOnly(file)) {
            inv = Inventory.of(d);
        }
        List<Inventory.Row> rows = all ? inv.rows() : inv.live();
        if (json) {
            out().println(TaggedJson.write(json(rows, all)));
            return 0;
        }
        List<String[]> table = new ArrayList<>();
        if (header != null ? header : onTerminal()) {
            String[] names = {"kind", "dtype", "shape", "bytes", "layout", "key"};
            table.add(all ? new String[] {"offset", "length", "state", names[0], names[1], names[2], names[3], names[4],
                names[5]} : names);
        }
        for (Inventory.Row r : rows) {
            String[] cols = {
                r.kind().word(),
                r.dtype() == null ? "-" : r.dtype().pythonStr(),
                r.shape() == null ? "-" : Text.shape(r.shape()),
                Long.toString(r.bytes()),
                r.layout() == null ? "-" : LayoutOption.word(r.layout()),
                Text.key(r.key())};
            if (all) {
                String[] wide = new String[cols.length + 3];
                wide[0] = Long.toString(r.entry().offset());
                wide[1] = Long.toString(r.entry().length());
                wide[2] = r.state().word();
                System.arraycopy(cols, 0, wide, 3, cols.length);
                cols = wide;
            }
            table.add(cols);
        }
        if (all) {
            Text.table(out(), table, true, true, false, false, false, false, true);
        } else {
            Text.table(out(), table, false, false, false, true);
        }
        return 0;
    }

    /** Returns whether standard output is a terminal (since JDK 22 a console exists even when redirected). */
    private static boolean onTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /** The machine form: the same facts, dtypes as numpy's {@code dtype.str}. */
    static ArrayNode json(List<Inventory.Row> rows, boolean all) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ArrayNode a = f.arrayNode();
        for (Inventory.Row r : rows) {
            ObjectNode o = a.addObject();
            o.put("key", r.key());
            o.put("kind", r.kind().word());
            if (r.dtype() == null) {
                o.putNull("dtype");
            } else {
                o.put("dtype", r.dtype().typeStr());
            }
            if (r.shape() == null) {
                o.putNull("shape");
            } else {
                ArrayNode s = o.putArray("shape");
                for (long dim : r.shape()) {
                    s.add(dim);
                }
            }
            o.put("bytes", r.bytes());
            if (r.layout() == null) {
                o.putNull("layout");
            } else {
                o.put("layout", LayoutOption.word(r.layout()));
            }
            if (all) {
                o.put("state", r.state().word());
                o.put("offset", r.entry().offset());
                o.put("length", r.entry().length());
                o.put("value_offset", r.entry().valueOffset());
                o.put("value_length", r.entry().valueLength());
            }
        }
        return a;
    }
}
