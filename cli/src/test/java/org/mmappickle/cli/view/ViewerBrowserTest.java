package org.mmappickle.cli.view;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The viewer in real browsers: headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, installed
 * by {@code .ci/run}) driven through WebDriver, against files that other processes write.
 */
class ViewerBrowserTest {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String DRIVER = "/usr/bin/chromedriver";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<WebDriver> browsers = new ArrayList<>();

    private WebDriver browser() throws Exception {
        assertTrue(new File(CHROMIUM).canExecute() && new File(DRIVER).canExecute(),
                "the browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments(ViewTesting.chromiumFlags(Files.createTempDirectory(dir, "profile-")));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort().build();
        WebDriver d = new ChromeDriver(service, o);
        browsers.add(d);
        return d;
    }

    @AfterEach
    void quit() {
        for (WebDriver d : browsers) {
            d.quit();
        }
    }

    private static Object js(WebDriver d, String script, Object... args) {
        return ((JavascriptExecutor) d).executeScript(script, args);
    }

    private static long rows(WebDriver d) {
        return ((Number) js(d, "return document.querySelectorAll('#entries tr').length")).longValue();
    }

    /** The image's pixels as the browser decoded them (RGBA, joined), once it shows the given key. */
    private static String pixels(WebDriver d, String key) {
        new WebDriverWait(d, WAIT).until(x -> (Boolean) js(x, "const i = document.getElementById('img');"
                + " return i.complete && i.naturalWidth > 0 && i.src.includes('key=' + arguments[0] + '&')", key));
        return (String) js(d, "const i = document.getElementById('img'); const c = document.createElement('canvas');"
                + " c.width = i.naturalWidth; c.height = i.naturalHeight; const g = c.getContext('2d'); g.drawImage(i, 0, 0);"
                + " return Array.from(g.getImageData(0, 0, c.width, c.height).data).join(',');");
    }

    @Test
    void twoBrowsersFollowAFileThatAnotherProcessAppendsTo() throws Exception {
        Path f = ViewTesting.emptyFile(dir.resolve("capture.mmdpickle"));
        ViewTesting.python(f, "putarray", "bands_nm", "np.linspace(450, 950, 6)");
        ViewTesting.appendFrame(f, 0);
        try (ViewServer v = ViewServer.start(f, "127.0.0.1", 0, false)) {
            WebDriver a = browser();
            WebDriver b = browser();
            for (WebDriver d : List.of(a, b)) {
                d.get(v.uri().toString());
                js(d, "window.loadedOnce = 'yes';");   // gone if the page reloads
                new WebDriverWait(d, WAIT).until(x -> rows(x) == 3);
            }
            String first = pixels(a, "frame_000");

            // another process appends frames: both pages list them without a reload
            CompletableFuture<Void> appender = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 1; i <= 3; i++) {
                        Thread.sleep(700);
                        ViewTesting.appendFrame(f, i);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            List<Long> seen = new CopyOnWriteArrayList<>();
            new WebDriverWait(a, WAIT, Duration.ofMillis(20)).until(x -> {
                long n = rows(x);
                if (seen.isEmpty() || seen.get(seen.size() - 1) != n) {
                    seen.add(n);
                }
                return n == 9;
            });
            appender.get(60, TimeUnit.SECONDS);
            assertTrue(seen.size() >= 3, "the list grew step by step while Python appended: " + seen);
            for (WebDriver d : List.of(a, b)) {
                new WebDriverWait(d, WAIT).until(x -> rows(x) == 9);
                assertEquals("yes", js(d, "return window.loadedOnce"), "the page was not reloaded");
            }

            // the followed image changed with the frames
            String last = pixels(a, "frame_003");
            assertNotEquals(first, last, "the image's pixels differ between frame_000 and frame_003");
            assertEquals(last, pixels(b, "frame_003"), "both browsers show the same latest frame");

            // a click on a pixel plots its spectrum: the values are the array's
            WebElement img = b.findElement(By.id("img"));
            new Actions(b).moveToElement(img, img.getSize().getWidth() / 5, -img.getSize().getHeight() / 4).click().perform();
            WebElement values = b.findElement(By.id("values"));
            new WebDriverWait(b, WAIT).until(x -> !values.getText().isBlank());
            int y = Integer.parseInt(values.getAttribute("data-y"));
            int x = Integer.parseInt(values.getAttribute("data-x"));
            assertEquals("frame_003", values.getAttribute("data-key"));
            assertTrue(y > 0 && x > 0, "clicked at y=" + y + " x=" + x);
            String text = (String) js(b, "return document.getElementById('values').textContent");   // tabs kept
            String[] lines = text.split("\n");
            assertEquals(6, lines.length, text);
            assertEquals(6, b.findElements(By.cssSelector("#spectrum circle")).size(), "one point per band in the plot");
            try (MmapDict d = MmapDict.openReadOnly(f)) {
                NDArray px = d.getArray("frame_003").slice(0, y).slice(0, x);
                for (int band = 0; band < 6; band++) {
                    String[] cols = lines[band].split("\t");
                    assertEquals(band, Integer.parseInt(cols[0]));
                    assertEquals(450 + 100 * band + " nm", cols[1].replace(".0 nm", " nm"));
                    assertEquals(px.getFloat(band), Float.parseFloat(cols[2]), "band " + band + " at y=" + y + " x=" + x);
                }
            }
            // metadata beside the frame, by its number
            assertTrue(b.findElement(By.id("meta")).getText().contains("meta_003 = {'frame': 3, 'exposure_ms': 12.5}"),
                    b.findElement(By.id("meta")).getText());

            // an RGB composite, then the screenshot for the README
            b.findElement(By.id("rgb")).click();
            new WebDriverWait(b, WAIT).until(x2 -> (Boolean) js(x2, "return document.getElementById('img').src.includes('bands=')"
                    + " && document.getElementById('img').src.includes('%2C') || document.getElementById('img').src.includes(',')"));
            Thread.sleep(300);
            Path shot = Path.of("target", "viewer.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, ((TakesScreenshot) b).getScreenshotAs(OutputType.BYTES));

            // the file goes away: both pages say so, and follow the file that takes its place
            Files.delete(f);
            for (WebDriver d : List.of(a, b)) {
                new WebDriverWait(d, WAIT).until(x2 -> d.findElement(By.id("banner")).getText().contains("was deleted"));
            }
            Path other = ViewTesting.emptyFile(dir.resolve("other.mmdpickle"));
            ViewTesting.appendFrame(other, 7);
            Files.move(other, f);
            for (WebDriver d : List.of(a, b)) {
                new WebDriverWait(d, WAIT).until(x2 -> d.findElement(By.id("banner")).getText().contains("replaced") && rows(d) == 2);
                assertEquals("yes", js(d, "return window.loadedOnce"));
            }
        }
    }

    @Test
    void stopEndsTheDemosRunningCaptureAtTheNextFrame() throws Exception {
        Path where = dir.resolve("demo");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "org.mmappickle.cli.Main",
                "demo", where.toString(), "--view", "--frames", "500", "--size", "64x64x8", "--pause", "100"));
        Process demo = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> out = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    out.add(line);
                }
            } catch (java.io.IOException e) {
                // the demo ended
            }
        });
        reader.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String url = null;
            while (url == null && System.nanoTime() < deadline) {
                url = out.stream().filter(l -> l.startsWith(ViewCommand.URL_LINE)).findFirst()
                        .map(l -> l.substring(ViewCommand.URL_LINE.length()).split(" ")[0]).orElse(null);
                Thread.sleep(50);
            }
            assertNotNull(url, () -> String.join("\n", out));
            WebDriver d = browser();
            d.get(url);
            // the capture is running: frames keep arriving
            new WebDriverWait(d, WAIT).until(x -> (Boolean) js(x, "return document.querySelectorAll('#entries tr').length > 8"));
            // a look at a frame of the demo's scene, in colour, with a pixel's spectrum: the README's screenshot
            d.findElement(By.id("follow")).click();
            // the list is redrawn at every commit: click the row in one step
            js(d, "document.querySelector('#entries tr[data-key=\"frame_003\"]').click()");
            d.findElement(By.id("rgb")).click();
            WebElement img = d.findElement(By.id("img"));
            new WebDriverWait(d, WAIT).until(x -> (Boolean) js(x, "const i = document.getElementById('img');"
                    + " return i.complete && i.naturalWidth > 0 && i.src.includes('frame_003')"));
            new Actions(d).moveToElement(img, img.getSize().getWidth() / 8, img.getSize().getHeight() / 10).click().perform();
            new WebDriverWait(d, WAIT).until(x -> !x.findElement(By.id("values")).getText().isBlank());
            Path shot = Path.of("target", "viewer-demo.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, ((TakesScreenshot) d).getScreenshotAs(OutputType.BYTES));
            d.findElement(By.id("stop")).click();
            new WebDriverWait(d, WAIT).until(x -> x.findElement(By.id("stop")).getText().equals("Stop requested"));
            assertTrue(demo.waitFor(120, TimeUnit.SECONDS), () -> String.join("\n", out));
            reader.join(5000);
            assertEquals(0, demo.exitValue(), () -> String.join("\n", out));
            String stopped = out.stream().filter(l -> l.startsWith("capture: stopped by viewer")).findFirst()
                    .orElseThrow(() -> new AssertionError(String.join("\n", out)));
            int kept = Integer.parseInt(stopped.replaceAll(".*kept (\\d+) frames$", "$1"));
            assertTrue(kept > 0 && kept < 500, stopped);
            Path file = where.resolve("timelapse.mmdpickle");
            try (MmapDict m = MmapDict.openReadOnly(file)) {
                Map<?, ?> control = (Map<?, ?>) m.get(ViewServer.CONTROL_KEY);
                assertEquals(Boolean.TRUE, control.get("stop"));
                assertEquals("viewer", control.get("by"));
                OffsetDateTime stopAt = (OffsetDateTime) control.get("time");
                assertTrue(stopAt != null, "the stop record says when");
                long frames = m.keySet().stream().filter(k -> k.startsWith("frame_")).count();
                assertEquals(kept, frames, "the demo says how many frames it kept: those in the file");
                // the capture looks for the stop record between frames, so at most the frame it was
                // filling when the record landed comes after it in the file (a frame's entry is
                // reserved when its capture begins): told by file order, not by a clock
                long controlAt = m.entries().stream().filter(e -> e.valid() && e.key().equals(ViewServer.CONTROL_KEY))
                        .mapToLong(org.mmappickle.EntryInfo::offset).max().orElseThrow();
                long begunAfter = m.entries().stream()
                        .filter(e -> e.valid() && e.key().startsWith("frame_") && e.offset() > controlAt).count();
                assertTrue(begunAfter <= 1, begunAfter + " frames were begun after the stop record");
            }
        } finally {
            demo.destroyForcibly();
        }
    }
}
