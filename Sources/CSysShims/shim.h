#ifndef TIERWISE_CSYSSHIMS_H
#define TIERWISE_CSYSSHIMS_H
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>

/* Atomically swaps two paths (Linux renameat2 with RENAME_EXCHANGE). syscall() is
   variadic and renameat2 needs _GNU_SOURCE, so Swift cannot call either directly.
   Returns 0, or -1 with errno set (EINVAL or ENOSYS where the file system cannot). */
static inline int CSysShims_renameExchange(const char *from, const char *to) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 1 << 1);
#else
    return -1;
#endif
}
#endif
