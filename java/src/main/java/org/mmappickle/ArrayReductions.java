package org.mmappickle;

/**
 * numpy's {@code sum}, {@code mean}, {@code min} and {@code max} over an {@link NDArray} view, in doubles, read
 * element by element through the view (so a mapped array is never copied).
 */
final class ArrayReductions {
    private ArrayReductions() {
    }

    /** The reductions. */
    enum Op {
        SUM, MEAN, MIN, MAX
    }

    /** Reduces every element of the array. */
    static double all(NDArray a, Op op) {
        return reduce(a, 0, a.size(), op);
    }

    /** Reduces along one axis into a new float64 array of the other axes. */
    static NDArray along(NDArray a, int axis, Op op) {
        // the reduced axis moved last: each output element reduces one run of consecutive flat indices
        NDArray moved = a.transpose(ArrayIndexing.axisLast(axis, a.ndim()));
        long[] shape = moved.shape();
        long n = shape[shape.length - 1];
        long[] outShape = java.util.Arrays.copyOf(shape, shape.length - 1);
        NDArray out = NDArray.zeros(DType.FLOAT64, outShape);
        for (long j = 0, m = out.size(); j < m; j++) {
            out.setFlatDouble(j, reduce(moved, j * n, n, op));
        }
        return out;
    }

    private static double reduce(NDArray a, long from, long count, Op op) {
        double[] r = new double[1];
        MappedFaults.translating("read", () -> r[0] = loop(a, from, count, op));
        return r[0];
    }

    private static double loop(NDArray a, long from, long count, Op op) {
        if (count == 0 && (op == Op.MIN || op == Op.MAX)) {
            throw new IllegalStateException("zero-size array to reduction operation " + op.name().toLowerCase(java.util.Locale.ROOT)
                    + " which has no identity");
        }
        double acc = switch (op) {
            case SUM, MEAN -> 0;
            case MIN -> Double.POSITIVE_INFINITY;
            case MAX -> Double.NEGATIVE_INFINITY;
        };
        // Kahan summation keeps a long float sum close to numpy's pairwise one
        double c = 0;
        for (long i = from, end = from + count; i < end; i++) {
            double v = a.flatDouble(i);
            switch (op) {
                case SUM, MEAN -> {
                    double y = v - c;
                    double t = acc + y;
                    c = (t - acc) - y;
                    acc = t;
                }
                case MIN -> acc = v < acc || Double.isNaN(v) ? v : acc;
                case MAX -> acc = v > acc || Double.isNaN(v) ? v : acc;
            }
            if (Double.isNaN(acc) && op != Op.SUM && op != Op.MEAN) {
                return acc;
            }
        }
        return op == Op.MEAN ? acc / count : acc;
    }
}
