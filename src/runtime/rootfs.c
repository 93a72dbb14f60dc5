#include "runtime/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "runtime/kernel_view.h"
#include "runtime/node_files.h"
#include "runtime/mntns.h"
#include "runtime/mount_api.h"
#include "runtime/tmpfiles.h"
#include "runtime/userns.h"

/* Where init mounts or makes something in the node's root (path: root and
 * rel), before entering it: a directory, made when missing. Anything else
 * there, from the base or the node's overlay folder (or its own layer, on a
 * restart), is refused: mount(2), mknod(2) and the rest follow a symbolic
 * link, and one out of the root lands on the host's files (an image's
 * `tmp -> /` put the node's /tmp over the host's root, and its processes
 * walked the host from /..). rel's parent is init's own (the root, or a
 * directory init bound there). */
static int node_dir_at(const char *root, const char *rel, mode_t mode, char *path, size_t size,
		       struct cbx_error *err)
{
	struct stat st;

	if (snprintf(path, size, "%s%s", root, rel) >= (int)size)
		return cbx_error_sys(err, ENAMETOOLONG, "%s%s", root, rel);
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return cbx_error_sys(err, errno, "mkdir %s", path);
	if (lstat(path, &st) < 0)
		return cbx_error_sys(err, errno, "look at the node's %s", rel);
	if (!S_ISDIR(st.st_mode))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "the node's %s is %s in its base (or overlay folder, or its own layer): it must be a directory, where the node's own is mounted",
				     rel,
				     S_ISLNK(st.st_mode) ? "a symbolic link" : "not a directory");
	return 0;
}

static int mount_at(const char *root, const char *dir, const char *src, const char *type,
		    unsigned long flags, const char *data, struct cbx_error *err)
{
	char path[CBX_NODE_SUBPATH_MAX];

	if (node_dir_at(root, dir, 0755, path, sizeof(path), err) < 0)
		return -1;
	if (mount(src, path, type, flags, data) < 0)
		return cbx_error_sys(err, errno, "mount %s on %s", type ? type : src, dir);
	return 0;
}

/* The node's /proc: the procfs it made already (spec->proc_fd). */
static int mount_proc(const struct rootfs_spec *spec, const char *root, struct cbx_error *err)
{
	char path[CBX_NODE_SUBPATH_MAX];

	if (node_dir_at(root, "/proc", 0755, path, sizeof(path), err) < 0)
		return -1;
	if (cbx_attach_mount(spec->proc_fd, path) < 0)
		return cbx_error_sys(err, errno, "mount proc on /proc");
	return 0;
}

/* In a user namespace, what the node's root must own (the directories it
 * writes in, which init made as the host's root) goes to the mapped root. */
static int node_owns(const struct rootfs_spec *spec, const char *path, struct cbx_error *err)
{
	if (!spec->userns.count || chown(path, spec->userns.start, spec->userns.start) == 0)
		return 0;
	return cbx_error_sys(err, errno, "give %s to the node's root", path);
}

/* /dev, /run, /tmp and /dev/shm: directories of the node's own in the lab's
 * tmpfs (nosuid, nodev, like the tmpfs each used to get; /dev is then
 * remounted with device nodes allowed), bound into place. A tmpfs apiece
 * cost the kernel a new superblock each: four per node, about 3% of the
 * machine's time in a 500-node `up` for three. A restart empties them, as
 * a boot empties a tmpfs. */
static int scratch_dir(const struct rootfs_spec *spec, const char *name, mode_t mode,
		       const char *root, const char *target, struct cbx_error *err)
{
	char dir[CBX_NODE_SUBPATH_MAX], path[CBX_NODE_SUBPATH_MAX];

	snprintf(dir, sizeof(dir), "%s/%s", spec->node_dir, name);
	if (cbx_rm_rf(dir, err) < 0)
		return -1;
	/* chmod: mkdir honours the umask, and /tmp must be 1777. */
	if (mkdir(dir, mode) < 0 || chmod(dir, mode) < 0)
		return cbx_error_sys(err, errno, "create %s", dir);
	if (node_owns(spec, dir, err) < 0)
		return -1;
	if (node_dir_at(root, target, 0755, path, sizeof(path), err) < 0)
		return -1;
	if (mount(dir, path, NULL, MS_BIND, NULL) < 0)
		return cbx_error_sys(err, errno, "bind %s on %s", dir, target);
	return 0;
}

/* A bind mount made read-only: the remount is what applies MS_RDONLY. In a
 * user namespace, idmapped, so that the host's root's files are the
 * node's root's (there is no fallback for the host's /usr). */
static int bind_ro(const struct rootfs_spec *spec, const char *src, const char *dst,
		   struct cbx_error *err)
{
	const unsigned long remount_ro = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV;

	if (spec->userns.count) {
		if (userns_idmapped_bind(src, dst, spec->userns_fd,
					 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
					 err) == 0)
			return 0;
		if (err->code == EINVAL || err->code == EOPNOTSUPP)
			cbx_error_wrap(err,
				       "the host base in a user namespace needs idmapped mounts");
		return -1;
	}
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		return cbx_error_sys(err, errno, "bind %s", src);
	if (mount(NULL, dst, NULL, remount_ro, NULL) < 0)
		return cbx_error_sys(err, errno, "make %s read-only", dst);
	return 0;
}

/* A lower layer as the node's user namespace must see it: idmapped onto
 * node_dir/<layer>lower<i>, or, where the filesystem has no idmapped
 * mounts, copied there with every id shifted (once: a restart reuses it).
 * Its path in buf. */
static int userns_lower(const struct rootfs_spec *spec, const char *lower, const char *layer, int i,
			char *buf, size_t size, struct cbx_error *err)
{
	char copy[CBX_NODE_SUBPATH_MAX + 8];
	struct stat st;

	snprintf(buf, size, "%s/%slower%d", spec->node_dir, layer, i);
	snprintf(copy, sizeof(copy), "%s.copy", buf);
	if (stat(copy, &st) == 0)
		return cbx_path(buf, size, err, "%s", copy);
	if (cbx_mkdir(buf, 0700, err) < 0)
		return -1;
	if (userns_idmapped_bind(lower, buf, spec->userns_fd, MOUNT_ATTR_RDONLY, err) == 0)
		return 0;
	if (err->code != EINVAL && err->code != EOPNOTSUPP)
		return -1;
	if (cbx_base_kinds[spec->base].root == CBX_ROOT_HOST)
		return cbx_error_wrap(err,
				      "the host base in a user namespace needs idmapped mounts");
	if (cbx_path(buf, size, err, "%s", copy) < 0)
		return -1;
	return userns_copy_shifted(lower, copy, spec->userns.start, err);
}

/* lowers: one directory, or several separated by ':'. */
static int overlay(const struct rootfs_spec *spec, const char *lowers, const char *layer,
		   const char *target, struct cbx_error *err)
{
	char upper[CBX_NODE_SUBPATH_MAX], work[CBX_NODE_SUBPATH_MAX], one[CBX_NODE_SUBPATH_MAX];
	/* The base's layers (an image's may be many), and up to three more: a
	 * node's overlay folder, the lab's mask and the host's /etc (a host
	 * base). Static, not on the stack: an image's layers need pages of
	 * room, and every page of stack init's setup dirties stays with the
	 * idle node (these only as far as they are written). Init is one
	 * thread. */
	static char lower[CBX_NODE_LOWERS_MAX + 3 * CBX_NODE_SUBPATH_MAX + 3];
	static char opts[sizeof(lower) + 2 * CBX_NODE_SUBPATH_MAX + 64];

	const char *layers = spec->layer_dir ? spec->layer_dir : spec->node_dir;

	snprintf(upper, sizeof(upper), "%s/%supper", layers, layer);
	snprintf(work, sizeof(work), "%s/%swork", layers, layer);
	if (cbx_mkdir(upper, 0755, err) < 0 || cbx_mkdir(work, 0700, err) < 0 ||
	    node_owns(spec, upper, err) < 0)
		return -1;
	snprintf(lower, sizeof(lower), "%s", lowers);
	if (spec->userns.count) {
		static char mapped[sizeof(lower)];
		char *save = NULL, *tok;
		int i = 0;

		mapped[0] = '\0';
		for (tok = strtok_r(lower, ":", &save); tok;
		     tok = strtok_r(NULL, ":", &save), i++) {
			if (userns_lower(spec, tok, layer, i, one, sizeof(one), err) < 0)
				return -1;
			snprintf(mapped + strlen(mapped), sizeof(mapped) - strlen(mapped), "%s%s",
				 i ? ":" : "", one);
		}
		snprintf(lower, sizeof(lower), "%s", mapped);
	}
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
	/* nodev: a device node in a base (an image's layer, a directory)
	 * must not open the host's disks; only /dev allows them. */
	if (mount("overlay", target, "overlay", MS_NOATIME | MS_NODEV, opts) < 0)
		return cbx_error_sys(err, errno, "mount overlay of %s on %s", lowers, target);
	return 0;
}

/* The host base: the host's programs read-only, a private writable /etc and
 * /var (overlays over the host's, so installed daemons find their config),
 * and a private /root. */
/* A top folder of the node's overlay folder ("etc"), when it has one. */
static bool overlay_has(const struct rootfs_spec *spec, const char *dir, char *buf, size_t size)
{
	struct stat st;

	if (!spec->overlay)
		return false;
	snprintf(buf, size, "%s/%s", spec->overlay, dir);
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The host base: the host's programs read-only, a private writable /etc and
 * /var (overlays over the host's, so installed daemons find their config),
 * and a private /root. A node's overlay folder is laid over its root (a
 * tmpfs otherwise), its etc/, var/ and root/ over those: only the host's
 * programs (/usr, /bin, /lib..., /opt) it cannot change. */
static int assemble_host_base(const struct rootfs_spec *spec, const char *root,
			      struct cbx_error *err)
{
	const char *node_dir = spec->node_dir, *mask = spec->host_mask;
	/* clang-format off */
	static const char *const shared[] = { "usr", "bin", "sbin", "lib", "lib32", "lib64",
					      "libx32", "opt" };
	/* clang-format on */
	char path[CBX_NODE_SUBPATH_MAX], src[2 * CBX_NODE_SUBPATH_MAX + 16];
	char link[CBX_NODE_SUBPATH_MAX], mine[CBX_NODE_SUBPATH_MAX];

	if (spec->overlay) {
		if (overlay(spec, spec->overlay, "", root, err) < 0)
			return -1;
	} else if (mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") < 0) {
		return cbx_error_sys(err, errno, "mount tmpfs on %s", root);
	}
	if (node_owns(spec, root, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		struct stat st;
		ssize_t n;

		snprintf(src, sizeof(src), "/%s", shared[i]);
		snprintf(path, sizeof(path), "%s/%s", root, shared[i]);
		if (lstat(src, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) { /* merged /usr: /bin -> usr/bin */
			n = readlink(src, link, sizeof(link) - 1);
			if (n < 0 || n == (ssize_t)sizeof(link) - 1)
				return cbx_error_sys(err, n < 0 ? errno : ENAMETOOLONG,
						     "readlink %s", src);
			link[n] = '\0';
			if (symlink(link, path) == 0)
				continue;
			/* A restart finds it in the node's layer. */
			n = errno == EEXIST ? readlink(path, mine, sizeof(mine) - 1) : -1;
			if (n >= 0 && (mine[n] = '\0', !strcmp(mine, link)))
				continue;
			return cbx_error_set(err, CBX_ERR_INPUT,
					     "/%s of a host-base node is the host's: its overlay folder cannot have one",
					     shared[i]);
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		if (node_dir_at(root, src, 0755, path, sizeof(path), err) < 0 ||
		    bind_ro(spec, src, path, err) < 0)
			return -1;
	}
	/* The host's /etc and /var under the lab's layer that hides their
	 * secrets (host_mask.h), and the node's own folders over both. */
	for (int i = 0; i < 2; i++) {
		const char *dir = i == 0 ? "/etc" : "/var";
		char layer[8];
		size_t len = 0;
		if (node_dir_at(root, dir, 0755, path, sizeof(path), err) < 0)
			return -1;
		if (overlay_has(spec, dir + 1, mine, sizeof(mine)))
			len = (size_t)snprintf(src, sizeof(src), "%s:", mine);
		snprintf(src + len, sizeof(src) - len, "%s%s:%s", mask, dir, dir);
		snprintf(layer, sizeof(layer), "%s.", dir + 1);
		if (overlay(spec, src, layer, path, err) < 0)
			return -1;
	}
	if (node_dir_at(root, "/root", 0700, path, sizeof(path), err) < 0)
		return -1;
	if (overlay_has(spec, "root", mine, sizeof(mine)))
		return overlay(spec, mine, "root.", path, err);
	snprintf(src, sizeof(src), "%s/home-root", node_dir);
	if (cbx_mkdir(src, 0700, err) < 0 || node_owns(spec, src, err) < 0)
		return -1;
	if (mount(src, path, NULL, MS_BIND, NULL) < 0)
		return cbx_error_sys(err, errno, "bind %s on /root", src);
	return 0;
}

/* A host-base node's /run as the host's boot leaves it: the folders of its
 * tmpfiles.d, which `up` listed beside the lab's host layer. */
static int host_run_dirs(const struct rootfs_spec *spec, struct cbx_error *err)
{
	char list[CBX_NODE_SUBPATH_MAX], run[CBX_NODE_SUBPATH_MAX];

	snprintf(list, sizeof(list), "%s/" CBX_TMPFILES_LIST, spec->host_mask);
	snprintf(run, sizeof(run), "%s/run", spec->node_dir);
	return cbx_tmpfiles_apply(list, run, spec->userns.count ? spec->userns.start : 0, err);
}

/* /dev with only what programs expect: null, zero, full, random, urandom,
 * tty, a private devpts, shm and mqueue. No disks: a node cannot reach the
 * host's block devices. */
static int populate_dev(const struct rootfs_spec *spec, const char *root, struct cbx_error *err)
{
	static const struct {
		const char *name;
		unsigned maj, min;
	} nodes[] = {
		{ "null", 1, 3 },   { "zero", 1, 5 },    { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};
	static const struct {
		const char *name, *target;
	} links[] = {
		{ "ptmx", "pts/ptmx" },          { "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" },  { "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
	};
	char path[CBX_NODE_SUBPATH_MAX];

	/* A directory of the node's own, like /run and /tmp, not a tmpfs: one
	 * superblock fewer per node. The lab's tmpfs is nodev, and so is a
	 * bind from it: the remount lets the device nodes below work. */
	if (scratch_dir(spec, "dev", 0755, root, "/dev", err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/dev", root);
	if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NOEXEC, NULL) < 0)
		return cbx_error_sys(err, errno, "allow device nodes on /dev");
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		snprintf(path, sizeof(path), "%s/dev/%s", root, nodes[i].name);
		if (mknod(path, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)) < 0)
			return cbx_error_sys(err, errno, "mknod %s", path);
		/* mknod honours the umask; the devices must be usable by all. */
		if (chmod(path, 0666) < 0)
			return cbx_error_sys(err, errno, "chmod %s", path);
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(path, sizeof(path), "%s/dev/%s", root, links[i].name);
		if (symlink(links[i].target, path) < 0)
			return cbx_error_sys(err, errno, "symlink %s", path);
	}
	if (mount_at(root, "/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620", err) < 0 ||
	    scratch_dir(spec, "shm", 01777, root, "/dev/shm", err) < 0 ||
	    node_dir_at(root, "/dev/mqueue", 0755, path, sizeof(path), err) < 0)
		return -1;
	if (cbx_attach_mount(spec->mqueue_fd, path) < 0)
		return cbx_error_sys(err, errno, "mount mqueue on /dev/mqueue");
	return 0;
}

/* /etc/hosts and /etc/hostname, done in the node's root: every path then
 * resolves inside the node's root, even through a symlink its base has
 * (NixOS: /etc/hosts -> /etc/static/hosts), never on the host. `hosts_tree`
 * is a detached bind of the lab's hosts file, cloned before entering it. */
static int setup_etc(const struct rootfs_spec *spec, int hosts_tree, struct cbx_error *err)
{
	char hostname[HOST_NAME_MAX + 2];
	struct stat st;

	if (cbx_mkdir("/etc", 0755, err) < 0)
		return -1;
	/* Only a mount point is needed: opening the base's file for writing
	 * would copy it up into the node's layer for nothing. */
	if (stat("/etc/hosts", &st) < 0 && cbx_create_file("/etc/hosts", 0644, "", 0, err) < 0)
		return -1;
	/* One file for the whole lab, shared read-only: /etc/hosts costs O(N)
	 * for N nodes instead of O(N^2). */
	if (cbx_attach_mount(hosts_tree, "/etc/hosts") < 0)
		return cbx_error_sys(err, errno, "bind %s on /etc/hosts", spec->hosts_file);
	if (mount(NULL, "/etc/hosts", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
		  NULL) < 0)
		return cbx_error_sys(err, errno, "make /etc/hosts read-only");
	if (snprintf(hostname, sizeof(hostname), "%s\n", spec->hostname) >= (int)sizeof(hostname))
		return cbx_error_sys(err, ENAMETOOLONG, "write /etc/hostname");
	if (cbx_create_file("/etc/hostname", 0644, hostname, strlen(hostname), err) < 0)
		return -1;
	return node_owns(spec, "/etc/hostname", err);
}

/* Out of the host's tree (CBX_MNTNS_HOST, where node_setup_namespaces
 * chrooted) into the node's root, for good. setns into our own namespace
 * puts our root back at its root, the empty tmpfs (a chroot cannot leave
 * CBX_MNTNS_HOST); the node's root is moved over it and the host's tree
 * detached, so that beneath the node's root there is only that tmpfs
 * (runtime/mntns.h). pivot_root, used before, walked every task on the
 * host. */
static int enter_root(const struct rootfs_spec *spec, const char *root, struct cbx_error *err)
{
	char path[sizeof(CBX_MNTNS_HOST) + CBX_NODE_PATH_MAX + 8];
	cleanup_close int self = openat(spec->proc_fd, "thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);

	if (self < 0)
		return cbx_error_sys(err, errno, "open the node's mount namespace");
	if (setns(self, CLONE_NEWNS) < 0)
		return cbx_error_sys(err, errno, "leave the host's tree");
	if (snprintf(path, sizeof(path), CBX_MNTNS_HOST "%s", root) >= (int)sizeof(path))
		return cbx_error_sys(err, ENAMETOOLONG, "%s", root);
	/* The move's source is the mount at our cwd, and it stays our cwd. */
	if (chdir(path) < 0)
		return cbx_error_sys(err, errno, "chdir %s", root);
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return cbx_error_sys(err, errno, "move the node's root %s over /", root);
	/* Our root is still the tmpfs beneath, where the host's tree is. */
	if (umount2(CBX_MNTNS_HOST, MNT_DETACH) < 0)
		return cbx_error_sys(err, errno, "detach the host's tree");
	if (chroot(".") < 0 || chdir("/") < 0)
		return cbx_error_sys(err, errno, "enter the node's root");
	return 0;
}

int rootfs_enter(const struct rootfs_spec *spec, struct cbx_error *err)
{
	char root[CBX_NODE_PATH_MAX + 8];
	cleanup_close int hosts_tree = -1;

	if (snprintf(root, sizeof(root), "%s/root", spec->node_dir) >= (int)sizeof(root))
		return cbx_error_sys(err, ENAMETOOLONG, "%s", spec->node_dir);
	if (cbx_mkdir(root, 0755, err) < 0)
		return -1;
	if (cbx_base_kinds[spec->base].root == CBX_ROOT_HOST) {
		if (assemble_host_base(spec, root, err) < 0)
			return -1;
	} else {
		/* The node's overlay folder over its base. */
		char lowers[2 * CBX_NODE_SUBPATH_MAX + 2];
		snprintf(lowers, sizeof(lowers), "%s%s%s", spec->overlay ? spec->overlay : "",
			 spec->overlay ? ":" : "", spec->lower);
		if (overlay(spec, lowers, "", root, err) < 0)
			return -1;
	}
	if (mount_proc(spec, root, err) < 0 ||
	    mount_at(root, "/sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     NULL, err) < 0 ||
	    populate_dev(spec, root, err) < 0 ||
	    scratch_dir(spec, "run", 0755, root, "/run", err) < 0 ||
	    (spec->host_mask && host_run_dirs(spec, err) < 0) ||
	    scratch_dir(spec, "tmp", 01777, root, "/tmp", err) < 0 ||
	    (!spec->unmasked && kernel_view_restrict(root, spec->node_dir, err) < 0) ||
	    node_files_put(spec, root, err) < 0)
		return -1;
	/* The host's path is out of reach once in the node's root, and a bind
	 * from a path under the detached host's tree fails: clone the mount
	 * now. */
	hosts_tree = cbx_clone_mount(spec->hosts_file);
	if (hosts_tree < 0)
		return cbx_error_sys(err, errno, "open %s", spec->hosts_file);
	if (enter_root(spec, root, err) < 0)
		return -1;
	/* Nothing of the host's stacked under the node's root: there, /.. is
	 * / (a mount once made through a symlinked mount point of a base put
	 * the host's root beneath, and /.. led to it; node_dir_at refuses
	 * those, this is the backstop). */
	struct stat top, up;
	if (stat("/", &top) < 0 || stat("/..", &up) < 0 || top.st_dev != up.st_dev ||
	    top.st_ino != up.st_ino)
		return cbx_error_set(err, CBX_ERR_STATE,
				     "the node's root leads out of itself: its /.. is not its /");
	return setup_etc(spec, hosts_tree, err);
}
