/* Small file-system helpers used across subsystems. All report through
 * struct cbx_error and name the path they worked on. */
#ifndef CBX_FSUTIL_H
#define CBX_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* Write `len` bytes to an existing file (e.g. a cgroup or sysctl file). */
int cbx_write_file(const char *path, const char *data, size_t len, struct cbx_error *err);
/* The same, path relative to the directory fd `dir` (or AT_FDCWD). */
int cbx_write_file_at(int dir, const char *path, const char *data, size_t len,
		      struct cbx_error *err);
/* Same, with a string. */
int cbx_write_str(const char *path, const char *s, struct cbx_error *err);
/* Create or truncate `path` with mode and write `data` into it. */
int cbx_create_file(const char *path, mode_t mode, const char *data, size_t len,
		    struct cbx_error *err);
/* The same, the data appended to what the file holds unless truncate. */
int cbx_append_file(const char *path, mode_t mode, const char *data, size_t len, bool truncate,
		    struct cbx_error *err);
/* Read a whole small file into a NUL-terminated malloc'd buffer. */
int cbx_read_file(const char *path, char **out, size_t *out_len, struct cbx_error *err);
/* The same, its errors of `kind` (CBX_ERR_INPUT: a file the user named). */
int cbx_read_file_as(const char *path, enum cbx_error_kind kind, char **out, size_t *out_len,
		     struct cbx_error *err);
/* The same from an open descriptor (standard input: `-`), named `path` in
 * messages; fd stays open. */
int cbx_read_fd_as(int fd, const char *path, enum cbx_error_kind kind, char **out, size_t *out_len,
		   struct cbx_error *err);

/* A filesystem of `type` (fsopen, fsmount; nosuid, nodev, noexec), mounted
 * nowhere: its mount's descriptor, or -1 with `what` in the error. */
int cbx_fs_new(const char *type, const char *what, struct cbx_error *err);

/* A procfs of its own, the same way. Its dentries are its own, and it goes
 * with the last descriptor into it. */
int cbx_procfs_new(const char *what, struct cbx_error *err);

/* mkdir that treats an existing directory as success. */
int cbx_mkdir(const char *path, mode_t mode, struct cbx_error *err);
/* mkdir -p. */
int cbx_mkdir_p(const char *path, mode_t mode, struct cbx_error *err);
/* rm -rf that does not cross mount points; a missing path is success. */
int cbx_rm_rf(const char *path, struct cbx_error *err);

/* snprintf that fails with an error instead of truncating. */
int cbx_path(char *buf, size_t size, struct cbx_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
