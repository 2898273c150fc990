package org.mmappickle.internal.format;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The in-memory index of a file's entries, so that a put, get or delete costs O(1) (or
 * O(log n)) instead of a rescan (docs/decisions/reads-without-system-calls.md). It remembers the commit number
 * and file size it describes; the owner rescans when either changed. Not thread-safe: the owner
 * guards it.
 */
public final class EntryIndex {
    private final List<FileEntry> entries = new ArrayList<>();
    private final LinkedHashMap<String, FileEntry> live = new LinkedHashMap<>();
    private final List<FileEntry> shadowed = new ArrayList<>();
    /** Entries marked pending (a payload copy in progress): the only ones that may become valid later. */
    private final TreeMap<Long, FileEntry> pending = new TreeMap<>();
    private long end = FileLayout.HEADER_LENGTH;
    private int maxMemo;
    private int commit = Integer.MIN_VALUE;
    private long size = -1;
    private long tornAt = -1;

    /** Replaces everything with the result of a scan. */
    public void reset(List<FileEntry> scanned, long end, int commit, long size) {
        entries.clear();
        live.clear();
        shadowed.clear();
        pending.clear();
        maxMemo = 0;
        for (FileEntry e : scanned) {
            add(e);
        }
        this.end = end;
        this.commit = commit;
        this.size = size;
    }

    /**
     * Records where a torn tail starts (the offset after the last complete entry), or -1 when the
     * tail is clean; the owner repairs it as an explicit step of a change.
     */
    public void tornAt(long offset) {
        tornAt = offset;
    }

    /** Where the torn tail starts, or -1 when the tail is clean. */
    public long tornAt() {
        return tornAt;
    }

    /** Returns true when the index describes a file with this commit number and size. */
    public boolean isCurrent(int fileCommit, long fileSize) {
        return fileCommit == commit && fileSize == size;
    }

    /** Returns the file size the index describes, or -1 before the first scan. */
    public long fileSize() {
        return size;
    }

    /** Returns the commit number the index describes. */
    public int commit() {
        return commit;
    }

    /** Records a new commit number and file size after this process changed the file. */
    public void committed(int newCommit, long newSize) {
        commit = newCommit;
        size = newSize;
    }

    /** Forgets the commit number so the next check rescans. */
    public void invalidate() {
        commit = Integer.MIN_VALUE;
        size = -1;
    }

    /** Offset where the next entry goes (where the terminator is). */
    public long end() {
        return end;
    }

    /** The memo index the next generic value starts from: the largest memo-max, at least 1. */
    public int memoStart() {
        return Math.max(maxMemo, 1);
    }

    /** Appends an entry written at {@link #end()}. */
    public void append(FileEntry e) {
        if (e.offset() != end) {
            throw new IllegalStateException("entry at " + e.offset() + " appended at end " + end);
        }
        add(e);
        end = e.end();
    }

    private void add(FileEntry e) {
        entries.add(e);
        if (e.pending()) {
            pending.put(e.offset(), e);
        }
        maxMemo = Math.max(maxMemo, e.memoMax());
        if (e.valid()) {
            FileEntry earlier = live.remove(e.key());   // re-inserting moves the key to the end, as in the file
            if (earlier != null) {
                shadowed.add(earlier);
            }
            live.put(e.key(), e);
        }
    }

    /**
     * Valid entries hidden by a later valid entry of the same key: a writer crashed between
     * writing a replacement and deleting what it replaced. The later one wins (as in pickle.load);
     * the owner marks these deleted, or a later delete of the key would bring them back.
     */
    public List<FileEntry> shadowed() {
        return Collections.unmodifiableList(new ArrayList<>(shadowed));
    }

    /** Replaces an entry (same offset) by a changed copy, updating the live keys. */
    public void update(FileEntry changed) {
        int i = position(changed.offset());
        FileEntry old = entries.set(i, changed);
        if (changed.pending()) {
            pending.put(changed.offset(), changed);
        } else {
            pending.remove(changed.offset());
        }
        if (!changed.valid()) {
            shadowed.removeIf(x -> x.offset() == changed.offset());
        }
        maxMemo = Math.max(maxMemo, changed.memoMax());
        if (old.valid() && !changed.valid() && live.get(old.key()) == old) {
            live.remove(old.key());
        } else if (changed.valid()) {
            live.remove(changed.key());
            live.put(changed.key(), changed);
        }
    }

    /** Returns the entry starting at an offset. */
    public FileEntry at(long offset) {
        return entries.get(position(offset));
    }

    /** Returns the entry starting at an offset, or null when no entry starts there. */
    public FileEntry find(long offset) {
        try {
            return at(offset);
        } catch (IllegalArgumentException none) {
            return null;
        }
    }

    private int position(long offset) {
        int lo = 0;
        int hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long o = entries.get(mid).offset();
            if (o < offset) {
                lo = mid + 1;
            } else if (o > offset) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        throw new IllegalArgumentException("no entry at offset " + offset);
    }

    /** Returns the valid entry of a key, or null. */
    public FileEntry live(String key) {
        return live.get(key);
    }

    /** Returns the number of valid keys. */
    public int size() {
        return live.size();
    }

    /** Returns the valid keys in file order (a live view: copy before changing the index). */
    public Set<String> keys() {
        return Collections.unmodifiableSet(live.keySet());
    }

    /** Returns the entries marked pending, in file order (a copy). */
    public List<FileEntry> pending() {
        return new ArrayList<>(pending.values());
    }

    /** Returns the valid entries, the live and the shadowed ones (a copy). */
    public List<FileEntry> validEntries() {
        List<FileEntry> out = new ArrayList<>(live.size() + shadowed.size());
        out.addAll(live.values());
        out.addAll(shadowed);
        return out;
    }

    /** Returns the last entry, or null when there is none. */
    public FileEntry last() {
        return entries.isEmpty() ? null : entries.get(entries.size() - 1);
    }

    /** Returns every entry, valid or not, in file order (an unmodifiable view). */
    public List<FileEntry> all() {
        return Collections.unmodifiableList(entries);
    }
}
