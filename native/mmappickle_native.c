/*
 * mmappickle_native.c - system calls for mmappickle for Java. See mmappickle_native.h.
 *
 * Rules: return -errno (read right after the failing call), loop on EINTR except for close,
 * O_CLOEXEC everywhere, never read or write mapped memory (a fault here would kill the JVM).
 */
#define _GNU_SOURCE
#include "mmappickle_native.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#define FAIL() return -errno

/*
 * fstat without glibc's fstat@GLIBC_2.33 (before 2.33 fstat was a header inline over __fxstat, so
 * a library built against newer headers would not load on older glibc): the system call itself.
 * glibc's struct stat on x86_64 and aarch64 is the kernel's layout. Sets errno like fstat.
 */
static int stat_fd(int fd, struct stat *st) {
#if defined(__GLIBC__) && defined(SYS_fstat)
    return (int)syscall(SYS_fstat, fd, st);
#else
    return fstat(fd, st);
#endif
}

static int copy_text(const char *text, char *buffer, int64_t length) {
    size_t n = strlen(text);
    if (length <= 0) return -EINVAL;
    if ((int64_t)n >= length) n = (size_t)(length - 1);
    memcpy(buffer, text, n);
    buffer[n] = '\0';
    return (int)n;
}

int mmp_version(void) { return MMP_VERSION; }

int mmp_open(const char *path, int mode) {
    int flags;
    switch (mode) {
    case MMP_OPEN_READ: flags = O_RDONLY; break;
    case MMP_OPEN_READWRITE: flags = O_RDWR; break;
    case MMP_OPEN_CREATE: flags = O_RDWR | O_CREAT; break;
    case MMP_OPEN_CREATE_NEW: flags = O_RDWR | O_CREAT | O_EXCL; break;
    default: return -EINVAL;
    }
    int fd;
    /* O_NONBLOCK: opening a FIFO without a writer (or a device) must not block before the type check */
    do { fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0666); } while (fd < 0 && errno == EINTR);
    if (fd < 0) FAIL();
    struct stat st;
    if (stat_fd(fd, &st) != 0) { int e = errno; close(fd); return -e; }
    if (!S_ISREG(st.st_mode)) { close(fd); return S_ISDIR(st.st_mode) ? -EISDIR : -ENODEV; }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) { int e = errno; close(fd); return -e; }
    return fd;
}

int mmp_close(int fd) {
    /* never retried: after EINTR the descriptor may already be reused by another thread */
    if (close(fd) != 0 && errno != EINTR) FAIL();
    return 0;
}

int64_t mmp_size(int fd) {
    struct stat st;
    if (stat_fd(fd, &st) != 0) FAIL();
    return (int64_t)st.st_size;
}

int mmp_truncate(int fd, int64_t size) {
    if (size < 0) return -EINVAL;
    int rc;
    do { rc = ftruncate(fd, (off_t)size); } while (rc != 0 && errno == EINTR);
    if (rc != 0) FAIL();
    return 0;
}

int mmp_reserve(int fd, int64_t offset, int64_t length) {
    if (offset < 0 || length <= 0) return -EINVAL;
    int rc;
    /* posix_fallocate returns the error number instead of setting errno */
    do { rc = posix_fallocate(fd, (off_t)offset, (off_t)length); } while (rc == EINTR);
    return -rc;
}

int mmp_fallocate(int fd, int64_t offset, int64_t length) {
    if (offset < 0 || length <= 0) return -EINVAL;
    int rc;
    do { rc = fallocate(fd, 0, (off_t)offset, (off_t)length); } while (rc != 0 && errno == EINTR);
    if (rc != 0) FAIL();
    return 0;
}

int mmp_punch_hole(int fd, int64_t offset, int64_t length) {
    if (offset < 0 || length < 0) return -EINVAL;
    if (length == 0) return 0;
    int rc;
    do {
        rc = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)length);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) FAIL();
    return 0;
}

int64_t mmp_allocated_blocks(int fd) {
    struct stat st;
    if (stat_fd(fd, &st) != 0) FAIL();
    return (int64_t)st.st_blocks;
}

int64_t mmp_fs_type(int fd) {
    struct statfs fs;
    if (fstatfs(fd, &fs) != 0) FAIL();
    /* f_type is a signed word on some ABIs; the magic numbers are 32-bit values */
    return (int64_t)((uint64_t)fs.f_type & 0xffffffffu);
}

int64_t mmp_page_size(void) {
    long p = sysconf(_SC_PAGESIZE);
    if (p <= 0) return -EINVAL;
    return (int64_t)p;
}

int mmp_map(int fd, int64_t offset, int64_t length, int flags, void **address) {
    if (offset < 0 || length <= 0 || address == NULL) return -EINVAL;
    int prot = (flags & MMP_MAP_WRITE) ? (PROT_READ | PROT_WRITE) : PROT_READ;
    int mflags = MAP_SHARED;
#ifdef MAP_POPULATE
    if (flags & MMP_MAP_POPULATE) mflags |= MAP_POPULATE;
#endif
    void *p = mmap(NULL, (size_t)length, prot, mflags, fd, (off_t)offset);
    if (p == MAP_FAILED) { *address = NULL; FAIL(); }
    *address = p;
    return 0;
}

int mmp_unmap(void *address, int64_t length) {
    if (address == NULL || length <= 0) return -EINVAL;
    if (munmap(address, (size_t)length) != 0) FAIL();
    return 0;
}

int mmp_advise(void *address, int64_t length, int advice) {
    int a;
    switch (advice) {
    case MMP_ADVICE_NORMAL: a = MADV_NORMAL; break;
    case MMP_ADVICE_SEQUENTIAL: a = MADV_SEQUENTIAL; break;
    case MMP_ADVICE_RANDOM: a = MADV_RANDOM; break;
    case MMP_ADVICE_WILLNEED: a = MADV_WILLNEED; break;
    case MMP_ADVICE_DONTNEED: a = MADV_DONTNEED; break;
    case MMP_ADVICE_HUGEPAGE:
#ifdef MADV_HUGEPAGE
        a = MADV_HUGEPAGE; break;
#else
        return -EINVAL;
#endif
    case MMP_ADVICE_POPULATE_WRITE:
#ifdef MADV_POPULATE_WRITE
        a = MADV_POPULATE_WRITE; break;
#else
        a = 23; break;   /* Linux's value where the build's headers predate it: an older kernel answers EINVAL */
#endif
    default: return -EINVAL;
    }
    if (length <= 0) return 0;
    if (madvise(address, (size_t)length, a) != 0) FAIL();
    return 0;
}

int mmp_msync(void *address, int64_t length, int flags) {
    if (length <= 0) return 0;
    if (msync(address, (size_t)length, flags == MMP_SYNC_ASYNC ? MS_ASYNC : MS_SYNC) != 0) FAIL();
    return 0;
}

int mmp_fsync(int fd, int data_only) {
    int rc;
    do { rc = data_only ? fdatasync(fd) : fsync(fd); } while (rc != 0 && errno == EINTR);
    if (rc != 0) FAIL();
    return 0;
}

int mmp_sync_range(int fd, int64_t offset, int64_t length) {
    if (offset < 0 || length < 0) return -EINVAL;
    if (length == 0) return 0;   /* sync_file_range would read 0 as "to the end of the file" */
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    int rc;
    do { rc = sync_file_range(fd, (off_t)offset, (off_t)length, SYNC_FILE_RANGE_WRITE); } while (rc != 0 && errno == EINTR);
    if (rc == 0) return 0;
    /* a kernel or file system without it, or a descriptor it does not apply to: the later fsync does it all */
    if (errno == ENOSYS || errno == EINVAL || errno == ESPIPE || errno == EOPNOTSUPP) return 0;
    FAIL();
#else
    (void)fd;
    return 0;
#endif
}

int mmp_flock(int fd, int operation) {
    int op;
    switch (operation & ~MMP_LOCK_NONBLOCK) {
    case MMP_LOCK_SHARED: op = LOCK_SH; break;
    case MMP_LOCK_EXCLUSIVE: op = LOCK_EX; break;
    case MMP_LOCK_UNLOCK: op = LOCK_UN; break;
    default: return -EINVAL;
    }
    if (operation & MMP_LOCK_NONBLOCK) op |= LOCK_NB;
    int rc;
    do { rc = flock(fd, op); } while (rc != 0 && errno == EINTR);
    if (rc != 0) FAIL();
    return 0;
}

static int fill_ofd(struct flock *fl, int type, int64_t start, int64_t length) {
    memset(fl, 0, sizeof *fl);
    switch (type) {
    case MMP_OFD_READ: fl->l_type = F_RDLCK; break;
    case MMP_OFD_WRITE: fl->l_type = F_WRLCK; break;
    case MMP_OFD_UNLOCK: fl->l_type = F_UNLCK; break;
    default: return -EINVAL;
    }
    if (start < 0 || length < 0) return -EINVAL;
    fl->l_whence = SEEK_SET;
    fl->l_start = (off_t)start;
    fl->l_len = (off_t)length;
    fl->l_pid = 0;   /* required to be 0 for OFD locks */
    return 0;
}

int mmp_ofd_lock(int fd, int type, int64_t start, int64_t length, int wait) {
    struct flock fl;
    int rc = fill_ofd(&fl, type, start, length);
    if (rc != 0) return rc;
    do { rc = fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl); } while (rc != 0 && errno == EINTR);
    if (rc != 0) FAIL();
    return 0;
}

int mmp_ofd_test(int fd, int type, int64_t start, int64_t length) {
    struct flock fl;
    int rc = fill_ofd(&fl, type, start, length);
    if (rc != 0) return rc;
    if (type == MMP_OFD_UNLOCK) return -EINVAL;
    if (fcntl(fd, F_OFD_GETLK, &fl) != 0) FAIL();
    return fl.l_type == F_UNLCK ? 0 : 1;
}

int64_t mmp_pread(int fd, void *buffer, int64_t length, int64_t offset) {
    if (length < 0 || offset < 0) return -EINVAL;
    int64_t done = 0;
    while (done < length) {
        ssize_t n = pread(fd, (char *)buffer + done, (size_t)(length - done), (off_t)(offset + done));
        if (n < 0) { if (errno == EINTR) continue; FAIL(); }
        if (n == 0) break;   /* end of file */
        done += n;
    }
    return done;
}

int64_t mmp_pwrite(int fd, const void *buffer, int64_t length, int64_t offset) {
    if (length < 0 || offset < 0) return -EINVAL;
    int64_t done = 0;
    while (done < length) {
        ssize_t n = pwrite(fd, (const char *)buffer + done, (size_t)(length - done), (off_t)(offset + done));
        if (n < 0) { if (errno == EINTR) continue; FAIL(); }
        if (n == 0) return -ENOSPC;   /* no progress: treat as a full device, as LMDB does */
        done += n;
    }
    return done;
}

int mmp_strerror(int errnum, char *buffer, int64_t length) {
    char tmp[256];
    int e = errnum < 0 ? -errnum : errnum;
#if defined(__GLIBC__)
    /* GNU strerror_r may return a static string instead of filling tmp */
    const char *text = strerror_r(e, tmp, sizeof tmp);
#else
    /* XSI strerror_r (musl and others) fills tmp */
    const char *text = strerror_r(e, tmp, sizeof tmp) == 0 ? tmp : "Unknown error";
#endif
    return copy_text(text, buffer, length);
}

/*
 * Our own errno names (glibc's strerrorname_np needs GLIBC_2.32; musl has none). Aliases with the
 * same number (EWOULDBLOCK, EDEADLOCK, ENOTSUP) come after their primary name, so the first match wins
 * and the names agree with strerrorname_np.
 */
#define N(e) { e, #e }
static const struct { int number; const char *name; } ERRNO_NAMES[] = {
    N(EPERM), N(ENOENT), N(ESRCH), N(EINTR), N(EIO), N(ENXIO), N(E2BIG), N(ENOEXEC), N(EBADF), N(ECHILD),
    N(EAGAIN), N(ENOMEM), N(EACCES), N(EFAULT), N(ENOTBLK), N(EBUSY), N(EEXIST), N(EXDEV), N(ENODEV),
    N(ENOTDIR), N(EISDIR), N(EINVAL), N(ENFILE), N(EMFILE), N(ENOTTY), N(ETXTBSY), N(EFBIG), N(ENOSPC),
    N(ESPIPE), N(EROFS), N(EMLINK), N(EPIPE), N(EDOM), N(ERANGE), N(EDEADLK), N(ENAMETOOLONG), N(ENOLCK),
    N(ENOSYS), N(ENOTEMPTY), N(ELOOP), N(ENOMSG), N(EIDRM), N(ECHRNG), N(EL2NSYNC), N(EL3HLT), N(EL3RST),
    N(ELNRNG), N(EUNATCH), N(ENOCSI), N(EL2HLT), N(EBADE), N(EBADR), N(EXFULL), N(ENOANO), N(EBADRQC),
    N(EBADSLT), N(EBFONT), N(ENOSTR), N(ENODATA), N(ETIME), N(ENOSR), N(ENONET), N(ENOPKG), N(EREMOTE),
    N(ENOLINK), N(EADV), N(ESRMNT), N(ECOMM), N(EPROTO), N(EMULTIHOP), N(EDOTDOT), N(EBADMSG), N(EOVERFLOW),
    N(ENOTUNIQ), N(EBADFD), N(EREMCHG), N(ELIBACC), N(ELIBBAD), N(ELIBSCN), N(ELIBMAX), N(ELIBEXEC),
    N(EILSEQ), N(ERESTART), N(ESTRPIPE), N(EUSERS), N(ENOTSOCK), N(EDESTADDRREQ), N(EMSGSIZE),
    N(EPROTOTYPE), N(ENOPROTOOPT), N(EPROTONOSUPPORT), N(ESOCKTNOSUPPORT), N(EOPNOTSUPP), N(EPFNOSUPPORT),
    N(EAFNOSUPPORT), N(EADDRINUSE), N(EADDRNOTAVAIL), N(ENETDOWN), N(ENETUNREACH), N(ENETRESET),
    N(ECONNABORTED), N(ECONNRESET), N(ENOBUFS), N(EISCONN), N(ENOTCONN), N(ESHUTDOWN), N(ETOOMANYREFS),
    N(ETIMEDOUT), N(ECONNREFUSED), N(EHOSTDOWN), N(EHOSTUNREACH), N(EALREADY), N(EINPROGRESS), N(ESTALE),
    N(EUCLEAN), N(ENOTNAM), N(ENAVAIL), N(EISNAM), N(EREMOTEIO), N(EDQUOT), N(ENOMEDIUM), N(EMEDIUMTYPE),
    N(ECANCELED), N(ENOKEY), N(EKEYEXPIRED), N(EKEYREVOKED), N(EKEYREJECTED), N(EOWNERDEAD),
    N(ENOTRECOVERABLE), N(ERFKILL), N(EHWPOISON),
    N(EWOULDBLOCK), N(EDEADLOCK), N(ENOTSUP),
};
#undef N

int mmp_errno_name(int errnum, char *buffer, int64_t length) {
    int e = errnum < 0 ? -errnum : errnum;
    for (size_t i = 0; i < sizeof ERRNO_NAMES / sizeof ERRNO_NAMES[0]; i++) {
        if (ERRNO_NAMES[i].number == e) return copy_text(ERRNO_NAMES[i].name, buffer, length);
    }
    char tmp[32];
    snprintf(tmp, sizeof tmp, "errno %d", e);
    return copy_text(tmp, buffer, length);
}
