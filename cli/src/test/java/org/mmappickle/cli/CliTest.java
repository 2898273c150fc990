package org.mmappickle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.MmapDict;
import org.mmappickle.cli.CliRun.Result;
import org.mmappickle.cli.json.TaggedJson;

/** Each subcommand on real files, the golden ones included, against Python where Python has something to say. */
class CliTest {

    @TempDir
    Path dir;

    private static Result run(String... args) {
        return CliRun.run(args);
    }

    private static Result ok(String... args) {
        Result r = run(args);
        assertEquals(0, r.status(), () -> String.join(" ", args) + " -> " + r);
        return r;
    }

    private static JsonNode manifest() throws IOException {
        return TaggedJson.read(Files.readString(CliRun.vectors().resolve("manifest.json"), StandardCharsets.UTF_8));
    }

    private static List<Path> goldenFiles() throws IOException {
        try (Stream<Path> s = Files.list(CliRun.vectors())) {
            return s.filter(p -> p.toString().endsWith(".mmdpickle")).sorted().toList();
        }
    }

    // -------------------------------------------------------------------------------------------- dump

    @Test
    void dumpJsonIsPickleToJsonTextForLoadableFilesAndTheManifestForTheOthers() throws Exception {
        assumeTrue(CliRun.hasNumpy(), "python3 with numpy is needed");
        JsonNode files = manifest().get("files");
        // pickle_to_json.py's own main(), once per file, in one Python process (numpy is slow to import)
        String code = """
                import contextlib, io, json, sys, warnings
                import pickle_to_json
                out = {}
                for f in sys.argv[1:]:
                    text, err = io.StringIO(), io.StringIO()
                    with warnings.catch_warnings(), contextlib.redirect_stdout(text), contextlib.redirect_stderr(err):
                        status = pickle_to_json.main(['pickle_to_json.py', f])
                    out[f] = [status, text.getvalue()]
                print(json.dumps(out))
                """;
        List<Path> golden = goldenFiles();
        Result batch = CliRun.python(code, golden.stream().map(Path::toString).toArray(String[]::new));
        assertEquals(0, batch.status(), batch::toString);
        JsonNode results = TaggedJson.read(batch.out());
        int exact = 0;
        int viaManifest = 0;
        for (Path f : golden) {
            Result ours = ok("dump", "--json", f.toString());
            JsonNode python = results.get(f.toString());
            if (python.get(0).intValue() == 0) {
                assertSameText(python.get(1).textValue(), ours.out(), f.getFileName().toString());
                exact++;
            } else {
                JsonNode expected = files.get(f.getFileName().toString()).get("keys");
                JsonNode got = TaggedJson.read(ours.out()).get("keys");
                assertEquals(TaggedJson.canonical(expected), TaggedJson.canonical(got), f.getFileName() + " vs manifest");
                viaManifest++;
            }
        }
        // values, empty and converted load in plain pickle; arrays, masked, history, vacuumed and the torn ones do not
        assertTrue(exact >= 3, "files compared with pickle_to_json: " + exact);
        assertTrue(viaManifest >= 4, "files compared with the manifest: " + viaManifest);
    }

    /**
     * The two texts are equal, except that the elements of a set of strings may come in another order: Python
     * lists a set in hash order, and string hashes change from one Python process to the next; we list them in
     * the order the file holds. Every value without a set must be the same text.
     */
    private static void assertSameText(String python, String ours, String what) {
        if (python.equals(ours)) {
            return;
        }
        JsonNode p = TaggedJson.read(python).get("keys");
        JsonNode o = TaggedJson.read(ours).get("keys");
        assertEquals(TaggedJson.canonical(p), TaggedJson.canonical(o), what);
        assertEquals(python.length(), ours.length(), what + ": same values, different text");
        List<String> pk = new ArrayList<>();
        p.fieldNames().forEachRemaining(pk::add);
        List<String> ok = new ArrayList<>();
        o.fieldNames().forEachRemaining(ok::add);
        assertEquals(pk, ok, what + ": key order");
        for (String k : pk) {
            String text = TaggedJson.write(p.get(k));
            if (!text.contains("{\"$set\": ") && !text.contains("{\"$frozenset\": ")) {
                assertEquals(text, TaggedJson.write(o.get(k)), what + ": " + k);
            }
        }
    }

    @Test
    void dumpJsonOfChosenKeysMatchesPickleToJson() throws Exception {
        assumeTrue(CliRun.hasNumpy(), "python3 with numpy is needed");
        String f = CliRun.vectors().resolve("values.mmdpickle").toString();
        String[] keys = {"set", "frozenset", "clé ✓", "np_float64", "int_big", "datetime"};
        List<String> ours = new ArrayList<>(List.of("dump", "--json", f));
        ours.addAll(List.of(keys));
        List<String> py = new ArrayList<>(List.of(f));
        py.addAll(List.of(keys));
        assertSameText(CliRun.pickleToJson(py.toArray(String[]::new)).out(), ok(ours.toArray(String[]::new)).out(), "keys");
    }

    @Test
    void dumpWithoutJsonPrintsWhatPythonsReprPrints() throws Exception {
        assumeTrue(CliRun.hasNumpy(), "python3 with numpy is needed");
        String f = CliRun.vectors().resolve("values.mmdpickle").toString();
        String code = """
                import pickle, sys
                d = pickle.load(open(sys.argv[1], 'rb'))
                for k, v in d.items():
                    # OrderedDict's repr changed in Python 3.12 (we print the new one); a frozenset of strings is
                    # printed in hash order, which changes from one Python process to the next
                    if k not in ('ordered', 'frozenset'):
                        print(k + ': ' + repr(v))
                """;
        Result py = CliRun.python(code, f);
        assertEquals(0, py.status(), py::toString);
        List<String> ours = new ArrayList<>(ok("dump", f).outLines());
        ours.removeIf(l -> l.startsWith("ordered: ") || l.startsWith("frozenset: "));
        assertEquals(py.outLines(), ours);
        assertEquals("OrderedDict({'z': 1, 'a': 2})", ok("get", f, "ordered").out().strip());
    }

    @Test
    void dumpRendersArraysLikeNumpy() {
        String f = CliRun.vectors().resolve("arrays.mmdpickle").toString();
        Result r = ok("dump", f, "u8", "i16_2d", "f64_be");
        assertEquals("""
                u8: array([1, 2, 3], dtype=uint8)
                i16_2d: array([[-6, -5, -4, -3],
                               [-2, -1,  0,  1],
                               [ 2,  3,  4,  5]], dtype=int16)
                f64_be: array([0., 1., 2., 3.], dtype='>f8')
                """, r.out());
        assertEquals("array([1, 2, 3], dtype=uint8)\n", ok("get", f, "u8").out());
    }

    // -------------------------------------------------------------------------------------------- ls, info

    @Test
    void lsListsKindDtypeShapeBytesLayoutAndKey() throws Exception {
        String arrays = CliRun.vectors().resolve("arrays.mmdpickle").toString();
        List<String> lines = ok("ls", arrays).outLines();
        assertEquals(25, lines.size());
        assertEquals(List.of("ndarray", "uint8", "(3,)", "3", "original", "u8"), Arrays.asList(lines.get(0).trim().split("\\s+")));
        assertTrue(lines.stream().allMatch(l -> l.contains(" original ")), lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.matches("ndarray\\s+float64\\s+\\(\\)\\s+8\\s+original\\s+scalar_0d")), lines::toString);

        String masked = CliRun.vectors().resolve("masked.mmdpickle").toString();
        assertTrue(ok("ls", masked).outLines().getFirst().matches("masked\\s+float64\\s+\\(2, 3\\)\\s+54\\s+original\\s+masked_f64"));

        String values = CliRun.vectors().resolve("values.mmdpickle").toString();
        assertTrue(ok("ls", values).outLines().stream().allMatch(l -> l.startsWith("value ")));

        // history: 3 live keys, and with --all the 4 deleted entries with their offsets, in file order
        String history = CliRun.vectors().resolve("history.mmdpickle").toString();
        assertEquals(3, ok("ls", history).outLines().size());
        List<String> all = ok("ls", "--all", history).outLines();
        assertEquals(7, all.size());
        assertEquals(4, all.stream().filter(l -> l.contains(" deleted ")).count());
        assertTrue(all.getFirst().matches("\\s*24\\s+\\d+\\s+deleted\\s+.*"), all::toString);

        JsonNode json = TaggedJson.read(ok("ls", "--all", "--json", history).out());
        assertEquals(7, json.size());
        JsonNode b = json.get(5);
        assertEquals("b", b.get("key").textValue());
        assertEquals("<f4", b.get("dtype").textValue());
        assertEquals("original", b.get("layout").textValue());
        assertEquals("valid", b.get("state").textValue());
        assertEquals(3, b.get("shape").get(0).intValue());

        // our layout, written through the command line
        Path f = dir.resolve("ours.mmdpickle");
        ok("put", f.toString(), "a", "--json", "{\"$ndarray\": {\"dtype\": \"<f4\", \"shape\": [2, 2], \"data\": [1.0, 2.0, 3.0, 4.0]}}");
        ok("put", f.toString(), "o", "--layout", "original", "--json", "{\"$ndarray\": {\"dtype\": \"|u1\", \"shape\": [1], \"data\": [7]}}");
        ok("put", f.toString(), "t", "--text", "hello");
        List<String> ours = ok("ls", f.toString()).outLines();
        assertTrue(ours.get(0).matches("ndarray\\s+float32\\s+\\(2, 2\\)\\s+16\\s+ours\\s+a"), ours::toString);
        assertTrue(ours.get(1).matches("ndarray\\s+uint8\\s+\\(1,\\)\\s+1\\s+original\\s+o"), ours::toString);
        assertTrue(ours.get(2).matches("value\\s+-\\s+-\\s+\\d+\\s+-\\s+t"), ours::toString);
    }

    @Test
    void infoNamesTheFileSystemAndTheSharingMode() throws Exception {
        Path local = dir.resolve("local.mmdpickle");
        ok("put", local.toString(), "a", "--text", "hello");
        String text = ok("info", local.toString()).out();
        // the temporary folder is on a local file system here (ext4 or tmpfs), never a network one
        assertTrue(text.matches("(?s).*file system:\\s+(ext4/ext3/ext2|tmpfs|xfs|btrfs|overlayfs); sharing mode: local\\n.*"),
                text);
        JsonNode j = TaggedJson.read(ok("info", "--json", local.toString()).out());
        assertEquals("local", j.get("sharing").asText());
        assertFalse(j.get("file_system").asText().isEmpty());
    }

    @Test
    void infoSaysWhatPlainPickleCanLoad() throws Exception {
        String arrays = CliRun.vectors().resolve("arrays.mmdpickle").toString();
        String text = ok("info", arrays).out();
        assertTrue(text.contains("commit number:    25"), text);
        assertTrue(text.contains("numpy 2.x no ("), text);
        assertTrue(text.contains("25 valid, 0 deleted"), text);

        JsonNode history = TaggedJson.read(ok("info", "--json", CliRun.vectors().resolve("history.mmdpickle").toString()).out());
        assertEquals(3, history.get("valid").intValue());
        assertEquals(4, history.get("deleted").intValue());
        assertEquals(11, history.get("commit_number").intValue());
        assertEquals(423, history.get("apparent_size").intValue());
        assertTrue(history.get("deleted_bytes").longValue() > 0);
        assertFalse(history.get("plain_pickle_numpy2").booleanValue());

        JsonNode torn = TaggedJson.read(ok("info", "--json", CliRun.vectors().resolve("torn-minus12.mmdpickle").toString()).out());
        assertTrue(torn.get("torn_bytes").longValue() > 0);
        assertFalse(torn.get("plain_pickle_numpy1").booleanValue());

        Path f = dir.resolve("new.mmdpickle");
        ok("alloc", f.toString(), "cube", "float32", "4,5,6");
        ok("put", f.toString(), "meta", "--json", "{\"frame\": 1}");
        JsonNode ours = TaggedJson.read(ok("info", "--json", f.toString()).out());
        assertTrue(ours.get("plain_pickle_numpy2").booleanValue());
        assertEquals(1, ours.get("arrays_ours").intValue());
        assertTrue(ok("info", f.toString()).out().contains("numpy 2.x yes; numpy 1.x yes"));
        assertTrue(ours.get("leftover_compaction").isNull());
    }

    @Test
    void infoReportsAKilledCompactionsLeftoverAndRepairRemovesIt() throws Exception {
        Path f = dir.resolve("left.mmdpickle");
        ok("put", f.toString(), "a", "--text", "x");
        Path leftover = dir.resolve("left.mmdpickle.compacting");
        Files.write(leftover, new byte[4096]);   // what a compaction killed mid-copy leaves beside the file
        String text = ok("info", f.toString()).out();
        assertTrue(text.contains("leftover:") && text.contains(leftover.getFileName().toString()), text);
        assertEquals(leftover.toAbsolutePath().toString(),
                TaggedJson.read(ok("info", "--json", f.toString()).out()).get("leftover_compaction").textValue());
        assertTrue(Files.exists(leftover), "info only reports it");
        ok("repair", f.toString());
        assertFalse(Files.exists(leftover), "repair removes it");
        assertFalse(ok("info", f.toString()).out().contains("leftover:"));
    }

    // -------------------------------------------------------------------------------------------- put, get

    /** Every tagged form: the golden manifests' values (arrays given by sha256 excepted) and the forms they lack. */
    private static Map<String, String> taggedForms() throws IOException {
        Map<String, String> forms = new LinkedHashMap<>();
        JsonNode files = manifest().get("files");
        for (String file : List.of("values.mmdpickle", "arrays.mmdpickle", "masked.mmdpickle")) {
            files.get(file).get("keys").properties().forEach(e -> {
                if (!e.getValue().toString().contains("\"sha256\"")) {
                    forms.put(file + ":" + e.getKey(), TaggedJson.write(e.getValue()));
                }
            });
        }
        forms.put("npscalar_f4", "{\"$npscalar\": {\"dtype\": \"<f4\", \"value\": 0.5}}");
        forms.put("npscalar_u8", "{\"$npscalar\": {\"dtype\": \"<u8\", \"value\": 18446744073709551615}}");
        forms.put("npscalar_b1", "{\"$npscalar\": {\"dtype\": \"|b1\", \"value\": true}}");
        forms.put("npscalar_c16", "{\"$npscalar\": {\"dtype\": \"<c16\", \"value\": [1.0, -2.5]}}");
        forms.put("datetime_utc", "{\"$datetime\": \"2024-02-29T13:45:07.123456+00:00\"}");
        forms.put("datetime_offset", "{\"$datetime\": \"2024-02-29T13:45:07+05:30\"}");
        forms.put("empty_set", "{\"$set\": []}");
        forms.put("empty_frozenset", "{\"$frozenset\": []}");
        forms.put("bytearray_empty", "{\"$bytearray\": \"\"}");
        forms.put("float_neg_zero", "-0.0");
        forms.put("float_pos_inf", "{\"$float\": \"inf\"}");
        forms.put("tuple_one", "{\"$tuple\": [null]}");
        forms.put("dict_in_dict", "{\"$dict\": [[{\"$frozenset\": [1]}, {\"$dict\": [[2.5, null]]}]]}");
        forms.put("control_chars", "\"a\\u0000b\\nc\\t\\\"\\\\\"");
        forms.put("timedelta_ns", "{\"$ndarray\": {\"dtype\": \"<m8[ns]\", \"shape\": [2], \"data\": [1, -1]}}");
        forms.put("masked_0d", "{\"$masked\": {\"data\": {\"$ndarray\": {\"dtype\": \"<f8\", \"shape\": [], \"data\": [1.5]}}, "
                + "\"mask\": {\"$ndarray\": {\"dtype\": \"|b1\", \"shape\": [], \"data\": [true]}}}}");
        return forms;
    }

    @Test
    void putJsonOfEveryTaggedFormRoundTripsThroughGetJson() throws Exception {
        Path f = dir.resolve("forms.mmdpickle");
        int arrays = 0;
        for (Map.Entry<String, String> e : taggedForms().entrySet()) {
            String key = e.getKey().length() > 200 ? e.getKey().substring(0, 200) : e.getKey();
            JsonNode expected = TaggedJson.canonical(TaggedJson.read(e.getValue()));
            ok("put", f.toString(), key, "--json", e.getValue());
            JsonNode got = TaggedJson.read(ok("get", "--json", f.toString(), key).out());
            assertEquals(expected, TaggedJson.canonical(got), key);
            if (e.getValue().startsWith("{\"$ndarray\"") || e.getValue().startsWith("{\"$masked\"")) {
                arrays++;
                ok("put", "--layout", "original", f.toString(), key + ":original", "--json", e.getValue());
                got = TaggedJson.read(ok("get", "--json", f.toString(), key + ":original").out());
                assertEquals(expected, TaggedJson.canonical(got), key + " in the original layout");
            }
        }
        assertTrue(arrays > 20, "array forms: " + arrays);
        // the whole file as Python sees it: every form, and the same again through dump
        JsonNode all = TaggedJson.read(ok("dump", "--json", f.toString()).out()).get("keys");
        assertEquals(taggedForms().size() + arrays, all.size());
    }

    @Test
    void putTextNpyAndReplace() throws Exception {
        Path f = dir.resolve("p.mmdpickle");
        ok("put", f.toString(), "s", "--text", "@not-a-file é");
        assertEquals("'@not-a-file é'\n", ok("get", f.toString(), "s").out());
        ok("put", f.toString(), "s", "--json", "[1, 2]");
        assertEquals("[1, 2]\n", ok("get", f.toString(), "s").out());
        JsonNode info = TaggedJson.read(ok("info", "--json", f.toString()).out());
        assertEquals(1, info.get("deleted").intValue());

        // a .npy written by our own writer, big enough for the two-phase copy (over 1 MiB)
        Path npy = dir.resolve("big.npy");
        double[] data = new Random(7).doubles(200_000).toArray();
        org.mmappickle.cli.npy.NpyFile.write(npy, org.mmappickle.NDArray.of(data, 400, 500));
        ok("put", f.toString(), "big", "--npy", npy.toString());
        try (MmapDict d = MmapDict.openReadOnly(f)) {
            org.mmappickle.NDArray a = (org.mmappickle.NDArray) d.get("big");
            assertEquals(List.of(400L, 500L), Arrays.stream(a.shape()).boxed().toList());
            assertEquals(data[123_456], a.flatDouble(123_456));
        }
        JsonNode big = TaggedJson.read(ok("get", "--json", f.toString(), "big").out());
        assertTrue(big.get("$ndarray").has("sha256"), "arrays over 64 KiB are given by sha256");
        assertTrue(TaggedJson.read(ok("get", "--json", "--full", f.toString(), "big").out()).get("$ndarray").has("data"));
    }

    // -------------------------------------------------------------------------------------------- alloc, rm

    @Test
    void allocAddsZerosInEitherLayout() {
        Path f = dir.resolve("a.mmdpickle");
        ok("alloc", f.toString(), "z", "float32", "3,4");
        ok("alloc", "--layout", "original", "--reserve", f.toString(), "o", "<i2", "(2,)");
        ok("alloc", f.toString(), "s", "float64", "");
        assertEquals("{\"$ndarray\": {\"dtype\": \"<f4\", \"shape\": [3, 4], \"data\": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, "
                + "0.0, 0.0, 0.0, 0.0, 0.0, 0.0]}}\n", ok("get", "--json", f.toString(), "z").out());
        List<String> ls = ok("ls", f.toString()).outLines();
        assertTrue(ls.get(1).matches("ndarray\\s+int16\\s+\\(2,\\)\\s+4\\s+original\\s+o"), ls::toString);
        assertTrue(ls.get(2).matches("ndarray\\s+float64\\s+\\(\\)\\s+8\\s+ours\\s+s"), ls::toString);
    }

    @Test
    void rmDeletesAllOrNothing() {
        Path f = dir.resolve("r.mmdpickle");
        for (String k : List.of("a", "b", "c")) {
            ok("put", f.toString(), k, "--text", k);
        }
        Result missing = run("rm", f.toString(), "a", "nope");
        assertEquals(1, missing.status());
        assertEquals(1, missing.errLines().size(), missing::toString);
        assertTrue(missing.err().contains("'nope'"));
        assertEquals(3, ok("ls", f.toString()).outLines().size(), "nothing deleted");
        ok("rm", f.toString(), "a", "b");
        ok("rm", "-f", f.toString(), "nope", "c");
        assertEquals("", ok("ls", f.toString()).out());
        assertEquals(3, ok("ls", "--all", f.toString()).outLines().size());
    }

    // -------------------------------------------------------------------------------------------- export, import

    @Test
    void exportIsWhatNumpyLoadsAndSavesByteForByte() throws Exception {
        assumeTrue(CliRun.hasNumpy(), "python3 with numpy is needed");
        Path f = dir.resolve("e.mmdpickle");
        Map<String, String> arrays = new LinkedHashMap<>();
        taggedForms().forEach((k, v) -> {
            if (v.startsWith("{\"$ndarray\"")) {
                arrays.put(k.replaceAll("[^A-Za-z0-9_]", "_"), v);
            }
        });
        StringBuilder big = new StringBuilder("{\"$ndarray\": {\"dtype\": \"<f8\", \"shape\": [100, 200], \"data\": [");
        for (int i = 0; i < 20_000; i++) {
            big.append(i == 0 ? "" : ", ").append(i * 0.25);
        }
        arrays.put("big_f8", big.append("]}}").toString());
        Map<String, JsonNode> expected = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : arrays.entrySet()) {
            ok("put", f.toString(), e.getKey(), "--json", e.getValue());
            Path npy = dir.resolve(e.getKey() + ".npy");
            ok("export", f.toString(), e.getKey(), npy.toString());
            expected.put(npy.toString(), TaggedJson.canonical(TaggedJson.read(e.getValue())));
        }
        String code = """
                import io, json, sys
                import numpy as np
                from tagged_json import to_tagged
                out = {}
                for p in sys.argv[1:]:
                    a = np.load(p)
                    b = io.BytesIO()
                    np.save(b, a)
                    out[p] = {'value': to_tagged(a, big=1 << 62), 'same_bytes': b.getvalue() == open(p, 'rb').read()}
                print(json.dumps(out))
                """;
        Result py = CliRun.python(code, expected.keySet().toArray(String[]::new));
        assertEquals(0, py.status(), py::toString);
        JsonNode res = TaggedJson.read(py.out());
        for (Map.Entry<String, JsonNode> e : expected.entrySet()) {
            assertEquals(e.getValue(), TaggedJson.canonical(res.get(e.getKey()).get("value")), e.getKey());
            assertTrue(res.get(e.getKey()).get("same_bytes").booleanValue(), e.getKey() + ": not numpy.save's bytes");
        }

        // a masked array goes to an .npz of data and mask; not to a .npy
        String masked = TaggedJson.write(manifest().get("files").get("masked.mmdpickle").get("keys").get("masked_f64"));
        ok("put", f.toString(), "m", "--json", masked);
        Result toNpy = run("export", f.toString(), "m", dir.resolve("m.npy").toString());
        assertEquals(1, toNpy.status());
        assertEquals(1, toNpy.errLines().size(), toNpy::toString);
        ok("export", f.toString(), "m", dir.resolve("m.npz").toString());
        Result npz = CliRun.python("""
                import json, sys
                import numpy as np
                from tagged_json import to_tagged
                z = np.load(sys.argv[1])
                print(json.dumps({'$masked': {'data': to_tagged(z['data']), 'mask': to_tagged(z['mask'])}}))
                """, dir.resolve("m.npz").toString());
        assertEquals(TaggedJson.canonical(TaggedJson.read(masked)), TaggedJson.canonical(TaggedJson.read(npz.out())), npz::toString);
    }

    @Test
    void importReadsWhatNumpySavesInEveryVersion() throws Exception {
        assumeTrue(CliRun.hasNumpy(), "python3 with numpy is needed");
        String code = """
                import json, sys, os
                import numpy as np
                from tagged_json import to_tagged
                d = sys.argv[1]
                arrays = {
                    'f4': np.arange(12, dtype='<f4').reshape(3, 4) / 3,
                    'be': np.array([1, -2, 3], dtype='>i8'),
                    'fortran': np.asfortranarray(np.arange(6.0).reshape(2, 3)),
                    'U': np.array(['ab', 'c\\u00e9'], dtype='<U2'),
                    'S': np.array([b'x', b'yz'], dtype='|S2'),
                    'c8': np.array([1 + 2j, -3j], dtype='<c8'),
                    'b1': np.array([[True, False]]),
                    'M8': np.array([0, 10**18], dtype='<M8[ns]'),
                    'zero': np.zeros((0, 2), dtype='<u2'),
                    'scalar': np.array(2.5),
                    'big': np.random.default_rng(3).standard_normal((300, 100)),
                }
                out = {}
                for k, a in arrays.items():
                    np.save(os.path.join(d, k + '.npy'), a)
                    out[k] = to_tagged(a, big=1 << 62)
                for v in ((2, 0), (3, 0)):
                    k = 'v%d' % v[0]
                    with open(os.path.join(d, k + '.npy'), 'wb') as f:
                        np.lib.format.write_array(f, arrays['U'], version=v)
                    out[k] = to_tagged(arrays['U'], big=1 << 62)
                np.savez(os.path.join(d, 'pair.npz'), first=arrays['f4'], second=arrays['be'])
                np.savez_compressed(os.path.join(d, 'packed.npz'), only=arrays['big'])
                out['pair/first'] = to_tagged(arrays['f4'], big=1 << 62)
                out['pair/second'] = to_tagged(arrays['be'], big=1 << 62)
                out['only'] = to_tagged(arrays['big'], big=1 << 62)
                print(json.dumps(out))
                """;
        Result py = CliRun.python(code, dir.toString());
        assertEquals(0, py.status(), py::toString);
        JsonNode expected = TaggedJson.read(py.out());
        Path f = dir.resolve("i.mmdpickle");
        for (String k : List.of("f4", "be", "fortran", "U", "S", "c8", "b1", "M8", "zero", "scalar", "big", "v2", "v3")) {
            ok("import", f.toString(), dir.resolve(k + ".npy").toString());
        }
        ok("import", f.toString(), dir.resolve("pair.npz").toString(), "pair");
        ok("import", "--layout", "original", f.toString(), dir.resolve("packed.npz").toString());
        expected.properties().forEach(e -> {
            JsonNode got = TaggedJson.read(ok("get", "--json", "--full", f.toString(), e.getKey()).out());
            assertEquals(TaggedJson.canonical(e.getValue()), TaggedJson.canonical(got), e.getKey());
        });
        assertTrue(ok("ls", f.toString()).outLines().stream().anyMatch(l -> l.matches(".*original\\s+only")));
        Result bad = run("import", f.toString(), CliRun.vectors().resolve("values.mmdpickle").toString());
        assertEquals(1, bad.status());
        assertEquals(1, bad.errLines().size(), bad::toString);
    }

    // -------------------------------------------------------------------------------------------- watch

    @Test
    void watchReportsTheChangesOfAnotherWriter() throws Exception {
        Path f = dir.resolve("w.mmdpickle");
        ok("put", f.toString(), "before", "--text", "x");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> watch = CompletableFuture.supplyAsync(() -> Main.execute(new PrintWriter(out, true),
                new PrintWriter(err, true), "watch", f.toString(), "--limit", "4", "--timeout", "60", "--interval", "5"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!out.toString().contains("watching") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        // another descriptor of the file, as another process would have; pauses so that each change is one look
        try (MmapDict d = MmapDict.open(f)) {
            d.put("a", 1);
            Thread.sleep(300);
            d.put("a", 2);
            Thread.sleep(300);
            d.setArray("cube", new float[24], 2, 3, 4);
            Thread.sleep(300);
            d.remove("before");
        }
        assertEquals(0, watch.get(60, TimeUnit.SECONDS), err::toString);
        List<String> lines = List.of(out.toString().split("\\R"));
        assertEquals(5, lines.size(), out::toString);
        assertTrue(lines.get(1).matches(".*commit \\d+  added  'a'  1"), lines::toString);
        assertTrue(lines.get(2).matches(".*commit \\d+  replaced  'a'  2"), lines::toString);
        assertTrue(lines.get(3).matches(".*added  'cube'  ndarray float32 \\(2, 3, 4\\)"), lines::toString);
        assertTrue(lines.get(4).matches(".*deleted  'before'"), lines::toString);

        Result fromStart = ok("watch", "--from-start", "--limit", "2", f.toString());
        assertEquals(2, fromStart.outLines().size(), fromStart::toString);
        assertTrue(fromStart.outLines().getFirst().contains("added  'a'"), fromStart::toString);
    }

    // -------------------------------------------------------------------------------------------- errors

    @Test
    void badUsageGivesStatusTwoAndOneLine() {
        String f = dir.resolve("u.mmdpickle").toString();
        List<String[]> cases = List.of(
                new String[] {},
                new String[] {"frobnicate"},
                new String[] {"ls"},
                new String[] {"ls", f, "--colour"},
                new String[] {"get", f},
                new String[] {"put", f, "k"},
                new String[] {"put", f, "k", "--text", "a", "--json", "1"},
                new String[] {"put", f, "k", "--json", "{not json"},
                new String[] {"put", f, "k", "--json", "{\"$ndarray\": {\"dtype\": \"<f8\", \"shape\": [2], \"data\": [1.0]}}"},
                new String[] {"put", f, "k", "--text", "a", "--layout", "sideways"},
                new String[] {"alloc", f, "k", "float99", "3"},
                new String[] {"alloc", f, "k", "float32", "3,x"},
                new String[] {"alloc", f, "k", "float32", "-3"},
                new String[] {"rm", f},
                new String[] {"export", f, "k"},
                new String[] {"watch", f, "--interval", "0"},
                new String[] {"demo", "--size", "big"},
                new String[] {"demo", "--size", "8x8x1"},
                new String[] {"demo", "--frames", "0"});
        for (String[] args : cases) {
            Result r = run(args);
            assertEquals(2, r.status(), () -> Arrays.toString(args) + " -> " + r);
            assertEquals(1, r.errLines().size(), () -> Arrays.toString(args) + " -> " + r);
            assertTrue(r.err().startsWith("mmappickle"), r::toString);
            assertTrue(r.err().contains("--help"), r::toString);
            assertEquals("", r.out(), r::toString);
        }
        assertFalse(Files.exists(Path.of(f)), "no usage error may create the file");
    }

    @Test
    void badFilesGiveStatusOneAndOneLineWithoutAStackTrace() throws Exception {
        Path garbage = dir.resolve("garbage.mmdpickle");
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        Files.write(garbage, noise);
        Path truncated = dir.resolve("truncated.mmdpickle");
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(CliRun.vectors().resolve("values.mmdpickle")), 10));
        Path empty = dir.resolve("empty.mmdpickle");
        Files.write(empty, new byte[0]);
        Path corrupt = dir.resolve("corrupt.mmdpickle");
        byte[] values = Files.readAllBytes(CliRun.vectors().resolve("values.mmdpickle"));
        values[24] = 0x11;   // the first entry's FRAME opcode: the rest of the file is no longer entries
        Files.write(corrupt, values);
        String missing = dir.resolve("missing.mmdpickle").toString();
        String plain = CliRun.vectors().resolve("plain-protocol4.pkl").toString();
        String vals = CliRun.vectors().resolve("values.mmdpickle").toString();
        List<String[]> cases = new ArrayList<>();
        for (String cmd : List.of("ls", "info", "dump")) {
            for (Path p : List.of(garbage, truncated, empty, corrupt)) {
                cases.add(new String[] {cmd, p.toString()});
            }
            cases.add(new String[] {cmd, missing});
            cases.add(new String[] {cmd, plain});
            cases.add(new String[] {cmd, dir.toString()});
        }
        cases.add(new String[] {"get", vals, "no such key"});
        cases.add(new String[] {"dump", "--json", vals, "no such key"});
        cases.add(new String[] {"export", vals, "str_ascii", dir.resolve("x.npy").toString()});
        cases.add(new String[] {"export", vals, "nope", dir.resolve("x.npy").toString()});
        cases.add(new String[] {"put", garbage.toString(), "k", "--text", "v"});
        cases.add(new String[] {"put", dir.resolve("p.mmdpickle").toString(), "k", "--npy", missing});
        cases.add(new String[] {"put", dir.resolve("p.mmdpickle").toString(), "k".repeat(300), "--text", "v"});
        cases.add(new String[] {"rm", missing, "k"});
        cases.add(new String[] {"import", dir.resolve("p.mmdpickle").toString(), missing});
        cases.add(new String[] {"watch", missing});
        for (String[] args : cases) {
            Result r = run(args);
            assertEquals(1, r.status(), () -> Arrays.toString(args) + " -> " + r);
            assertEquals(1, r.errLines().size(), () -> Arrays.toString(args) + " -> " + r);
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r::toString);
            assertFalse(r.err().contains("internal error"), r::toString);
        }
        assertEquals(values.length, Files.size(corrupt), "a failed command does not change the file");
        assertEquals(10, Files.size(truncated));
        assertEquals(0, Files.size(empty));
    }

    @Test
    void verboseAddsTheStackTrace() {
        Result r = run("ls", "--verbose", dir.resolve("missing").toString());
        assertEquals(1, r.status());
        assertTrue(r.errLines().size() > 3, r::toString);
        assertTrue(r.errLines().getFirst().endsWith("no such file"), r::toString);
    }

    @Test
    void everySubcommandHasHelpAndSelfcheckLoadsTheLibrary() {
        for (String cmd : List.of("ls", "info", "dump", "get", "put", "alloc", "rm", "export", "import", "watch", "demo",
                "selfcheck")) {
            Result r = ok(cmd, "--help");
            assertTrue(r.out().startsWith("Usage: mmappickle " + cmd), r::toString);
        }
        assertFalse(ok("--help").out().contains("demo-viewer"), "the viewer is the demo's, not the user's");
        assertTrue(ok("selfcheck").out().matches("(?s)io: native library .+ \\(version \\d+\\.\\d+\\.\\d+, linux-x86_64\\).*"));
        assertTrue(ok("--version").out().startsWith("mmappickle for Java"));
    }
}
