package org.mmappickle.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmappickle.EntryInfo;
import org.mmappickle.MmapDict;
import org.mmappickle.PickleFormatException;

/**
 * An entry another writer appends is held to the rule a full scan applies (every value, deleted
 * ones too, does in the whole file what the layout says), also when the index learns of it
 * incrementally: a STOP planted in a deleted value would make Python's {@code pickle.load} stop
 * there and return {@code None} for the whole file while the library went on reading the dict.
 */
class AppendedValuesCheckedTest {
    @TempDir
    Path dir;

    @Test
    void aStopPlantedInAnAppendedDeletedValueIsAFormatErrorForAnOpenReader() throws Exception {
        Path f = dir.resolve("planted.mmdpickle");
        try (MmapDict w = MmapDict.open(f)) {
            w.put("other", "kept");
        }
        try (MmapDict reader = MmapDict.openReadOnly(f)) {
            assertEquals("kept", reader.get("other"));   // the reader's index is built now

            EntryInfo planted;
            try (MmapDict writer = MmapDict.open(f)) {
                writer.put("role", "admin");
                writer.remove("role");
                List<EntryInfo> entries = writer.entries();
                planted = entries.get(entries.size() - 1);
                assertEquals("role", planted.key());
            }
            // another writer's bytes: NONE then STOP at the start of the deleted value
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {'N', '.'}), planted.valueOffset());
            }

            PickleFormatException e = assertThrows(PickleFormatException.class, () -> reader.get("other"));
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        }
        // a fresh open scans the whole file and says the same
        assertThrows(PickleFormatException.class, () -> MmapDict.openReadOnly(f).close());
    }

    @Test
    void aStopInAnEntryMarkedPendingWhoseWriterIsGoneIsAFormatError() throws Exception {
        Path f = dir.resolve("pending.mmdpickle");
        EntryInfo planted;
        try (MmapDict w = MmapDict.open(f)) {
            w.put("other", "kept");
            w.put("role", "admin");
            w.remove("role");
            List<EntryInfo> entries = w.entries();
            planted = entries.get(entries.size() - 1);
        }
        // mark it pending (memo-max -1, not valid: what a two-phase append writes while it copies)
        // with no writer holding its pending lock, and plant NONE then STOP in its value
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {'N', '.'}), planted.valueOffset());
            ByteBuffer memo = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putInt(org.mmappickle.internal.format.FileLayout.PENDING_MEMO).flip();
            ch.write(memo, planted.valueOffset() + planted.valueLength() + 1);
        }
        PickleFormatException e = assertThrows(PickleFormatException.class, () -> MmapDict.openReadOnly(f).close());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
}
