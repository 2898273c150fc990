package org.mmappickle.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a child JVM running a main class of the test class path, for multi-process tests. */
public final class Jvm {
    private Jvm() {
    }

    /** Starts {@code java -cp <this class path> mainClass args...}; stderr is inherited. */
    public static Process start(Class<?> mainClass, String... args) throws IOException {
        return start(List.of(), mainClass, args);
    }

    /**
     * Starts {@code java <options> -cp <this class path> mainClass args...}; the options come after
     * the parent's io path and sharing mode, so they override them (a {@code -Dmmappickle.io=}).
     */
    public static Process start(List<String> options, Class<?> mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Xmx256m");
        // children use the io path of the parent, so a suite run with -Dmmappickle.io=portable tests it everywhere
        String io = System.getProperty("mmappickle.io");
        if (io != null) {
            cmd.add("-Dmmappickle.io=" + io);
        }
        String sharing = System.getProperty("mmappickle.sharing");
        if (sharing != null) {
            cmd.add("-Dmmappickle.sharing=" + sharing);   // a suite run in the shared-storage mode runs its children so too
        }
        cmd.addAll(options);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
