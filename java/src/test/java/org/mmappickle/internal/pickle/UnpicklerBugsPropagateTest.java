package org.mmappickle.internal.pickle;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.util.ConcurrentModificationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.mmappickle.PickleFormatException;

/**
 * Only exceptions that bad bytes can cause become a {@link PickleFormatException}: a bug in the reader, or a
 * segment that cannot be read, surfaces as itself instead of as a misleading "malformed file".
 */
class UnpicklerBugsPropagateTest {

    private static final Path FILE = Path.of("x.mmdpickle");

    @Test
    void exceptionsThatBadBytesCauseAreFormatErrors() {
        assertTrue(Unpickler.isMalformedInput(new IndexOutOfBoundsException()));
        assertTrue(Unpickler.isMalformedInput(new ArithmeticException()));
        assertTrue(Unpickler.isMalformedInput(new ClassCastException()));
        assertTrue(Unpickler.isMalformedInput(new IllegalArgumentException()));
        assertTrue(Unpickler.isMalformedInput(new NumberFormatException()));
        assertTrue(Unpickler.isMalformedInput(new DateTimeException("x")));
    }

    @Test
    void exceptionsOfBugsAreNotFormatErrors() {
        assertFalse(Unpickler.isMalformedInput(new NullPointerException()));
        assertFalse(Unpickler.isMalformedInput(new IllegalStateException()));
        assertFalse(Unpickler.isMalformedInput(new UnsupportedOperationException()));
        assertFalse(Unpickler.isMalformedInput(new ConcurrentModificationException()));
        assertFalse(Unpickler.isMalformedInput(new WrongThreadException()));
        // a format error the reader raised itself is passed on as it is, not wrapped in another
        assertFalse(Unpickler.isMalformedInput(new PickleFormatException(FILE, 0, "a", "b")));
    }

    /** A segment confined to another thread: reading it fails with WrongThreadException, which is not the file's fault. */
    @Test
    void aSegmentOfAnotherThreadIsNotReportedAsAMalformedFile() {
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment seg = confined.allocate(3);
            seg.copyFrom(MemorySegment.ofArray(new byte[] {(byte) 0x80, 5, '.'}));   // PROTO 5, STOP: valid
            CompletionException e = assertThrows(CompletionException.class,
                    () -> CompletableFuture.supplyAsync(() -> Unpickler.loadValue(seg, 0, 2, FILE, 0)).join());
            assertSame(WrongThreadException.class, e.getCause().getClass(), e.toString());
        }
    }

    /** A closed segment: IllegalStateException, passed on as itself. */
    @Test
    void aClosedSegmentIsNotReportedAsAMalformedFile() {
        MemorySegment seg;
        try (Arena a = Arena.ofConfined()) {
            seg = a.allocate(2);
            seg.copyFrom(MemorySegment.ofArray(new byte[] {(byte) 0x80, 5}));
        }
        MemorySegment closed = seg;
        assertThrows(IllegalStateException.class, () -> Unpickler.loadValue(closed, 0, 2, FILE, 0));
    }
}
