package org.mmappickle.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.mmappickle.MaskedArray;
import org.mmappickle.MmapDict;
import org.mmappickle.NDArray;
import org.mmappickle.cli.npy.NpyFile;
import org.mmappickle.cli.npy.NpzFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code export FILE KEY OUT.npy}: an array in numpy's own format. */
@Command(name = "export",
        description = {"Writes an array to OUT.npy byte for byte as numpy.save writes it (streamed from the "
                + "file's memory map, never held in memory).",
            "A masked array goes to an OUT.npz holding 'data' and 'mask' (as numpy.savez writes them); an ndarray "
                + "given an OUT.npz goes there under its key."})
final class ExportCommand extends BaseCommand {
    private static final long CHUNK = 16L << 20;

    @Parameters(index = "0", paramLabel = "FILE", description = "The mmappickle file.")
    Path file;

    @Parameters(index = "1", paramLabel = "KEY", description = "The key of an ndarray or masked array.")
    String key;

    @Parameters(index = "2", paramLabel = "OUT.npy", description = "The file to write (replaced if it exists).")
    Path outFile;

    /** Runs the command and returns its exit status; a failure is thrown, for {@link Main} to report. */
    @Override
    public Integer call() throws Exception {
        boolean npz = outFile.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz");
        try (MmapDict d = openReadOnly(file)) {
            Object v = require(d, key);
            if (v instanceof NDArray a && !npz) {
                writeNpy(a);
            } else if (v instanceof NDArray a) {
                Map<String, NDArray> one = new LinkedHashMap<>();
                one.put(key, a);
                atomically(ch -> NpzFile.write(Channels.newOutputStream(ch), one));
            } else if (v instanceof MaskedArray m && npz) {
                Map<String, NDArray> parts = new LinkedHashMap<>();
                parts.put("data", m.data());
                parts.put("mask", m.mask());
                atomically(ch -> NpzFile.write(Channels.newOutputStream(ch), parts));
            } else if (v instanceof MaskedArray) {
                throw new CliException(PyRepr.str(key) + " is a masked array: .npy holds one plain array; "
                        + "export it to a .npz to get its data and mask");
            } else {
                throw new CliException(PyRepr.str(key) + " is not an array (it is a "
                        + (v == null ? "None" : v.getClass().getSimpleName()) + "); use get --json for values");
            }
        }
        return 0;
    }

    /** numpy.save's header, then the payload in chunks straight from the mapping, with a bar on a terminal. */
    private void writeNpy(NDArray a) throws IOException {
        byte[] header = NpyFile.header(a.dtype(), a.shape());
        MemorySegment seg = a.segment();
        long size = seg.byteSize();
        atomically(ch -> {
            try (Progress progress = Progress.start("export " + key, size)) {
                writeFully(ch, ByteBuffer.wrap(header));
                for (long off = 0; off < size; off += CHUNK) {
                    writeFully(ch, seg.asSlice(off, Math.min(CHUNK, size - off)).asByteBuffer());
                    progress.update(Math.min(size, off + CHUNK));
                }
            }
        });
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @FunctionalInterface
    private interface Writer {
        void write(FileChannel ch) throws IOException;
    }

    /**
     * Writes beside the target and renames ({@link PartialFile}), so that a failure or a Ctrl-C never leaves a
     * half-written OUT, and no link planted beside it is followed.
     */
    private void atomically(Writer w) throws IOException {
        try (PartialFile p = PartialFile.create(outFile)) {
            w.write(p.channel());
            p.commit();
        }
    }
}
