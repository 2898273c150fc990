package org.mmappickle.cli.json;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mmappickle.testsupport.Gen;
import org.mmappickle.testsupport.Tries;

class TaggedJsonFloatPropertiesTest {

    /** Each try checks a batch of doubles in one python3 call, so that thousands cost a few processes. */
    @Test
    void writeFormatsDoublesExactlyAsPythonsRepr() {
        Tries.check(10, r -> {
            List<Double> xs = new ArrayList<>(2000);
            for (int i = 0; i < 2000; i++) {
                xs.add(aDouble(r));
            }
            PythonFloats.assertFormattedLikePython(xs);
        });
    }

    /** Any bits, ordinary values, tiny decimals, integral values, few-digit decimals, floats widened. */
    private static double aDouble(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> Double.longBitsToDouble(r.nextLong());
            case 1 -> Gen.anyDouble(r);
            case 2 -> new BigDecimal(r.nextDouble(-1e-3, 1e-3)).setScale(30, RoundingMode.HALF_EVEN).doubleValue();
            case 3 -> (double) Gen.longBetween(r, -1L << 60, 1L << 60);
            case 4 -> Double.parseDouble(Gen.intBetween(r, 1, 999) + "e" + Gen.intBetween(r, -330, 310));
            default -> (double) Float.intBitsToFloat(r.nextInt());
        };
    }
}
