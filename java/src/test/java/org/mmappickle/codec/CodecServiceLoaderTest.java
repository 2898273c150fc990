package org.mmappickle.codec;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.codec.service.ServiceCodecMain;
import org.mmappickle.testing.Python;

/**
 * A codec in a jar of its own, found through {@link java.util.ServiceLoader} by a program that
 * only puts the jar on its class path: compiled here, jarred with its
 * {@code META-INF/services/org.mmappickle.codec.ValueCodec}, and used by a child JVM.
 */
class CodecServiceLoaderTest {
    @TempDir
    Path dir;

    /** Writes a Temperature as the tuple ('temperature', celsius): plain pickle loads it. */
    private static final String CODEC_SOURCE = """
            package probe;

            import java.lang.foreign.MemorySegment;
            import java.lang.foreign.ValueLayout;
            import java.nio.ByteOrder;
            import java.nio.charset.StandardCharsets;
            import org.mmappickle.codec.EncodedValue;
            import org.mmappickle.codec.StoredValue;
            import org.mmappickle.codec.ValueCodec;
            import org.mmappickle.codec.WriteContext;
            import org.mmappickle.codec.service.Temperature;

            public final class TemperatureCodec implements ValueCodec {
                private static final ValueLayout.OfDouble F64 =
                        ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
                /** SHORT_BINUNICODE 'temperature', then BINFLOAT's opcode. */
                private static final byte[] HEAD;
                static {
                    byte[] name = "temperature".getBytes(StandardCharsets.US_ASCII);
                    HEAD = new byte[name.length + 3];
                    HEAD[0] = (byte) 0x8C;
                    HEAD[1] = (byte) name.length;
                    System.arraycopy(name, 0, HEAD, 2, name.length);
                    HEAD[HEAD.length - 1] = 0x47;
                }

                public TemperatureCodec() {
                }

                public int priority() {
                    return 20;
                }

                public boolean recognizes(MemorySegment head, StoredValue value) {
                    return value.length() == HEAD.length + 9 && head.byteSize() >= HEAD.length
                            && MemorySegment.mismatch(head, 0, HEAD.length, MemorySegment.ofArray(HEAD), 0, HEAD.length) < 0;
                }

                public Object read(StoredValue value) throws java.io.IOException {
                    return new Temperature(value.bytes().get(F64, HEAD.length));
                }

                public boolean canWrite(Object value) {
                    return value instanceof Temperature;
                }

                public EncodedValue write(Object value, WriteContext context) {
                    byte[] out = new byte[HEAD.length + 9];
                    System.arraycopy(HEAD, 0, out, 0, HEAD.length);
                    MemorySegment.ofArray(out).set(F64, HEAD.length, ((Temperature) value).celsius());
                    out[out.length - 1] = (byte) 0x86;   // TUPLE2
                    return EncodedValue.of(out, 0);
                }
            }
            """;

    private Path buildCodecJar() throws IOException {
        Path src = dir.resolve("src/probe/TemperatureCodec.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, CODEC_SOURCE);
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        // java.util.spi.ToolProvider rather than javax.tools: the tests compile inside module
        // org.mmappickle, which does not read java.compiler
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow(() -> new AssertionError("the tests run on a JDK"));
        int rc = javac.run(System.out, System.err, "-classpath", System.getProperty("java.class.path"), "-d",
                classes.toString(), src.toString());
        assertEquals(0, rc, "the codec compiles against the library");
        Path jar = dir.resolve("temperature-codec.jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            out.putNextEntry(new JarEntry("META-INF/services/org.mmappickle.codec.ValueCodec"));
            out.write("# a codec for Temperature values\nprobe.TemperatureCodec\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                    out.write(Files.readAllBytes(f));
                    out.closeEntry();
                }
            }
        }
        return jar;
    }

    private static List<String> runChild(String classPath, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath, ServiceCodecMain.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream in = p.getOutputStream()) {
            // no input
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child finishes");
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    @Test
    void aCodecInASeparateJarIsFoundAndUsed() throws Exception {
        Path jar = buildCodecJar();
        String testPath = System.getProperty("java.class.path");
        String withJar = testPath + java.io.File.pathSeparator + jar;

        Path without = dir.resolve("without.mmdpickle");
        List<String> refused = runChild(testPath, "put", without.toString());
        assertEquals("discovered []", refused.get(0));
        assertTrue(refused.get(1).startsWith("refused ") && refused.get(1).contains("Temperature"), refused.toString());

        Path with = dir.resolve("with.mmdpickle");
        List<String> put = runChild(withJar, "put", with.toString());
        assertEquals(List.of("discovered [probe.TemperatureCodec]",
                "read org.mmappickle.codec.service.Temperature Temperature[celsius=21.5]"), put);
        List<String> get = runChild(withJar, "get", with.toString());
        assertEquals("read org.mmappickle.codec.service.Temperature Temperature[celsius=21.5]", get.get(1),
                "read back by another JVM");

        Python.Result r = Python.run(List.of("-W", "error::DeprecationWarning", "-c",
                "import pickle, sys; print(pickle.load(open(sys.argv[1], 'rb')))", with.toString()), 60);
        assertEquals(0, r.exit(), r.err());
        assertEquals("{'t': ('temperature', 21.5)}", r.out().strip());
    }
}
