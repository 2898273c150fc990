package org.mmappickle;

/**
 * What a repair of a torn tail did: the file was cut after its last complete entry and the
 * terminator rewritten, so that plain {@code pickle.load} reads it again.
 *
 * @param keptEntries how many complete entries (valid or deleted) the file kept
 * @param cutAt the offset after the last complete entry, where the terminator now is
 * @param droppedBytes how many bytes of incomplete entry or terminator were removed
 */
public record RepairReport(int keptEntries, long cutAt, long droppedBytes) {
}
