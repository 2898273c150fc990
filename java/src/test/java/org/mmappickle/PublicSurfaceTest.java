package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code NDArray} and {@code MmapDict} declare part of their public methods in package-private superclasses
 * (docs/architecture.md): those methods must stay reachable through the public classes by reflection and method
 * handles, as they are for a caller that compiles against them, and the two files stay within issue 15's budgets.
 */
class PublicSurfaceTest {

    @Test
    void everyPublicMethodIsDeclaredOrBridgedInThePublicClass() throws Exception {
        List<String> unreachable = new ArrayList<>();
        int inherited = 0;
        for (Class<?> c : List.of(NDArray.class, MmapDict.class)) {
            for (Class<?> s = c.getSuperclass(); s.getPackageName().equals(c.getPackageName()); s = s.getSuperclass()) {
                assertFalse(Modifier.isPublic(s.getModifiers()), s + " is an implementation class, not API");
                for (Method m : s.getDeclaredMethods()) {
                    if (Modifier.isPublic(m.getModifiers())) {
                        inherited++;
                        // javac's access bridge: a public method of the same signature declared by the public class
                        Method seen = c.getMethod(m.getName(), m.getParameterTypes());
                        if (seen.getDeclaringClass() != c) {
                            unreachable.add(c.getSimpleName() + "." + m.getName() + " is declared by " + seen.getDeclaringClass());
                        } else {
                            MethodHandles.publicLookup().unreflect(seen);   // throws IllegalAccessException if not public API
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), unreachable);
        assertTrue(inherited > 80, "the superclasses declare the element, bulk and file methods: " + inherited);
    }

    @Test
    void inheritedMethodsWorkThroughPublicLookupHandles() throws Throwable {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        NDArray a = NDArray.of(new double[] {1.5, 2.5, -3.0}, 3);
        MethodHandle get = lookup.findVirtual(NDArray.class, "getDouble", MethodType.methodType(double.class, long[].class));
        MethodHandle set = lookup.findVirtual(NDArray.class, "setFlatDouble",
                MethodType.methodType(void.class, long.class, double.class));
        MethodHandle toArray = lookup.findVirtual(NDArray.class, "toDoubleArray", MethodType.methodType(double[].class));
        set.invoke(a, 1L, 7.25);
        assertEquals(7.25, (double) get.invoke(a, new long[] {1}));
        assertArrayEquals(new double[] {1.5, 7.25, -3.0}, (double[]) toArray.invoke(a));
        assertNotNull(lookup.findStatic(MmapDict.class, "convert", MethodType.methodType(void.class, Path.class)));
    }

    @Test
    void theApiClassesStayWithinIssue15sBudgets() throws Exception {
        Path src = Path.of("src/main/java/org/mmappickle");
        assertTrue(Files.isDirectory(src), "run from the java module: " + src.toAbsolutePath());
        long dict = Files.readAllLines(src.resolve("MmapDict.java")).size();
        long array = Files.readAllLines(src.resolve("NDArray.java")).size();
        assertTrue(dict <= 500, "MmapDict.java has " + dict + " lines, over 500: move a concern out, not its docs");
        assertTrue(array <= 1200, "NDArray.java has " + array + " lines, over 1,200: move a concern out, not its docs");
    }
}
