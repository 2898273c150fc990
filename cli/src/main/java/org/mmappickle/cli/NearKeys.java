package org.mmappickle.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The keys of a file that look like a key the user typed and the file does not have: for "did you mean". */
final class NearKeys {
    /** No more suggestions than this: a line, not a listing. */
    static final int MAX = 5;
    /** Keys longer than this are compared by case and prefix only (an edit distance is quadratic in length). */
    private static final int MAX_DISTANCE_LENGTH = 256;

    private NearKeys() {
    }

    /**
     * Returns up to {@link #MAX} keys near {@code wanted}, nearest first: the same but for case, or within an edit
     * distance of a third of its length (at least 1, at most 3), or one of them a prefix of the other.
     */
    static List<String> of(String wanted, Collection<String> keys) {
        record Scored(String key, int score) {
        }
        String lower = wanted.toLowerCase(Locale.ROOT);
        int limit = Math.max(1, Math.min(3, wanted.length() / 3));
        List<Scored> near = new ArrayList<>();
        for (String k : keys) {
            int score;
            if (k.toLowerCase(Locale.ROOT).equals(lower)) {
                score = 0;
            } else if (k.length() <= MAX_DISTANCE_LENGTH && wanted.length() <= MAX_DISTANCE_LENGTH
                    && Math.abs(k.length() - wanted.length()) <= limit
                    && distance(lower, k.toLowerCase(Locale.ROOT)) <= limit) {
                score = distance(lower, k.toLowerCase(Locale.ROOT));
            } else if (!wanted.isEmpty() && (k.startsWith(wanted) || wanted.startsWith(k) && !k.isEmpty())) {
                score = limit + 1;
            } else {
                continue;
            }
            near.add(new Scored(k, score));
        }
        near.sort(Comparator.comparingInt(Scored::score).thenComparing(Scored::key));
        return near.stream().limit(MAX).map(Scored::key).toList();
    }

    /** Returns {@code "; did you mean 'a', 'b'?"} for the keys near {@code wanted}, or "" when none is. */
    static String hint(String wanted, Collection<String> keys) {
        List<String> near = of(wanted, keys);
        return near.isEmpty() ? "" : "; did you mean " + String.join(", ", near.stream().map(PyRepr::str).toList()) + "?";
    }

    /** Levenshtein distance, two rows. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
