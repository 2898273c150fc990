package org.mmappickle.cli.npy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.mmappickle.DType;
import org.mmappickle.NDArray;

/**
 * numpy's {@code .npy} file format: a magic string, a version, a header that is the text of a Python dict
 * ({@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}) padded with spaces to a multiple of
 * 64 bytes, then the array's raw bytes.
 *
 * <p>Reading accepts format versions 1.0, 2.0 (a 4-byte header length) and 3.0 (a UTF-8 header). The header is
 * parsed by a small tokenizer for the Python literals that appear in it (never evaluated); it must have exactly
 * the keys {@code 'descr'}, {@code 'fortran_order'} and {@code 'shape'}, as numpy requires. The dtype must be one
 * the library represents ({@link DType}); structured, subarray, object, void and longdouble dtypes are rejected
 * with an {@link IOException} naming the dtype. A file in C order is mapped, not copied: the array is a read-only
 * view of the mapping, valid while its arena is open. A file with {@code fortran_order: True} is copied once into
 * C order (the only order {@link NDArray} has), into memory of the same arena.
 *
 * <p>Writing produces byte for byte what {@code numpy.save} (numpy 2.x) writes: version 1.0 unless the header
 * needs the longer length field of 2.0, the dict text exactly as numpy formats it including the spare spaces it
 * leaves for the first dimension to grow, and the payload streamed from the array's segment.
 */
public final class NpyFile {

    /**
     * What a {@code .npy} header says: format version, dtype, shape, order, and where the data starts.
     *
     * @param majorVersion the format's major version: 1, 2 or 3
     * @param minorVersion the format's minor version: 0
     * @param dtype the dtype of {@code 'descr'}
     * @param shape the dimensions of {@code 'shape'}
     * @param fortranOrder whether the payload is in Fortran (column-major) order
     * @param dataOffset the file offset of the payload (a multiple of 64 in files numpy writes)
     */
    public record Header(int majorVersion, int minorVersion, DType dtype, long[] shape, boolean fortranOrder, long dataOffset) {
        /** Creates a header; the shape is copied. */
        public Header {
            shape = shape.clone();
        }

        /** Returns a copy of the shape. */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Returns the number of data bytes: the item size times the product of the shape. */
        public long dataBytes() {
            return byteSize(dtype, shape);
        }

        /** Returns whether the other object is a Header with equal fields (shapes compared by content). */
        @Override
        public boolean equals(Object o) {
            return o instanceof Header h && h.majorVersion == majorVersion && h.minorVersion == minorVersion
                    && h.dtype.equals(dtype) && Arrays.equals(h.shape, shape) && h.fortranOrder == fortranOrder
                    && h.dataOffset == dataOffset;
        }

        /** Returns a hash of the fields. */
        @Override
        public int hashCode() {
            return Objects.hash(majorVersion, minorVersion, dtype, Arrays.hashCode(shape), fortranOrder, dataOffset);
        }

        /** Returns the header as numpy would show its dict, with the version. */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "npy %d.%d {'descr': '%s', 'fortran_order': %s, 'shape': %s} at %d",
                    majorVersion, minorVersion, dtype.typeStr(), fortranOrder ? "True" : "False", shapeRepr(shape), dataOffset);
        }
    }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ARRAY_ALIGN = 64;
    /** numpy leaves room for the growth axis to reach this many digits without rewriting the header. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** numpy refuses headers over 10000 characters by default; this only guards the allocation. */
    private static final int MAX_HEADER_BYTES = 1 << 20;
    private static final Set<String> EXPECTED_KEYS = Set.of("descr", "fortran_order", "shape");
    /** Bytes per copy when a payload goes through a buffer. */
    static final int CHUNK = 1 << 20;

    private NpyFile() {
    }

    // ============================================================================================ reading

    /**
     * Reads the header of a {@code .npy} file.
     *
     * @throws IOException when the file cannot be read, is not a {@code .npy} file, or has a dtype or header the
     *     class description rejects
     */
    public static Header readHeader(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return readHeader(channelSource(ch), path.toString());
        }
    }

    /**
     * Reads a {@code .npy} file as a read-only array over a mapping of the file that stays valid until the array is
     * no longer reachable ({@link Arena#ofAuto()}). Use {@link #read(Path, Arena)} to unmap at a known time.
     *
     * @throws IOException when the file cannot be read, is not a {@code .npy} file, is shorter than its header
     *     promises, or has a dtype or header the class description rejects
     */
    public static NDArray read(Path path) throws IOException {
        return read(path, Arena.ofAuto());
    }

    /**
     * Reads a {@code .npy} file as a read-only array over a mapping of the file in the caller's arena: closing the
     * arena unmaps it, after which the array must not be used. A Fortran-order file is copied into C order into
     * memory of the arena instead. Bytes after the data are ignored, as numpy ignores them.
     *
     * @throws IOException when the file cannot be read, is not a {@code .npy} file, is shorter than its header
     *     promises, or has a dtype or header the class description rejects
     */
    public static NDArray read(Path path, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Header h = readHeader(channelSource(ch), path.toString());
            long n = h.dataBytes();
            long available = ch.size() - h.dataOffset();
            if (available < n) {
                throw new IOException(String.format(Locale.ROOT,
                        "%s: truncated: the header promises %d bytes of data (%s of shape %s), the file holds %d",
                        path, n, h.dtype().typeStr(), shapeRepr(h.shape()), Math.max(available, 0)));
            }
            if (n == 0) {
                return NDArray.wrap(MemorySegment.ofArray(new byte[0]).asReadOnly(), h.dtype(), h.shape());
            }
            if (!h.fortranOrder() || h.shape().length < 2) {
                return NDArray.wrap(ch.map(FileChannel.MapMode.READ_ONLY, h.dataOffset(), n, arena), h.dtype(), h.shape());
            }
            MemorySegment c = arena.allocate(n, ARRAY_ALIGN);
            try (Arena scratch = Arena.ofConfined()) {
                transpose(ch.map(FileChannel.MapMode.READ_ONLY, h.dataOffset(), n, scratch), c, h.dtype().itemSize(), h.shape());
            }
            return NDArray.wrap(c.asReadOnly(), h.dtype(), h.shape());
        }
    }

    /**
     * Reads a {@code .npy} stream (an entry of a zip) into new memory of {@link Arena#ofAuto()}, in C order. The
     * payload is copied through a small buffer, never held whole on the heap.
     *
     * @param streamBytes the most bytes the stream can yield (what the archive can really hold for the entry):
     *     a header promising more is refused before anything is allocated
     */
    static NDArray read(InputStream in, String name, long streamBytes) throws IOException {
        Header h = readHeader((b, what) -> {
            if (in.readNBytes(b, 0, b.length) != b.length) {
                throw new IOException(name + ": truncated in the " + what);
            }
        }, name);
        long n = h.dataBytes();
        // the header is a few bytes that could promise a terabyte: nothing is allocated for more than the stream holds
        if (n > streamBytes - h.dataOffset()) {
            throw new IOException(String.format(Locale.ROOT,
                    "%s: truncated: the header promises %d bytes of data (%s of shape %s), the entry holds at most %d",
                    name, n, h.dtype().typeStr(), shapeRepr(h.shape()), Math.max(0, streamBytes - h.dataOffset())));
        }
        MemorySegment data = Arena.ofAuto().allocate(Math.max(n, 1), ARRAY_ALIGN).asSlice(0, n);
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(n, 1))];
        for (long off = 0; off < n; ) {
            int len = (int) Math.min(buf.length, n - off);
            int got = in.readNBytes(buf, 0, len);
            if (got != len) {
                throw new IOException(String.format(Locale.ROOT, "%s: truncated: the header promises %d bytes of data, the entry holds %d",
                        name, n, off + got));
            }
            MemorySegment.copy(buf, 0, data, ValueLayout.JAVA_BYTE, off, len);
            off += len;
        }
        if (h.fortranOrder() && h.shape().length >= 2 && n > 0) {
            MemorySegment c = Arena.ofAuto().allocate(n, ARRAY_ALIGN);
            transpose(data, c, h.dtype().itemSize(), h.shape());
            data = c;
        }
        return NDArray.wrap(data, h.dtype(), h.shape());
    }

    /** Reads exactly {@code b.length} bytes or fails naming what was being read. */
    @FunctionalInterface
    private interface Source {
        void readFully(byte[] b, String what) throws IOException;
    }

    private static Source channelSource(FileChannel ch) {
        return (b, what) -> {
            ByteBuffer buf = ByteBuffer.wrap(b);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    throw new IOException("truncated in the " + what);
                }
            }
        };
    }

    private static Header readHeader(Source src, String name) throws IOException {
        try {
            return readHeader0(src);
        } catch (IOException e) {
            throw new IOException(name + ": " + e.getMessage(), e);
        }
    }

    private static Header readHeader0(Source src) throws IOException {
        byte[] magic = new byte[MAGIC.length + 2];
        src.readFully(magic, "magic string");
        if (!Arrays.equals(magic, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException("not a .npy file: it does not start with \\x93NUMPY");
        }
        int major = magic[6] & 0xFF;
        int minor = magic[7] & 0xFF;
        if (major < 1 || major > 3 || minor != 0) {
            throw new IOException(String.format(Locale.ROOT,
                    "unsupported .npy format version %d.%d (numpy writes 1.0, 2.0 and 3.0)", major, minor));
        }
        byte[] len = new byte[major == 1 ? 2 : 4];
        src.readFully(len, "header length");
        ByteBuffer lb = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? lb.getShort() & 0xFFFFL : lb.getInt() & 0xFFFF_FFFFL;
        if (headerLength > MAX_HEADER_BYTES) {
            throw new IOException("header of " + headerLength + " bytes is too large (structured dtypes are not supported anyway)");
        }
        byte[] hb = new byte[(int) headerLength];
        src.readFully(hb, "header");
        String text;
        try {
            // versions 1.0 and 2.0 are latin-1, 3.0 is UTF-8; a malformed UTF-8 header is an error, as in numpy
            text = (major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(hb)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("the version 3.0 header is not UTF-8", e);
        }
        Object parsed;
        try {
            parsed = new Literal(text).parse();
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot parse the header " + quote(text) + ": " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> d)) {
            throw new IOException("the header is not a dictionary: " + quote(text));
        }
        if (!d.keySet().equals(EXPECTED_KEYS)) {
            throw new IOException("the header does not have exactly the keys 'descr', 'fortran_order' and 'shape': " + quote(text));
        }
        DType dtype = dtype(d.get("descr"));
        if (!(d.get("fortran_order") instanceof Boolean fortran)) {
            throw new IOException("fortran_order is not True or False: " + quote(text));
        }
        if (!(d.get("shape") instanceof Tuple shapeTuple)) {
            throw new IOException("the shape is not a tuple: " + quote(text));
        }
        long[] shape = new long[shapeTuple.items().size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeTuple.items().get(i) instanceof BigInteger dim) || dim.signum() < 0 || dim.bitLength() > 63) {
                throw new IOException("the shape is not a tuple of dimensions: " + quote(text));
            }
            shape[i] = dim.longValue();
        }
        try {
            byteSize(dtype, shape);
        } catch (ArithmeticException e) {
            throw new IOException("the shape " + shapeRepr(shape) + " of " + dtype.typeStr() + " is too large", e);
        }
        return new Header(major, minor, dtype, shape, fortran, MAGIC.length + 2L + len.length + headerLength);
    }

    private static DType dtype(Object descr) throws IOException {
        if (descr instanceof String s) {
            try {
                return DType.parse(s);
            } catch (IllegalArgumentException e) {
                throw new IOException("the dtype '" + s + "' is not supported: " + e.getMessage()
                        + " (supported: bool, integers, float16/32/64, complex64/128, S, U, datetime64, timedelta64)", e);
            }
        }
        throw new IOException("structured and subarray dtypes are not supported (descr " + descr + ")");
    }

    private static String quote(String headerText) {
        String t = headerText.strip();
        return "\"" + (t.length() > 200 ? t.substring(0, 197) + "..." : t) + "\"";
    }

    /** Copies a Fortran-order payload into C order, one element at a time along the last (contiguous) C axis. */
    private static void transpose(MemorySegment f, MemorySegment c, int item, long[] shape) {
        int nd = shape.length;
        long[] fStride = new long[nd];
        long s = item;
        for (int k = 0; k < nd; k++) {
            fStride[k] = s;
            s *= shape[k];
        }
        long inner = shape[nd - 1];
        long innerStride = fStride[nd - 1];
        long[] idx = new long[nd];
        long base = 0;
        long dst = 0;
        while (true) {
            for (long j = 0; j < inner; j++) {
                MemorySegment.copy(f, base + j * innerStride, c, dst, item);
                dst += item;
            }
            int k = nd - 2;
            for (; k >= 0; k--) {
                idx[k]++;
                base += fStride[k];
                if (idx[k] < shape[k]) {
                    break;
                }
                base -= fStride[k] * shape[k];
                idx[k] = 0;
            }
            if (k < 0) {
                return;
            }
        }
    }

    /** A Python tuple in a header (a list is kept as a {@link List}, to tell structured dtypes apart). */
    private record Tuple(List<Object> items) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("(");
            for (int i = 0; i < items.size(); i++) {
                b.append(i > 0 ? ", " : "").append(items.get(i) instanceof String s ? "'" + s + "'" : items.get(i));
            }
            return b.append(items.size() == 1 ? ",)" : ")").toString();
        }
    }

    /**
     * The Python literals a header holds: dicts, tuples, lists, strings, integers (with Python 2's {@code L}
     * suffix), True, False and None.
     */
    private static final class Literal {
        /** Deeper than any header numpy writes or reads (structured dtypes nest a few levels). */
        private static final int MAX_DEPTH = 32;
        private final String s;
        private int pos;
        private int depth;

        Literal(String s) {
            this.s = s;
        }

        Object parse() {
            Object v = value();
            skipSpace();
            if (pos != s.length()) {
                throw error("unexpected text after the dictionary");
            }
            return v;
        }

        private IllegalArgumentException error(String message) {
            return new IllegalArgumentException(message + " at character " + pos);
        }

        private void skipSpace() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\n' || s.charAt(pos) == '\t' || s.charAt(pos) == '\r')) {
                pos++;
            }
        }

        private boolean take(char c) {
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private Object value() {
            skipSpace();
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            // a header is a flat dict of a string, a bool and a tuple: nesting is refused long before the stack ends
            if (depth >= MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH + " levels");
            }
            depth++;
            try {
                return value0();
            } finally {
                depth--;
            }
        }

        private Object value0() {
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> dict();
                case '(' -> tupleOrGroup();
                case '[' -> {
                    pos++;
                    yield items(']');
                }
                case '\'', '"' -> string();
                default -> {
                    if (c == '-' || c == '+' || c >= '0' && c <= '9') {
                        yield integer();
                    }
                    yield name();
                }
            };
        }

        private Map<Object, Object> dict() {
            pos++;
            Map<Object, Object> d = new LinkedHashMap<>();
            while (!take('}')) {
                Object k = value();
                if (!take(':')) {
                    throw error("expected ':'");
                }
                d.put(k, value());
                if (!take(',')) {
                    if (!take('}')) {
                        throw error("expected ',' or '}'");
                    }
                    break;
                }
            }
            return d;
        }

        private Object tupleOrGroup() {
            pos++;
            if (take(')')) {
                return new Tuple(List.of());
            }
            Object first = value();
            if (take(')')) {
                return first; // (x) is x in Python, not a tuple
            }
            if (!take(',')) {
                throw error("expected ',' or ')'");
            }
            List<Object> rest = items(')');
            List<Object> all = new ArrayList<>(rest.size() + 1);
            all.add(first);
            all.addAll(rest);
            return new Tuple(all);
        }

        /** Items up to the closing bracket, each followed by a comma except perhaps the last. */
        private List<Object> items(char close) {
            List<Object> l = new ArrayList<>();
            while (!take(close)) {
                l.add(value());
                if (!take(',')) {
                    if (!take(close)) {
                        throw error("expected ',' or '" + close + "'");
                    }
                    break;
                }
            }
            return l;
        }

        private String string() {
            char quote = s.charAt(pos++);
            StringBuilder b = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == quote) {
                    return b.toString();
                }
                if (c == '\n') {
                    throw error("unterminated string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '\\', '\'', '"' -> b.append(e);
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case '0' -> b.append('\0');
                    case 'x' -> b.append((char) hex(2));
                    case 'u' -> b.append((char) hex(4));
                    case 'U' -> b.appendCodePoint(hex(8));
                    default -> b.append('\\').append(e); // Python keeps unknown escapes as they are
                }
            }
        }

        private int hex(int digits) {
            if (pos + digits > s.length()) {
                throw error("truncated escape");
            }
            try {
                int v = Integer.parseUnsignedInt(s.substring(pos, pos + digits), 16);
                pos += digits;
                if (!Character.isValidCodePoint(v)) {
                    throw error("escape beyond Unicode");
                }
                return v;
            } catch (NumberFormatException e) {
                throw error("bad escape");
            }
        }

        private BigInteger integer() {
            int start = pos;
            if (s.charAt(pos) == '-' || s.charAt(pos) == '+') {
                pos++;
            }
            int digits = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
                pos++;
            }
            if (pos == digits || pos - digits > 40) {
                throw error("not an integer");
            }
            BigInteger v = new BigInteger(s.substring(start, pos));
            if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) {
                pos++; // written by Python 2
            }
            return v;
        }

        private Object name() {
            int start = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                pos++;
            }
            return switch (s.substring(start, pos)) {
                case "True" -> Boolean.TRUE;
                case "False" -> Boolean.FALSE;
                case "None" -> null;
                default -> {
                    pos = start;
                    throw error("unexpected " + (start < s.length() ? "'" + s.charAt(start) + "'" : "end"));
                }
            };
        }
    }

    // ============================================================================================ writing

    /**
     * Writes the array as {@code numpy.save} does, byte for byte: the header of {@link #header(DType, long...)},
     * then the elements in C order, streamed from the array's segment (no copy of the array on the heap).
     * The file is created or replaced.
     *
     * @throws IOException when the file cannot be written
     */
    public static void write(Path path, NDArray array) throws IOException {
        byte[] header = header(array.dtype(), array.shape());
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(header));
            MemorySegment seg = array.segment();
            long size = seg.byteSize();
            // a segment over a long[] or double[] has no ByteBuffer view, so its bytes go through a direct buffer
            ByteBuffer bounce = seg.isNative() || size == 0 ? null : ByteBuffer.allocateDirect((int) Math.min(CHUNK, size));
            for (long off = 0; off < size; off += CHUNK) {
                long len = Math.min(CHUNK, size - off);
                MemorySegment slice = seg.asSlice(off, len);
                if (bounce == null) {
                    writeFully(ch, slice.asByteBuffer());
                } else {
                    bounce.clear().limit((int) len);
                    MemorySegment.copy(slice, 0, MemorySegment.ofBuffer(bounce), 0, len);
                    writeFully(ch, bounce);
                }
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * Returns the header {@code numpy.save} writes for a C-order array of the dtype and shape: magic, version
     * (1.0, or 2.0 when the header would exceed 65535 bytes), length, and
     * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }} followed by numpy's spare spaces for
     * the first dimension, padded with spaces and a final {@code '\n'} so that the data starts at a multiple of 64.
     */
    public static byte[] header(DType dtype, long... shape) {
        StringBuilder d = new StringBuilder(128).append("{'descr': '").append(dtype.typeStr())
                .append("', 'fortran_order': False, 'shape': ").append(shapeRepr(shape)).append(", }");
        if (shape.length > 0) {
            d.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        }
        byte[] text = d.toString().getBytes(StandardCharsets.ISO_8859_1); // dtype strings are ASCII
        int hlen = text.length + 1;
        int major = 1;
        int lengthBytes = 2;
        int pad = ARRAY_ALIGN - ((MAGIC.length + 2 + lengthBytes + hlen) % ARRAY_ALIGN);
        if (hlen + pad > 0xFFFF) {
            major = 2;
            lengthBytes = 4;
            pad = ARRAY_ALIGN - ((MAGIC.length + 2 + lengthBytes + hlen) % ARRAY_ALIGN);
        }
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + lengthBytes + hlen + pad).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) (hlen + pad));
        } else {
            b.putInt(hlen + pad);
        }
        b.put(text);
        while (b.remaining() > 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    /** Python's repr of a shape tuple: {@code ()}, {@code (5,)}, {@code (3, 4)}. */
    static String shapeRepr(long[] shape) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            b.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }

    static long byteSize(DType dtype, long[] shape) {
        long n = dtype.itemSize();
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
