package org.mmappickle.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small file system mounted for a test: tmpfs, ramfs, or ext4, btrfs or xfs on a loop device
 * backed by a sparse image. Mounting needs root and usable {@code /dev/loop*}; where it fails,
 * {@link #mount} returns null and {@link #whyNot} says why.
 */
public final class ScratchFileSystem implements AutoCloseable {
    private final Path mountPoint;
    private final Path image;

    private ScratchFileSystem(Path mountPoint, Path image) {
        this.mountPoint = mountPoint;
        this.image = image;
    }

    /** The reason the last mount failed. */
    public static volatile String whyNot = "";

    /**
     * Mounts a file system of a type ("tmpfs", "ramfs", "ext4", "btrfs", "xfs") and size under {@code dir}.
     *
     * @return the mounted file system, or null when it cannot be mounted here
     */
    public static ScratchFileSystem mount(Path dir, String type, long bytes) throws IOException, InterruptedException {
        Path mnt = Files.createDirectories(dir.resolve("mnt-" + type));
        if (type.equals("tmpfs") || type.equals("ramfs")) {
            if (!run("mount", "-t", type, "-o", "size=" + bytes, type, mnt.toString())) {
                return null;
            }
            return new ScratchFileSystem(mnt, null);
        }
        Path img = dir.resolve(type + ".img");
        try (var f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(bytes);
        }
        List<String> mkfs = new ArrayList<>(List.of("mkfs." + type, "-q"));
        if (type.equals("xfs")) {
            mkfs.add("-f");
        }
        mkfs.add(img.toString());
        if (!run(mkfs.toArray(String[]::new)) || !run("mount", "-o", "loop", img.toString(), mnt.toString())) {
            Files.deleteIfExists(img);
            return null;
        }
        return new ScratchFileSystem(mnt, img);
    }

    private static boolean run(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException missing) {
            whyNot = String.join(" ", cmd) + ": " + missing.getMessage();
            return false;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            whyNot = String.join(" ", cmd) + ": " + out.strip();
            return false;
        }
        return true;
    }

    /** Where it is mounted. */
    public Path path() {
        return mountPoint;
    }

    /** Unmounts it and removes its image. */
    @Override
    public void close() throws IOException {
        try {
            run("umount", mountPoint.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (image != null) {
            Files.deleteIfExists(image);
        }
    }
}
