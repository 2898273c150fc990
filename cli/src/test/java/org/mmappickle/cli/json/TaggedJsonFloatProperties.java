package org.mmappickle.cli.json;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class TaggedJsonFloatProperties {

    /** Each try checks a batch of doubles in one python3 call, so that thousands cost a few processes. */
    @Property(tries = 10)
    void writeFormatsDoublesExactlyAsPythonsRepr(@ForAll("batches") List<Double> xs) throws Exception {
        PythonFloats.assertFormattedLikePython(xs);
    }

    @Provide
    Arbitrary<List<Double>> batches() {
        Arbitrary<Double> anyBits = Arbitraries.longs().map(Double::longBitsToDouble);
        Arbitrary<Double> plain = Arbitraries.doubles();
        Arbitrary<Double> small = Arbitraries.doubles().between(-1e-3, 1e-3).ofScale(30);
        Arbitrary<Double> integral = Arbitraries.longs().between(-1L << 60, 1L << 60).map(l -> (double) l);
        Arbitrary<Double> fewDigits = Arbitraries.integers().between(1, 999)
                .flatMap(m -> Arbitraries.integers().between(-330, 310).map(e -> Double.parseDouble(m + "e" + e)));
        Arbitrary<Double> floats = Arbitraries.integers().map(i -> (double) Float.intBitsToFloat(i));
        return Arbitraries.oneOf(anyBits, plain, small, integral, fewDigits, floats).list().ofSize(2000);
    }
}
