package org.mmappickle.cli.npy;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.mmappickle.NDArray;

/**
 * numpy's {@code .npz} files: zip archives of {@code .npy} files, one entry {@code NAME.npy} per array, as
 * {@code numpy.savez} and {@code numpy.savez_compressed} write them.
 *
 * <p>Reading accepts stored and deflated entries (and ZIP64); the arrays are copied, through a small buffer, into
 * off-heap memory that is freed when they are no longer reachable, since a compressed entry cannot be mapped.
 * Every entry must be a {@code .npy} file named {@code NAME.npy}: an archive with other files is rejected rather
 * than read in part. Writing stores the entries uncompressed, as {@code numpy.savez} does; the archive is not
 * byte-identical to numpy's (zip timestamps and extra fields differ), but numpy reads it, and each entry's bytes
 * are exactly what {@code numpy.save} writes.
 */
public final class NpzFile {

    private NpzFile() {
    }

    /**
     * Reads every array of a {@code .npz} file, keyed by entry name without {@code .npy}, in the archive's order
     * (the order {@code numpy.savez} wrote them in).
     *
     * @throws IOException when the file is not a zip archive, has an entry that is not a {@code NAME.npy} file,
     *     or has an entry {@link NpyFile} cannot read
     */
    public static LinkedHashMap<String, NDArray> read(Path path) throws IOException {
        LinkedHashMap<String, NDArray> arrays = new LinkedHashMap<>();
        long archiveBytes = Files.size(path);
        try (ZipFile zip = new ZipFile(path.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName();
                if (!name.endsWith(".npy")) {
                    throw new IOException(path + ": the entry \"" + name + "\" is not a .npy array (numpy.savez writes only NAME.npy entries)");
                }
                try (InputStream in = zip.getInputStream(e)) {
                    arrays.put(name.substring(0, name.length() - 4), NpyFile.read(in, path + "!" + name,
                            maxEntryBytes(e, archiveBytes)));
                }
            }
        }
        return arrays;
    }

    /** deflate's best ratio: 258 bytes from a code of about two bits (the zlib technical details give 1032:1). */
    private static final long MAX_DEFLATE_RATIO = 1032;

    /**
     * Returns the most bytes an entry can yield: its declared size, and no more than its compressed bytes (stored)
     * or deflate's best ratio over them (deflated), which the archive really holds; the declared sizes are the
     * archive's word only and are checked again while reading.
     */
    static long maxEntryBytes(ZipEntry e, long archiveBytes) {
        long compressed = e.getCompressedSize() >= 0 ? Math.min(e.getCompressedSize(), archiveBytes) : archiveBytes;
        long most = e.getMethod() == ZipEntry.STORED ? compressed : Math.multiplyHigh(compressed, MAX_DEFLATE_RATIO) != 0
                ? Long.MAX_VALUE : compressed * MAX_DEFLATE_RATIO;
        return e.getSize() >= 0 ? Math.min(e.getSize(), most) : most;
    }

    /**
     * Writes the arrays as {@code numpy.savez(path, **arrays)} does: one stored (uncompressed) entry
     * {@code NAME.npy} per array, in the map's order. Each payload is read twice from its segment (for the CRC
     * the zip header needs first, then to write it) and never held whole on the heap. The file is created or
     * replaced.
     *
     * @throws IOException when the file cannot be written
     */
    public static void write(Path path, Map<String, ? extends NDArray> arrays) throws IOException {
        try (OutputStream file = Files.newOutputStream(path)) {
            write(file, arrays);
        }
    }

    /**
     * Writes the archive of {@link #write(Path, Map)} to a stream (a file the caller created exclusively), and
     * leaves the stream open.
     *
     * @throws IOException when the stream fails
     */
    public static void write(OutputStream file, Map<String, ? extends NDArray> arrays) throws IOException {
        byte[] buf = new byte[NpyFile.CHUNK];
        OutputStream kept = new java.io.FilterOutputStream(file) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();   // finishes the archive without closing the caller's stream
            }
        };
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(kept, 1 << 16))) {
            for (Map.Entry<String, ? extends NDArray> e : arrays.entrySet()) {
                String key = Objects.requireNonNull(e.getKey(), "array name");
                NDArray a = Objects.requireNonNull(e.getValue(), () -> "array " + key);
                byte[] header = NpyFile.header(a.dtype(), a.shape());
                MemorySegment seg = a.segment();
                CRC32 crc = new CRC32();
                crc.update(header);
                copyChunks(seg, buf, (b, len) -> crc.update(b, 0, len));
                ZipEntry z = new ZipEntry(key + ".npy");
                z.setMethod(ZipEntry.STORED);
                z.setSize(header.length + seg.byteSize());
                z.setCompressedSize(header.length + seg.byteSize());
                z.setCrc(crc.getValue());
                zip.putNextEntry(z);
                zip.write(header);
                copyChunks(seg, buf, (b, len) -> zip.write(b, 0, len));
                zip.closeEntry();
            }
        }
    }

    @FunctionalInterface
    private interface ChunkSink {
        void accept(byte[] b, int len) throws IOException;
    }

    private static void copyChunks(MemorySegment seg, byte[] buf, ChunkSink sink) throws IOException {
        for (long off = 0, size = seg.byteSize(); off < size; ) {
            int len = (int) Math.min(buf.length, size - off);
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, off, buf, 0, len);
            sink.accept(buf, len);
            off += len;
        }
    }
}
