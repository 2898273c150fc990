package org.mmappickle.cli;

import org.mmappickle.NativeInfo;

/** The {@code mmappickle} command: for now a self-check that loads the native library. */
public final class Main {
    private Main() {
    }

    /** Runs the command line. */
    public static void main(String[] args) {
        NativeInfo info = NativeInfo.load();
        System.out.println("native library: " + info.path() + " (version " + info.version() + ")");
    }
}
