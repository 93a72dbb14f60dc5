/* Which devices a node may open: those of its minimal /dev (null, zero,
 * full, random, urandom, tty, ptmx and its own pseudo-terminals), nothing
 * else, whatever device nodes it makes (cap_add MKNOD) or finds in a base
 * (an image's layer). The kernel enforces it: on cgroup v1 the devices
 * controller's rules in the node's cgroup, on v2 a BPF_PROG_TYPE_CGROUP_DEVICE
 * program on the lab's cgroup (attached once per lab, with override allowed,
 * so that a privileged node's cgroup can carry an allow-all program of its
 * own). Privileged nodes may use every device. */
#ifndef CBX_CGROUP_DEVICES_H
#define CBX_CGROUP_DEVICES_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "runtime/cgroup.h"

struct cbx_device {
	unsigned major;
	int minor; /* -1: every minor */
};

/* The character devices a node may use (there are no block devices). */
extern const struct cbx_device cbx_node_devices[];
extern const size_t cbx_node_devices_count;

/* v1: the rules for devices.allow ("c 1:3 rwm"), one per call; i counts
 * from 0; false past the last. */
bool cbx_devices_v1_rule(size_t i, char *buf, size_t size);

/* v2: the program, pure: allow_all for a privileged node's. The number of
 * instructions written, 0 when `max` is too small. */
size_t cbx_devices_bpf_build(bool allow_all, struct bpf_insn *insns, size_t max);

/* v2: load the program and attach it to the cgroup directory `cgroup_fd`
 * (replacing one there: a restart's). */
int cbx_devices_v2_attach(int cgroup_fd, bool allow_all, struct cbx_error *err);

/* The policy on the lab's cgroup, once it exists (v2: the program; v1:
 * nothing, its rules are per node). */
int cbx_devices_lab(const struct cbx_cgroups *cg, const char *lab, struct cbx_error *err);
/* And on a node's, once it exists: v1, its rules unless it is privileged;
 * v2, an allow-all program for a privileged node. */
int cbx_devices_node(const struct cbx_cgroups *cg, const char *lab, const char *node,
		     bool privileged, struct cbx_error *err);

#endif
