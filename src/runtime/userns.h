/* A node in a user namespace of its own ("userns": true): root in the node
 * is an unprivileged user on the host (uid `start`, by default 1000000000,
 * and the `count` ids after it), so what it does to the host's objects it
 * can reach (a bind mount, its writable layer) it does as that user.
 *
 * The node's init does its setup as the host's root (its mounts need the
 * host's privileges: the lab's state is root's alone, idmapped mounts need
 * CAP_SYS_ADMIN where the filesystem was mounted), in namespaces the user
 * namespace owns where the node's root must act on them: network (its
 * interfaces and routes), UTS and IPC, made by a child that creates the user
 * namespace with them; init joins them and writes the mapping. Last in its
 * setup, init joins the user namespace itself, becomes its root (the mapped
 * uid), and makes a mount namespace of its own there, whose mounts, copied
 * from a more privileged namespace, the node cannot undo (the kernel locks
 * them). Base layers are idmapped mounts, so their root-owned files are
 * root's in the node; where the filesystem has no idmapped mounts, a
 * busybox or directory base is copied and chowned for the node instead, and
 * a host base is refused (docs/topology.md). libc only: in cboxlab-init. */
#ifndef CBX_USERNS_H
#define CBX_USERNS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

struct userns_map {
	uint32_t start, count; /* host ids for the node's 0..count-1; count 0: none */
};

/* A new user namespace with the mapping, and network (unless `new_net` is
 * false), UTS and IPC namespaces it owns, which the caller joins; *userns
 * is a descriptor of the user namespace. `procfs` is a procfs of the
 * caller's PID namespace (node_setup's), where the child is found. Or, for
 * a restart, pass the kept user namespace in *userns (>= 0): only UTS and
 * IPC are made, in it. */
int userns_namespaces(const struct userns_map *m, int procfs, bool new_net, int *userns,
		      struct cbx_error *err);

/* The user namespace that owns the network namespace `netns` (a restart's
 * kept one). */
int userns_of_netns(int netns, struct cbx_error *err);

/* Join `userns` as its root, in a mount namespace of its own there. */
int userns_enter(int userns, struct cbx_error *err);

/* Attach a copy of `src` (recursively) at `dst`, idmapped to `userns`:
 * files the host's root owns are the node's root's. `attrs` adds
 * MOUNT_ATTR_RDONLY and the like. -1 with EINVAL or EOPNOTSUPP in
 * err->code where the filesystem has no idmapped mounts. */
int userns_idmapped_bind(const char *src, const char *dst, int userns, uint64_t attrs,
			 struct cbx_error *err);

/* The fallback: copy the tree `src` to `dst`, every id shifted by `shift`
 * (regular files, directories, symlinks, device nodes; hard links become
 * copies). */
int userns_copy_shifted(const char *src, const char *dst, uint32_t shift, struct cbx_error *err);

#endif
