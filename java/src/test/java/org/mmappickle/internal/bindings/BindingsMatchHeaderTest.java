package org.mmappickle.internal.bindings;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mmappickle.internal.io.NativeLibrary;

/**
 * Proves the checked-in bindings match native/mmappickle_native.h: every prototype has its four
 * jextract-style methods with the right descriptor and Java signature, every macro its accessor.
 */
class BindingsMatchHeaderTest {
    private static final Pattern PROTO = Pattern.compile("^(int64_t|int) (mmp_\\w+)\\(([^)]*)\\);", Pattern.MULTILINE);
    private static final Pattern MACRO = Pattern.compile("^#define (MMP_\\w+) (\\d+)", Pattern.MULTILINE);

    static Path header() {
        String repo = System.getProperty("mmappickle.repo", "..");
        return Path.of(repo, "native", "mmappickle_native.h");
    }

    record CType(MemoryLayout layout, Class<?> java) {
    }

    static CType ctype(String decl) {
        String d = decl.trim();
        if (d.contains("*")) {
            return new CType(mmappickle_native_h.C_POINTER, java.lang.foreign.MemorySegment.class);
        }
        String type = d.replaceFirst("^const\\s+", "").split("\\s+")[0];
        return switch (type) {
            case "int" -> new CType(mmappickle_native_h.C_INT, int.class);
            case "int64_t" -> new CType(mmappickle_native_h.C_LONG, long.class);
            default -> throw new AssertionError("the test does not know the C type of: " + decl);
        };
    }

    @Test
    void everyPrototypeHasMatchingBindings() throws Exception {
        NativeLibrary.path();
        String h = Files.readString(header());
        Matcher m = PROTO.matcher(h);
        int count = 0;
        List<String> problems = new ArrayList<>();
        while (m.find()) {
            count++;
            String name = m.group(2);
            CType ret = ctype(m.group(1));
            List<CType> params = new ArrayList<>();
            for (String p : m.group(3).split(",")) {
                if (!p.isBlank() && !p.trim().equals("void")) {
                    params.add(ctype(p));
                }
            }
            FunctionDescriptor expected = FunctionDescriptor.of(ret.layout(),
                    params.stream().map(CType::layout).toArray(MemoryLayout[]::new));
            Method desc;
            try {
                desc = mmappickle_native_h.class.getMethod(name + "$descriptor");
                mmappickle_native_h.class.getMethod(name + "$handle");
                mmappickle_native_h.class.getMethod(name + "$address");
            } catch (NoSuchMethodException e) {
                problems.add(name + ": missing from the bindings (" + e.getMessage() + ")");
                continue;
            }
            FunctionDescriptor actual = (FunctionDescriptor) desc.invoke(null);
            if (!expected.equals(actual)) {
                problems.add(name + ": descriptor " + actual + " but the header says " + expected);
            }
            Class<?>[] javaParams = params.stream().map(CType::java).toArray(Class<?>[]::new);
            try {
                Method call = mmappickle_native_h.class.getMethod(name, javaParams);
                if (call.getReturnType() != ret.java() || !Modifier.isStatic(call.getModifiers())) {
                    problems.add(name + ": wrapper returns " + call.getReturnType() + ", expected " + ret.java());
                }
            } catch (NoSuchMethodException e) {
                problems.add(name + ": no static wrapper with parameters " + List.of(javaParams));
            }
            assertNotNull(mmappickle_native_h.class.getMethod(name + "$address").invoke(null), name);
        }
        assertTrue(count >= 20, "the header parser found only " + count + " prototypes");
        Matcher mm = MACRO.matcher(h);
        while (mm.find()) {
            try {
                int v = (int) mmappickle_native_h.class.getMethod(mm.group(1)).invoke(null);
                if (v != Integer.parseInt(mm.group(2))) {
                    problems.add(mm.group(1) + " = " + v + " but the header says " + mm.group(2));
                }
            } catch (NoSuchMethodException e) {
                problems.add(mm.group(1) + ": constant missing from the bindings");
            }
        }
        // and nothing in the bindings that the header no longer declares
        for (Method meth : mmappickle_native_h.class.getDeclaredMethods()) {
            String n = meth.getName().replaceFirst("\\$.*", "");
            if (Modifier.isPublic(meth.getModifiers()) && n.startsWith("mmp_") && !h.contains(" " + n + "(")) {
                problems.add(n + ": in the bindings but not in the header");
            }
        }
        assertEquals(List.of(), problems, "run bindings/regenerate.sh where jextract is available");
    }
}
