package org.mmappickle;

/**
 * Layout facts about one entry of a file, for tools: where it is and whether it is valid.
 *
 * @param key the entry's key
 * @param offset offset of the entry's first byte (its FRAME opcode)
 * @param length the entry's total length in bytes
 * @param valueOffset offset of the value's first byte
 * @param valueLength the value's length in bytes
 * @param memoMax the entry's memo-max field
 * @param valid false for deleted (and replaced) entries
 * @param pending true while another writer is still copying this entry's payload
 */
public record EntryInfo(String key, long offset, long length, long valueOffset, long valueLength,
                        int memoMax, boolean valid, boolean pending) {
}
