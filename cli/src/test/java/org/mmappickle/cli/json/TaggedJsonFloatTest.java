package org.mmappickle.cli.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaggedJsonFloatTest {

    @Test
    void knownFormsAreThoseOfPython() {
        assertEquals("1e-300", TaggedJson.pythonRepr(1e-300));
        assertEquals("1e+308", TaggedJson.pythonRepr(1e308));
        assertEquals("3.0", TaggedJson.pythonRepr(3.0));
        assertEquals("0.1", TaggedJson.pythonRepr(0.1));
        assertEquals("-0.0", TaggedJson.pythonRepr(-0.0));
        assertEquals("1e+16", TaggedJson.pythonRepr(1e16));
        assertEquals("1234567890123456.0", TaggedJson.pythonRepr(1234567890123456.0));
        assertEquals("5e-324", TaggedJson.pythonRepr(Double.MIN_VALUE));
        assertEquals("1e-05", TaggedJson.pythonRepr(1e-5));
        assertEquals("0.0001", TaggedJson.pythonRepr(1e-4));
        assertEquals("1.7976931348623157e+308", TaggedJson.pythonRepr(Double.MAX_VALUE));
        assertEquals("nan", TaggedJson.pythonRepr(Double.NaN));
        assertEquals("-inf", TaggedJson.pythonRepr(Double.NEGATIVE_INFINITY));
    }

    /**
     * Powers of two and their neighbours (where the gap below a double is half the gap above, the case where
     * the shortest digits are hardest), powers of ten and their neighbours, and subnormals.
     */
    @Test
    void edgeDoublesAreFormattedAsPythonFormatsThem() throws Exception {
        List<Double> xs = new ArrayList<>();
        for (int e = -1074; e <= 1023; e++) {
            double p = Math.scalb(1.0, e);
            xs.add(p);
            xs.add(Math.nextUp(p));
            xs.add(Math.nextDown(p));
            xs.add(-p);
        }
        for (int e = -323; e <= 308; e++) {
            double p = Double.parseDouble("1e" + e);
            xs.add(p);
            xs.add(Math.nextUp(p));
            xs.add(Math.nextDown(p));
            xs.add(Double.parseDouble("5e" + e));
            xs.add(Double.parseDouble("9.999999999999999e" + e));
        }
        for (long k = 1; k < 2000; k++) {
            xs.add(Double.longBitsToDouble(k));
            xs.add(Double.longBitsToDouble(0x000F_FFFF_FFFF_FFFFL - k));
            xs.add((double) k);
            xs.add(k / 1000.0);
            xs.add(1e15 + k);
            xs.add(1e16 + 2 * k);
        }
        xs.add(Double.NaN);
        xs.add(Double.POSITIVE_INFINITY);
        xs.add(Double.NEGATIVE_INFINITY);
        xs.add(0.0);
        xs.add(-0.0);
        PythonFloats.assertFormattedLikePython(xs);
    }
}
