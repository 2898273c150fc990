package org.mmappickle.testsupport;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Small random generators for {@link Tries}: numbers lean towards their edge values (zero, one, the limits), as
 * those are where encodings change, and strings mix ASCII, other scripts and other planes.
 */
public final class Gen {
    private Gen() {
    }

    /**
     * Returns one of the given suppliers' values, chosen uniformly.
     *
     * @param <T> the type of value
     * @param r the randomness
     * @param choices the generators to choose from
     * @return a value of one of them
     */
    @SafeVarargs
    public static <T> T oneOf(SplittableRandom r, Supplier<? extends T>... choices) {
        return choices[r.nextInt(choices.length)].get();
    }

    /**
     * Returns one of the given values, chosen uniformly.
     *
     * @param <T> the type of value
     * @param r the randomness
     * @param values the values
     * @return one of them
     */
    @SafeVarargs
    public static <T> T pick(SplittableRandom r, T... values) {
        return values[r.nextInt(values.length)];
    }

    /**
     * Returns a list of up to {@code maxSize} elements.
     *
     * @param <T> the element type
     * @param r the randomness
     * @param maxSize the largest size
     * @param element makes one element
     * @return the list
     */
    public static <T> List<T> list(SplittableRandom r, int maxSize, Function<SplittableRandom, T> element) {
        int n = r.nextInt(maxSize + 1);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(element.apply(r));
        }
        return out;
    }

    /**
     * Returns a long in [min, max], an edge value (the bounds, 0, 1, -1 when inside) one time in eight.
     *
     * @param r the randomness
     * @param min the smallest value
     * @param max the largest value
     * @return the long
     */
    public static long longBetween(SplittableRandom r, long min, long max) {
        if (r.nextInt(8) == 0) {
            long e = pick(r, min, max, 0L, 1L, -1L, min + 1, max - 1);
            if (e >= min && e <= max) {
                return e;
            }
        }
        if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) {
            return r.nextLong();
        }
        return max == Long.MAX_VALUE ? r.nextLong(min - 1, max) + 1 : r.nextLong(min, max + 1);
    }

    /**
     * Returns an int in [min, max], leaning towards the edges as {@link #longBetween} does.
     *
     * @param r the randomness
     * @param min the smallest value
     * @param max the largest value
     * @return the int
     */
    public static int intBetween(SplittableRandom r, int min, int max) {
        return (int) longBetween(r, min, max);
    }

    /**
     * Returns any int, often of few bits (most values in files are small), sometimes an edge value.
     *
     * @param r the randomness
     * @return the int
     */
    public static int anyInt(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> intBetween(r, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case 1 -> intBetween(r, -300, 300);
            default -> (int) r.nextLong() >> r.nextInt(32);
        };
    }

    /**
     * Returns any long, of any bit length, sometimes an edge value.
     *
     * @param r the randomness
     * @return the long
     */
    public static long anyLong(SplittableRandom r) {
        return r.nextBoolean() ? longBetween(r, Long.MIN_VALUE, Long.MAX_VALUE) : r.nextLong() >> r.nextInt(64);
    }

    /**
     * Returns a BigInteger in [-bound, bound] of a random bit length.
     *
     * @param r the randomness
     * @param bits the bit length of the bound
     * @return the number
     */
    public static BigInteger bigInteger(SplittableRandom r, int bits) {
        BigInteger bound = BigInteger.TWO.pow(bits);
        if (r.nextInt(8) == 0) {
            return pick(r, bound, bound.negate(), BigInteger.ZERO, BigInteger.ONE.shiftLeft(63), BigInteger.ONE.shiftLeft(64).negate());
        }
        BigInteger v = new BigInteger(r.nextInt(bits + 1), new java.util.Random(r.nextLong()));
        return r.nextBoolean() ? v.negate() : v;
    }

    /**
     * Returns any double: random bits, ordinary magnitudes, or a special value (NaN, infinities, -0.0, limits).
     *
     * @param r the randomness
     * @return the double
     */
    public static double anyDouble(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> Double.longBitsToDouble(r.nextLong());
            case 1 -> pick(r, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, 1.0, -1.0,
                    Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_NORMAL);
            case 2 -> (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-20, 21));
            default -> (double) r.nextInt(-1_000_000, 1_000_000) / pick(r, 1, 2, 4, 10, 100, 1000);
        };
    }

    /**
     * Returns any float, as {@link #anyDouble} does for doubles.
     *
     * @param r the randomness
     * @return the float
     */
    public static float anyFloat(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> Float.intBitsToFloat(r.nextInt());
            case 1 -> pick(r, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, 0.0f, 1.0f,
                    Float.MIN_VALUE, Float.MAX_VALUE);
            default -> (float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-10, 11)));
        };
    }

    /**
     * Returns a char, any UTF-16 unit including surrogates.
     *
     * @param r the randomness
     * @return the char
     */
    public static char anyChar(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> (char) r.nextInt(0x20, 0x7F);
            case 1 -> (char) r.nextInt(0x80, 0x800);
            case 2 -> pick(r, '\0', '\n', '"', '\\', '\u00ff', '\uffff', '\ud800', '\udfff');
            default -> (char) r.nextInt(0x10000);
        };
    }

    /**
     * Returns a string of up to {@code maxLength} UTF-16 units: ASCII, other scripts and supplementary code points
     * (as surrogate pairs); never a lone surrogate, which Python's str cannot encode.
     *
     * @param r the randomness
     * @param maxLength the longest length
     * @return the string
     */
    public static String string(SplittableRandom r, int maxLength) {
        int n = r.nextInt(maxLength + 1);
        StringBuilder b = new StringBuilder(n);
        boolean ascii = r.nextInt(3) == 0;
        while (b.length() < n) {
            if (ascii) {
                b.append((char) r.nextInt(0x20, 0x7F));
            } else if (r.nextInt(10) == 0 && b.length() + 2 <= n) {
                b.appendCodePoint(r.nextInt(0x10000, 0x110000));
            } else {
                char c = anyChar(r);
                b.append(Character.isSurrogate(c) ? '?' : c);
            }
        }
        return b.toString();
    }

    /**
     * Returns a byte array of up to {@code maxSize} random bytes.
     *
     * @param r the randomness
     * @param maxSize the largest size
     * @return the bytes
     */
    public static byte[] bytes(SplittableRandom r, int maxSize) {
        byte[] b = new byte[r.nextInt(maxSize + 1)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }
}
