#include "bridge/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"

/* Dots separate levels; an interface name's own dots (eth0.100) cannot be
 * told apart, as with sysctl(8) without its "/" syntax. */
static int sysctl_path(char *path, size_t size, const char *sys, const char *name,
		       struct cbx_error *err)
{
	if (cbx_path(path, size, err, "%s%s", sys, name) < 0)
		return -1;
	for (char *p = path + strlen(sys); *p; p++)
		if (*p == '.')
			*p = '/';
	return 0;
}

int cbx_sysctl_write_at(int sys_dir, const char *name, const char *value, struct cbx_error *err)
{
	char path[512];

	if (sysctl_path(path, sizeof(path), sys_dir == AT_FDCWD ? "/proc/sys/" : "", name, err) < 0)
		return -1;
	/* The user named a sysctl, not a file: say it their way. */
	if (cbx_write_file_at(sys_dir, path, value, strlen(value), err) < 0)
		return cbx_error_sys(err, err->code, "set sysctl %s=%s", name, value);
	return 0;
}

int cbx_sysctl_private_dir(struct cbx_error *err)
{
	cleanup_close int mnt = cbx_procfs_new("create a procfs for sysctls", err);
	int dir;

	if (mnt < 0)
		return -1;
	dir = openat(mnt, "sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return cbx_error_sys(err, errno, "open sys/ of a procfs for sysctls");
	return dir;
}

int cbx_sysctl_write(const char *name, const char *value, struct cbx_error *err)
{
	return cbx_sysctl_write_at(AT_FDCWD, name, value, err);
}

int cbx_sysctl_read(const char *name, char *buf, size_t size, struct cbx_error *err)
{
	char path[512];
	cleanup_close int fd = -1;
	ssize_t n;

	if (sysctl_path(path, sizeof(path), "/proc/sys/", name, err) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cbx_error_sys(err, errno, "read sysctl %s", name);
	n = read(fd, buf, size - 1);
	if (n < 0)
		return cbx_error_sys(err, errno, "read sysctl %s", name);
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}
