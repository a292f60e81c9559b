#ifndef MODELBUNDLE_ARCHIVE_LOADER_H
#define MODELBUNDLE_ARCHIVE_LOADER_H
// libarchive's types and constants come from its own headers; its functions are reached only through
// the `mb_` trampolines below, which call into libarchive.so once archive_loader.c has loaded it.
#include <archive.h>
#include <archive_entry.h>
#include <stddef.h>
#include <time.h>

/// Loads libarchive on first use (thread-safe, once per process). Returns 0 when it is loaded, or -1;
/// then `mb_archive_load_error` tells why.
int mb_archive_load(void);
/// Why the load failed (the loader's message, naming the library file), or NULL when it did not.
const char *mb_archive_load_error(void);

struct archive *mb_archive_read_new(void);
int mb_archive_read_free(struct archive *);
int mb_archive_read_support_filter_gzip(struct archive *);
int mb_archive_read_support_format_tar(struct archive *);
int mb_archive_read_support_format_zip(struct archive *);
int mb_archive_read_open_fd(struct archive *, int fd, size_t block_size);
int mb_archive_read_open_memory(struct archive *, const void *buffer, size_t size);
int mb_archive_read_next_header(struct archive *, struct archive_entry **);
int mb_archive_read_data_block(struct archive *, const void **buffer, size_t *size, la_int64_t *offset);
const char *mb_archive_error_string(struct archive *);
la_int64_t mb_archive_filter_bytes(struct archive *, int);

struct archive *mb_archive_write_new(void);
int mb_archive_write_free(struct archive *);
int mb_archive_write_close(struct archive *);
int mb_archive_write_add_filter_gzip(struct archive *);
int mb_archive_write_set_bytes_per_block(struct archive *, int);
int mb_archive_write_set_format_pax_restricted(struct archive *);
int mb_archive_write_set_format_zip(struct archive *);
int mb_archive_write_set_options(struct archive *, const char *);
int mb_archive_write_set_passphrase(struct archive *, const char *);
int mb_archive_write_zip_set_compression_deflate(struct archive *);
int mb_archive_write_open_fd(struct archive *, int fd);
int mb_archive_write_header(struct archive *, struct archive_entry *);
la_ssize_t mb_archive_write_data(struct archive *, const void *, size_t);

struct archive_entry *mb_archive_entry_new(void);
void mb_archive_entry_free(struct archive_entry *);
const char *mb_archive_entry_pathname(struct archive_entry *);
const char *mb_archive_entry_pathname_utf8(struct archive_entry *);
const char *mb_archive_entry_hardlink(struct archive_entry *);
const char *mb_archive_entry_symlink(struct archive_entry *);
unsigned int mb_archive_entry_filetype(struct archive_entry *);
la_int64_t mb_archive_entry_size(struct archive_entry *);
int mb_archive_entry_size_is_set(struct archive_entry *);
int mb_archive_entry_is_encrypted(struct archive_entry *);
int mb_archive_entry_sparse_count(struct archive_entry *);
void mb_archive_entry_sparse_add_entry(struct archive_entry *, la_int64_t offset, la_int64_t length);
void mb_archive_entry_copy_pathname(struct archive_entry *, const char *);
int mb_archive_entry_update_pathname_utf8(struct archive_entry *, const char *);
void mb_archive_entry_copy_hardlink(struct archive_entry *, const char *);
void mb_archive_entry_copy_symlink(struct archive_entry *, const char *);
void mb_archive_entry_set_filetype(struct archive_entry *, unsigned int);
void mb_archive_entry_set_perm(struct archive_entry *, unsigned int);
void mb_archive_entry_set_size(struct archive_entry *, la_int64_t);
void mb_archive_entry_set_uid(struct archive_entry *, la_int64_t);
void mb_archive_entry_set_gid(struct archive_entry *, la_int64_t);
void mb_archive_entry_set_mtime(struct archive_entry *, time_t, long);

#endif
