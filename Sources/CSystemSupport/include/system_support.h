#ifndef MODELBUNDLE_SYSTEM_SUPPORT_H
#define MODELBUNDLE_SYSTEM_SUPPORT_H

/// Renames `from` to `to` (both relative to their directory descriptors) only if `to` does not
/// exist. Returns 0, or -1 with errno set. Falls back to an existence check followed by rename(2)
/// where the kernel or filesystem lacks RENAME_NOREPLACE (errno EINVAL or ENOSYS).
int mb_rename_noreplace(int fromDirectory, const char *from, int toDirectory, const char *to);

/// Opens `path` relative to `directory` with the given flags and mode (open(2) is variadic, which
/// Swift cannot call with a mode argument on every platform).
int mb_openat(int directory, const char *path, int flags, unsigned int mode);

#endif
