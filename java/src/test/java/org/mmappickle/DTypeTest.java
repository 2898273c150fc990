package org.mmappickle;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmappickle.testing.Python;

class DTypeTest {

    /** Every dtype an entry may hold, in the spellings numpy users write. */
    private static final List<String> SPECS = List.of(
            "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
            "float16", "float32", "float64", "complex64", "complex128",
            "<f8", ">f8", "<f4", ">f4", ">f2", "<i2", ">i2", ">i4", ">i8", ">u2", ">u4", ">u8", ">c8", ">c16",
            "|u1", "|i1", "|b1", ">u1", ">?", "=f8", "|f8",
            "f8", "i4", "u2", "c16", "b1", "?", "b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "e", "f", "d", "F", "D",
            "double", "single", "half", "float", "int", "intc", "longlong", "ulonglong", "intp", "uintp", "byte", "ubyte",
            "short", "ushort", "cdouble", "csingle", "complex", "bool_", "int_",
            "S1", "S3", "|S3", "S255", "U1", "U5", "<U5", ">U5", "|U5", "U100",
            "datetime64", "datetime64[ns]", "datetime64[Y]", "datetime64[M]", "datetime64[W]", "datetime64[D]",
            "datetime64[h]", "datetime64[m]", "datetime64[s]", "datetime64[ms]", "datetime64[us]", "datetime64[ps]",
            "datetime64[fs]", "datetime64[as]", "datetime64[10ns]", "M8", "M8[ns]", "<M8[ns]", ">M8[ns]", ">M8", "M8[25s]",
            "timedelta64", "timedelta64[s]", "timedelta64[ns]", "m8", "<m8[s]", ">m8[us]", ">m8", "m8[D]");

    @Test
    void parsesTheStringsOfTheGoldenFiles() {
        assertEquals(DType.FLOAT64, DType.parse("float64"));
        assertEquals(DType.UINT8, DType.parse("uint8"));
        assertEquals(DType.BOOL, DType.parse("bool"));
        DType be = DType.parse(">f8");
        assertEquals(DType.Kind.FLOAT64, be.kind());
        assertEquals(ByteOrder.BIG_ENDIAN, be.order());
        assertFalse(be.isNativeOrder());
        DType u = DType.parse("<U5");
        assertEquals(DType.Kind.UNICODE, u.kind());
        assertEquals(20, u.itemSize());
        assertEquals(5, u.stringLength());
        DType s = DType.parse("|S3");
        assertEquals(DType.Kind.BYTES, s.kind());
        assertEquals(3, s.itemSize());
        assertFalse(s.hasByteOrder());
        DType ns = DType.parse("datetime64[ns]");
        assertEquals(DType.DATETIME64_NS, ns);
        assertEquals(DType.TimeUnit.NANOSECOND, ns.timeUnit());
        assertEquals(ns, DType.parse("<M8[ns]"));
        assertEquals(ByteOrder.BIG_ENDIAN, DType.parse(">M8[ns]").order());
        assertEquals(DType.COMPLEX128, DType.parse("complex128"));
        assertEquals(16, DType.COMPLEX128.itemSize());
        assertEquals(DType.FLOAT16, DType.parse("float16"));
        assertEquals(DType.timedelta64(DType.TimeUnit.SECOND), DType.parse("<m8[s]"));
        assertEquals(DType.time(DType.Kind.DATETIME64, DType.TimeUnit.NANOSECOND, 10, ByteOrder.LITTLE_ENDIAN),
                DType.parse("datetime64[10ns]"));
    }

    @Test
    void producesBothNumpySpellings() {
        assertEquals("float64", DType.FLOAT64.pythonStr());
        assertEquals("<f8", DType.FLOAT64.typeStr());
        assertEquals("|u1", DType.UINT8.typeStr());
        assertEquals("uint8", DType.UINT8.pythonStr());
        assertEquals("|b1", DType.BOOL.typeStr());
        assertEquals("bool", DType.BOOL.pythonStr());
        assertEquals(">i4", DType.INT32.withOrder(ByteOrder.BIG_ENDIAN).typeStr());
        assertEquals(">i4", DType.INT32.withOrder(ByteOrder.BIG_ENDIAN).pythonStr());
        assertEquals("<c16", DType.COMPLEX128.typeStr());
        assertEquals("<U5", DType.unicode(5).pythonStr());
        assertEquals("|S3", DType.bytes(3).pythonStr());
        assertEquals("<M8[ns]", DType.DATETIME64_NS.typeStr());
        assertEquals("datetime64[ns]", DType.DATETIME64_NS.pythonStr());
        assertEquals("timedelta64", DType.timedelta64(DType.TimeUnit.GENERIC).pythonStr());
        assertEquals("float32", DType.FLOAT32.toString());
    }

    @Test
    void byteOrderDoesNotApplyToSingleBytesAndS() {
        assertSame(DType.INT8, DType.INT8.withOrder(ByteOrder.BIG_ENDIAN));
        assertEquals(DType.UINT8, DType.parse(">u1"));
        assertEquals(DType.BOOL, DType.parse(">?"));
        assertTrue(DType.bytes(4).isNativeOrder());
        assertEquals(ByteOrder.nativeOrder(), DType.BOOL.order());
        assertTrue(DType.FLOAT32.isNativeOrder());
        assertEquals(DType.FLOAT32, DType.parse("=f4"));
        assertNotEquals(DType.FLOAT32, DType.FLOAT32.withOrder(ByteOrder.BIG_ENDIAN));
        assertEquals(DType.FLOAT32, DType.FLOAT32.withOrder(ByteOrder.BIG_ENDIAN).withOrder(ByteOrder.LITTLE_ENDIAN));
        assertEquals(DType.parse(">f4").hashCode(), DType.FLOAT32.withOrder(ByteOrder.BIG_ENDIAN).hashCode());
    }

    @Test
    void rejectsWhatItDoesNotRepresent() {
        for (String bad : List.of("", "object", "O", "V8", "|V8", "float128", "g", "S0", "U0", "S", "U", "<f3", "f16",
                "datetime64[xs]", "M8[ns", "M8[]", "m8[0s]", "datetime64[2]", "a3", "<", "S-1", "S99999999999",
                "U999999999", "int128", "Float64", " float64", "float64 ", "[('a', '<f8')]")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DType.parse(bad), bad);
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> DType.parse(null));
        assertThrows(IllegalArgumentException.class, () -> DType.of(DType.Kind.BYTES));
        assertThrows(IllegalArgumentException.class, () -> DType.of(DType.Kind.DATETIME64));
        assertThrows(IllegalArgumentException.class, () -> DType.bytes(0));
        assertThrows(IllegalArgumentException.class, () -> DType.unicode(Integer.MAX_VALUE / 4 + 1));
        assertThrows(IllegalArgumentException.class,
                () -> DType.time(DType.Kind.DATETIME64, DType.TimeUnit.GENERIC, 2, ByteOrder.LITTLE_ENDIAN));
    }

    /** Asks numpy itself for str(dtype), dtype.str and itemsize of every spelling, and compares. */
    @Test
    void agreesWithNumpy() throws Exception {
        String code = """
                import sys, numpy
                for s in sys.argv[1:]:
                    d = numpy.dtype(s)
                    print(s + '\\t' + str(d) + '\\t' + d.str + '\\t' + str(d.itemsize))
                """;
        List<String> args = new ArrayList<>(List.of("-W", "error::DeprecationWarning", "-c", code));
        args.addAll(SPECS);
        Python.Result r = Python.run(args, 60);
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(SPECS.size(), lines.length, r.out());
        for (String line : lines) {
            String[] f = line.split("\t");
            String spec = f[0];
            DType d = DType.parse(spec);
            assertEquals(f[1], d.pythonStr(), "str(dtype(" + spec + "))");
            assertEquals(f[2], d.typeStr(), "dtype(" + spec + ").str");
            assertEquals(Integer.parseInt(f[3]), d.itemSize(), "dtype(" + spec + ").itemsize");
            assertEquals(d, DType.parse(f[1]), "parse(str(dtype(" + spec + ")))");
            assertEquals(d, DType.parse(f[2]), "parse(dtype(" + spec + ").str)");
        }
    }
}
