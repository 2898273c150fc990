package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class MaskedArrayTest {

    @Test
    void holdsDataAndMask() {
        NDArray data = NDArray.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        NDArray mask = NDArray.of(new boolean[] {false, true, false, true, false, true}, 2, 3);
        MaskedArray m = new MaskedArray(data, mask);
        assertSame(data, m.data());
        assertSame(mask, m.mask());
        assertEquals(DType.FLOAT64, m.dtype());
        assertArrayEquals(new long[] {2, 3}, m.shape());
        assertTrue(m.isMasked(0, 1));
        assertFalse(m.isMasked(1, 1));
        assertEquals(3, m.count());
    }

    @Test
    void constructorChecksMaskDtypeAndShape() {
        NDArray data = NDArray.of(new double[] {1, 2, 3, 4});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaskedArray(data, NDArray.of(new byte[] {0, 1, 0, 1})));
        assertTrue(e.getMessage().contains("bool"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new MaskedArray(data, NDArray.of(new boolean[] {false, true, false, true}, 2, 2)));
        assertTrue(e.getMessage().contains("shape"), e.getMessage());
        assertThrows(NullPointerException.class, () -> new MaskedArray(data, null));
        assertThrows(NullPointerException.class, () -> new MaskedArray(null, data));
    }

    @Test
    void unmaskedHasAnAllFalseMask() {
        MaskedArray m = MaskedArray.unmasked(NDArray.of(new long[] {0, 0, 0, 0, 0, 0}, 2, 3));
        assertEquals(DType.BOOL, m.mask().dtype());
        assertArrayEquals(new long[] {2, 3}, m.mask().shape());
        assertEquals(6, m.count());
    }

    @Test
    void equalsComparesDataAndMask() {
        NDArray data = NDArray.of(new double[] {1, 2});
        MaskedArray a = new MaskedArray(data, NDArray.of(new boolean[] {false, true}));
        MaskedArray b = new MaskedArray(NDArray.of(new double[] {1, 2}), NDArray.of(new boolean[] {false, true}));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new MaskedArray(data, NDArray.of(new boolean[] {true, true})));
        assertNotEquals(a, MaskedArray.unmasked(data));
        assertNotEquals(a, data);
    }

    @Test
    void toStringLooksLikeNumpy() {
        MaskedArray m = new MaskedArray(NDArray.of(new double[] {1, 2, 3}), NDArray.of(new boolean[] {false, true, false}));
        // numpy prints "1.0" for the data of a masked array; the layout of the lines is the same
        assertEquals("""
                masked_array(data=[1., --, 3.],
                             mask=[False,  True, False],
                       fill_value=1e+20)""", m.toString());
        MaskedArray i = MaskedArray.unmasked(NDArray.of(new int[] {0, 0}));
        assertEquals("""
                masked_array(data=[0, 0],
                             mask=[False, False],
                       fill_value=999999,
                            dtype=int32)""", i.toString());
    }
}
