/*
 * mmappickle_native.h - the whole native API of mmappickle for Java.
 *
 * Small and flat on purpose: system calls only, no state, no mapped-memory access.
 * Every function returns 0 or a non-negative result on success and a negative errno on
 * failure (never a thread-local errno), so the Java side needs no errno capture.
 * Offsets and lengths are int64_t; addresses are void *.
 */
#ifndef MMAPPICKLE_NATIVE_H
#define MMAPPICKLE_NATIVE_H

#include <stdint.h>

#define MMP_VERSION 10000          /* 1.0.0 as major*10000 + minor*100 + patch */

/* mmp_open modes */
#define MMP_OPEN_READ 0            /* read-only; the file must exist */
#define MMP_OPEN_READWRITE 1       /* read-write; the file must exist */
#define MMP_OPEN_CREATE 2          /* read-write; created (mode 0666 & ~umask) when missing */
#define MMP_OPEN_CREATE_NEW 3      /* read-write; fails with -EEXIST when the file exists */

/* mmp_map flags */
#define MMP_MAP_READ 0             /* shared, read-only */
#define MMP_MAP_WRITE 1            /* shared, read-write */
#define MMP_MAP_POPULATE 2         /* prefault the pages (MAP_POPULATE) */

/* mmp_advise advice */
#define MMP_ADVICE_NORMAL 0
#define MMP_ADVICE_SEQUENTIAL 1
#define MMP_ADVICE_RANDOM 2
#define MMP_ADVICE_WILLNEED 3
#define MMP_ADVICE_DONTNEED 4
#define MMP_ADVICE_HUGEPAGE 5      /* -EINVAL where the kernel lacks transparent huge pages */
#define MMP_ADVICE_POPULATE_WRITE 6 /* fault every page in writable now (Linux >= 5.14); -EINVAL where the kernel lacks it */

/* mmp_msync flags */
#define MMP_SYNC_WAIT 0            /* MS_SYNC */
#define MMP_SYNC_ASYNC 1           /* MS_ASYNC */

/* mmp_flock operations (combine one of SHARED/EXCLUSIVE/UNLOCK with NONBLOCK) */
#define MMP_LOCK_SHARED 1
#define MMP_LOCK_EXCLUSIVE 2
#define MMP_LOCK_NONBLOCK 4
#define MMP_LOCK_UNLOCK 8

/* mmp_ofd_lock types */
#define MMP_OFD_READ 0
#define MMP_OFD_WRITE 1
#define MMP_OFD_UNLOCK 2

/* Returns MMP_VERSION. */
int mmp_version(void);

/* Opens path with O_CLOEXEC and returns the descriptor; never blocks on a FIFO or device: anything but a
 * regular file is refused, a directory with -EISDIR, a FIFO, socket or device with -ENODEV. */
int mmp_open(const char *path, int mode);

/* Closes fd once (never retried on EINTR). */
int mmp_close(int fd);

/* Returns the file's size in bytes. */
int64_t mmp_size(int fd);

/* Sets the file's size (sparse growth). */
int mmp_truncate(int fd, int64_t size);

/* Allocates disk blocks for [offset, offset+length) with posix_fallocate; grows the file. */
int mmp_reserve(int fd, int64_t offset, int64_t length);

/* Allocates disk blocks for [offset, offset+length) with fallocate (mode 0, growing the file), with
   no emulation: -EOPNOTSUPP where the file system cannot (glibc's posix_fallocate would write a
   byte per block instead, which costs more than the reservation saves before a copy). */
int mmp_fallocate(int fd, int64_t offset, int64_t length);

/* Frees the blocks inside [offset, offset+length) (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE). */
int mmp_punch_hole(int fd, int64_t offset, int64_t length);

/* Returns the number of 512-byte blocks allocated to the file (st_blocks). */
int64_t mmp_allocated_blocks(int fd);

/* Returns the type of the file system holding fd (fstatfs f_type, e.g. 0x6969 for NFS), as unsigned 32 bits. */
int64_t mmp_fs_type(int fd);

/* Returns the system's page size. */
int64_t mmp_page_size(void);

/* Maps [offset, offset+length) of fd shared; offset must be page-aligned. Stores the address. */
int mmp_map(int fd, int64_t offset, int64_t length, int flags, void **address);

/* Unmaps a region mmp_map returned. */
int mmp_unmap(void *address, int64_t length);

/* Gives the kernel an access hint for a mapped region (address page-aligned). */
int mmp_advise(void *address, int64_t length, int advice);

/* Writes the dirty pages of a mapped region back to the file (address page-aligned). */
int mmp_msync(void *address, int64_t length, int flags);

/* Flushes the file to its device: fdatasync when data_only is non-zero, else fsync. */
int mmp_fsync(int fd, int data_only);

/* Starts write-back of the dirty pages of [offset, offset+length) and returns without waiting for
   it (Linux sync_file_range with SYNC_FILE_RANGE_WRITE), so a later mmp_fsync finds less to write.
   A hint, not a guarantee of durability: where the call is missing or refused for this file
   (ENOSYS, EINVAL, ESPIPE, EOPNOTSUPP, other systems) it does nothing and returns 0; only the
   errors that speak of the file or the device (EIO, ENOSPC, EBADF, ENOMEM) are returned. */
int mmp_sync_range(int fd, int64_t offset, int64_t length);

/* Whole-file flock(2) on fd's open file description; EINTR is retried. */
int mmp_flock(int fd, int operation);

/* Open file description record lock (F_OFD_SETLK / F_OFD_SETLKW when wait is non-zero). */
int mmp_ofd_lock(int fd, int type, int64_t start, int64_t length, int wait);

/* Returns 0 when an OFD lock of the given type could be taken now, 1 when another holds a conflicting one. */
int mmp_ofd_test(int fd, int type, int64_t start, int64_t length);

/* Reads until length bytes or end of file; returns the count read. */
int64_t mmp_pread(int fd, void *buffer, int64_t length, int64_t offset);

/* Writes all length bytes (a write that makes no progress is -ENOSPC); returns length. */
int64_t mmp_pwrite(int fd, const void *buffer, int64_t length, int64_t offset);

/* Copies the text of errnum (a positive errno) into buffer; returns its length. */
int mmp_strerror(int errnum, char *buffer, int64_t length);

/* Copies the symbolic name of errnum ("ENOSPC") into buffer; returns its length. */
int mmp_errno_name(int errnum, char *buffer, int64_t length);

#endif
