package org.mmappickle.cli.view;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.DType;
import org.mmappickle.MaskedArray;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;

/** The viewer's server without a browser: its event stream, images, spectra, values, Stop, and files that go away. */
class ViewServerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static HttpResponse<byte[]> get(ViewServer v, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(v.uri().resolve(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(ViewServer v, String path) throws Exception {
        HttpResponse<byte[]> r = get(v, path);
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        return JSON.readTree(r.body());
    }

    /** Reads the event stream until a state satisfies the condition (the stream pushes; nothing here polls). */
    private static JsonNode awaitState(ViewServer v, Predicate<JsonNode> condition) throws Exception {
        HttpResponse<java.io.InputStream> r = HTTP.send(HttpRequest.newBuilder(v.uri().resolve("/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            // the stream pushes one state per commit: a state that never comes is a hang, which the
            // guard ends (it measures nothing)
            return org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofMinutes(2), () -> {
                JsonNode last = null;
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("data: ")) {
                        last = JSON.readTree(line.substring(6));
                        if (condition.test(last)) {
                            return last;
                        }
                    }
                }
                throw new AssertionError("the stream ended; no state matched; the last was " + last);
            });
        }
    }

    private static BufferedImage png(HttpResponse<byte[]> r) throws Exception {
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
        return ImageIO.read(new ByteArrayInputStream(r.body()));
    }

    @Test
    void framesSpectraValuesAndMetadataComeFromTheMappedFile() throws Exception {
        Path f = ViewTesting.emptyFile(dir.resolve("cap.mmdpickle"));
        ViewTesting.python(f, "putarray", "bands_nm", "np.linspace(400, 900, 6)");
        ViewTesting.appendFrame(f, 0);
        ViewTesting.python(f, "put", "notes", "{'operator': 'ada', 'gain': [1, 2]}");
        try (ViewServer v = ViewServer.start(f, "127.0.0.1", 0, false)) {
            JsonNode s = awaitState(v, st -> st.get("entries").size() == 4);
            assertEquals("frame_000", s.get("latest").asText());
            JsonNode frame = s.get("entries").get(1);
            assertEquals("frame_000", frame.get("key").asText());
            assertEquals("array", frame.get("kind").asText());
            assertEquals("float32", frame.get("dtype").asText());
            assertEquals("[32,40,6]", frame.get("shape").toString());
            assertEquals("dict", s.get("entries").get(3).get("kind").asText());
            // another process appends: the stream pushes the new state
            ViewTesting.appendFrame(f, 1);
            assertEquals("frame_001", awaitState(v, st -> st.get("entries").size() == 6).get("latest").asText());

            // the spectrum at a pixel is the array's values there, with the wavelengths
            JsonNode sp = json(v, "/api/spectrum?key=frame_001&y=7&x=33");
            try (MmapDict d = MmapDict.openReadOnly(f)) {
                NDArray px = d.getArray("frame_001").slice(0, 7).slice(0, 33);
                for (int b = 0; b < 6; b++) {
                    assertEquals(px.getFloat(b), (float) sp.get("values").get(b).asDouble(), "band " + b);
                }
            }
            assertEquals(900.0, sp.get("axis").get(5).asDouble());

            // one band in grey, three as RGB; the image changes between frames
            BufferedImage g0 = png(get(v, "/api/image?key=frame_000&bands=2"));
            BufferedImage g1 = png(get(v, "/api/image?key=frame_001&bands=2"));
            assertEquals(40, g0.getWidth());
            assertEquals(32, g0.getHeight());
            int differing = 0;
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 40; x++) {
                    int p = g0.getRGB(x, y);
                    assertTrue(((p >> 16) & 255) == (p & 255) && ((p >> 8) & 255) == (p & 255), "grey");
                    differing += p != g1.getRGB(x, y) ? 1 : 0;
                }
            }
            assertTrue(differing > 300, "pixels that differ between frames: " + differing);
            BufferedImage rgb = png(get(v, "/api/image?key=frame_001&bands=5,2,0"));
            int coloured = 0;
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 40; x++) {
                    int p = rgb.getRGB(x, y);
                    coloured += Math.abs(((p >> 16) & 255) - (p & 255)) > 40 ? 1 : 0;
                }
            }
            assertTrue(coloured > 100, "pixels whose red and blue differ: " + coloured);
            assertEquals(400, get(v, "/api/image?key=frame_001&bands=6").statusCode(), "band out of range");
            assertEquals(400, get(v, "/api/image?key=notes").statusCode(), "not an array");
            assertEquals(404, get(v, "/api/image?key=nope").statusCode());

            // a non-array value shows its repr; a frame shows the metadata with its number
            assertEquals("{'operator': 'ada', 'gain': [1, 2]}", json(v, "/api/value?key=notes").get("repr").asText());
            JsonNode meta = json(v, "/api/value?key=frame_001").get("meta");
            assertEquals(1, meta.size());
            assertEquals("meta_001", meta.get(0).get("key").asText());
            assertEquals("{'frame': 1, 'exposure_ms': 12.5}", meta.get(0).get("repr").asText());
        }
    }

    @Test
    void maskedValuesAreMagentaAndHugeArraysAreDownsampledNotCopied() throws Exception {
        Path f = dir.resolve("m.mmdpickle");
        try (MmapDict d = MmapDict.open(f)) {
            boolean[] mask = new boolean[20 * 30];
            double[] data = new double[20 * 30];
            for (int i = 0; i < data.length; i++) {
                data[i] = i % 30;
                mask[i] = i % 7 == 0;
            }
            data[5] = Double.NaN;
            d.put("masked", new MaskedArray(NDArray.of(data, 20, 30), NDArray.of(mask, 20, 30)));
            // 1.6 GB, sparse: rendering reads one pixel in 40 along each axis
            d.allocate("huge", DType.FLOAT32, 20_000, 20_000).setFloat(1f, 0, 0);
        }
        try (ViewServer v = ViewServer.start(f, "127.0.0.1", 0, true)) {
            awaitState(v, st -> st.get("entries").size() == 2);
            BufferedImage img = png(get(v, "/api/image?key=masked"));
            for (int i = 0; i < 600; i++) {
                int p = img.getRGB(i % 30, i / 30) & 0xFFFFFF;
                if (mask[i] || i == 5) {
                    assertEquals(0xFF00FF, p, "masked or NaN at " + i);
                } else {
                    assertEquals((p >> 16) & 255, p & 255, "grey at " + i);
                    assertEquals((p >> 8) & 255, p & 255, "grey at " + i);
                }
            }
            long before = usedHeap();
            HttpResponse<byte[]> huge = get(v, "/api/image?key=huge&side=500");
            BufferedImage h = png(huge);
            assertEquals(500, h.getWidth());
            assertEquals("40", huge.headers().firstValue("X-Step").orElse(""));
            assertTrue(usedHeap() - before < 200L << 20, "rendering a 1.6 GB array used " + (usedHeap() - before) + " bytes of heap");
            JsonNode sp = json(v, "/api/spectrum?key=masked&y=0&x=7");
            assertTrue(sp.get("masked").get(0).asBoolean());
        }
    }

    private static boolean[] mask = new boolean[20 * 30];
    static {
        for (int i = 0; i < mask.length; i++) {
            mask[i] = i % 7 == 0;
        }
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    void stopWritesCaptureControlThatPythonReadsAndReadOnlyRefusesIt() throws Exception {
        Path f = dir.resolve("s.mmdpickle");
        try (MmapDict d = MmapDict.open(f)) {
            // written by this library: plain pickle under numpy 2 loads it (the original layout's fromstring does not)
            d.setArray("frame_000", new float[4 * 5 * 3], 4, 5, 3);
        }
        byte[] before = Files.readAllBytes(f);
        try (ViewServer v = ViewServer.start(f, "127.0.0.1", 0, true)) {
            HttpResponse<byte[]> home = get(v, "/");
            String page = new String(home.body(), StandardCharsets.UTF_8);
            assertEquals(200, home.statusCode(), page);
            assertTrue(page.contains("const READ_ONLY = true;"), "the page drops the Stop button");
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(v.uri().resolve("/api/stop"))
                    .header(ViewServer.WRITE_HEADER, "1").POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(403, r.statusCode());
            assertArrayEquals(before, Files.readAllBytes(f), "--read-only never writes");
        }
        try (ViewServer v = ViewServer.start(f, "127.0.0.1", 0, false)) {
            HttpResponse<byte[]> forged = HTTP.send(HttpRequest.newBuilder(v.uri().resolve("/api/stop"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(400, forged.statusCode(), "a request without the page's header (another site's form) is refused");
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(v.uri().resolve("/api/stop"))
                    .header(ViewServer.WRITE_HEADER, "1").POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
            JsonNode s = awaitState(v, st -> st.get("entries").toString().contains("capture_control"));
            assertEquals("dict", s.get("entries").get(1).get("kind").asText());
        }
        Process p = new ProcessBuilder(System.getProperty("mmappickle.python", "python3"), "-c", """
                import pickle, sys, datetime
                c = pickle.load(open(sys.argv[1], 'rb'))['capture_control']
                print(c['stop'] is True, c['by'], type(c['time']).__name__, abs((datetime.datetime.now(datetime.timezone.utc) - c['time']).total_seconds()) < 60)
                """, f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("True viewer datetime True", out.strip());
    }

    @Test
    void aDeletedReplacedOrTruncatedFileShowsABannerAndTheServerFollows() throws Exception {
        Path f = ViewTesting.emptyFile(dir.resolve("d.mmdpickle"));
        ViewTesting.appendFrame(f, 0);
        try (ViewServer v = ViewServer.start(f, "127.0.0.1", 0, true)) {
            awaitState(v, st -> st.get("entries").size() == 2 && st.get("banner").isNull());
            Files.delete(f);
            assertTrue(awaitState(v, st -> !st.get("banner").isNull()).get("banner").asText().contains("was deleted"));
            // the last state stays viewable
            assertEquals(200, get(v, "/api/image?key=frame_000").statusCode());
            Path other = ViewTesting.emptyFile(dir.resolve("other.mmdpickle"));
            ViewTesting.appendFrame(other, 5);
            ViewTesting.appendFrame(other, 6);
            Files.move(other, f);
            JsonNode s = awaitState(v, st -> st.get("entries").size() == 4);
            assertTrue(s.get("banner").asText().contains("replaced"), s.toString());
            assertEquals("frame_006", s.get("latest").asText());
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.truncate(Files.size(f) - 500);
            }
            s = awaitState(v, st -> st.get("banner").asText("").contains("truncated"));
            // a value past the cut: an error for that request, the server keeps running
            HttpResponse<byte[]> cut = get(v, "/api/image?key=frame_006");
            assertNotEquals(200, cut.statusCode());
            assertEquals(200, get(v, "/").statusCode());
        }
    }
}
