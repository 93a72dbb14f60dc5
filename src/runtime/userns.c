#include "runtime/userns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/mount.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/mount_api.h"

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* The child's half: make the namespaces (or join the user namespace and
 * make the others in it), say so, wait until the parent has what it needs. */
static _Noreturn void child_make(int userns, int flags, int done, int go)
{
	char c = 0;

	if (userns >= 0 && setns(userns, CLONE_NEWUSER) < 0)
		_exit(1);
	if (unshare(flags) < 0)
		_exit(2);
	if (write(done, &c, 1) != 1)
		_exit(3);
	while (read(go, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static int write_map(int procfs, pid_t pid, const char *file, const struct userns_map *m,
		     struct cbx_error *err)
{
	char path[64], line[64];
	cleanup_close int fd = -1;
	int n;

	snprintf(path, sizeof(path), "%d/%s", (int)pid, file);
	n = snprintf(line, sizeof(line), "0 %u %u\n", m->start, m->count);
	fd = openat(procfs, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, line, (size_t)n) != n)
		return cbx_error_sys(err, errno, "write the user namespace's %s", file);
	return 0;
}

/* Join the child's namespace `name` (of type `type`). */
static int join_child_ns(int procfs, pid_t pid, const char *name, int type, struct cbx_error *err)
{
	char path[64];
	cleanup_close int fd = -1;

	snprintf(path, sizeof(path), "%d/ns/%s", (int)pid, name);
	fd = openat(procfs, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cbx_error_sys(err, errno, "open the node's %s namespace", name);
	if (setns(fd, type) < 0)
		return cbx_error_sys(err, errno, "join the node's %s namespace", name);
	return 0;
}

static int with_child(const struct userns_map *m, int procfs, bool new_net, int *userns,
		      pid_t child, int done, struct cbx_error *err)
{
	char c, path[64];

	if (read(done, &c, 1) != 1)
		return cbx_error_set(err, CBX_ERR_SYSTEM,
				     "the node's user namespace could not be made");
	if (*userns < 0) {
		if (write_map(procfs, child, "uid_map", m, err) < 0 ||
		    write_map(procfs, child, "gid_map", m, err) < 0)
			return -1;
		snprintf(path, sizeof(path), "%d/ns/user", (int)child);
		*userns = openat(procfs, path, O_RDONLY | O_CLOEXEC);
		if (*userns < 0)
			return cbx_error_sys(err, errno, "open the node's user namespace");
	}
	if ((new_net && join_child_ns(procfs, child, "net", CLONE_NEWNET, err) < 0) ||
	    join_child_ns(procfs, child, "uts", CLONE_NEWUTS, err) < 0 ||
	    join_child_ns(procfs, child, "ipc", CLONE_NEWIPC, err) < 0)
		return -1;
	return 0;
}

int userns_namespaces(const struct userns_map *m, int procfs, bool new_net, int *userns,
		      struct cbx_error *err)
{
	int flags = CLONE_NEWUTS | CLONE_NEWIPC | (new_net ? CLONE_NEWNET : 0);
	cleanup_close int done_r = -1, done_w = -1, go_r = -1, go_w = -1;
	int rc, made_userns = *userns < 0, p[2];
	pid_t child;

	if (made_userns)
		flags |= CLONE_NEWUSER;
	if (pipe2(p, O_CLOEXEC) < 0)
		return cbx_error_sys(err, errno, "user namespace: pipe");
	done_r = p[0], done_w = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		return cbx_error_sys(err, errno, "user namespace: pipe");
	go_r = p[0], go_w = p[1];
	child = fork();
	if (child == 0) {
		/* Our ends only: the parent's closing go_w is what we wait for. */
		close(done_r);
		close(go_w);
		child_make(made_userns ? -1 : *userns, flags, done_w, go_r);
	}
	close(done_w);
	close(go_r);
	done_w = go_r = -1;
	rc = child < 0 ? cbx_error_sys(err, errno, "user namespace: fork")
		       : with_child(m, procfs, new_net, userns, child, done_r, err);
	close(go_w); /* the child's signal to go */
	go_w = -1;
	if (child > 0)
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
	if (rc < 0 && made_userns && *userns >= 0) {
		close(*userns);
		*userns = -1;
	}
	return rc;
}

int userns_of_netns(int netns, struct cbx_error *err)
{
	int fd = ioctl(netns, NS_GET_USERNS);

	return fd < 0 ? cbx_error_sys(err, errno, "find the user namespace of the node's netns")
		      : fd;
}

int userns_enter(int userns, struct cbx_error *err)
{
	if (setns(userns, CLONE_NEWUSER) < 0)
		return cbx_error_sys(err, errno, "join the node's user namespace");
	/* The host's root is nobody there: become the namespace's root. */
	if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, 0, 0, 0) < 0 ||
	    syscall(SYS_setresuid, 0, 0, 0) < 0)
		return cbx_error_sys(err, errno, "become root in the node's user namespace");
	if (unshare(CLONE_NEWNS) < 0)
		return cbx_error_sys(err, errno, "a mount namespace in the node's user namespace");
	return 0;
}

int userns_idmapped_bind(const char *src, const char *dst, int userns, uint64_t attrs,
			 struct cbx_error *err)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP | attrs,
				.userns_fd = (uint64_t)userns };
	cleanup_close int tree = (int)syscall(SYS_open_tree, AT_FDCWD, src,
					      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

	if (tree < 0)
		return cbx_error_sys(err, errno, "copy the mount of %s", src);
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
		return cbx_error_sys(err, errno, "idmap %s for the node's user namespace", src);
	if (cbx_attach_mount(tree, dst) < 0)
		return cbx_error_sys(err, errno, "attach %s on %s", src, dst);
	return 0;
}

static int copy_entry(int sdir, int ddir, const char *name, uint32_t shift, struct cbx_error *err);

static int copy_dir(int sdir, int ddir, uint32_t shift, struct cbx_error *err)
{
	cleanup_closedir DIR *d = fdopendir(dup(sdir));
	struct dirent *de;
	int rc = 0;

	if (!d)
		return cbx_error_sys(err, errno, "read a directory of the base");
	while (rc == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rc = copy_entry(sdir, ddir, de->d_name, shift, err);
	return rc;
}

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st,
		     struct cbx_error *err)
{
	char buf[65536];
	cleanup_close int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out = -1;
	ssize_t n;

	if (in < 0)
		return cbx_error_sys(err, errno, "read %s of the base", name);
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st->st_mode & 07777);
	if (out < 0)
		return cbx_error_sys(err, errno, "copy %s of the base", name);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return cbx_error_sys(err, errno, "copy %s of the base", name);
	if (n < 0)
		return cbx_error_sys(err, errno, "read %s of the base", name);
	return 0;
}

static int copy_entry(int sdir, int ddir, const char *name, uint32_t shift, struct cbx_error *err)
{
	struct stat st;
	char target[4096];
	ssize_t n;
	int rc = 0;

	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return cbx_error_sys(err, errno, "stat %s of the base", name);
	if (S_ISDIR(st.st_mode)) {
		cleanup_close int s = -1, d = -1;
		if (mkdirat(ddir, name, 0700) < 0)
			return cbx_error_sys(err, errno, "copy %s of the base", name);
		s = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		d = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		rc = s < 0 || d < 0 ? cbx_error_sys(err, errno, "open %s of the base", name)
				    : copy_dir(s, d, shift, err);
	} else if (S_ISLNK(st.st_mode)) {
		n = readlinkat(sdir, name, target, sizeof(target) - 1);
		if (n < 0)
			return cbx_error_sys(err, errno, "read link %s of the base", name);
		target[n] = '\0';
		if (symlinkat(target, ddir, name) < 0)
			return cbx_error_sys(err, errno, "copy link %s of the base", name);
	} else if (S_ISREG(st.st_mode)) {
		rc = copy_file(sdir, ddir, name, &st, err);
	} else if (mknodat(ddir, name, st.st_mode, st.st_rdev) < 0) {
		return cbx_error_sys(err, errno, "copy %s of the base", name);
	}
	if (rc == 0 &&
	    fchownat(ddir, name, st.st_uid + shift, st.st_gid + shift, AT_SYMLINK_NOFOLLOW) < 0)
		rc = cbx_error_sys(err, errno, "chown the copy of %s", name);
	/* After the chown, which clears setuid bits. */
	if (rc == 0 && !S_ISLNK(st.st_mode) && fchmodat(ddir, name, st.st_mode & 07777, 0) < 0)
		rc = cbx_error_sys(err, errno, "chmod the copy of %s", name);
	return rc;
}

int userns_copy_shifted(const char *src, const char *dst, uint32_t shift, struct cbx_error *err)
{
	cleanup_close int s = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC), d = -1;
	struct stat st;

	if (s < 0 || fstat(s, &st) < 0)
		return cbx_error_sys(err, errno, "open the base %s", src);
	if (mkdir(dst, 0700) < 0 && errno != EEXIST)
		return cbx_error_sys(err, errno, "create %s", dst);
	d = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return cbx_error_sys(err, errno, "open %s", dst);
	if (copy_dir(s, d, shift, err) < 0)
		return -1;
	if (fchown(d, st.st_uid + shift, st.st_gid + shift) < 0 ||
	    fchmod(d, st.st_mode & 07777) < 0)
		return cbx_error_sys(err, errno, "chown %s", dst);
	return 0;
}
