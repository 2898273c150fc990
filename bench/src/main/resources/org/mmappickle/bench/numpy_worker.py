"""The numpy side of bench/compare.sh (started by org.mmappickle.bench.Compare; not run by hand).

Usage: python3 numpy_worker.py SIZE_BYTES

Holds one in-RAM float32 array of SIZE_BYTES and answers one command per line on stdin:

  write KIND PATH FSYNC PF  KIND in tofile, save, memmap, oswrite; prints "ok SECONDS CPU_SECONDS"
                            (the process's CPU time, kernel time included, during the write)
  summap PATH OFFSET COUNT  sum of a float32 np.memmap of the file (mapped once, then reused);
                            prints "ok SECONDS SUM"
  sumram                    sum of an in-RAM copy of the array (made at the first call);
                            prints "ok SECONDS SUM"
  quit

Each write first touches and frees SIZE_BYTES of huge-page memory (when PF is 1), as the
Java side does, so neither side pays the hypervisor's first-touch cost inside the timed region.
With FSYNC 1 the file is fsynced before the clock stops.
"""
import mmap
import os
import sys
import time

import numpy as np
from numpy.lib.format import open_memmap


def prefault(nbytes):
    # Anonymous memory advised MADV_HUGEPAGE, one byte written per 4 KiB, then unmapped: the freed
    # huge pages stay host-backed for ~2 s. (A 4 KiB-page prefault does not help on these VMs.)
    m = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    try:
        m.madvise(mmap.MADV_HUGEPAGE)
    except (AttributeError, OSError):
        pass
    b = np.frombuffer(m, dtype=np.uint8)
    b[::4096] = 1
    del b
    m.close()


def fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def w_tofile(a, path, fsync):
    t0 = time.perf_counter()
    a.tofile(path)
    if fsync:
        fsync_path(path)
    return time.perf_counter() - t0


def w_save(a, path, fsync):
    t0 = time.perf_counter()
    with open(path, "wb") as f:  # a file object, so that np.save does not append ".npy" to the name
        np.save(f, a)
    if fsync:
        fsync_path(path)
    return time.perf_counter() - t0


def w_memmap(a, path, fsync):
    t0 = time.perf_counter()
    m = open_memmap(path, mode="w+", dtype=a.dtype, shape=a.shape)
    m[:] = a
    if fsync:
        m.flush()  # msync(MS_SYNC)
    del m  # munmap
    if fsync:
        fsync_path(path)
    return time.perf_counter() - t0


def w_oswrite(a, path, fsync):
    t0 = time.perf_counter()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        mv = memoryview(a).cast("B")
        off = 0
        chunk = 1 << 30  # Linux writes at most 2 GiB - 4 KiB per call
        while off < len(mv):
            off += os.write(fd, mv[off:off + chunk])
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)
    return time.perf_counter() - t0


WRITERS = {"tofile": w_tofile, "save": w_save, "memmap": w_memmap, "oswrite": w_oswrite}


def main():
    size = int(sys.argv[1])
    n = size // 4
    a = np.resize((np.arange(4096, dtype=np.float32) * np.float32(0.25)), n)  # same values as the Java side
    maps = {}
    ram = None
    print("ready", np.__version__, flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        cmd, args = parts[0], parts[1:]
        try:
            if cmd == "quit":
                break
            elif cmd == "write":
                kind, path, fsync, do_prefault = args[0], args[1], args[2] == "1", args[3] == "1"
                if do_prefault:
                    prefault(size + (64 << 20))
                c0 = time.process_time()
                t = WRITERS[kind](a, path, fsync)
                print("ok %.9f %.9f" % (t, time.process_time() - c0), flush=True)
            elif cmd == "summap":
                path, offset, count = args[0], int(args[1]), int(args[2])
                key = (path, offset, count)
                if key not in maps:
                    maps.clear()
                    maps[key] = np.memmap(path, dtype=np.float32, mode="r", offset=offset, shape=(count,))
                m = maps[key]
                t0 = time.perf_counter()
                s = m.sum()
                t = time.perf_counter() - t0
                print("ok %.9f %r" % (t, float(s)), flush=True)
            elif cmd == "unmap":
                maps.clear()
                print("ok 0", flush=True)
            elif cmd == "sumram":
                if ram is None:
                    ram = a.copy()  # made when the read section starts, as fresh in memory as the file it is compared with
                t0 = time.perf_counter()
                s = ram.sum()
                t = time.perf_counter() - t0
                print("ok %.9f %r" % (t, float(s)), flush=True)
            else:
                print("err unknown command " + cmd, flush=True)
        except Exception as e:  # reported to the Java side, which marks the row as failed
            print("err " + repr(e).replace("\n", " "), flush=True)


if __name__ == "__main__":
    main()
