#include "runtime/node_files.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

/* rel (no leading '/') opened from the node's root as if it were "/":
 * "..", absolute symlinks and magic links (/proc/self/fd/N) stay inside. */
static int open_in_root(int root, const char *rel, int flags, mode_t mode)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC),
				.mode = (flags & O_CREAT) ? mode : 0,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };

	return (int)syscall(SYS_openat2, root, rel[0] ? rel : ".", &how, sizeof(how));
}

/* In a user namespace, what init makes for the node is the node's root's. */
static int give_to_node(const struct rootfs_spec *spec, int fd, const char *dst,
			struct cbx_error *err)
{
	if (!spec->userns.count || fchown(fd, spec->userns.start, spec->userns.start) == 0)
		return 0;
	return cbx_error_sys(err, errno, "give %s to the node's root", dst);
}

/* A kernel view cannot be written to or mounted over: a symlink in the
 * base that resolves into the node's /proc or /sys is refused. */
static int not_kernel_view(int fd, const char *dst, struct cbx_error *err)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return cbx_error_sys(err, errno, "%s in the node", dst);
	if (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "%s resolves into the node's /proc or /sys (a symlink in its base?)",
				     dst);
	return 0;
}

/* The folder of dst ("/etc/frr/frr.conf": "etc/frr"), made with its parents
 * where missing, each inside the root; an O_PATH descriptor of it. */
static int parent_dir(const struct rootfs_spec *spec, int root, const char *dst,
		      struct cbx_error *err)
{
	char rel[CBX_NODE_PATH_MAX];
	const char *last = strrchr(dst, '/');
	size_t len = (size_t)(last - dst);
	int fd = -1, prev;

	if (len == 0 || len >= sizeof(rel)) /* "/x": the root itself */
		len = 1;
	memcpy(rel, dst + 1, len - 1);
	rel[len - 1] = '\0';
	prev = fcntl(root, F_DUPFD_CLOEXEC, 0);
	if (prev < 0)
		return cbx_error_sys(err, errno, "dup");
	for (size_t end = 0; end <= len - 1; end++) {
		char saved;

		if (end < len - 1 && rel[end] != '/')
			continue;
		if (end == 0) /* the root: prev already */
			continue;
		saved = rel[end];
		rel[end] = '\0';
		fd = open_in_root(root, rel, O_PATH | O_DIRECTORY, 0);
		if (fd < 0 && errno == ENOENT) {
			const char *name = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
			if (mkdirat(prev, name, 0755) < 0 && errno != EEXIST) {
				cbx_error_sys(err, errno, "create /%s in the node", rel);
				close(prev);
				return -1;
			}
			fd = open_in_root(root, rel, O_PATH | O_DIRECTORY, 0);
			if (fd >= 0 && give_to_node(spec, fd, rel, err) < 0) {
				close(fd);
				close(prev);
				return -1;
			}
		}
		if (fd < 0) {
			cbx_error_sys(err, errno, "open /%s in the node", rel);
			close(prev);
			return -1;
		}
		rel[end] = saved;
		close(prev);
		prev = fd;
	}
	return prev;
}

static int put_file(const struct rootfs_spec *spec, int root, const struct rootfs_put *f,
		    struct cbx_error *err)
{
	const char *name = strrchr(f->dst, '/') + 1;
	cleanup_close int in = -1, dir = -1, out = -1;
	struct stat st;

	in = open(f->src, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (in < 0)
		return cbx_error_sys(err, errno, "file %s: open %s", f->dst, f->src);
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode))
		return cbx_error_set(err, CBX_ERR_INPUT, "file %s: %s is not a regular file",
				     f->dst, f->src);
	dir = parent_dir(spec, root, f->dst, err);
	if (dir < 0 || not_kernel_view(dir, f->dst, err) < 0)
		return cbx_error_wrap(err, "file %s", f->dst);
	/* Whatever is there goes, a symlink too, which is never followed:
	 * the copy is the node's own, in its writable layer. */
	if (unlinkat(dir, name, 0) < 0 && errno != ENOENT)
		return cbx_error_sys(err, errno, "file %s: replace what the node has there",
				     f->dst);
	out = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, f->mode);
	if (out < 0)
		return cbx_error_sys(err, errno, "file %s: create it in the node", f->dst);
	for (off_t left = st.st_size; left > 0;) {
		ssize_t n = sendfile(out, in, NULL, (size_t)left);
		if (n <= 0)
			return cbx_error_sys(err, n < 0 ? errno : EIO, "file %s: copy %s", f->dst,
					     f->src);
		left -= n;
	}
	/* The mode as said, not as the umask left it. */
	if (fchmod(out, f->mode) < 0)
		return cbx_error_sys(err, errno, "file %s: chmod", f->dst);
	return give_to_node(spec, out, f->dst, err);
}

/* The mount point of a bind: what the node has at dst (followed inside the
 * root), or a new folder or empty file as the source is one. */
static int mount_point(const struct rootfs_spec *spec, int root, const char *dst, bool dir,
		       struct cbx_error *err)
{
	const char *name = strrchr(dst, '/') + 1;
	cleanup_close int parent = -1;
	int fd = open_in_root(root, dst + 1, O_PATH, 0);

	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : cbx_error_sys(err, errno, "open %s in the node", dst);
	parent = parent_dir(spec, root, dst, err);
	if (parent < 0)
		return -1;
	if (dir) {
		if (mkdirat(parent, name, 0755) < 0)
			return cbx_error_sys(err, errno, "create the folder %s in the node", dst);
	} else {
		fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0644);
		if (fd < 0)
			return cbx_error_sys(err, errno, "create the file %s in the node", dst);
		close(fd);
	}
	fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cbx_error_sys(err, errno, "open %s in the node", dst);
	if (give_to_node(spec, fd, dst, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int put_bind(const struct rootfs_spec *spec, int root, const struct rootfs_put *b,
		    struct cbx_error *err)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					       (b->rw ? 0 : MOUNT_ATTR_RDONLY) };
	cleanup_close int tree = -1, target = -1;
	struct stat src, dst;

	/* Its submounts too: a read-only bind of a folder must not leave a
	 * writable mount below it. */
	tree = (int)syscall(SYS_open_tree, AT_FDCWD, b->src,
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return cbx_error_sys(err, errno, "bind %s: open %s", b->dst, b->src);
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
		    sizeof(attr)) < 0)
		return cbx_error_sys(err, errno, "bind %s: make it %s", b->dst,
				     b->rw ? "nosuid" : "read-only");
	if (fstat(tree, &src) < 0)
		return cbx_error_sys(err, errno, "bind %s: stat %s", b->dst, b->src);
	target = mount_point(spec, root, b->dst, S_ISDIR(src.st_mode), err);
	if (target < 0 || not_kernel_view(target, b->dst, err) < 0)
		return cbx_error_wrap(err, "bind %s", b->dst);
	if (fstat(target, &dst) < 0)
		return cbx_error_sys(err, errno, "bind %s", b->dst);
	if (S_ISDIR(src.st_mode) != S_ISDIR(dst.st_mode))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "bind %s: %s is a %s, but the node has a %s there", b->dst,
				     b->src, S_ISDIR(src.st_mode) ? "folder" : "file",
				     S_ISDIR(dst.st_mode) ? "folder" : "file");
	if (syscall(SYS_move_mount, tree, "", target, "",
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return cbx_error_sys(err, errno, "bind %s on %s", b->src, b->dst);
	return 0;
}

int node_files_put(const struct rootfs_spec *spec, const char *root, struct cbx_error *err)
{
	cleanup_close int fd = -1;

	if (!spec->n_files && !spec->n_binds)
		return 0;
	fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cbx_error_sys(err, errno, "open %s", root);
	/* Files first: written into the node's layer, never through a bind. */
	for (size_t i = 0; i < spec->n_files; i++)
		if (put_file(spec, fd, &spec->files[i], err) < 0)
			return -1;
	for (size_t i = 0; i < spec->n_binds; i++)
		if (put_bind(spec, fd, &spec->binds[i], err) < 0)
			return -1;
	return 0;
}
