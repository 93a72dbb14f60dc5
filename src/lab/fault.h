/* Internal to the fault modules: a lab opened for faults (cboxlab.h's
 * struct lab_faults), and each concern's operation. Each changes the kernel
 * and then the lab's fault record, with the lab's lock held.
 *
 *   fault_lab.c        opening a lab for faults, its lock and record
 *   fault_conns.c      the sockets a chaos run keeps from step to step
 *   fault_op.c         the one operation type: its kinds and lab_fault_apply
 *   fault_impair.c     impairments (netem, tbf, the loss fallback)
 *   fault_link.c       link state (carrier off and on)
 *   fault_partition.c  partitions (nftables in each node's netns)
 *   fault_node.c       node faults: pause, stop, start
 *   fault_disk.c       disk full (a node's own tmpfs shrunk to what it holds)
 *   fault_throttle.c   slow disk (cgroup v2 io.max)
 *   fault_record.c     the record
 *   grudge.c           who drops whose packets (pure) */
#ifndef CBX_FAULT_H
#define CBX_FAULT_H

#include <stdbool.h>

#include "lab/cboxlab.h"
#include "lab/fault_record.h"
#include "lab/lab_ctx.h"

struct lab_faults {
	const struct cbx_topo *t;
	struct cbx_topo *owned; /* t, when lab_faults_open loaded it */
	struct lab_ctx ctx;
	struct lab_fault_conns *keep; /* where ctx's sockets go back to, or NULL */
	bool conns_taken;             /* ctx has them now */
	struct fault_record *record;
	char record_path[PATH_MAX / 2];
};

/* fault_conns.c: a run's sockets into a context opened for a step, and back
 * at its end (the nodes' parked ones to be closed on the closer's thread). */
void lab_fault_conns_take(struct lab_fault_conns *k, struct lab_ctx *ctx);
void lab_fault_conns_give(struct lab_fault_conns *k, struct lab_ctx *ctx);

/* Replace the interface's impairments (nothing set: clear them). */
int fault_impair(struct lab_faults *fl, const struct cbx_iface *ifc, const struct cbx_impair *im,
		 struct cbx_error *err);
/* Cut or restore an interface's link without destroying it: the node sees
 * its carrier go off (a network interface's bridge port goes down; both
 * ends of a point-to-point link go down, as when a cable is pulled). */
int fault_link(struct lab_faults *fl, const struct cbx_iface *ifc, bool up, struct cbx_error *err);
/* Replace the partition in force with this one (an empty grudge heals). */
int fault_partition(struct lab_faults *fl, const struct lab_grudge *g, struct cbx_error *err);
/* Remove every partition, and nothing else. */
int fault_heal(struct lab_faults *fl, struct cbx_error *err);

bool fault_node_running(const struct lab_faults *fl, const struct cbx_node *n);
/* Is it frozen (paused)? */
bool fault_node_paused(const struct lab_faults *fl, const struct cbx_node *n);
int fault_pause(struct lab_faults *fl, const struct cbx_node *n, bool pause, struct cbx_error *err);
/* Stop (SIGTERM, SIGKILL after grace_ms; grace_ms 0: SIGKILL at once). The
 * netns stays pinned, so the node's interfaces and links stay. */
int fault_stop(struct lab_faults *fl, const struct cbx_node *n, int grace_ms,
	       struct cbx_error *err);
/* Start a stopped node again in its netns, with its root filesystem. */
int fault_start(struct lab_faults *fl, const struct cbx_node *n, struct cbx_error *err);
/* The offset of the node's clocks from its next start on (that start only:
 * a later one without this goes back to the topology's). */
void fault_set_clock(struct lab_faults *fl, const struct cbx_node *n, int64_t offset_us);
/* The wall-clock skew of its processes from its next start on (that start
 * only, like the clock offset); the record says it while it is not the
 * topology's. */
void fault_set_skew(struct lab_faults *fl, const struct cbx_node *n, int64_t skew_us);
/* A "storage": "disk" node's disk limited to io (nothing set: no limit),
 * through cgroup v2's io.max. */
int fault_throttle(struct lab_faults *fl, const struct cbx_node *n, const struct lab_io_max *io,
		   struct cbx_error *err);
/* Make a node's storage ("storage_size") full, or give it its size back;
 * path: its volume at that DST instead (NULL: its storage). */
int fault_disk(struct lab_faults *fl, const struct cbx_node *n, const char *path, bool full,
	       struct cbx_error *err);
/* The node's volume at path as the topology writes its DST; NULL when it
 * has none there (or path is NULL). */
const char *fault_disk_path(const struct cbx_node *n, const char *path);

#endif
