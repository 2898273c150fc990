package org.mmappickle.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A file written beside its target and renamed over it when complete, as a command's output ({@code export})
 * is: created exclusively under a fresh random name, never through a link (a link planted beside the target by
 * another user is never followed, nothing is truncated), given the mode, owner and group of the file it replaces,
 * and removed when the command fails or the JVM is stopped (Ctrl-C) before the rename.
 */
final class PartialFile implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int ATTEMPTS = 16;

    private final Path target;
    private final Path tmp;
    private final FileChannel channel;
    private final Thread cleanup;
    // read by the shutdown hook's thread
    private volatile boolean done;

    private PartialFile(Path target, Path tmp, FileChannel channel) {
        this.target = target;
        this.tmp = tmp;
        this.channel = channel;
        this.cleanup = new Thread(this::removeQuietly, "mmappickle: remove " + tmp.getFileName());
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /**
     * Creates the partial file of a target ({@code .NAME.<random>.partial} beside it) with the target's mode,
     * owner and group when the target is a file already.
     *
     * @throws CliException when the replaced file's owner or group cannot be kept (the user is told to remove
     *     the file first or run as its owner), nothing being left behind
     * @throws IOException when the directory does not take a new file
     */
    static PartialFile create(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        PosixFileAttributes old = existing(abs);
        for (int attempt = 0; ; attempt++) {
            byte[] r = new byte[8];
            RANDOM.nextBytes(r);
            Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + HexFormat.of().formatHex(r) + ".partial");
            FileChannel ch;
            try {
                // O_CREAT|O_EXCL|O_NOFOLLOW: whatever already has this name (a planted link) makes the open fail
                ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
            } catch (FileAlreadyExistsException taken) {
                if (attempt + 1 >= ATTEMPTS) {
                    throw taken;
                }
                continue;
            }
            PartialFile p = new PartialFile(abs, tmp, ch);
            try {
                p.keep(old);
            } catch (IOException | RuntimeException e) {
                p.close();
                throw e;
            }
            return p;
        }
    }

    /** The attributes of the file being replaced, or null when there is none (or it is not a regular file). */
    private static PosixFileAttributes existing(Path target) throws IOException {
        try {
            PosixFileAttributes a = Files.readAttributes(target, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? a : null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (UnsupportedOperationException e) {
            return null;   // not a POSIX file system: nothing to keep
        }
    }

    /** Gives the new file the replaced file's mode, owner and group (through the new file, never a link). */
    private void keep(PosixFileAttributes old) throws IOException {
        if (old == null) {
            return;
        }
        PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes now = view.readAttributes();
        UserPrincipal owner = old.owner();
        GroupPrincipal group = old.group();
        if (!now.owner().equals(owner)) {
            try {
                view.setOwner(owner);
            } catch (IOException e) {
                throw new CliException(target + " belongs to " + owner.getName() + ": replacing it would give it to "
                        + now.owner().getName() + "; remove it first or export as its owner", e);
            }
        }
        if (!now.group().equals(group)) {
            try {
                view.setGroup(group);
            } catch (IOException e) {
                throw new CliException(target + " has the group " + group.getName() + ", which " + now.owner().getName()
                        + " cannot give; remove it first or export as its owner", e);
            }
        }
        view.setPermissions(old.permissions());
    }

    /** Returns the channel to write the content through. */
    FileChannel channel() {
        return channel;
    }

    /** Flushes the content to disk and renames the file over its target. */
    void commit() throws IOException {
        channel.force(true);
        channel.close();
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        done = true;
        unhook();
    }

    /** Removes the partial file unless it was committed. */
    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        try {
            channel.close();
            Files.deleteIfExists(tmp);
        } finally {
            done = true;
            unhook();
        }
    }

    private void removeQuietly() {
        if (done) {
            return;
        }
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            // the JVM is going down: nothing can report it
        }
    }

    private void unhook() {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or has run; it sees done and leaves the file alone
        }
    }
}
