package org.mmappickle.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TriesTest {

    @AfterEach
    void clearProperties() {
        System.clearProperty(Tries.SEED_PROPERTY);
        System.clearProperty(Tries.TRIES_PROPERTY);
    }

    @Test
    void runsEveryTryWithItsOwnRandomness() {
        List<Long> firsts = new ArrayList<>();
        Tries.check(50, r -> firsts.add(r.nextLong()));
        assertEquals(50, firsts.size());
        assertEquals(50, firsts.stream().distinct().count());
    }

    @Test
    void aFailureNamesTheSeedAndTheSeedReplaysExactlyThatTry() {
        // fails on the first try whose first number is even: which try that is depends on the run's seeds
        List<Long> seen = new ArrayList<>();
        AssertionError e = assertThrows(AssertionError.class, () -> Tries.check(1000, r -> {
            long x = r.nextLong();
            seen.add(x);
            assertTrue(x % 2 != 0, "odd");
        }));
        Matcher m = Pattern.compile("-D" + Pattern.quote(Tries.SEED_PROPERTY) + "=(-?\\d+)").matcher(e.getMessage());
        assertTrue(m.find(), e.getMessage());
        long failing = seen.getLast();

        System.setProperty(Tries.SEED_PROPERTY, m.group(1));
        List<Long> replayed = new ArrayList<>();
        assertThrows(AssertionError.class, () -> Tries.check(1000, r -> {
            long x = r.nextLong();
            replayed.add(x);
            assertTrue(x % 2 != 0, "odd");
        }));
        assertEquals(List.of(failing), replayed, "the replay runs only the failing try, with the same numbers");
        assertEquals(new SplittableRandom(Long.parseLong(m.group(1))).nextLong(), failing);
    }

    @Test
    void theNumberOfTriesCanBeRaised() {
        System.setProperty(Tries.TRIES_PROPERTY, "7");
        int[] n = {0};
        Tries.check(3, r -> n[0]++);
        assertEquals(7, n[0]);
    }

    @Test
    void edgeValuesStayInRange() {
        Tries.check(200, r -> {
            long v = Gen.longBetween(r, -5, 5);
            assertTrue(v >= -5 && v <= 5, "longBetween: " + v);
            long big = Gen.longBetween(r, 10, Long.MAX_VALUE);
            assertTrue(big >= 10, "longBetween to MAX_VALUE: " + big);
            String s = Gen.string(r, 8);
            assertTrue(s.length() <= 8, "string length " + s.length());
            assertTrue(s.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF), "no lone surrogate: " + s);
        });
    }
}
