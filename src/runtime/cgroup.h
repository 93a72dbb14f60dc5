/* Node cgroups on both layouts a host may have: pure cgroup v2, or the v1
 * hierarchies of older and hybrid hosts (this machine: v1 controllers plus
 * an empty cgroup2 tree). The layout is detected, never configured.
 *
 * Everything lives under "cboxlab/<lab>/<node>" in each hierarchy used; the
 * machine's own cgroups are never written (beyond enabling, on v2, the
 * controllers a child needs in the root's cgroup.subtree_control when they
 * are not enabled yet). One small vtable per layout (cgroup_v1.c,
 * cgroup_v2.c), as crun does for cgroupfs and systemd. */
#ifndef CBX_CGROUP_H
#define CBX_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "topo/topo.h"

#define CBX_CGROUP_MAX_FDS 8
#define CBX_CGROUP_MAX_HIER 6

struct cbx_cgroups;

struct cbx_cgroup_ops {
	/* Limits on an existing node cgroup. */
	int (*apply_limits)(const struct cbx_cgroups *cg, const char *lab, const char *node,
			    const struct cbx_limits *l, struct cbx_error *err);
	int (*freeze)(const struct cbx_cgroups *cg, const char *lab, const char *node, bool frozen,
		      struct cbx_error *err);
	/* 1 frozen, 0 thawed, -1 unknown. */
	int (*frozen)(const struct cbx_cgroups *cg, const char *lab, const char *node);
	/* Memory in use by the node, in bytes; -1 when unknown. */
	int64_t (*memory_current)(const struct cbx_cgroups *cg, const char *lab, const char *node);
	/* Writes "1" to cgroup.kill where the kernel has it; 0 when done, 1
	 * when the caller must kill the listed processes itself. */
	int (*kill_all)(const struct cbx_cgroups *cg, const char *lab, const char *node);
};

struct cbx_cgroups {
	const struct cbx_cgroup_ops *ops;
	/* The unified hierarchy (cbx_cgroup_v2_ops), else v1 (cbx_cgroup_v1_ops). */
	bool v2;
	/* Mount points of the hierarchies used: one for v2; memory, pids, cpu,
	 * freezer (those present) for v1. hier[0] is the one whose
	 * cgroup.procs lists the node's processes. */
	char hier[CBX_CGROUP_MAX_HIER][256];
	size_t n_hier;
};

int cbx_cgroups_detect(struct cbx_cgroups *cg, struct cbx_error *err);

/* The lab's parent cgroups (and, on v2, the controllers enabled for them). */
int cbx_cgroup_lab_create(const struct cbx_cgroups *cg, const char *lab, struct cbx_error *err);
/* Remove the lab's cgroups (node cgroups must be gone), and "cboxlab" too
 * when no other lab uses it. Missing ones are fine. */
int cbx_cgroup_lab_remove(const struct cbx_cgroups *cg, const char *lab, struct cbx_error *err);

/* Create the node's cgroups with their limits (reuse: they may exist, for a
 * restart). Safe between clone and exec: no allocation. */
int cbx_cgroup_node_create(const struct cbx_cgroups *cg, const char *lab, const char *node,
			   const struct cbx_limits *l, bool reuse, struct cbx_error *err);
/* Move the calling process, which must be single-threaded, into the node's
 * cgroups (every hierarchy). On cgroup v1 this is the only way in. */
int cbx_cgroup_node_join_self(const struct cbx_cgroups *cg, const char *lab, const char *node,
			      struct cbx_error *err);
/* cgroup v2: a child can be cloned straight into a cgroup (CLONE_INTO_CGROUP,
 * no migration at all). The node's cgroup directory, opened for that; -1
 * on v1. */
int cbx_cgroup_node_clone_fd(const struct cbx_cgroups *cg, const char *lab, const char *node,
			     struct cbx_error *err);
/* SIGKILL every process of the node (what is left of a crashed `up` too),
 * thawing it first if it is paused. */
int cbx_cgroup_node_kill(const struct cbx_cgroups *cg, const char *lab, const char *node,
			 struct cbx_error *err);
/* Is the node's cgroup empty (or gone)? */
bool cbx_cgroup_node_empty(const struct cbx_cgroups *cg, const char *lab, const char *node);
/* rmdir the node's cgroups; missing ones are fine, busy ones an error. */
int cbx_cgroup_node_remove(const struct cbx_cgroups *cg, const char *lab, const char *node,
			   struct cbx_error *err);
/* The node's processes (from cgroup.procs); *pids is malloc'd. */
int cbx_cgroup_node_pids(const struct cbx_cgroups *cg, const char *lab, const char *node,
			 pid_t **pids, size_t *n, struct cbx_error *err);


/* Path helper: "<hier>/cboxlab/<lab>[/<node>][/<file>]". */
int cbx_cgroup_path(char *buf, size_t size, const struct cbx_cgroups *cg, size_t hier,
		    const char *lab, const char *node, const char *file);

extern const struct cbx_cgroup_ops cbx_cgroup_v1_ops;
extern const struct cbx_cgroup_ops cbx_cgroup_v2_ops;

#endif
