/* The kinds of base a node's root filesystem is built on, and the kinds of
 * node (topo.h). Data only: cboxlab-init reads it too. */
#include "common/cleanup.h"
#include "topo/topo.h"

const struct cbx_base_info cbx_base_kinds[] = {
	[CBX_BASE_BUSYBOX] = { .word = "busybox",
			       .shown = "busybox",
			       .lower = CBX_LOWER_ROOTFS,
			       .root = CBX_ROOT_OVERLAY },
	[CBX_BASE_HOST] = { .word = "host",
			    .shown = "host",
			    .lower = CBX_LOWER_NONE,
			    .root = CBX_ROOT_HOST },
	[CBX_BASE_DIR] = { .word = NULL,
			   .shown = "directory",
			   .lower = CBX_LOWER_PATH,
			   .root = CBX_ROOT_OVERLAY },
	[CBX_BASE_OCI] = { .prefix = "oci:",
			   .shown = "OCI image",
			   .lower = CBX_LOWER_IMAGE,
			   .root = CBX_ROOT_OVERLAY },
	[CBX_BASE_OCI_ARCHIVE] = { .prefix = "oci-archive:",
				   .shown = "OCI archive",
				   .lower = CBX_LOWER_IMAGE,
				   .root = CBX_ROOT_OVERLAY },
	[CBX_BASE_DOCKER_ARCHIVE] = { .prefix = "docker-archive:",
				      .shown = "docker archive",
				      .lower = CBX_LOWER_IMAGE,
				      .root = CBX_ROOT_OVERLAY },
	[CBX_BASE_TARBALL] = { .shown = "rootfs tarball",
			       .lower = CBX_LOWER_IMAGE,
			       .root = CBX_ROOT_OVERLAY },
};
_Static_assert(CBX_ARRAY_SIZE(cbx_base_kinds) == CBX_BASE_MAX, "a row for every base kind");

const struct cbx_node_kind_info cbx_node_kinds[] = {
	[CBX_NODE_CONTAINER] = { .word = "container", .shown = "container", .processes = true },
	[CBX_NODE_NETNS] = { .word = "netns", .shown = "netns", .processes = false },
};
_Static_assert(CBX_ARRAY_SIZE(cbx_node_kinds) == CBX_NODE_KIND_MAX, "a row for every node kind");

/* Each of these is about the node's processes, its root filesystem or its
 * isolation: a netns node has none of its own to apply it to, and taking
 * it silently would promise what is not there (a "seccomp" or
 * "privileged": false for a shell that is root on the host). */
const char *const cbx_process_node_keys[] = {
	"base",    "limits",  "env",          "cmd",          "privileged", "cap_add", "cap_drop",
	"seccomp", "userns",  "binds",        "files",        "volumes",    "overlay", "restart",
	"ready",   "storage", "storage_size", "clock_offset", "clock_skew", NULL,
};
