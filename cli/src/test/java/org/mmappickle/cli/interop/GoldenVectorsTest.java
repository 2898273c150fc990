package org.mmappickle.cli.interop;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.EntryInfo;
import org.mmappickle.MmapDict;
import org.mmappickle.RepairReport;
import org.mmappickle.cli.json.Interop;
import org.mmappickle.cli.json.TaggedJson;

/** Every golden file of mmappickle 1.0.1 reads back exactly what its manifest says. */
class GoldenVectorsTest {
    @TempDir
    Path dir;

    static JsonNode manifest() throws Exception {
        return TaggedJson.read(Files.readString(Interop.vectors().resolve("manifest.json")));
    }

    static JsonNode tagged(Map<String, Object> m) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (var e : m.entrySet()) {
            o.set(e.getKey(), TaggedJson.toTagged(e.getValue()));
        }
        return o;
    }

    @Test
    void everyMmappickleFileMatchesItsManifest() throws Exception {
        JsonNode files = manifest().get("files");
        List<String> checked = new ArrayList<>();
        for (var it = files.fields(); it.hasNext(); ) {
            var f = it.next();
            JsonNode spec = f.getValue();
            if (!spec.has("commit_number")) {
                continue;   // plain pickles and torn files: other tests
            }
            Path p = Interop.vectors().resolve(f.getKey());
            try (MmapDict m = MmapDict.openReadOnly(p)) {
                assertEquals(spec.get("commit_number").asInt(), m.commitNumber(), f.getKey());
                assertEquals(spec.get("size").asLong(), Files.size(p));
                assertEquals(TaggedJson.canonical(spec.get("keys")), TaggedJson.canonical(tagged(m)), f.getKey());
                List<String> fileOrder = new ArrayList<>(m.keySet());
                List<String> manifestOrder = new ArrayList<>();
                spec.get("keys").fieldNames().forEachRemaining(manifestOrder::add);
                assertEquals(manifestOrder.stream().sorted().toList(), fileOrder.stream().sorted().toList());
                if (spec.has("invalid_entries")) {
                    assertEquals(spec.get("invalid_entries").asInt(),
                            m.entries().stream().filter(e -> !e.valid()).count(), f.getKey());
                }
            }
            checked.add(f.getKey());
        }
        assertTrue(checked.containsAll(List.of("empty.mmdpickle", "values.mmdpickle", "arrays.mmdpickle",
                "masked.mmdpickle", "history.mmdpickle", "vacuumed.mmdpickle", "converted.mmdpickle")), checked.toString());
    }

    @Test
    void tornFilesReadTheirCompleteEntriesReadOnlyAndAreRepairedWhenWritable() throws Exception {
        JsonNode files = manifest().get("files");
        for (int cut : new int[] {1, 5, 11, 12, 13, 20}) {
            String name = "torn-minus" + cut + ".mmdpickle";
            JsonNode expected = TaggedJson.canonical(files.get(name).get("keys"));
            Path golden = Interop.vectors().resolve(name);
            byte[] before = Files.readAllBytes(golden);
            try (MmapDict r = MmapDict.openReadOnly(golden)) {
                assertEquals(expected, TaggedJson.canonical(tagged(r)), name + " read-only");
                assertTrue(r.lastRepair().isEmpty());
            }
            assertArrayEquals(before, Files.readAllBytes(golden), "a read-only open never changes the file");
            Path copy = dir.resolve(name);
            Files.copy(golden, copy, StandardCopyOption.REPLACE_EXISTING);
            copy.toFile().setWritable(true);
            try (MmapDict w = MmapDict.open(copy)) {
                RepairReport rep = w.lastRepair().orElseThrow(() -> new AssertionError(name + " was not repaired"));
                assertEquals(expected, TaggedJson.canonical(tagged(w)), name);
                EntryInfo last = w.entries().get(w.entries().size() - 1);
                assertEquals(last.offset() + last.length(), rep.cutAt());
            }
            String py = PickleToJson.run(copy);
            assertEquals(expected, TaggedJson.canonical(TaggedJson.read(py).get("keys")), name + " after repair, in Python");
        }
    }
}
