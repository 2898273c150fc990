package org.mmappickle.internal.format;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmappickle.testing.Python;

class EntryScannerTest {
    static EntryScanner.Result scan(byte[] file) {
        return EntryScanner.scan(MemorySegment.ofArray(file), FileLayout.HEADER_LENGTH, file.length);
    }

    static byte[] golden(String name) throws Exception {
        return Files.readAllBytes(Python.vectors().resolve(name));
    }

    @Test
    void goldenFilesScanClean() throws Exception {
        for (String name : List.of("empty.mmdpickle", "values.mmdpickle", "history.mmdpickle", "arrays.mmdpickle",
                "masked.mmdpickle", "vacuumed.mmdpickle", "converted.mmdpickle")) {
            byte[] b = golden(name);
            assertTrue(FileLayout.isHeader(b), name);
            EntryScanner.Result r = scan(b);
            assertEquals(EntryScanner.Tail.CLEAN, r.tail(), name + ": " + r.problem());
            assertEquals(b.length - FileLayout.TERMINATOR_LENGTH, r.end(), name);
        }
    }

    @Test
    void historyHasFourDeletedEntriesAndTheManifestKeys() throws Exception {
        byte[] b = golden("history.mmdpickle");
        EntryScanner.Result r = scan(b);
        assertEquals(7, r.entries().size());
        assertEquals(4, r.entries().stream().filter(e -> !e.valid()).count());
        assertEquals(List.of("c", "b", "e"), r.entries().stream().filter(FileEntry::valid).map(FileEntry::key).toList());
        assertEquals(11, FileLayout.commit(b));
    }

    @Test
    void tornFilesAreTornNotCorrupt() throws Exception {
        int[] cuts = {1, 5, 11, 12, 13, 20};
        int[] kept = {3, 3, 3, 2, 2, 2};
        for (int i = 0; i < cuts.length; i++) {
            byte[] b = golden("torn-minus" + cuts[i] + ".mmdpickle");
            EntryScanner.Result r = scan(b);
            String what = "torn-minus" + cuts[i];
            assertEquals(EntryScanner.Tail.TORN, r.tail(), what);
            assertEquals(kept[i], r.entries().size(), what);
        }
    }

    @Test
    void everyTruncationOfTheLastTwoEntriesIsTorn() throws Exception {
        byte[] whole = golden("history.mmdpickle");
        EntryScanner.Result full = scan(whole);
        List<FileEntry> es = full.entries();
        long from = es.get(es.size() - 2).offset();
        for (long cut = from; cut < whole.length; cut++) {
            byte[] b = Arrays.copyOf(whole, (int) cut);
            EntryScanner.Result r = scan(b);
            assertEquals(EntryScanner.Tail.TORN, r.tail(), "cut at " + cut);
            long at = cut;
            int complete = (int) es.stream().filter(e -> e.end() <= at).count();
            assertEquals(complete, r.entries().size(), "cut at " + cut);
            assertEquals(complete == 0 ? FileLayout.HEADER_LENGTH : es.get(complete - 1).end(), r.end());
        }
    }

    @Test
    void damageInTheMiddleIsCorruptNotTorn() throws Exception {
        byte[] b = golden("history.mmdpickle");
        EntryScanner.Result full = scan(b);
        FileEntry second = full.entries().get(1);
        b[(int) second.offset() + 9] = 0x00;   // its SHORT_BINUNICODE opcode
        EntryScanner.Result r = scan(b);
        assertEquals(EntryScanner.Tail.CORRUPT, r.tail());
        assertEquals(second.offset(), r.problemOffset());
        assertEquals(1, r.entries().size());
    }

    @Test
    void hugeFrameLengthsAreNotEntries() throws Exception {
        byte[] b = golden("values.mmdpickle");
        for (long f : new long[] {-1L, Long.MAX_VALUE, 1L << 40, 0, 1}) {
            byte[] c = b.clone();
            MemorySegment.ofArray(c).set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 25, f);
            EntryScanner.Result r = scan(c);
            assertNotEquals(EntryScanner.Tail.CLEAN, r.tail(), "frame " + f);
            assertEquals(0, r.entries().size());
        }
    }

    @Test
    void headerAndEntryBytesMatchTheOriginal() throws Exception {
        byte[] empty = golden("empty.mmdpickle");
        assertArrayEquals(Arrays.copyOf(empty, 24), FileLayout.header(0));
        assertTrue(FileLayout.isTerminator(empty, 24));
        byte[] values = golden("values.mmdpickle");
        FileEntry none = scan(values).entries().get(0);
        byte[] k = FileLayout.keyBytes("none");
        byte[] prefix = FileLayout.entryPrefix(k, none.valueLength());
        assertArrayEquals(Arrays.copyOfRange(values, 24, 24 + prefix.length), prefix);
        byte[] suffix = FileLayout.entrySuffix(1, true);
        assertArrayEquals(Arrays.copyOfRange(values, (int) (none.end() - 8), (int) none.end()), suffix);
    }

    @Test
    void keysAreLimitedTo255Utf8Bytes() {
        FileLayout.keyBytes("k".repeat(255));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FileLayout.keyBytes("é".repeat(128)));
        assertTrue(e.getMessage().contains("255"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FileLayout.keyBytes("\ud800"));
        assertThrows(NullPointerException.class, () -> FileLayout.keyBytes(null));
    }

    @Test
    void commitNumbersWrapToOneAndNeverGoNegative() {
        assertEquals(1, FileLayout.nextCommit(0));
        assertEquals(6, FileLayout.nextCommit(5));
        assertEquals(1, FileLayout.nextCommit(Integer.MAX_VALUE));
        assertEquals(1, FileLayout.nextCommit(-5));
    }


    @Test
    void theTerminatorFollowedByResidueIsTornAndAFileShorterThanItsHeaderIsCorrupt() throws Exception {
        byte[] whole = golden("history.mmdpickle");
        EntryScanner.Result full = scan(whole);
        for (int extra : new int[] {1, 9, 11, 100}) {
            byte[] b = Arrays.copyOf(whole, whole.length + extra);
            b[whole.length] = (byte) 0x95;
            EntryScanner.Result r = scan(b);
            assertEquals(EntryScanner.Tail.TORN, r.tail(), "residue of " + extra);
            assertEquals(full.entries().size(), r.entries().size());
            assertEquals(full.end(), r.end());
        }
        for (int size = 0; size < FileLayout.HEADER_LENGTH; size++) {
            EntryScanner.Result r = EntryScanner.scan(MemorySegment.ofArray(Arrays.copyOf(whole, size)),
                    FileLayout.HEADER_LENGTH, size);
            assertEquals(EntryScanner.Tail.CORRUPT, r.tail(), "size " + size);
        }
    }

    @Test
    void aFrameThatEndsInsideTheFileButDisagreesWithItsEntryIsCorruptNotTorn() throws Exception {
        byte[] whole = golden("history.mmdpickle");
        EntryScanner.Result full = scan(whole);
        for (FileEntry e : full.entries()) {
            long frame = e.end() - e.offset() - 9;
            for (long f : new long[] {frame + 1, whole.length - e.offset() - 9, frame - 1}) {
                byte[] b = whole.clone();
                MemorySegment.ofArray(b).set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED
                        .withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), e.offset() + 1, f);
                assertEquals(EntryScanner.Tail.CORRUPT, scan(b).tail(), "entry at " + e.offset() + ", frame " + f);
            }
        }
    }
}
