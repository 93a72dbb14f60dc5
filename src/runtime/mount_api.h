/* The new mount API's open_tree and move_mount through the raw system
 * calls: glibc 2.36 has wrappers, musl (cboxlab-init) has none, and
 * <linux/mount.h> clashes with <sys/mount.h>. Values from the kernel's
 * uapi. Header-only: used by the CLI (mntns.c) and by init (rootfs.c). */
#ifndef CBX_MOUNT_API_H
#define CBX_MOUNT_API_H

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

/* A detached bind of path: of its subtree, without the mounts on it. */
static inline int cbx_clone_mount(const char *path)
{
	return (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
}

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* The same with the mounts on and under it. */
static inline int cbx_clone_mount_tree(const char *path)
{
	return (int)syscall(SYS_open_tree, AT_FDCWD, path,
			    OPEN_TREE_CLONE | AT_RECURSIVE | OPEN_TREE_CLOEXEC);
}

/* Attach a detached mount (cbx_clone_mount, fsmount) at target. */
static inline int cbx_attach_mount(int tree, const char *target)
{
	return (int)syscall(SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
}

#endif
