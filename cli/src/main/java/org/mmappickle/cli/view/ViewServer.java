package org.mmappickle.cli.view;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mmappickle.MaskedArray;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.cli.PyRepr;

/**
 * The viewer's web server (the JDK's {@code jdk.httpserver}): the page, an event stream of the file's entries
 * (server-sent events, pushed when the change watcher sees a commit), PNG images and spectra read through mapped
 * views, values and metadata as text, and the Stop capture button's write of {@value #CONTROL_KEY}.
 */
public final class ViewServer implements AutoCloseable {
    /** The key the Stop capture button writes: {@code {'stop': True, 'by': 'viewer', 'time': datetime}}. */
    public static final String CONTROL_KEY = "capture_control";
    /** The header a request that changes the file must carry: a page of another site cannot send it. */
    static final String WRITE_HEADER = "X-Mmappickle-Viewer";
    /** The largest side of a rendered image by default. */
    private static final int DEFAULT_SIDE = 512;
    /** The longest text of a value sent to the page. */
    private static final int MAX_REPR = 20_000;
    /** How often an idle event stream sends a comment, so that a closed browser is noticed. */
    private static final long HEARTBEAT_SECONDS = 10;
    /** A key's number: the digits at its end ({@code 007} of {@code frame_007}). */
    private static final Pattern SUFFIX = Pattern.compile("^(.*?)(\\d+)$");

    private final FollowedFile file;
    private final boolean readOnly;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final ObjectMapper json = new ObjectMapper();

    private ViewServer(FollowedFile file, boolean readOnly, HttpServer server) {
        this.file = file;
        this.readOnly = readOnly;
        this.server = server;
    }

    /**
     * Starts a viewer of the file.
     *
     * @param path the file to view (it may not exist yet)
     * @param bind the address to listen on
     * @param port the port, 0 for any free one
     * @param readOnly whether to leave out the Stop capture button (and refuse its request)
     * @return the running server
     * @throws IOException when the address cannot be bound
     */
    public static ViewServer start(Path path, String bind, int port, boolean readOnly) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(bind, port), 64);
        FollowedFile f = new FollowedFile(path.toAbsolutePath());
        ViewServer v = new ViewServer(f, readOnly, http);
        http.setExecutor(v.threads);
        http.createContext("/", v.guard(v::page));
        http.createContext("/events", v.guard(v::events));
        http.createContext("/api/image", v.guard(v::image));
        http.createContext("/api/spectrum", v.guard(v::spectrum));
        http.createContext("/api/value", v.guard(v::value));
        http.createContext("/api/stop", v.guard(v::stop));
        f.start();
        http.start();
        return v;
    }

    /**
     * Returns the page's address.
     *
     * @return the URL of the page
     */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
    }

    private interface Handler {
        void handle(HttpExchange x) throws Exception;
    }

    /** Turns a handler's failure into a one-line 500 (or 400/404 for bad requests): the server keeps running. */
    private com.sun.net.httpserver.HttpHandler guard(Handler h) {
        return x -> {
            try {
                h.handle(x);
            } catch (BadRequest e) {
                send(x, e.status, "text/plain; charset=utf-8", e.getMessage().getBytes(StandardCharsets.UTF_8));
            } catch (Exception | InternalError e) {
                String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
                try {
                    send(x, 500, "text/plain; charset=utf-8", msg.getBytes(StandardCharsets.UTF_8));
                } catch (IOException | RuntimeException gone) {
                    // the browser left, or the response had begun
                }
            } finally {
                x.close();
            }
        };
    }

    /** A request the server refuses, with its status. */
    private static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream o = x.getResponseBody()) {
                o.write(body);
            }
        }
    }

    private void sendJson(HttpExchange x, Object value) throws IOException {
        send(x, 200, "application/json", json.writeValueAsBytes(value));
    }

    private static Map<String, String> query(HttpExchange x) {
        Map<String, String> q = new HashMap<>();
        String raw = x.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String part : raw.split("&")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private static String required(Map<String, String> q, String name) throws BadRequest {
        String v = q.get(name);
        if (v == null) {
            throw new BadRequest(400, "missing parameter '" + name + "'");
        }
        return v;
    }

    private static long number(Map<String, String> q, String name, long fallback) throws BadRequest {
        String v = q.get(name);
        try {
            return v == null || v.isEmpty() ? fallback : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "parameter '" + name + "' is not a number: " + v);
        }
    }

    // ------------------------------------------------------------------------------------------ the page

    private void page(HttpExchange x) throws Exception {
        if (!x.getRequestURI().getPath().equals("/")) {
            throw new BadRequest(404, "no such page: " + x.getRequestURI().getPath());
        }
        byte[] html;
        try (InputStream in = ViewServer.class.getResourceAsStream("page.html")) {
            html = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("@READ_ONLY@", Boolean.toString(readOnly))
                    .replace("@FILE@", file.path().getFileName().toString().replace("<", "&lt;"))
                    .getBytes(StandardCharsets.UTF_8);
        }
        send(x, 200, "text/html; charset=utf-8", html);
    }

    /** Server-sent events: the state now, then each new state as the follower publishes it. */
    private void events(HttpExchange x) throws Exception {
        LinkedBlockingQueue<Map<String, Object>> queue = new LinkedBlockingQueue<>();
        Runnable stop = file.listen(queue::add);
        x.getResponseHeaders().set("Content-Type", "text/event-stream");
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(200, 0);
        try (OutputStream o = x.getResponseBody()) {
            Map<String, Object> s = file.state();
            while (true) {
                if (s != null) {
                    // the latest state only: a slow browser skips states, never falls behind
                    Map<String, Object> newer;
                    while ((newer = queue.poll()) != null) {
                        s = newer;
                    }
                    o.write(("event: state\ndata: " + json.writeValueAsString(state(s)) + "\n\n").getBytes(StandardCharsets.UTF_8));
                } else {
                    o.write(":\n\n".getBytes(StandardCharsets.UTF_8));
                }
                o.flush();
                s = queue.poll(HEARTBEAT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (IOException browserLeft) {
            // the page was closed or reloaded
        } finally {
            stop.run();
        }
    }

    private Map<String, Object> state(Map<String, Object> s) {
        Map<String, Object> m = new LinkedHashMap<>(s);
        m.put("readOnly", readOnly);
        return m;
    }

    // ------------------------------------------------------------------------------------------ arrays

    /** The array of a key as a (data, mask) pair; the mask is null for a plain array. */
    private record Viewed(NDArray data, NDArray mask) {
    }

    private static Viewed viewed(MmapDict d, String key) throws BadRequest {
        Object v = d.get(key);
        if (v instanceof NDArray a) {
            return new Viewed(a, null);
        }
        if (v instanceof MaskedArray m) {
            return new Viewed(m.data(), m.mask());
        }
        throw new BadRequest(v == null ? 404 : 400, v == null ? "no key '" + key + "'" : "'" + key + "' is not an array");
    }

    private <T> T withArray(String key, ArrayWork<T> work) throws Exception {
        Object[] out = new Object[1];
        Exception[] failed = new Exception[1];
        file.read(d -> {
            try {
                out[0] = work.apply(viewed(d, key));
            } catch (Exception e) {
                failed[0] = e;
            }
            return null;
        });
        if (failed[0] != null) {
            throw failed[0];
        }
        @SuppressWarnings("unchecked")
        T t = (T) out[0];
        return t;
    }

    private interface ArrayWork<T> {
        T apply(Viewed v) throws Exception;
    }

    private void image(HttpExchange x) throws Exception {
        Map<String, String> q = query(x);
        String key = required(q, "key");
        int side = Math.clamp(number(q, "side", DEFAULT_SIDE), 16, 4096);
        String bandsText = q.getOrDefault("bands", "0");
        ImageRenderer.Image img = withArray(key, v -> {
            NDArray a = v.data();
            NDArray mask = v.mask();
            while (a.ndim() > 3) {   // leading axes of a stack: its first item
                a = a.slice(0, 0);
                mask = mask == null ? null : mask.slice(0, 0);
            }
            if (!ImageRenderer.renderable(a)) {
                throw new BadRequest(400, "'" + key + "' (shape " + java.util.Arrays.toString(a.shape()) + ", dtype "
                        + a.dtype().pythonStr() + ") is not an image: 2-D or 3-D real arrays are");
            }
            int[] bands = bands(bandsText, a.ndim() == 3 ? a.shape(2) : 1);
            return ImageRenderer.render(a, mask, bands, side);
        });
        x.getResponseHeaders().set("X-Step", Long.toString(img.step()));
        send(x, 200, "image/png", img.png());
    }

    private static int[] bands(String text, long count) throws BadRequest {
        String[] parts = text.split(",");
        if (parts.length != 1 && parts.length != 3) {
            throw new BadRequest(400, "bands must be one band or three (red,green,blue), not '" + text + "'");
        }
        int[] b = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                b[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new BadRequest(400, "band '" + parts[i] + "' is not a number");
            }
            if (b[i] < 0 || b[i] >= count) {
                throw new BadRequest(400, "band " + b[i] + " is outside 0.." + (count - 1));
            }
        }
        return b;
    }

    /** The values along the last axis at a pixel: the pixel's spectrum. */
    private void spectrum(HttpExchange x) throws Exception {
        Map<String, String> q = query(x);
        String key = required(q, "key");
        long y = number(q, "y", 0);
        long xx = number(q, "x", 0);
        Map<String, Object> out = withArray(key, v -> {
            NDArray a = v.data();
            NDArray mask = v.mask();
            while (a.ndim() > 3) {
                a = a.slice(0, 0);
                mask = mask == null ? null : mask.slice(0, 0);
            }
            if (a.ndim() < 2 || y < 0 || y >= a.shape(0) || xx < 0 || xx >= a.shape(1)) {
                throw new BadRequest(400, "pixel (" + y + ", " + xx + ") is outside '" + key + "'");
            }
            NDArray px = a.slice(0, y).slice(0, xx);
            NDArray pm = mask == null ? null : mask.slice(0, y).slice(0, xx);
            long n = px.size();
            List<Double> values = new ArrayList<>();
            List<Boolean> masked = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                double d = px.flatDouble(i);
                values.add(Double.isFinite(d) ? d : null);
                masked.add(pm != null && pm.flatBoolean(i));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", key);
            m.put("y", y);
            m.put("x", xx);
            m.put("dtype", a.dtype().pythonStr());
            m.put("values", values);
            m.put("masked", masked);
            return m;
        });
        out.put("axis", file.read(d -> axisFor(d, ((List<?>) out.get("values")).size())));
        sendJson(x, out);
    }

    /** The wavelengths of the bands when the file holds a 1-D array of that length named like them; else null. */
    private static List<Double> axisFor(MmapDict d, int bands) {
        for (String name : List.of("bands_nm", "wavelengths", "wavelengths_nm", "bands")) {
            if (d.get(name) instanceof NDArray a && a.ndim() == 1 && a.size() == bands && bands > 1) {
                List<Double> w = new ArrayList<>();
                a.doubles().forEach(w::add);
                return w;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------ values

    /** A value's repr, and the metadata stored beside it (keys with the same number at their end). */
    private void value(HttpExchange x) throws Exception {
        String key = required(query(x), "key");
        Map<String, Object> out = file.read(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", key);
            m.put("repr", repr(d.get(key)));
            List<Map<String, Object>> meta = new ArrayList<>();
            for (String other : companions(d, key)) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("key", other);
                c.put("repr", repr(d.get(other)));
                meta.add(c);
            }
            m.put("meta", meta);
            return m;
        });
        sendJson(x, out);
    }

    /**
     * Returns the keys stored beside a key by the suffix convention: keys other than it that end with the same digits
     * after a different prefix ({@code meta_007} beside {@code frame_007}), arrays left out.
     */
    static List<String> companions(MmapDict d, String key) {
        Matcher k = SUFFIX.matcher(key);
        List<String> out = new ArrayList<>();
        if (!k.matches()) {
            return out;
        }
        for (String other : d.keySet()) {
            Matcher o = SUFFIX.matcher(other);
            if (!other.equals(key) && o.matches() && o.group(2).equals(k.group(2)) && !o.group(1).equals(k.group(1))) {
                Object v = d.get(other);
                if (!(v instanceof NDArray) && !(v instanceof MaskedArray)) {
                    out.add(other);
                }
            }
        }
        return out;
    }

    private static String repr(Object v) {
        String s;
        try {
            s = v instanceof NDArray || v instanceof MaskedArray ? v.toString() : PyRepr.of(v);
        } catch (RuntimeException e) {
            s = "<cannot show: " + e.getMessage() + ">";
        }
        return s.length() > MAX_REPR ? s.substring(0, MAX_REPR) + " ... (" + s.length() + " characters)" : s;
    }

    /** Returns Python's name of a value's type, for the entry list. */
    static String typeName(Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> "str";
            case byte[] b -> "bytes";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Integer i -> "int";
            case java.math.BigInteger i -> "int";
            case Double dd -> "float";
            case Map<?, ?> m -> "dict";
            case List<?> l -> "list";
            default -> v.getClass().getSimpleName();
        };
    }

    // ------------------------------------------------------------------------------------------ stop

    /** Writes {@value #CONTROL_KEY} = {'stop': True, 'by': 'viewer', 'time': now} through a writable open. */
    private void stop(HttpExchange x) throws Exception {
        if (readOnly) {
            throw new BadRequest(403, "this viewer is read-only (--read-only): it does not write " + CONTROL_KEY);
        }
        if (!x.getRequestMethod().equals("POST") || x.getRequestHeaders().getFirst(WRITE_HEADER) == null) {
            throw new BadRequest(400, "stop is a POST from the viewer's page");
        }
        Map<String, Object> control = new LinkedHashMap<>();
        control.put("stop", true);
        control.put("by", "viewer");
        control.put("time", OffsetDateTime.now(ZoneOffset.UTC));
        try (MmapDict d = MmapDict.open(file.path())) {
            d.set(CONTROL_KEY, control);
        }
        sendJson(x, Map.of("written", CONTROL_KEY));
    }

    /** Stops the server and closes the file. */
    @Override
    public void close() {
        server.stop(0);
        file.close();
        threads.shutdownNow();
    }
}
