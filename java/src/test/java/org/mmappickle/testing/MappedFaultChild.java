package org.mmappickle.testing;

import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.mmappickle.DType;
import org.mmappickle.NDArray;

/**
 * A child process: maps a file as a float32 array, compiles every access path on healthy pages, then makes the pages
 * unbackable (the file truncated by another process, or a sparse file on a full file system) and runs each path again,
 * printing {@code path -> exception class} for each and {@code alive} at the end.
 */
public final class MappedFaultChild {
    private MappedFaultChild() {
    }

    /**
     * Entry point: TARGET MODE WARM, MODE being {@code truncate} (TARGET is cut to one page by another process) or
     * {@code sparsefull} (TARGET is a sparse file on a file system that is then filled up); WARM is a file on a
     * healthy file system where every path is compiled first.
     */
    public static void main(String[] args) throws Exception {
        Path p = Path.of(args[0]);
        boolean truncate = args[1].equals("truncate");
        long n = 1L << 22;   // 16 MiB of float32
        try (Arena arena = Arena.ofShared()) {
            NDArray warm = map(Path.of(args[2]), n, arena);
            NDArray a = map(p, n, arena);
            float[] buf = new float[(int) n];
            Map<String, Consumer<NDArray>> paths = new LinkedHashMap<>();
            paths.put("setFlatFloat loop", x -> {
                for (long i = 0; i < x.size(); i++) {
                    x.setFlatFloat(i, i);
                }
            });
            paths.put("setFloat loop", x -> {
                for (long r = 0; r < x.shape(0); r++) {
                    for (long c = 0; c < x.shape(1); c++) {
                        x.setFloat(r + c, r, c);
                    }
                }
            });
            paths.put("copyFrom(float[])", x -> x.copyFrom(buf));
            paths.put("copyFrom(MemorySegment)", x -> x.copyFrom(MemorySegment.ofArray(buf)));
            paths.put("strided copyFrom", x -> x.transpose().copyFrom(buf));
            paths.put("flatFloat loop", x -> {
                double s = 0;
                for (long i = 0; i < x.size(); i++) {
                    s += x.flatFloat(i);
                }
                System.out.print(s > -1 ? "" : "?");
            });
            paths.put("copyTo(float[])", x -> x.copyTo(buf));
            paths.put("copyTo(MemorySegment)", x -> x.copyTo(MemorySegment.ofArray(buf)));
            paths.put("toFloatArray", NDArray::toFloatArray);
            paths.put("sum", NDArray::sum);
            paths.put("band view sum", x -> x.slice(1, 3).sum());
            paths.put("doubles", x -> x.doubles().sum());
            paths.put("equals", x -> x.equals(x.copy()));
            paths.put("guarded setFlatFloat loop", x -> NDArray.guarded(() -> {
                for (long i = 0; i < x.size(); i++) {
                    x.setFlatFloat(i, -i);
                }
            }));
            paths.put("guarded flatFloat loop", x -> NDArray.guarded(() -> {
                double s = 0;
                for (long i = 0; i < x.size(); i++) {
                    s += x.flatFloat(i);
                }
                System.out.print(s > 0 ? "" : " ");
            }));
            paths.put("toString", NDArray::toString);
            for (int round = 0; round < 3; round++) {   // compile every path on healthy pages first
                for (Consumer<NDArray> c : paths.values()) {
                    c.accept(warm);
                }
            }
            if (truncate) {
                Process t = new ProcessBuilder("truncate", "-s", "4096", p.toString()).inheritIO().start();
                if (t.waitFor() != 0) {
                    throw new IllegalStateException("truncate failed");
                }
            } else {
                try (RandomAccessFile f = new RandomAccessFile(p.resolveSibling("filler").toFile(), "rw")) {
                    byte[] mib = new byte[1 << 20];
                    try {
                        for (;;) {
                            f.write(mib);
                        }
                    } catch (java.io.IOException full) {
                        System.out.println("disk full: " + full.getMessage());
                    }
                }
            }
            for (Map.Entry<String, Consumer<NDArray>> e : paths.entrySet()) {
                if (!truncate && !e.getKey().contains("set") && !e.getKey().contains("copyFrom")) {
                    continue;   // reads of holes on a full disk succeed (zeros): only writes fault
                }
                String result;
                try {
                    e.getValue().accept(a);
                    result = "no exception";
                } catch (Throwable t) {
                    result = t.getClass().getName();
                }
                System.out.println(e.getKey() + " -> " + result);
            }
        } catch (Throwable late) {   // a fault delivered after every path returned
            System.out.println("escaped -> " + late);
        }
        System.out.println("alive");
    }

    /** Maps a new sparse file of {@code n} float32 elements as an (n / 1024, 1024) array. */
    private static NDArray map(Path p, long n, Arena arena) throws java.io.IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(4 * n);   // sparse: no block is reserved
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4 * n, arena);
            return NDArray.mapped(seg, DType.FLOAT32, new long[] {n / 1024, 1024}, null);
        }
    }
}
