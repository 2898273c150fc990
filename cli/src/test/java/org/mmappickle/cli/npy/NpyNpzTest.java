package org.mmappickle.cli.npy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.NDArray;
import org.mmappickle.cli.json.Interop;
import org.mmappickle.cli.json.TaggedJson;

/** {@link NpzFile} against numpy's savez and load (named Npy* so that the cli's Npy* test filter picks it up). */
class NpyNpzTest {

    @TempDir
    Path dir;

    @Test
    void numpyLoadsTheArchivesJavaWrites() throws Exception {
        Map<String, NDArray> all = NpyFileTest.javaArrays();
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        for (String k : List.of("f4_2d", "f8_0d", "f4_zero", "U5_2d", "f8_be", "S3", "big_native", "big_heap", "M8_ns")) {
            arrays.put(k, all.get(k));
        }
        arrays.put("with space é", all.get("bool"));
        Path npz = dir.resolve("java.npz");
        NpzFile.write(npz, arrays);
        ObjectNode expected = JsonNodeFactory.instance.objectNode();
        arrays.forEach((k, a) -> expected.set(k, TaggedJson.toTagged(a, Long.MAX_VALUE)));
        Files.writeString(dir.resolve("expected.json"), TaggedJson.write(expected), StandardCharsets.UTF_8);
        String code = """
                import json, sys, zipfile
                import numpy as np
                from tagged_json import to_tagged, canon
                expected = json.load(open(sys.argv[2], encoding='utf-8'))
                z = np.load(sys.argv[1])
                out = {'files': z.files,
                       'equal': {k: canon(to_tagged(z[k], big=1 << 62)) == canon(t) for k, t in expected.items()},
                       'stored': all(i.compress_type == zipfile.ZIP_STORED for i in zipfile.ZipFile(sys.argv[1]).infolist())}
                print(json.dumps(out))
                """;
        JsonNode res = TaggedJson.read(Interop.run(code, npz.toString(), dir.resolve("expected.json").toString()));
        List<String> files = new ArrayList<>();
        res.get("files").forEach(f -> files.add(f.textValue()));
        assertEquals(new ArrayList<>(arrays.keySet()), files);
        for (String k : arrays.keySet()) {
            assertTrue(res.get("equal").get(k).booleanValue(), k);
        }
        assertTrue(res.get("stored").booleanValue());
        // and Java reads its own archive back
        Map<String, NDArray> back = NpzFile.read(npz);
        assertEquals(arrays, back);
    }

    @Test
    void javaReadsWhatSavezAndSavezCompressedWrite() throws Exception {
        String code = NpyFileTest.PY_ARRAYS + """
                np.savez(sys.argv[1], **A)
                np.savez_compressed(sys.argv[2], **A)
                np.savez(sys.argv[3], A['i4_3d'], A['U4'])
                print(json.dumps({k: to_tagged(a, big=1 << 62) for k, a in A.items()}))
                """;
        Path stored = dir.resolve("stored.npz");
        Path compressed = dir.resolve("compressed.npz");
        Path positional = dir.resolve("positional.npz");
        JsonNode expected = TaggedJson.read(Interop.run(code, stored.toString(), compressed.toString(), positional.toString()));
        List<String> names = new ArrayList<>();
        expected.fieldNames().forEachRemaining(names::add);
        for (Path p : List.of(stored, compressed)) {
            Map<String, NDArray> arrays = NpzFile.read(p);
            assertEquals(names, new ArrayList<>(arrays.keySet()), p.toString());
            for (String k : names) {
                assertEquals(TaggedJson.canonical(expected.get(k)), TaggedJson.canonical(TaggedJson.toTagged(arrays.get(k), Long.MAX_VALUE)), p + " " + k);
            }
        }
        Map<String, NDArray> pos = NpzFile.read(positional);
        assertEquals(List.of("arr_0", "arr_1"), new ArrayList<>(pos.keySet()));
        assertEquals(TaggedJson.canonical(expected.get("U4")), TaggedJson.canonical(TaggedJson.toTagged(pos.get("arr_1"))));
    }

    @Test
    void archivesWithOtherFilesAreRejected() throws IOException {
        Path p = dir.resolve("other.npz");
        try (OutputStream out = Files.newOutputStream(p); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("readme.txt"));
            zip.write("hi".getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        }
        IOException e = assertThrows(IOException.class, () -> NpzFile.read(p));
        assertTrue(e.getMessage().contains("readme.txt"), e.getMessage());
        Path notZip = dir.resolve("not.npz");
        Files.writeString(notZip, "not a zip");
        assertThrows(IOException.class, () -> NpzFile.read(notZip));
        Path bad = dir.resolve("bad.npz");
        try (OutputStream out = Files.newOutputStream(bad); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("x.npy"));
            zip.write(NpyFile.header(org.mmappickle.DType.FLOAT64, 4));
            zip.write(new byte[8]);
            zip.closeEntry();
        }
        IOException truncated = assertThrows(IOException.class, () -> NpzFile.read(bad));
        assertTrue(truncated.getMessage().contains("x.npy") && truncated.getMessage().contains("truncated"), truncated.getMessage());
    }
}
