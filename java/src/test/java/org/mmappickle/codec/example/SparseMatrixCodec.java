package org.mmappickle.codec.example;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.mmappickle.ArrayFormat;
import org.mmappickle.NDArray;
import org.mmappickle.codec.Codecs;
import org.mmappickle.codec.EncodedValue;
import org.mmappickle.codec.StoredValue;
import org.mmappickle.codec.ValueCodec;
import org.mmappickle.codec.WriteContext;

/**
 * An example value codec, shipped as documentation: it stores a {@link SparseMatrix} so that its
 * three arrays are memory-mapped when read back, in bytes that plain Python {@code pickle.load}
 * reads as a dict:
 *
 * <pre>
 * {'format': 'csr', 'shape': (rows, cols), 'data': ndarray, 'indices': ndarray, 'indptr': ndarray}
 * </pre>
 *
 * (with scipy: {@code csr_matrix((d['data'], d['indices'], d['indptr']), shape=d['shape'])}). The
 * value's bytes are:
 *
 * <pre>
 * 7D 28                                   EMPTY_DICT, MARK
 * 8C 06 "format" 8C 03 "csr"              the first item
 * 8C 05 "shape" 8A 08 &lt;i64&gt; 8A 08 &lt;i64&gt; 86   (rows, cols): LONG1 of 8 bytes each, TUPLE2
 * 8C 04 "data"    &lt;array&gt;                 each array in this project's layout (docs/format.md):
 * 8C 07 "indices" &lt;array&gt;                 [padding] numpy.ndarray(shape, dtype, bytearray),
 * 8C 06 "indptr"  &lt;array&gt;                 its payload aligned in the file
 * 75                                      SETITEMS
 * </pre>
 *
 * <p>Use it by adding it to a dict's codecs, or through {@link java.util.ServiceLoader}:
 *
 * <pre>{@code
 * List<ValueCodec> codecs = new ArrayList<>(Codecs.defaults());
 * codecs.add(new SparseMatrixCodec());
 * try (MmapDict m = MmapDict.open(path, new MmapDict.Options().codecs(codecs))) {
 *     m.put("m", matrix);
 *     SparseMatrix back = (SparseMatrix) m.get("m");   // arrays mapped from the file
 * }
 * }</pre>
 *
 * <p>What a codec needs to get right, as this one shows: {@link #recognizes} looks only at the
 * first bytes and must not claim other values (the head here is one the generic pickler never
 * writes: it would write the dimensions as BININT, not as 8-byte LONG1); {@link #read} maps the
 * value and checks every byte it relies on, handing anything else to the generic codec;
 * {@link #write} builds the bytes with {@link EncodedValue.Builder}, which aligns the arrays and
 * leaves their payloads to be copied by the dict.
 */
public final class SparseMatrixCodec implements ValueCodec {
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final byte EMPTY_DICT = 0x7D;
    private static final byte MARK = 0x28;
    private static final byte SETITEMS = 0x75;
    private static final byte TUPLE2 = (byte) 0x86;
    private static final byte LONG1 = (byte) 0x8A;
    private static final byte SHORT_BINUNICODE = (byte) 0x8C;

    /** Everything up to the first dimension's 8 bytes: what {@link #recognizes} looks for. */
    private static final byte[] HEAD = concat(new byte[] {EMPTY_DICT, MARK}, str("format"), str("csr"), str("shape"),
            new byte[] {LONG1, 8});

    /** Creates the codec (ServiceLoader needs a public no-argument constructor). */
    public SparseMatrixCodec() {
    }

    /** Above the built-ins (0) and the generic codec (-100). */
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public boolean recognizes(MemorySegment head, StoredValue value) {
        return head.byteSize() >= HEAD.length
                && MemorySegment.mismatch(head, 0, HEAD.length, MemorySegment.ofArray(HEAD), 0, HEAD.length) < 0;
    }

    @Override
    public Object read(StoredValue value) throws IOException {
        MemorySegment v = value.map();   // the arrays will be views of this map
        try {
            Cursor c = new Cursor(v);
            c.expect(HEAD);
            long rows = c.i64();
            c.expect(LONG1, (byte) 8);
            long cols = c.i64();
            c.expect(TUPLE2);
            NDArray data = c.array(value, "data");
            NDArray indices = c.array(value, "indices");
            NDArray indptr = c.array(value, "indptr");
            c.expect(SETITEMS);
            if (c.pos != v.byteSize()) {
                throw new IllegalStateException("bytes after SETITEMS");
            }
            return new SparseMatrix(rows, cols, data, indices, indptr);
        } catch (RuntimeException notOurs) {
            // the head matched but the rest is not what write() produces: let the generic codec read it
            return Codecs.generic().read(value);
        }
    }

    @Override
    public boolean canWrite(Object value) {
        return value instanceof SparseMatrix;
    }

    @Override
    public EncodedValue write(Object value, WriteContext context) {
        SparseMatrix m = (SparseMatrix) value;
        return context.builder()   // knows the value's file offset: the arrays are aligned from it
                .bytes(HEAD).bytes(i64(m.rows())).bytes(LONG1, (byte) 8).bytes(i64(m.cols())).bytes(TUPLE2)
                // each array comes after its key, never right after the MARK (its padding is popped)
                .bytes(str("data")).array(m.data(), ArrayFormat.OURS)
                .bytes(str("indices")).array(m.indices(), ArrayFormat.OURS)
                .bytes(str("indptr")).array(m.indptr(), ArrayFormat.OURS)
                .bytes(SETITEMS)
                .build(0);   // no memo operations
    }

    /** Reads the structure the way write() wrote it. */
    private static final class Cursor {
        private final MemorySegment v;
        long pos;

        Cursor(MemorySegment v) {
            this.v = v;
        }

        void expect(byte... bytes) {
            if (MemorySegment.mismatch(v, pos, pos + bytes.length, MemorySegment.ofArray(bytes), 0, bytes.length) >= 0) {
                throw new IllegalStateException("unexpected bytes at " + pos);
            }
            pos += bytes.length;
        }

        long i64() {
            long x = v.get(I64, pos);
            pos += 8;
            return x;
        }

        NDArray array(StoredValue value, String key) throws IOException {
            expect(str(key));
            StoredValue.ArrayAt a = value.arrayAt(pos);
            pos = a.end();
            return a.array();
        }
    }

    private static byte[] str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return concat(new byte[] {SHORT_BINUNICODE, (byte) b.length}, b);
    }

    private static byte[] i64(long x) {
        byte[] b = new byte[8];
        MemorySegment.ofArray(b).set(I64, 0, x);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Override
    public String toString() {
        return "SparseMatrixCodec";
    }
}
