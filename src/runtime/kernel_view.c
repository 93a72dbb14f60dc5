#include "runtime/kernel_view.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "runtime/mount_api.h"
#include "runtime/rootfs.h"

/* The lists of runc's and moby's defaults (moby daemon/pkg/oci/defaults.go,
 * runc libcontainer/specconv), with why. */

/* Written, these change the whole machine. */
/* clang-format off */
static const char *const read_only[] = {
	"/proc/bus",           /* PCI configuration space */
	"/proc/fs",            /* nfsd and filesystem tunables */
	"/proc/irq",           /* interrupt affinity of the host's devices */
	"/proc/sysrq-trigger", /* "b" reboots the host, "c" crashes it */
};
/* clang-format on */

/* Read, these give away the host's memory, secrets or timings. */
/* clang-format off */
static const char *const masked_files[] = {
	"/proc/kcore",         /* the host's physical memory, as an ELF core */
	"/proc/keys",          /* the kernel's keyrings (not namespaced) */
	"/proc/kmsg",          /* the kernel's log, consumed on read */
	"/proc/timer_list",    /* every timer with its callback: a side channel */
	"/proc/timer_stats",   /* the same, older kernels */
	"/proc/latency_stats", /* scheduler latencies of every process */
	"/proc/sched_debug",   /* every task on the host, with its name */
	"/proc/interrupts",    /* interrupt counts: keystroke timing side channel */
};
/* clang-format on */

/* clang-format off */
static const char *const masked_dirs[] = {
	"/proc/acpi",                    /* ACPI tables and controls */
	"/proc/asound",                  /* sound devices */
	"/proc/scsi",                    /* host's SCSI devices, and a write to rescan */
	"/sys/firmware",                 /* ACPI tables, EFI variables, DMI data */
	"/sys/devices/virtual/powercap", /* RAPL energy counters (Platypus attack) */
};
/* clang-format on */

#define RO_BIND (MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* A missing path is not an error: kernels differ in what /proc holds. */
static int missing_ok(int rc)
{
	return rc < 0 && errno == ENOENT ? 0 : rc;
}

static int bind_read_only(const char *path, struct cbx_error *err)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : cbx_error_sys(err, errno, "bind %s", path);
	if (mount(NULL, path, NULL, RO_BIND, NULL) < 0)
		return cbx_error_sys(err, errno, "make %s read-only", path);
	return 0;
}

/* /proc/sys read-only, with a writable copy of /proc/sys/net put back on
 * it (LXC's proc:mixed does it with a placeholder; a detached clone of the
 * new mount API needs none). `up` writes the node's sysctls through its own
 * handle on this procfs, which crosses these mounts like any path. */
static int sys_read_only_but_net(const char *root, struct cbx_error *err)
{
	char sys[CBX_NODE_SUBPATH_MAX], net[CBX_NODE_SUBPATH_MAX];
	cleanup_close int tree = -1;

	snprintf(sys, sizeof(sys), "%s/proc/sys", root);
	snprintf(net, sizeof(net), "%s/proc/sys/net", root);
	tree = cbx_clone_mount(net);
	if (tree < 0)
		return cbx_error_sys(err, errno, "copy /proc/sys/net");
	if (bind_read_only(sys, err) < 0)
		return -1;
	if (cbx_attach_mount(tree, net) < 0)
		return cbx_error_sys(err, errno, "put /proc/sys/net back writable");
	return 0;
}

int kernel_view_restrict(const char *root, const char *node_dir, struct cbx_error *err)
{
	char path[CBX_NODE_SUBPATH_MAX], null[CBX_NODE_SUBPATH_MAX], empty[CBX_NODE_SUBPATH_MAX];

	if (sys_read_only_but_net(root, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(read_only) / sizeof(read_only[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", root, read_only[i]);
		if (bind_read_only(path, err) < 0)
			return -1;
	}
	/* The node's own /dev/null, made by its setup a moment ago. */
	snprintf(null, sizeof(null), "%s/dev/null", root);
	for (size_t i = 0; i < sizeof(masked_files) / sizeof(masked_files[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", root, masked_files[i]);
		if (missing_ok(mount(null, path, NULL, MS_BIND, NULL)) < 0)
			return cbx_error_sys(err, errno, "mask %s", masked_files[i]);
	}
	snprintf(empty, sizeof(empty), "%s/masked", node_dir);
	if (cbx_mkdir(empty, 0555, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(masked_dirs) / sizeof(masked_dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", root, masked_dirs[i]);
		if (mount(empty, path, NULL, MS_BIND, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			return cbx_error_sys(err, errno, "mask %s", masked_dirs[i]);
		}
		if (mount(NULL, path, NULL, RO_BIND, NULL) < 0)
			return cbx_error_sys(err, errno, "make the mask on %s read-only",
					     masked_dirs[i]);
	}
	return 0;
}
