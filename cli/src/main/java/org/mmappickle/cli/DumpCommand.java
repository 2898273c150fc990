package org.mmappickle.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mmappickle.MmapDict;
import org.mmappickle.cli.json.TaggedJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dump FILE [KEY...]}: the values, numpy-like or as tagged JSON. */
@Command(name = "dump",
        description = {"Prints the values of a file (or of the keys given): one 'key: value' per key, values as "
                + "Python's repr and numpy print them.",
            "With --json, prints {\"keys\": {...}} in tagged JSON exactly as Python's json.dumps "
                + "prints a plain pickle.load of the same file (arrays over 64 KiB as their sha256; "
                + "see docs/tagged-json.md)."})
final class DumpCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "FILE", description = "The mmappickle file.")
    Path file;

    @Parameters(index = "1..*", paramLabel = "KEY", description = "Keys to print (default: all, in file order).")
    List<String> keys = new ArrayList<>();

    @Option(names = "--json", description = "Print tagged JSON.")
    boolean json;

    @Option(names = "--full", description = "With --json, list the elements of every array (no sha256).")
    boolean full;

    /** Runs the command and returns its exit status; a failure is thrown, for {@link Main} to report. */
    @Override
    public Integer call() throws Exception {
        try (MmapDict d = openReadOnly(file)) {
            List<String> which = keys.isEmpty() ? new ArrayList<>(d.keySet()) : keys;
            if (json) {
                ObjectNode values = JsonNodeFactory.instance.objectNode();
                for (String k : which) {
                    values.set(k, tagged(k, require(d, k), full));
                }
                ObjectNode top = JsonNodeFactory.instance.objectNode();
                top.set("keys", values);
                TaggedJson.write(top, out());
                out().println();
            } else {
                for (String k : which) {
                    printReadable(out(), k, require(d, k));
                }
            }
        }
        return 0;
    }

    /** Returns the tagged JSON of a value, or fails naming the key when the value has no tagged form. */
    static com.fasterxml.jackson.databind.JsonNode tagged(String key, Object value, boolean full) {
        try {
            return TaggedJson.toTagged(value, full ? Long.MAX_VALUE : TaggedJson.DEFAULT_BIG_ARRAY_BYTES);
        } catch (IllegalArgumentException e) {
            throw new CliException("the value of " + PyRepr.str(key) + " has no tagged JSON form: " + e.getMessage(), e);
        }
    }

    /** Returns Python's repr of a value, or fails naming the key when the value is too shared to print. */
    static String repr(String key, Object value) {
        try {
            return PyRepr.of(value);
        } catch (IllegalArgumentException e) {
            throw new CliException("the value of " + PyRepr.str(key) + " cannot be printed: " + e.getMessage(), e);
        }
    }

    /** Prints {@code key: repr}, continuation lines indented under the value so that arrays stay aligned. */
    static void printReadable(PrintWriter out, String key, Object value) {
        String head = Text.key(key) + ": ";
        String indent = " ".repeat(head.codePointCount(0, head.length()));
        String[] lines = repr(key, value).split("\n", -1);
        StringBuilder b = new StringBuilder(head).append(lines[0]);
        for (int i = 1; i < lines.length; i++) {
            // numpy separates blocks of a 3-d array with empty lines: they stay empty, with no trailing spaces
            b.append('\n').append(lines[i].isEmpty() ? "" : indent).append(lines[i]);
        }
        out.println(b);
    }
}
