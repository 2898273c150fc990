package org.mmappickle.internal.format;

import java.lang.foreign.MemorySegment;

/**
 * The bytes of one new entry, ready to write at a known offset: the structural pieces of its value
 * interleaved with its payloads ({@code structure[0], payload[0], structure[1], ...}); a generic
 * value is one structural piece and no payload.
 *
 * @param key the key's UTF-8 bytes
 * @param structure the value's structural pieces (payloads.length + 1 of them)
 * @param payloads the array payloads, written between the pieces
 * @param memoMax the entry's memo-max
 */
public record EntryPlan(byte[] key, byte[][] structure, MemorySegment[] payloads, int memoMax) {
    /** Checks the shape of the plan. */
    public EntryPlan {
        if (structure.length != payloads.length + 1) {
            throw new IllegalArgumentException("a plan has one more structural piece than payloads");
        }
    }

    /** The value's length D. */
    public long valueLength() {
        long n = 0;
        for (byte[] s : structure) {
            n += s.length;
        }
        for (MemorySegment p : payloads) {
            n = Math.addExact(n, p.byteSize());
        }
        return n;
    }

    /** The total bytes of payload. */
    public long payloadBytes() {
        long n = 0;
        for (MemorySegment p : payloads) {
            n += p.byteSize();
        }
        return n;
    }

    /** Offset, relative to the value's first byte, of payload {@code i}. */
    public long payloadOffset(int i) {
        long n = 0;
        for (int j = 0; j <= i; j++) {
            n += structure[j].length;
            if (j < i) {
                n += payloads[j].byteSize();
            }
        }
        return n;
    }

    /** Offset, relative to the value's first byte, of structural piece {@code i}. */
    public long structureOffset(int i) {
        return i == 0 ? 0 : payloadOffset(i - 1) + payloads[i - 1].byteSize();
    }
}
