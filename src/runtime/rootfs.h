/* A node's root filesystem, built inside the node's own mount namespace and
 * moved over an empty root there (runtime/mntns.h), by the node's
 * cboxlab-init (runtime/node_setup.h) before it starts anything else. */
#ifndef CBX_ROOTFS_H
#define CBX_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "runtime/userns.h"
#include "topo/topo.h"

/* A node's directory, its base (the lower layer) and the lab's hosts file
 * are shorter than CBX_NODE_PATH_MAX (topo/topo.h): `up` refuses longer
 * ones. What the node's setup builds under them fits in this. */
#define CBX_NODE_SUBPATH_MAX (CBX_NODE_PATH_MAX + 64)

/* A bind or a file to put in the node (runtime/node_files.h). */
struct rootfs_put {
	const char *src; /* on the host: a bind's source, a file's content */
	const char *dst; /* in the node: absolute, normalized (topo/topo.h) */
	uint32_t mode;   /* a file's permission bits */
	bool rw;         /* a bind: writable */
};

struct rootfs_spec {
	enum cbx_base_kind base;
	const char *lower;    /* busybox rootfs or user dir; NULL for the host base */
	const char *node_dir; /* holds upper/, work/, root/ (and the host base's layers) */
	/* "storage": "disk": where upper/ and work/ go instead (a folder on
	 * disk, made by `up`); NULL: node_dir, in the lab's tmpfs. */
	const char *layer_dir;
	const char *hosts_file; /* bound read-only onto /etc/hosts */
	const char *host_mask; /* the host base: the lab's layer over /etc and /var (host_mask.h) */
	const char *hostname;  /* written to /etc/hostname */
	bool unmasked;         /* privileged: /proc and /sys as they are (kernel_view.h) */
	struct userns_map userns; /* count 0: the host's user namespace (runtime/userns.h) */
	const char *overlay;      /* a folder laid over the root, read-only; NULL: none */
	const struct rootfs_put *binds, *files;
	size_t n_binds, n_files;
	/* In a user namespace: its descriptor (node_setup_namespaces made it).
	 * Not part of the setup message. */
	int userns_fd;
	/* A detached procfs mount of the node's (node_setup_namespaces makes
	 * it, and `up` writes the node's sysctls there), moved onto /proc.
	 * Not part of the setup message. */
	int proc_fd;
	/* The node's IPC namespace's mqueue, mounted detached as soon as the
	 * namespace is there (node_setup_namespaces), moved onto /dev/mqueue.
	 * Not part of the setup message. */
	int mqueue_fd;
};

/* In a mount namespace whose mounts are private already (the node's setup
 * makes them so), chrooted in the host's tree (runtime/mntns.h): assemble
 * the root under node_dir/root (overlay, /proc, read-only /sys, a minimal
 * /dev, /run, /tmp, /etc/hosts), move it over the namespace's root and
 * detach the host's tree. Returns -1 with `err` filled on failure. */
int rootfs_enter(const struct rootfs_spec *spec, struct cbx_error *err);

#endif
