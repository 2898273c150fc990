package org.mmappickle.cli.view;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.mmappickle.ChangeWatcher;
import org.mmappickle.EntryInfo;
import org.mmappickle.MaskedArray;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;

/**
 * The viewed file, followed as it changes: a read-only {@link MmapDict} and its {@link ChangeWatcher} on a thread of
 * their own, which publishes a summary of the entries to listeners (the page's event streams) whenever the commit
 * number moves. The thread also notices when the file is deleted, replaced by another file (then it follows the new
 * one) or cut shorter than its entries, and says so in a banner; the viewer keeps running through all of them.
 */
final class FollowedFile implements AutoCloseable {
    /** How long the watcher waits for a commit before it looks at the path again. */
    private static final Duration LOOK = Duration.ofMillis(100);
    /** The end-of-file marker after the last entry (a STOP opcode and the FRAME of an empty entry). */
    private static final long TERMINATOR = 11;

    private final Path path;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final List<Consumer<Map<String, Object>>> listeners = new CopyOnWriteArrayList<>();
    /** Kinds of values by entry offset: a value is decoded once, not at every change. */
    private final Map<Long, String> kinds = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Map<String, Object> state = Map.of();
    private MmapDict dict;
    private Object identity;
    private long expectedSize;
    private String banner;

    FollowedFile(Path path) {
        this.path = path;
        this.thread = new Thread(this::follow, "view-follower");
        this.thread.setDaemon(true);
    }

    /** Opens the file (a missing file is a banner, not an error) and starts following it. */
    void start() {
        lock.writeLock().lock();
        try {
            reopen();
        } finally {
            lock.writeLock().unlock();
        }
        publish();
        thread.start();
    }

    /** Returns the path being viewed. */
    Path path() {
        return path;
    }

    /** Returns the latest summary: the entries, the commit number, the banner. */
    Map<String, Object> state() {
        return state;
    }

    /** Adds a listener of summaries, called on the follower's thread; returns a handle that removes it. */
    Runnable listen(Consumer<Map<String, Object>> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Runs a read of the open dict under the read lock (so the follower does not swap files under it).
     *
     * @throws IOException when no file is open
     */
    <T> T read(Function<MmapDict, T> work) throws IOException {
        lock.readLock().lock();
        try {
            if (dict == null) {
                throw new IOException(path + " is not there (deleted?)");
            }
            return work.apply(dict);
        } finally {
            lock.readLock().unlock();
        }
    }

    private void follow() {
        ChangeWatcher watcher = null;
        MmapDict watched = null;
        while (running) {
            try {
                String before = banner;
                boolean changed = false;
                Object now = identityOf(path);
                lock.writeLock().lock();
                try {
                    if (now == null) {
                        banner = dict == null ? "waiting for " + path + " to appear"
                                : path + " was deleted: showing its last state until a file appears there again";
                    } else if (!now.equals(identity)) {
                        boolean replaced = identity != null;
                        reopen();
                        banner = replaced ? path + " was replaced by another file: following the new one" : null;
                        changed = true;
                    } else if (Files.size(path) < expectedSize) {
                        banner = path + " was truncated to " + Files.size(path) + " bytes, shorter than its entries ("
                                + expectedSize + " bytes): values past the cut cannot be shown";
                    } else if (banner != null && !banner.contains("replaced")) {
                        banner = null;
                    }
                } finally {
                    lock.writeLock().unlock();
                }
                if (dict != watched) {
                    watched = dict;
                    watcher = dict == null ? null : dict.watcher(LOOK);
                }
                if (watcher != null) {
                    changed |= !watcher.poll(LOOK).isEmpty();
                } else {
                    Thread.sleep(LOOK.toMillis());
                }
                if (changed || !Objects.equals(before, banner)) {
                    publish();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | IOException | InternalError e) {
                String msg = path + " cannot be read right now: " + e.getMessage();
                if (!msg.equals(banner)) {
                    banner = msg;
                    publish();
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private static Object identityOf(Path p) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return a.fileKey() != null ? a.fileKey() : a.creationTime();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Opens the file now at the path, closing the previous one; called under the write lock. */
    private void reopen() {
        if (dict != null) {
            try {
                dict.close();
            } catch (IOException | RuntimeException e) {
                // the old file is gone or damaged: nothing of it is needed any more
            }
            dict = null;
        }
        kinds.clear();
        try {
            identity = identityOf(path);
            if (identity != null) {
                dict = MmapDict.openReadOnly(path);
            } else {
                banner = "waiting for " + path + " to appear";
            }
        } catch (IOException | RuntimeException e) {
            banner = path + " cannot be opened: " + e.getMessage();
            identity = null;
        }
    }

    /** Summarizes the entries and sends the summary to every listener. */
    private void publish() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("file", path.toString());
        s.put("banner", banner);
        List<Map<String, Object>> rows = new ArrayList<>();
        String latest = null;
        lock.readLock().lock();
        try {
            if (dict != null) {
                s.put("commit", dict.commitNumber());
                long end = 0;
                for (EntryInfo e : dict.entries()) {
                    if (!e.valid() || e.pending()) {
                        continue;
                    }
                    end = Math.max(end, e.offset() + e.length());
                    Map<String, Object> row = describe(e);
                    rows.add(row);
                    if (row.get("shape") instanceof long[] shape && (shape.length == 2 || shape.length == 3)) {
                        latest = e.key();
                    }
                }
                expectedSize = end == 0 ? 0 : end + TERMINATOR;
            }
        } catch (RuntimeException e) {
            s.put("banner", path + " cannot be read right now: " + e.getMessage());
        } finally {
            lock.readLock().unlock();
        }
        s.put("entries", rows);
        s.put("latest", latest);
        state = s;
        for (Consumer<Map<String, Object>> l : listeners) {
            l.accept(s);
        }
    }

    /** Returns key, kind, dtype, shape and size of an entry; arrays are views (no copy), other values decoded once. */
    private Map<String, Object> describe(EntryInfo e) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("key", e.key());
        row.put("bytes", e.valueLength());
        Object v = null;
        String kind = kinds.get(e.offset());
        if (kind == null || kind.endsWith("array")) {
            try {
                v = dict.get(e.key());
            } catch (RuntimeException failed) {
                kind = "unreadable: " + failed.getMessage();
            }
        }
        if (v instanceof NDArray a) {
            kind = "array";
            row.put("dtype", a.dtype().pythonStr());
            row.put("shape", a.shape());
        } else if (v instanceof MaskedArray m) {
            kind = "masked array";
            row.put("dtype", m.dtype().pythonStr());
            row.put("shape", m.shape());
        } else if (kind == null) {
            kind = ViewServer.typeName(v);
        }
        kinds.put(e.offset(), kind);
        row.put("kind", kind);
        return row;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.writeLock().lock();
        try {
            if (dict != null) {
                dict.close();
                dict = null;
            }
        } catch (IOException e) {
            // closing a read-only view of a file cannot lose anything
        } finally {
            lock.writeLock().unlock();
        }
    }
}
