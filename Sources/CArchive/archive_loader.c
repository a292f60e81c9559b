// libarchive is loaded with dlopen on the first archive operation instead of being linked.
//
// Why: Debian's libarchive.so.13 pulls in libxml2, ICU (libicuuc + its 30 MB data file), libstdc++,
// nettle, lzma, zstd, lz4, bz2 and acl. Linked normally, the dynamic loader maps and relocates all of
// them at every process start, about 2.7 ms of CPU (measured with `perf stat` on an empty C program
// with and without -larchive), which was most of a cold `mbundle predict` that never touches an
// archive. Only `.tar.gz`/`.zip` bundles, `pack`/`unpack` and skops files need libarchive, so they pay
// for loading it and nothing else does.
//
// Each `mb_` trampoline calls through a table filled by `mb_archive_load`; the Swift callers load
// first and refuse with the loader's message when libarchive is missing, so a trampoline never runs
// with an empty table (if one did, it returns 0/NULL rather than jumping to NULL).
#include "archive_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// (return type, name, parameter list, argument list) for functions with a value; V for void ones.
#define MB_ARCHIVE_FUNCTIONS(X, V)                                                                          \
    X(struct archive *, archive_read_new, (void), ())                                                     \
    X(int, archive_read_free, (struct archive * a), (a))                                                  \
    X(int, archive_read_support_filter_gzip, (struct archive * a), (a))                                   \
    X(int, archive_read_support_format_tar, (struct archive * a), (a))                                    \
    X(int, archive_read_support_format_zip, (struct archive * a), (a))                                    \
    X(int, archive_read_open_fd, (struct archive * a, int fd, size_t block_size), (a, fd, block_size))    \
    X(int, archive_read_open_memory, (struct archive * a, const void *buffer, size_t size), (a, buffer, size)) \
    X(int, archive_read_next_header, (struct archive * a, struct archive_entry * *entry), (a, entry))     \
    X(int, archive_read_data_block,                                                                        \
      (struct archive * a, const void **buffer, size_t *size, la_int64_t *offset), (a, buffer, size, offset)) \
    X(const char *, archive_error_string, (struct archive * a), (a))                                      \
    X(la_int64_t, archive_filter_bytes, (struct archive * a, int n), (a, n))                              \
    X(struct archive *, archive_write_new, (void), ())                                                    \
    X(int, archive_write_free, (struct archive * a), (a))                                                 \
    X(int, archive_write_close, (struct archive * a), (a))                                                \
    X(int, archive_write_add_filter_gzip, (struct archive * a), (a))                                      \
    X(int, archive_write_set_bytes_per_block, (struct archive * a, int bytes), (a, bytes))                \
    X(int, archive_write_set_format_pax_restricted, (struct archive * a), (a))                            \
    X(int, archive_write_set_format_zip, (struct archive * a), (a))                                       \
    X(int, archive_write_set_options, (struct archive * a, const char *options), (a, options))            \
    X(int, archive_write_set_passphrase, (struct archive * a, const char *passphrase), (a, passphrase))   \
    X(int, archive_write_zip_set_compression_deflate, (struct archive * a), (a))                          \
    X(int, archive_write_open_fd, (struct archive * a, int fd), (a, fd))                                  \
    X(int, archive_write_header, (struct archive * a, struct archive_entry * entry), (a, entry))           \
    X(la_ssize_t, archive_write_data, (struct archive * a, const void *data, size_t size), (a, data, size)) \
    X(struct archive_entry *, archive_entry_new, (void), ())                                              \
    V(archive_entry_free, (struct archive_entry * e), (e))                                                \
    X(const char *, archive_entry_pathname, (struct archive_entry * e), (e))                              \
    X(const char *, archive_entry_pathname_utf8, (struct archive_entry * e), (e))                         \
    X(int, archive_entry_update_pathname_utf8, (struct archive_entry * e, const char *s), (e, s))         \
    X(const char *, archive_entry_hardlink, (struct archive_entry * e), (e))                              \
    X(const char *, archive_entry_symlink, (struct archive_entry * e), (e))                               \
    X(unsigned int, archive_entry_filetype, (struct archive_entry * e), (e))                              \
    X(la_int64_t, archive_entry_size, (struct archive_entry * e), (e))                                    \
    X(int, archive_entry_size_is_set, (struct archive_entry * e), (e))                                    \
    X(int, archive_entry_is_encrypted, (struct archive_entry * e), (e))                                   \
    X(int, archive_entry_sparse_count, (struct archive_entry * e), (e))                                   \
    V(archive_entry_sparse_add_entry, (struct archive_entry * e, la_int64_t offset, la_int64_t length),   \
      (e, offset, length))                                                                                \
    V(archive_entry_copy_pathname, (struct archive_entry * e, const char *s), (e, s))                     \
    V(archive_entry_copy_hardlink, (struct archive_entry * e, const char *s), (e, s))                     \
    V(archive_entry_copy_symlink, (struct archive_entry * e, const char *s), (e, s))                      \
    V(archive_entry_set_filetype, (struct archive_entry * e, unsigned int t), (e, t))                     \
    V(archive_entry_set_perm, (struct archive_entry * e, unsigned int p), (e, p))                         \
    V(archive_entry_set_size, (struct archive_entry * e, la_int64_t s), (e, s))                           \
    V(archive_entry_set_uid, (struct archive_entry * e, la_int64_t u), (e, u))                            \
    V(archive_entry_set_gid, (struct archive_entry * e, la_int64_t g), (e, g))                            \
    V(archive_entry_set_mtime, (struct archive_entry * e, time_t t, long ns), (e, t, ns))

// The table of entry points, filled once.
#define MB_POINTER(ret, name, params, args) static ret(*p_##name) params;
#define MB_VOID_POINTER(name, params, args) static void(*p_##name) params;
MB_ARCHIVE_FUNCTIONS(MB_POINTER, MB_VOID_POINTER)

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_status = -1;
static char load_error[512];

#if defined(__APPLE__)
static const char *const library_names[] = {"libarchive.13.dylib", "/usr/local/opt/libarchive/lib/libarchive.13.dylib",
                                            "/opt/homebrew/opt/libarchive/lib/libarchive.13.dylib"};
#else
static const char *const library_names[] = {"libarchive.so.13", "libarchive.so"};
#endif

static void load_library(void) {
    void *handle = NULL;
    const char *reason = "not found";
    for (size_t i = 0; i < sizeof library_names / sizeof library_names[0] && handle == NULL; i++) {
        // RTLD_LOCAL: libarchive's symbols stay out of the global scope; RTLD_NOW: a missing
        // symbol fails here, with a message, rather than at some later call.
        handle = dlopen(library_names[i], RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL) {
            const char *message = dlerror();
            if (message != NULL) reason = message;
        }
    }
    if (handle == NULL) {
        snprintf(load_error, sizeof load_error, "libarchive could not be loaded (%s); install libarchive13", reason);
        return;
    }
#define MB_RESOLVE(ret, name, params, args)                                                                  \
    *(void **)(&p_##name) = dlsym(handle, #name);                                                             \
    if (p_##name == NULL) {                                                                                   \
        snprintf(load_error, sizeof load_error, "libarchive has no symbol %s (too old a version?)", #name);    \
        return;                                                                                               \
    }
#define MB_VOID_RESOLVE(name, params, args) MB_RESOLVE(void, name, params, args)
    MB_ARCHIVE_FUNCTIONS(MB_RESOLVE, MB_VOID_RESOLVE)
    load_status = 0;
}

int mb_archive_load(void) {
    pthread_once(&load_once, load_library);
    return load_status;
}

const char *mb_archive_load_error(void) {
    return mb_archive_load() == 0 ? NULL : load_error;
}

#define MB_TRAMPOLINE(ret, name, params, args)                                                               \
    ret mb_##name params {                                                                                    \
        if (mb_archive_load() != 0) return (ret)0;                                                            \
        return p_##name args;                                                                                 \
    }
#define MB_VOID_TRAMPOLINE(name, params, args)                                                               \
    void mb_##name params {                                                                                   \
        if (mb_archive_load() != 0) return;                                                                   \
        p_##name args;                                                                                        \
    }
MB_ARCHIVE_FUNCTIONS(MB_TRAMPOLINE, MB_VOID_TRAMPOLINE)
