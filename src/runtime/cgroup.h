/* Node cgroups on both layouts a host may have: pure cgroup v2, or the v1
 * hierarchies of older and hybrid hosts (this machine: v1 controllers plus
 * an empty cgroup2 tree). The layout is detected, never configured.
 *
 * Everything lives under "cboxlab-<lab>/<node>" at the top of each hierarchy
 * used: one level per lab, not a "cboxlab/" shared by every lab, so that one
 * lab's `down` never races another's `up` over a common parent, and a lab
 * costs one directory per hierarchy fewer (a memory cgroup takes ~0.07 ms to
 * make here, most of it sizing its shrinker table). The machine's own cgroups
 * are never written (beyond enabling, on v2, the
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
	/* How many processes the OOM killer killed in the node (its memory
	 * limit's); -1 when unknown. */
	int64_t (*oom_kills)(const struct cbx_cgroups *cg, const char *lab, const char *node);
	/* Writes "1" to cgroup.kill where the kernel has it; 0 when done, 1
	 * when the caller must kill the listed processes itself. */
	int (*kill_all)(const struct cbx_cgroups *cg, const char *lab, const char *node);
};

/* The v1 controllers node cgroups use, in the order detection looks for
 * them: memory and pids are required, memory first (its hierarchy is
 * hier[0]); devices carries the nodes' device policy (cgroup_devices.h).
 * Each one's bit in cbx_cgroups.ctrl is 1 << its value. */
enum cbx_cgroup_v1_ctrl {
	CBX_V1_MEMORY,
	CBX_V1_PIDS,
	CBX_V1_CPU,
	CBX_V1_FREEZER,
	CBX_V1_DEVICES,
	CBX_V1_CTRL_MAX
};
extern const char *const cbx_cgroup_v1_ctrl_names[];

struct cbx_cgroups {
	const struct cbx_cgroup_ops *ops;
	/* The unified hierarchy (cbx_cgroup_v2_ops), else v1 (cbx_cgroup_v1_ops). */
	bool v2;
	/* Mount points of the hierarchies used: one for v2; memory, pids, cpu,
	 * freezer (those present) for v1. On v1 every hierarchy a node is in
	 * lists its processes in cgroup.procs; a lab's nodes need not be in
	 * hier[0] (cbx_cgroups_for_lab). */
	char hier[CBX_CGROUP_MAX_HIER][256];
	size_t n_hier;
	/* v1: which of memory, pids, cpu, freezer, devices (bits 0-4) each hierarchy
	 * carries. Not part of the node setup message: init needs none. */
	unsigned ctrl[CBX_CGROUP_MAX_HIER];
	/* v2: the controllers (memory, pids, cpu: 1 << enum cbx_cgroup_v1_ctrl)
	 * the lab's cgroup does not enable for its nodes, no node limiting
	 * them (cbx_cgroups_for_lab); 0, all enabled, unless that said so. */
	unsigned v2_skip;
	/* v1: the hierarchies (bit h: hier[h]) the nodes join at the lab's
	 * directory, making none of their own: pids, when no node has a pids
	 * limit of its own, is kept for the lab's bound alone
	 * (cbx_cgroups_for_lab). */
	unsigned lab_only;
	/* The most processes the lab's nodes may hold together (its pids.max),
	 * as its file says; 0: the default cbx_cgroup_lab_create is given.
	 * Only cbx_cgroup_lab_create reads it. */
	uint64_t lab_pids;
};

int cbx_cgroups_detect(struct cbx_cgroups *cg, struct cbx_error *err);
/* The two ways v1 is detected, exposed for the test that they agree (cg
 * zeroed but for ops). First the usual layout: each hierarchy at
 * /sys/fs/cgroup/<its controllers>, as systemd and cgroupfs-mount mount
 * them, named after the controller list /proc/self/cgroup gives it; 1 when
 * the layout is not that (a hierarchy elsewhere, none with memory). Then,
 * for any layout, the mount table. */
int cbx_cgroups_detect_v1_usual(struct cbx_cgroups *cg);
int cbx_cgroups_detect_v1_mountinfo(struct cbx_cgroups *cg, struct cbx_error *err);
/* From the text of /proc/self/cgroup, the controller list of the v1
 * hierarchy that has `controller` ("cpu,cpuacct" for cpu): 0, or -1 when
 * none has it (or the list does not fit in buf). */
int cbx_cgroup_v1_hierarchy_name(const char *self_cgroup, const char *controller, char *buf,
				 size_t size);
/* The hierarchies lab t's nodes are in, for every command that makes or
 * joins them (up, restart, exec; `down` and `status` detect them all and
 * use what is there): on v1, a hierarchy whose controllers no node of the
 * lab limits is left out: cpu without a CPU limit, memory without a memory
 * limit, pids without a pids limit (freezer and devices stay: pause and the
 * device policy). A cpu cgroup is a scheduler group with per-CPU state
 * (costly to make, twice per lab); a memory cgroup holds, besides its own
 * state, a table of every memory-aware shrinker on the host, one per
 * superblock, so that its size grows with the number of nodes up
 * (docs/performance.md: about 80 KiB per node at 1000 nodes). Without a
 * limit the node would only be accounted there; its processes stay in the
 * memory cgroup of whoever ran `up`, and `status` shows no memory for it.
 * On v2, whose node cgroup is one directory whatever it limits, the same
 * controllers are not enabled for the nodes (cg->v2_skip): no memory
 * controller, no memory cgroup. The lab's own directory has pids whatever
 * its nodes limit (its bound, cg->lab_pids); on v1, without a node that
 * limits pids, the nodes join that directory (cg->lab_only). */
void cbx_cgroups_for_lab(struct cbx_cgroups *cg, const struct cbx_topo *t);

/* The lab's bound on its processes when its file sets none: three quarters
 * of what the host can have at once (the lesser of kernel.pid_max and
 * kernel.threads-max), so that a fork bomb in a node leaves the host's own
 * programs a quarter of them. Every process of a node takes a PID of the
 * host's, whatever PID namespace it is in. Pure. */
uint64_t cbx_lab_pids_default(uint64_t pid_max, uint64_t threads_max);

/* What a fork or clone that failed with EAGAIN in a node adds to its
 * message: the likeliest reason. */
#define CBX_LAB_AT_BOUND_HINT \
	" (the lab's processes may be at their bound, limits.pids: cboxlab status shows them)"

/* The lab's parent cgroups (and, on v2, the controllers enabled for them),
 * its processes bounded at cg->lab_pids, or at default_pids when the file
 * sets none (0: no bound). A default the host cannot apply (no pids
 * controller) is skipped; the file's fails. */
int cbx_cgroup_lab_create(const struct cbx_cgroups *cg, const char *lab, uint64_t default_pids,
			  struct cbx_error *err);
/* How many processes the lab's nodes hold, and their bound (the lab's
 * pids.current and pids.max; *max -1 for no bound): 0; -1, with both left
 * as they were, when the lab has no pids cgroup. */
int cbx_cgroup_lab_pids(const struct cbx_cgroups *cg, const char *lab, int64_t *current,
			int64_t *max);
/* Remove the lab's cgroups (node cgroups must be gone). Missing ones are
 * fine. */
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

/* v1: the hierarchy that carries the controller a control file is named
 * after ("pids.max": pids), when detection saw it; else -1. */
int cbx_cgroups_hier_of(const struct cbx_cgroups *cg, const char *file);

/* The hierarchies as paths relative to their common parent, which is made
 * the working directory (/sys/fs/cgroup/memory... -> memory... in
 * /sys/fs/cgroup); false, and `rel` untouched, when they have none. A path
 * walked from / passes through /sys, whose lock every new net device holds
 * while it registers, a new netns's loopback too: with nodes starting around
 * it, each lookup there can sleep. A/B on a 500-router chain, alternating
 * runs, nodes making their cgroups: 0.57-0.68 s against 0.71-0.81 s. */
bool cbx_cgroups_relative(const struct cbx_cgroups *cg, struct cbx_cgroups *rel);
/* Say in err which directory relative paths of cg were taken from. */
void cbx_cgroups_wrap_relative(const struct cbx_cgroups *cg, struct cbx_error *err);

/* Path helper: "<hier>/cboxlab-<lab>[/<node>][/<file>]". */
int cbx_cgroup_path(char *buf, size_t size, const struct cbx_cgroups *cg, size_t hier,
		    const char *lab, const char *node, const char *file);

/* The value of `key` in a "key value" per line file (memory.events,
 * memory.oom_control); -1 when it has none. */
int64_t cbx_cgroup_keyed_value(const char *text, const char *key);

extern const struct cbx_cgroup_ops cbx_cgroup_v1_ops;
extern const struct cbx_cgroup_ops cbx_cgroup_v2_ops;

#endif
