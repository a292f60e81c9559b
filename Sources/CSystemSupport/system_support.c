// Why C: glibc declares renameat2 only under _GNU_SOURCE, which Swift's Glibc module does not
// define, and the no-replace rename is what makes publishing a bundle all-or-nothing.
#define _GNU_SOURCE
#include "system_support.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int mb_rename_noreplace(int fromDirectory, const char *from, int toDirectory, const char *to) {
#ifdef RENAME_NOREPLACE
    int result = renameat2(fromDirectory, from, toDirectory, to, RENAME_NOREPLACE);
    if (result == 0 || (errno != EINVAL && errno != ENOSYS)) {
        return result;
    }
#endif
    struct stat existing;
    if (fstatat(toDirectory, to, &existing, AT_SYMLINK_NOFOLLOW) == 0) {
        errno = EEXIST;
        return -1;
    }
    return renameat(fromDirectory, from, toDirectory, to);
}

int mb_openat(int directory, const char *path, int flags, unsigned int mode) {
    return openat(directory, path, flags, (mode_t)mode);
}
