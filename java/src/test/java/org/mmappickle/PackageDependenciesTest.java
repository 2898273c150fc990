package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers stay one-way (docs/architecture.md): read from the source tree, the packages below
 * the API form no cycle, none of them uses {@code MmapDict}, the format layer does no I/O (no
 * descriptor, store, codec, or file API), and only the io layer calls the bindings.
 */
class PackageDependenciesTest {
    private static final String ROOT = "org.mmappickle";
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\borg\\.mmappickle(?:\\.[a-z]\\w*)*\\.[A-Z]\\w*");
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);
    private static final Pattern STRINGS = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"");

    /** Package to the types it references (of this project, plus java I/O types for the purity rule). */
    private static Map<String, Set<String>> references() throws Exception {
        Path src = Path.of("src/main/java");
        assertTrue(Files.isDirectory(src), "run from the java module: " + src.toAbsolutePath());
        Map<String, Set<String>> out = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(src)) {
            files = s.filter(p -> p.toString().endsWith(".java") && !p.endsWith("module-info.java")).toList();
        }
        for (Path f : files) {
            String text = STRINGS.matcher(COMMENTS.matcher(Files.readString(f)).replaceAll(" ")).replaceAll("\"\"");
            Matcher pm = PACKAGE.matcher(text);
            assertTrue(pm.find(), f.toString());
            Set<String> refs = out.computeIfAbsent(pm.group(1), k -> new TreeSet<>());
            Matcher m = REFERENCE.matcher(text);
            while (m.find()) {
                refs.add(m.group());
            }
            for (String io : List.of("java.nio.channels.", "java.nio.file.Files", "java.io.File", "java.io.RandomAccessFile")) {
                if (text.contains(io)) {
                    refs.add(io);
                }
            }
        }
        return out;
    }

    private static String packageOf(String type) {
        return type.substring(0, type.lastIndexOf('.'));
    }

    @Test
    void thePackagesBelowTheApiFormNoCycle() throws Exception {
        Map<String, Set<String>> graph = new TreeMap<>();
        references().forEach((pkg, refs) -> {
            if (!pkg.equals(ROOT)) {
                Set<String> to = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                for (String r : refs) {
                    String p = r.startsWith(ROOT + ".") ? packageOf(r) : null;
                    // the API package's value types (exceptions, DType, NDArray, reports) may be used by all
                    if (p != null && !p.equals(ROOT) && !p.equals(pkg)) {
                        to.add(p);
                    }
                }
            }
        });
        List<String> cycles = new ArrayList<>();
        for (String start : graph.keySet()) {
            for (String next : graph.get(start)) {
                if (reaches(graph, next, start, new TreeSet<>())) {
                    cycles.add(start + " -> " + next + " -> ... -> " + start);
                }
            }
        }
        assertEquals(List.of(), cycles, "package cycles; the graph: " + graph);
    }

    private static boolean reaches(Map<String, Set<String>> g, String from, String to, Set<String> seen) {
        if (from.equals(to)) {
            return true;
        }
        if (!seen.add(from)) {
            return false;
        }
        for (String n : g.getOrDefault(from, Set.of())) {
            if (reaches(g, n, to, seen)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void nothingBelowTheApiUsesTheDict() throws Exception {
        Map<String, Set<String>> bad = new TreeMap<>();
        references().forEach((pkg, refs) -> {
            if (!pkg.equals(ROOT)) {
                refs.stream().filter(r -> r.equals(ROOT + ".MmapDict") || r.equals(ROOT + ".ChangeWatcher"))
                        .forEach(r -> bad.computeIfAbsent(pkg, k -> new TreeSet<>()).add(r));
            }
        });
        assertEquals(Map.of(), bad);
    }

    @Test
    void theFormatLayerIsPureAndOnlyIoCallsTheBindings() throws Exception {
        Map<String, Set<String>> refs = references();
        Set<String> format = new TreeSet<>();
        for (String r : refs.getOrDefault(ROOT + ".internal.format", Set.of())) {
            if (r.startsWith(ROOT + ".internal.io.") || r.startsWith(ROOT + ".internal.store.")
                    || r.startsWith(ROOT + ".internal.bindings.") || r.startsWith(ROOT + ".codec.")
                    || r.startsWith("java.")) {
                format.add(r);
            }
        }
        assertEquals(Set.of(), format, "the format layer reads and writes bytes in memory only");
        Map<String, Set<String>> bindings = new TreeMap<>();
        refs.forEach((pkg, rs) -> {
            if (!pkg.equals(ROOT + ".internal.io") && !pkg.equals(ROOT + ".internal.bindings")) {
                rs.stream().filter(r -> r.startsWith(ROOT + ".internal.bindings."))
                        .forEach(r -> bindings.computeIfAbsent(pkg, k -> new TreeSet<>()).add(r));
            }
        });
        assertEquals(Map.of(), bindings, "only internal.io calls native code");
    }
}
