package org.mmappickle.py;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class PyNumpyScalarTest {

    @Test
    void factoriesGiveNumpysTypeStringsAndValues() {
        assertEquals("|b1", PyNumpyScalar.ofBool(true).dtype());
        assertEquals(true, PyNumpyScalar.ofBool(true).value());
        assertEquals(-3L, PyNumpyScalar.ofInt8((byte) -3).value());
        assertEquals(-300L, PyNumpyScalar.ofInt16((short) -300).value());
        assertEquals("<i4", PyNumpyScalar.ofInt32(-4).dtype());
        assertEquals(-4L, PyNumpyScalar.ofInt32(-4).value());
        assertEquals(Long.MIN_VALUE, PyNumpyScalar.ofInt64(Long.MIN_VALUE).value());
        assertEquals(255L, PyNumpyScalar.ofUInt8(255).value());
        assertEquals(65535L, PyNumpyScalar.ofUInt16(65535).value());
        assertEquals(4_000_000_000L, PyNumpyScalar.ofUInt32(4_000_000_000L).value());
        BigInteger max = BigInteger.TWO.pow(64).subtract(BigInteger.ONE);
        assertEquals(max, PyNumpyScalar.ofUInt64(max).value());
        assertEquals(BigInteger.ONE, PyNumpyScalar.ofUInt64(BigInteger.ONE).value()); // always BigInteger for uint64
        assertEquals(0.5, PyNumpyScalar.ofFloat16(0.5f).value());
        assertEquals(1.5, PyNumpyScalar.ofFloat32(1.5f).value());
        assertEquals("<f8", PyNumpyScalar.ofDouble(2.5).dtype());
        assertEquals(2.5, PyNumpyScalar.ofDouble(2.5).value());
        assertEquals(new PyComplex(1, 2), PyNumpyScalar.ofComplex64(1, 2).value());
        assertEquals(new PyComplex(1, -2), PyNumpyScalar.ofComplex128(1, -2).value());
        assertEquals("<M8[ns]", PyNumpyScalar.ofDatetime64(5, "ns").dtype());
        assertEquals(5L, PyNumpyScalar.ofDatetime64(5, "ns").value());
        assertEquals("<m8[10us]", PyNumpyScalar.ofTimedelta64(3, "10us").dtype());
        assertEquals("|S2", PyNumpyScalar.ofBytes(new byte[] {'a', 'b'}).dtype());
        assertEquals("<U2", PyNumpyScalar.ofStr("\u00e9\uD83D\uDE80").dtype());
        assertEquals("\u00e9\uD83D\uDE80", PyNumpyScalar.ofStr("\u00e9\uD83D\uDE80").value());
    }

    @Test
    void valueFollowsTheByteOrderAndStripsTrailingNuls() {
        assertEquals(256L, PyNumpyScalar.of(">i4", new byte[] {0, 0, 1, 0}).value());
        assertEquals(2.0, PyNumpyScalar.of(">f8", new byte[] {0x40, 0, 0, 0, 0, 0, 0, 0}).value());
        assertArrayEquals(new byte[] {'a'}, (byte[]) PyNumpyScalar.of("|S3", new byte[] {'a', 0, 0}).value());
        assertEquals("a", PyNumpyScalar.of(">U2", new byte[] {0, 0, 0, 'a', 0, 0, 0, 0}).value());
        assertEquals("\uFFFD", PyNumpyScalar.of("<U1", new byte[] {-1, -1, -1, -1}).value());
        assertArrayEquals(new byte[] {1, 0}, (byte[]) PyNumpyScalar.of("|V2", new byte[] {1, 0}).value());
        assertThrows(UnsupportedOperationException.class, () -> PyNumpyScalar.of("<f16", new byte[16]).value());
    }

    @Test
    void badDtypesAndLengthsAreRefused() {
        for (String bad : new String[] {"float64", "<b1", "|i4", "<f3", "<c4", "<S3", "|U3", "<M4", "<M8[xs]", "<i4[ns]", "<O"}) {
            assertThrows(IllegalArgumentException.class, () -> PyNumpyScalar.itemSize(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> PyNumpyScalar.of("<f8", new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> PyNumpyScalar.ofUInt8(256));
        assertThrows(IllegalArgumentException.class, () -> PyNumpyScalar.ofUInt64(BigInteger.TWO.pow(64)));
        assertThrows(IllegalArgumentException.class, () -> PyNumpyScalar.ofDatetime64(1, "lightyears"));
        assertEquals(20, PyNumpyScalar.itemSize("<U5"));
    }

    @Test
    void equalityIsByDtypeAndBytes() {
        assertEquals(PyNumpyScalar.ofDouble(Double.NaN), PyNumpyScalar.ofDouble(Double.NaN));
        assertEquals(PyNumpyScalar.ofDouble(2.5).hashCode(), PyNumpyScalar.of("<f8", PyNumpyScalar.ofDouble(2.5).data()).hashCode());
        assertNotEquals(PyNumpyScalar.ofInt32(1), PyNumpyScalar.ofInt64(1));
        byte[] data = PyNumpyScalar.ofInt32(1).data();
        data[0] = 9;
        assertEquals(1L, PyNumpyScalar.ofInt32(1).value()); // data() is a copy
        assertEquals("numpy.scalar('<f8', 2.5)", PyNumpyScalar.ofDouble(2.5).toString());
        assertEquals("numpy.scalar('|S2', b'a')", PyNumpyScalar.of("|S2", new byte[] {'a', 0}).toString());
    }
}
