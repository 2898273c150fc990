package org.mmappickle;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mmappickle.py.PyComplex;

/**
 * numpy's {@code repr} of arrays and masked arrays, approximated: edge items, uniform float formatting, 75-column
 * lines. It reads elements through the arrays' public accessors, so it works on any view (strided or not).
 */
final class ArrayRepr {
    private ArrayRepr() {
    }

    /** Returns numpy's repr of an array: {@code array([1., 2., 3.], dtype=float32)}. */
    static String of(NDArray a) {
        String prefix = "array(";
        Body r = new Body(a, null);
        long[] shape = a.shape();
        if (!r.printable()) {
            return "array(<" + a.size() + " elements>, shape=" + shapeTuple(shape) + ", dtype=" + dtypeRepr(a.dtype()) + ")";
        }
        String body = prefix + r.body(prefix.length());
        List<String> extras = new ArrayList<>(2);
        if (a.size() == 0 ? shape.length != 1 : r.summarized()) {
            extras.add("shape=" + shapeTuple(shape));
        }
        if (a.size() == 0 || !isTypeless(a.dtype())) {
            extras.add("dtype=" + dtypeRepr(a.dtype()));
        }
        if (extras.isEmpty()) {
            return body + ")";
        }
        String extra = String.join(", ", extras) + ")";
        // as numpy does: the extras go on their own line when they would make the last line too long
        int lastLine = body.length() + 1 - (body.lastIndexOf('\n') + 1);
        String spacer = lastLine + extra.length() + 1 > Body.LINE_WIDTH ? "\n" + " ".repeat(prefix.length()) : " ";
        return body + "," + spacer + extra;
    }

    /** Returns numpy's repr of a masked array: {@code masked_array(data=[1.0, --, 3.0], mask=[False, True, False], ...)}. */
    static String of(MaskedArray m) {
        NDArray data = m.data();
        String dataPrefix = "masked_array(data=";
        String maskPrefix = "             mask=";
        StringBuilder b = new StringBuilder(dataPrefix).append(formatBody(data, m.mask(), dataPrefix.length()))
                .append(",\n").append(maskPrefix).append(formatBody(m.mask(), null, maskPrefix.length()))
                .append(",\n       fill_value=").append(fillValue(data.dtype()));
        if (!isTypeless(data.dtype()) || data.size() == 0) {
            b.append(",\n            dtype=").append(dtypeRepr(data.dtype()));
        }
        return b.append(')').toString();
    }

    /** numpy's default fill value for the dtype, as its repr prints it. */
    private static String fillValue(DType d) {
        return switch (d.kind()) {
            case BOOL -> "True";
            case INT8, UINT8, INT16, INT32, INT64, UINT16, UINT32, UINT64 -> "999999";
            case FLOAT16, FLOAT32, FLOAT64 -> "1e+20";
            case COMPLEX64, COMPLEX128 -> "(1e+20+0j)";
            case BYTES -> "b'N/A'";
            case UNICODE -> "'N/A'";
            case DATETIME64, TIMEDELTA64 -> "NaT";
        };
    }

    /** Returns a shape as Python prints a tuple: {@code (3,)}, {@code (2, 3)}. */
    static String shapeTuple(long[] shape) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            b.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** The dtypes numpy's repr leaves out ({@code float64}, {@code int64}, {@code complex128}, {@code bool}). */
    static boolean isTypeless(DType d) {
        return d.isNativeOrder() && switch (d.kind()) {
            case FLOAT64, INT64, COMPLEX128, BOOL -> true;
            default -> false;
        };
    }

    /** numpy writes a dtype's name bare when it is an identifier ({@code float32}), quoted otherwise ({@code '<U2'}). */
    static String dtypeRepr(DType d) {
        String s = d.pythonStr();
        return s.matches("[a-z][a-z0-9]*") ? s : "'" + s + "'";
    }

    /** Formats an array (optionally masked) as numpy's repr does, without the {@code array(} wrapper. */
    static String formatBody(NDArray a, NDArray mask, int indent) {
        return new Body(a, mask).body(indent);
    }

    /** numpy's array printing, approximated: edge items, uniform float formatting, 75-column lines. */
    private static final class Body {
        private static final int LINE_WIDTH = 75;
        private static final int EDGE = 3;
        private static final long THRESHOLD = 1000;
        private static final long MAX_SHOWN = 100_000;

        private final NDArray a;
        private final NDArray mask;
        private final long[] shape;
        /** Element strides of the C-ordered flat index, which the flat accessors take whatever the view's layout. */
        private final long[] cStride;
        private final boolean summarize;
        private final long shown;
        private String[] words;
        private int next;

        Body(NDArray a, NDArray mask) {
            this.a = a;
            this.mask = mask;
            this.shape = a.shape();
            this.summarize = a.size() > THRESHOLD;
            this.cStride = new long[shape.length];
            long c = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                cStride[d] = c;
                c *= Math.max(shape[d], 1);
            }
            long n = 1;
            for (long d : shape) {
                n *= shownLength(d);   // cannot overflow: each factor is at most its dimension
            }
            this.shown = a.size() == 0 ? 0 : n;
        }

        boolean printable() {
            return shown <= MAX_SHOWN;
        }

        boolean summarized() {
            return summarize;
        }

        private long shownLength(long d) {
            return summarize && d > 2 * EDGE ? 2 * EDGE : d;
        }

        String body(int indent) {
            if (a.size() == 0) {
                return "[]";
            }
            if (!printable()) {
                return "[...]";
            }
            long[] flat = new long[(int) shown];
            int[] count = {0};
            collect(0, 0, flat, count);
            words = formatElements(flat);
            next = 0;
            if (shape.length == 0) {
                return words[0];
            }
            return layout(0, " ".repeat(indent));
        }

        private void collect(int axis, long base, long[] out, int[] count) {
            if (axis == shape.length) {
                out[count[0]++] = base;
                return;
            }
            long n = shape[axis];
            long stride = cStride[axis];
            boolean elide = summarize && n > 2 * EDGE;
            for (long i = 0; i < n; i++) {
                if (elide && i == EDGE) {
                    i = n - EDGE;
                }
                collect(axis + 1, base + i * stride, out, count);
            }
        }

        private String layout(int axis, String indent) {
            long n = shape[axis];
            boolean elide = summarize && n > 2 * EDGE;
            StringBuilder b = new StringBuilder("[");
            if (axis == shape.length - 1) {
                int col = indent.length() + 1;
                boolean first = true;
                for (long i = 0; i < n; i++) {
                    String word;
                    if (elide && i == EDGE) {
                        word = "...";
                        i = n - EDGE - 1;
                    } else {
                        word = words[next++];
                    }
                    String token = i == n - 1 ? word : word + ",";
                    // keep room for the closing brackets of this and the enclosing axes
                    int reserve = i == n - 1 ? axis + 1 : 0;
                    if (!first && col + 1 + token.length() + reserve > LINE_WIDTH) {
                        b.append('\n').append(indent).append(' ');
                        col = indent.length() + 1;
                    } else if (!first) {
                        b.append(' ');
                        col++;
                    }
                    b.append(token);
                    col += token.length();
                    first = false;
                }
            } else {
                String sep = ",\n" + "\n".repeat(shape.length - axis - 2) + indent + " ";
                for (long i = 0; i < n; i++) {
                    if (i > 0) {
                        b.append(sep);
                    }
                    if (elide && i == EDGE) {
                        b.append("...");
                        i = n - EDGE - 1;
                    } else {
                        b.append(layout(axis + 1, indent + " "));
                    }
                }
            }
            return b.append(']').toString();
        }

        private boolean masked(long flat) {
            return mask != null && mask.flatBoolean(flat);
        }

        private String[] formatElements(long[] flat) {
            int n = flat.length;
            String[] out = new String[n];
            DType.Kind k = a.dtype().kind();
            switch (k) {
                case BOOL -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = a.flatBoolean(flat[i]) ? "True" : "False";
                    }
                    padLeft(out, flat);
                }
                case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Long.toString(a.flatLong(flat[i]));
                    }
                    padLeft(out, flat);
                }
                case UINT64 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Long.toUnsignedString(a.flatLong(flat[i]));
                    }
                    padLeft(out, flat);
                }
                case TIMEDELTA64 -> {
                    for (int i = 0; i < n; i++) {
                        long v = a.flatLong(flat[i]);
                        out[i] = v == Long.MIN_VALUE ? "'NaT'" : Long.toString(v);
                    }
                    padLeft(out, flat);
                }
                case DATETIME64 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = "'" + datetimeString(a.flatLong(flat[i]), a.dtype()) + "'";
                    }
                }
                case FLOAT16, FLOAT32, FLOAT64 -> {
                    double[] v = new double[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = a.flatDouble(flat[i]);
                    }
                    FloatFormat f = new FloatFormat(v, unmasked(flat), k, false);
                    for (int i = 0; i < n; i++) {
                        out[i] = f.format(v[i], true);
                    }
                    padLeft(out, flat);
                }
                case COMPLEX64, COMPLEX128 -> {
                    double[] re = new double[n];
                    double[] im = new double[n];
                    for (int i = 0; i < n; i++) {
                        PyComplex c = a.flatComplex(flat[i]);
                        re[i] = c.real();
                        im[i] = c.imag();
                    }
                    DType.Kind part = k == DType.Kind.COMPLEX64 ? DType.Kind.FLOAT32 : DType.Kind.FLOAT64;
                    boolean[] use = unmasked(flat);
                    FloatFormat fr = new FloatFormat(re, use, part, false);
                    FloatFormat fi = new FloatFormat(im, use, part, true);
                    for (int i = 0; i < n; i++) {
                        out[i] = fr.format(re[i], true) + fi.format(im[i], false) + "j";
                    }
                    int w = 0;
                    for (String s : out) {
                        w = Math.max(w, s.length());
                    }
                    for (int i = 0; i < n; i++) {
                        out[i] = out[i] + " ".repeat(w - out[i].length());
                    }
                }
                case BYTES -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = org.mmappickle.internal.bytes.BytesRepr.of(a.flatBytes(flat[i]));
                    }
                }
                case UNICODE -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = strRepr(a.flatString(flat[i]));
                    }
                }
            }
            if (mask != null) {
                for (int i = 0; i < n; i++) {
                    if (masked(flat[i])) {
                        out[i] = "--";
                    }
                }
            }
            return out;
        }

        private boolean[] unmasked(long[] flat) {
            boolean[] use = new boolean[flat.length];
            for (int i = 0; i < flat.length; i++) {
                use[i] = !masked(flat[i]);
            }
            return use;
        }

        private void padLeft(String[] out, long[] flat) {
            int w = 0;
            for (int i = 0; i < out.length; i++) {
                if (!masked(flat[i])) {
                    w = Math.max(w, out[i].length());
                }
            }
            for (int i = 0; i < out.length; i++) {
                if (out[i].length() < w) {
                    out[i] = " ".repeat(w - out[i].length()) + out[i];
                }
            }
        }
    }

    /**
     * numpy's float formatting in its default mode ("maxprec", 8 digits), approximated: one format for all shown
     * values, positional unless the values span too many magnitudes.
     */
    private static final class FloatFormat {
        private static final int PRECISION = 8;

        private final DType.Kind kind;
        private final boolean sign;
        private final boolean exp;
        private int intWidth;
        private int fracWidth;
        private int expDigits = 2;
        private int width;

        FloatFormat(double[] values, boolean[] use, DType.Kind kind, boolean sign) {
            this.kind = kind;
            this.sign = sign;
            double max = 0;
            double min = Double.POSITIVE_INFINITY;
            for (int i = 0; i < values.length; i++) {
                double v = Math.abs(values[i]);
                if (use[i] && Double.isFinite(v) && v != 0) {
                    max = Math.max(max, v);
                    min = Math.min(min, v);
                }
            }
            exp = max != 0 && (max >= 1e8 || min < 1e-4 || max / min > 1e3);
            for (int i = 0; i < values.length; i++) {
                if (!use[i] || !Double.isFinite(values[i])) {
                    continue;
                }
                if (exp) {
                    String[] p = expParts(values[i]);
                    fracWidth = Math.max(fracWidth, p[1].length());
                    expDigits = Math.max(expDigits, p[2].length());
                } else {
                    String[] p = positionalParts(values[i]);
                    intWidth = Math.max(intWidth, p[0].length());
                    fracWidth = Math.max(fracWidth, p[1].length());
                }
            }
            for (int i = 0; i < values.length; i++) {
                if (use[i]) {
                    width = Math.max(width, core(values[i], true).length());
                }
            }
        }

        private BigDecimal shortest(double v) {
            return switch (kind) {
                case FLOAT32 -> new BigDecimal(Float.toString((float) v));
                case FLOAT16 -> shortestHalf((float) v);
                default -> new BigDecimal(Double.toString(v));
            };
        }

        private static BigDecimal shortestHalf(float v) {
            short bits = Float.floatToFloat16(v);
            BigDecimal exact = new BigDecimal(v);
            for (int digits = 1; digits < 10; digits++) {
                BigDecimal r = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
                if (Float.floatToFloat16(r.floatValue()) == bits) {
                    return r;
                }
            }
            return exact;
        }

        /** [sign and integer digits, fraction digits]. */
        private String[] positionalParts(double v) {
            BigDecimal d = shortest(v);
            if (d.scale() > PRECISION) {
                d = d.setScale(PRECISION, RoundingMode.HALF_EVEN);
            }
            d = d.stripTrailingZeros();
            if (d.scale() < 0) {
                d = d.setScale(0);
            }
            String s = d.abs().toPlainString();
            int dot = s.indexOf('.');
            String ip = dot < 0 ? s : s.substring(0, dot);
            String fp = dot < 0 ? "" : s.substring(dot + 1);
            boolean neg = v < 0 || (v == 0 && 1 / v < 0);
            return new String[] {(neg ? "-" : sign ? "+" : "") + ip, fp};
        }

        /** [sign and leading digit, fraction digits, exponent digits, exponent sign]. */
        private String[] expParts(double v) {
            boolean neg = v < 0 || (v == 0 && 1 / v < 0);
            if (v == 0) {
                return new String[] {(neg ? "-" : sign ? "+" : "") + "0", "", "0", "+"};
            }
            BigDecimal d = shortest(Math.abs(v)).round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN)).stripTrailingZeros();
            String digits = d.unscaledValue().toString();
            int e = digits.length() - 1 - d.scale();
            return new String[] {(neg ? "-" : sign ? "+" : "") + digits.charAt(0), digits.substring(1),
                    Integer.toString(Math.abs(e)), e < 0 ? "-" : "+"};
        }

        /** Formats a value; with {@code pad}, aligned to the width of all values (integer part right, fraction left). */
        String format(double v, boolean pad) {
            String s = core(v, pad);
            return pad && s.length() < width ? " ".repeat(width - s.length()) + s : s;
        }

        private String core(double v, boolean pad) {
            String s;
            if (Double.isNaN(v)) {
                s = sign ? "+nan" : "nan";
            } else if (Double.isInfinite(v)) {
                s = v > 0 ? (sign ? "+inf" : "inf") : "-inf";
            } else if (exp) {
                String[] p = expParts(v);
                String e = "0".repeat(Math.max(0, expDigits - p[2].length())) + p[2];
                s = p[0] + "." + p[1] + "0".repeat(fracWidth - p[1].length()) + "e" + p[3] + e;
            } else {
                String[] p = positionalParts(v);
                s = (pad ? " ".repeat(Math.max(0, intWidth - p[0].length())) : "") + p[0] + "." + p[1]
                        + (pad ? " ".repeat(fracWidth - p[1].length()) : "");
            }
            return s;
        }
    }

    static String datetimeString(long v, DType dt) {
        if (v == Long.MIN_VALUE) {
            return "NaT";
        }
        DType.TimeUnit u = dt.timeUnit();
        try {
            long t = Math.multiplyExact(v, dt.timeUnitCount());
            return switch (u) {
                case GENERIC -> Long.toString(v);
                case YEAR -> String.format(Locale.ROOT, "%04d", Math.addExact(1970, t));
                case MONTH -> String.format(Locale.ROOT, "%04d-%02d", Math.floorDiv(t, 12) + 1970, Math.floorMod(t, 12) + 1);
                case WEEK -> LocalDate.ofEpochDay(Math.multiplyExact(t, 7)).toString();
                case DAY -> LocalDate.ofEpochDay(t).toString();
                case HOUR -> dateTime(Math.multiplyExact(t, 3600)).substring(0, 13);
                case MINUTE -> dateTime(Math.multiplyExact(t, 60)).substring(0, 16);
                case SECOND -> dateTime(t);
                case MILLISECOND -> withFraction(t, 3);
                case MICROSECOND -> withFraction(t, 6);
                case NANOSECOND -> withFraction(t, 9);
                case PICOSECOND -> withFraction(t, 12);
                case FEMTOSECOND -> withFraction(t, 15);
                case ATTOSECOND -> withFraction(t, 18);
            };
        } catch (ArithmeticException | DateTimeException e) {
            return Long.toString(v);
        }
    }

    private static String withFraction(long t, int digits) {
        long scale = 1;
        for (int i = 0; i < digits; i++) {
            scale *= 10;
        }
        String frac = Long.toString(Math.floorMod(t, scale));
        return dateTime(Math.floorDiv(t, scale)) + "." + "0".repeat(digits - frac.length()) + frac;
    }

    private static String dateTime(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        return String.format(Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d", t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
    }

    private static String strRepr(String v) {
        StringBuilder s = new StringBuilder("'");
        v.codePoints().forEach(c -> {
            switch (c) {
                case '\\' -> s.append("\\\\");
                case '\'' -> s.append("\\'");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        s.append(String.format(Locale.ROOT, "\\x%02x", c));
                    } else {
                        s.appendCodePoint(c);
                    }
                }
            }
        });
        return s.append('\'').toString();
    }
}
