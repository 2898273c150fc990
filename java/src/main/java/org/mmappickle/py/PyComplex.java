package org.mmappickle.py;

/**
 * A Python {@code complex} number: a pair of doubles. Equality follows {@link Double#compare}, so
 * {@code NaN} equals {@code NaN} and {@code 0.0} differs from {@code -0.0} (as for Java records of
 * doubles; Python's {@code ==} differs on both points).
 *
 * @param real the real part
 * @param imag the imaginary part
 */
public record PyComplex(double real, double imag) {
    /** Returns the number in Python's notation, each part formatted by Java, e.g. {@code (1.5-2.0j)}. */
    @Override
    public String toString() {
        String im = Double.toString(imag);
        return "(" + real + (imag >= 0 || Double.isNaN(imag) ? "+" : "") + im + "j)";
    }
}
