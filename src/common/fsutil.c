#include "common/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int cbx_write_file(const char *path, const char *data, size_t len, struct cbx_error *err)
{
	return cbx_write_file_at(AT_FDCWD, path, data, len, err);
}

int cbx_write_file_at(int dir, const char *path, const char *data, size_t len,
		      struct cbx_error *err)
{
	cleanup_close int fd = openat(dir, path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return cbx_error_sys(err, errno, "open %s", path);
	/* Kernel files (cgroup, sysctl) take the value in one write(). */
	if (write_all(fd, data, len) < 0)
		return cbx_error_sys(err, errno, "write '%.*s' to %s", (int)len, data, path);
	return 0;
}

int cbx_write_str(const char *path, const char *s, struct cbx_error *err)
{
	return cbx_write_file(path, s, strlen(s), err);
}

int cbx_create_file(const char *path, mode_t mode, const char *data, size_t len,
		    struct cbx_error *err)
{
	return cbx_append_file(path, mode, data, len, true, err);
}

int cbx_append_file(const char *path, mode_t mode, const char *data, size_t len, bool truncate,
		    struct cbx_error *err)
{
	cleanup_close int fd =
		open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : O_APPEND), mode);

	if (fd < 0)
		return cbx_error_sys(err, errno, "create %s", path);
	if (write_all(fd, data, len) < 0)
		return cbx_error_sys(err, errno, "write %s", path);
	return 0;
}

int cbx_read_file_as(const char *path, enum cbx_error_kind kind, char **out, size_t *out_len,
		     struct cbx_error *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return cbx_error_errno(err, kind, errno, "open %s", path);
	return cbx_read_fd_as(fd, path, kind, out, out_len, err);
}

int cbx_read_fd_as(int fd, const char *path, enum cbx_error_kind kind, char **out, size_t *out_len,
		   struct cbx_error *err)
{
	cleanup_free char *buf = NULL;
	size_t cap = 4096, len = 0;

	buf = malloc(cap);
	if (!buf)
		return cbx_error_sys(err, ENOMEM, "read %s", path);
	for (;;) {
		ssize_t n;
		if (len + 1 >= cap) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger)
				return cbx_error_sys(err, ENOMEM, "read %s", path);
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cbx_error_errno(err, kind, errno, "read %s", path);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	buf = NULL;
	if (out_len)
		*out_len = len;
	return 0;
}

int cbx_read_file(const char *path, char **out, size_t *out_len, struct cbx_error *err)
{
	return cbx_read_file_as(path, CBX_ERR_SYSTEM, out, out_len, err);
}

int cbx_mkdir(const char *path, mode_t mode, struct cbx_error *err)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return cbx_error_sys(err, errno, "mkdir %s", path);
	return 0;
}

int cbx_mkdir_p(const char *path, mode_t mode, struct cbx_error *err)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return cbx_error_sys(err, ENAMETOOLONG, "mkdir %s", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (cbx_mkdir(buf, mode, err) < 0)
			return -1;
		*p = '/';
	}
	return cbx_mkdir(buf, mode, err);
}

/* Remove one entry of directory `dir`, named `child` for errors. */
static int rm_entry_at(DIR *dir, const char *name, const char *child, dev_t dev,
		       struct cbx_error *err);

/* Remove the contents of directory `dfd` (named `path` for errors), staying on
 * device `dev`: a mount point below is an error, never something to descend.
 * The children's names are built on the heap: this runs in a node's init
 * (a restart empties its /tmp), whose stack pages stay with the node. */
static int rm_tree_at(int dfd, const char *path, dev_t dev, struct cbx_error *err)
{
	cleanup_closedir DIR *dir = fdopendir(dfd);
	struct dirent *de;
	int rc = 0;

	if (!dir) {
		cbx_closep(&dfd);
		return cbx_error_sys(err, errno, "open directory %s", path);
	}
	while (rc == 0 && (de = readdir(dir)) != NULL) {
		cleanup_free char *child = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (asprintf(&child, "%s/%s", path, de->d_name) < 0) {
			child = NULL; /* undefined after a failure */
			return cbx_error_sys(err, ENOMEM, "remove %s", path);
		}
		rc = rm_entry_at(dir, de->d_name, child, dev, err);
	}
	return rc;
}

static int rm_entry_at(DIR *dir, const char *name, const char *child, dev_t dev,
		       struct cbx_error *err)
{
	struct stat st;
	int sub;

	if (fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : cbx_error_sys(err, errno, "stat %s", child);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd(dir), name, 0) < 0 && errno != ENOENT)
			return cbx_error_sys(err, errno, "unlink %s", child);
		return 0;
	}
	if (st.st_dev != dev)
		return cbx_error_sys(err, EBUSY, "remove %s (a mount point)", child);
	sub = openat(dirfd(dir), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return cbx_error_sys(err, errno, "open %s", child);
	if (rm_tree_at(sub, child, dev, err) < 0)
		return -1;
	if (unlinkat(dirfd(dir), name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return cbx_error_sys(err, errno, "rmdir %s", child);
	return 0;
}

int cbx_rm_rf(const char *path, struct cbx_error *err)
{
	struct stat st;
	int dfd;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return cbx_error_sys(err, errno, "stat %s", path);
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return cbx_error_sys(err, errno, "unlink %s", path);
		return 0;
	}
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return cbx_error_sys(err, errno, "open %s", path);
	if (rm_tree_at(dfd, path, st.st_dev, err) < 0)
		return -1;
	if (rmdir(path) < 0 && errno != ENOENT)
		return cbx_error_sys(err, errno, "rmdir %s", path);
	return 0;
}

int cbx_path(char *buf, size_t size, struct cbx_error *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return cbx_error_sys(err, ENAMETOOLONG, "path %.64s...", buf);
	return 0;
}

int cbx_procfs_new(const char *what, struct cbx_error *err)
{
	return cbx_fs_new("proc", what, err);
}

int cbx_fs_new(const char *type, const char *what, struct cbx_error *err)
{
	cleanup_close int fs = (int)syscall(SYS_fsopen, type, FSOPEN_CLOEXEC);
	int mnt = -1;

	/* The type as the source, as mount(8) would say it ("proc"). */
	if (fs >= 0 && syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", type, 0) == 0 &&
	    syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
				   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		cbx_error_sys(err, errno, "%s", what);
	return mnt;
}
