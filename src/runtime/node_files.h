/* A node's "files" and "binds" (topo/topo.h), put into its root by its init
 * before entering it, while the host's sources can still be opened.
 *
 * Every path in the node is resolved with openat2(RESOLVE_IN_ROOT) from the
 * node's root: a symlink its base or overlay folder has ("/etc" -> "/etc"
 * on the host, "x" -> "../../..") resolves as it would inside the node, and
 * never reaches the host. A file replaces what is at its path (a symlink
 * there is removed, not followed) and is written into the node's writable
 * layer, before any bind is made: no file is written through a bind. A bind
 * is a detached copy of its source's mounts (open_tree), made read-only
 * (and nosuid, nodev) recursively with mount_setattr, then moved onto its
 * mount point, which is made (a folder or a file, as the source is) where
 * the base has none. */
#ifndef CBX_NODE_FILES_H
#define CBX_NODE_FILES_H

#include "common/error.h"
#include "runtime/rootfs.h"

/* `root` is the node's root, assembled, not yet entered. */
int node_files_put(const struct rootfs_spec *spec, const char *root, struct cbx_error *err);

#endif
