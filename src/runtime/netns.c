#include "runtime/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"

int netns_prepare_dir(struct cbx_error *err)
{
	if (cbx_mkdir_p(CBX_NETNS_DIR, 0755, err) < 0)
		return -1;
	if (mount("", CBX_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return cbx_error_sys(err, errno, "make " CBX_NETNS_DIR " a shared mount");
	/* Not a mount point yet: make it one (bound onto itself), then shared. */
	if (mount(CBX_NETNS_DIR, CBX_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
		return cbx_error_sys(err, errno, "bind " CBX_NETNS_DIR " onto itself");
	if (mount("", CBX_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		return cbx_error_sys(err, errno, "make " CBX_NETNS_DIR " a shared mount");
	return 0;
}

int netns_pin_path(char *buf, size_t size, const char *lab, const char *node)
{
	int n = snprintf(buf, size, CBX_NETNS_DIR "/%s-%s", lab, node);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int template_path(char *buf, size_t size, const char *lab)
{
	int n = snprintf(buf, size, CBX_NETNS_DIR "/%s-.pin", lab);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int netns_pin_template(char *buf, size_t size, const char *lab)
{
	int fd;

	if (template_path(buf, size, lab) < 0)
		return -1;
	fd = open(buf, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

void netns_pin_template_remove(const char *lab)
{
	char path[512];
	struct stat st, dir;

	if (template_path(path, sizeof(path), lab) == 0 && lstat(path, &st) == 0 &&
	    stat(CBX_NETNS_DIR, &dir) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
	    st.st_dev == dir.st_dev)
		unlink(path);
}

static int pin_from(const char *src, const char *pin, const char *template, struct cbx_error *err)
{
	int fd;

	if (template) {
		if (link(template, pin) < 0)
			return cbx_error_sys(err, errno, "create netns pin %s", pin);
	} else {
		fd = open(pin, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
		if (fd < 0)
			return cbx_error_sys(err, errno, "create netns pin %s", pin);
		close(fd);
	}
	if (mount(src, pin, "none", MS_BIND, NULL) < 0) {
		int e = errno;
		unlink(pin);
		return cbx_error_sys(err, e, "pin netns at %s", pin);
	}
	return 0;
}

int netns_pin(pid_t pid, const char *pin, const char *template, struct cbx_error *err)
{
	char src[64];

	snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)pid);
	return pin_from(src, pin, template, err);
}

int netns_pin_fd(int fd, const char *pin, const char *template, struct cbx_error *err)
{
	char src[64];

	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	return pin_from(src, pin, template, err);
}

int netns_new(int own, struct cbx_error *err)
{
	int fd;

	if (unshare(CLONE_NEWNET) < 0)
		return cbx_error_sys(err, errno, "make a network namespace");
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		cbx_error_sys(err, errno, "open the new network namespace");
	if (setns(own, CLONE_NEWNET) < 0) {
		if (fd >= 0)
			close(fd);
		return cbx_error_sys(err, errno, "return to own netns");
	}
	return fd;
}

int netns_unpin(const char *pin, struct cbx_error *err)
{
	if (umount2(pin, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return cbx_error_sys(err, errno, "unmount netns pin %s", pin);
	if (unlink(pin) < 0 && errno != ENOENT)
		return cbx_error_sys(err, errno, "remove netns pin %s", pin);
	return 0;
}

int netns_run(int fd, int (*fn)(void *arg, struct cbx_error *err), void *arg, struct cbx_error *err)
{
	cleanup_close int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int rc;

	if (saved < 0)
		return cbx_error_sys(err, errno, "open own netns");
	if (setns(fd, CLONE_NEWNET) < 0)
		return cbx_error_sys(err, errno, "enter netns");
	rc = fn(arg, err);
	if (setns(saved, CLONE_NEWNET) < 0)
		rc = cbx_error_sys(err, errno, "return to own netns");
	return rc;
}

static int ino_cmp(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;

	return x < y ? -1 : x > y;
}

/* Is process `pid` in one of the namespaces (dev, sorted inos)? */
static bool in_one_of(const char *pid, dev_t dev, const ino_t *inos, size_t n)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%s/ns/net", pid);
	return stat(path, &st) == 0 && st.st_dev == dev &&
	       bsearch(&st.st_ino, inos, n, sizeof(*inos), ino_cmp);
}

size_t netns_kill_members(dev_t dev, ino_t *inos, size_t n)
{
	DIR *d;
	struct dirent *e;
	size_t killed = 0;

	if (!n || !(d = opendir("/proc")))
		return 0;
	qsort(inos, n, sizeof(*inos), ino_cmp);
	while ((e = readdir(d))) {
		int pidfd;
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || !in_one_of(e->d_name, dev, inos, n))
			continue;
		/* The pidfd names the process that had the PID when it was
		 * opened: asked again after, the namespace is that process's
		 * (not a new one's that took a freed PID). */
		pidfd = (int)syscall(SYS_pidfd_open, atoi(e->d_name), 0);
		if (pidfd < 0)
			continue;
		if (in_one_of(e->d_name, dev, inos, n) &&
		    syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) == 0)
			killed++;
		close(pidfd);
	}
	closedir(d);
	return killed;
}
