package org.mmappickle.testsupport;

import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Property tests in plain JUnit 5: runs a check on a number of seeded random tries. Each try gets its own
 * {@link SplittableRandom}; when one fails, the failure names that try's seed, and running the test again with
 * {@code -Dmmappickle.seed=SEED} replays exactly that try (and only it). {@code -Dmmappickle.tries=N} overrides
 * the number of tries of every property (for a longer search).
 */
public final class Tries {
    /** The system property that replays one try. */
    public static final String SEED_PROPERTY = "mmappickle.seed";
    /** The system property that overrides the number of tries. */
    public static final String TRIES_PROPERTY = "mmappickle.tries";

    private Tries() {
    }

    /** One try of a property: generates its inputs from {@code random} and asserts. */
    @FunctionalInterface
    public interface Check {
        /**
         * Runs one try.
         *
         * @param random the try's source of randomness, seeded
         * @throws Exception when the try fails in a way other than an assertion
         */
        void run(SplittableRandom random) throws Exception;
    }

    /**
     * Runs {@code check} {@code tries} times with fresh seeds, or once with the seed of {@value #SEED_PROPERTY}.
     *
     * @param tries how many tries, unless {@value #TRIES_PROPERTY} says otherwise
     * @param check the property
     */
    public static void check(int tries, Check check) {
        String replay = System.getProperty(SEED_PROPERTY, "");
        if (!replay.isBlank()) {
            runOne(Long.parseLong(replay.strip()), check, "replayed try");
            return;
        }
        int n = Integer.getInteger(TRIES_PROPERTY, tries);
        SplittableRandom seeds = new SplittableRandom(ThreadLocalRandom.current().nextLong());
        for (int i = 0; i < n; i++) {
            runOne(seeds.nextLong(), check, "try " + (i + 1) + " of " + n);
        }
    }

    private static void runOne(long seed, Check check, String which) {
        try {
            check.run(new SplittableRandom(seed));
        } catch (Throwable t) {
            String msg = which + " failed with seed " + seed + "; replay it with -D" + SEED_PROPERTY + "=" + seed;
            System.err.println(msg);
            AssertionError e = new AssertionError(msg + ": " + t, t);
            throw e;
        }
    }
}
