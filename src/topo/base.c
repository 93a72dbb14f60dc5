/* The kinds of base a node's root filesystem is built on (topo.h). Data
 * only: cboxlab-init reads it too. */
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
