/* Faults a running lab is put through, for reproducing partition bugs and
 * for teaching: link impairments, link state, partitions, and node faults
 * (stop, start, restart, kill, pause, resume).
 *
 * Each operation changes the kernel and then the lab's fault record
 * (/run/cboxlab/<lab>/faults.json), while holding the lab's lock, so that
 * `status` shows what is in force and concurrent commands do not interleave.
 * Impairments and partitions compose: they live in different places (root
 * qdiscs and a loss table per interface; one partition table per node). */
#ifndef CBX_FAULTS_H
#define CBX_FAULTS_H

#include <jansson.h>
#include <stdbool.h>

#include "bridge/impair.h"
#include "lab/lab_ctx.h"

struct fault_lab {
	const struct cbx_topo *t;
	struct cbx_topo *owned; /* t, when fault_lab_open loaded it */
	struct lab_ctx ctx;
	json_t *record;
	bool dirty;
};

/* Open a running lab for faults: its topology (`t` when the caller has the
 * saved one loaded, borrowed; NULL: loaded here), its lock (held until
 * fault_lab_close), its fault record. */
int fault_lab_open(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
		   struct fault_lab *fl, struct cbx_error *err);
/* Write the record back if it changed, release the lock. */
int fault_lab_close(struct fault_lab *fl, struct cbx_error *err);
/* fault_lab_open, fn, fault_lab_close; the first error is the one reported. */
int fault_lab_run(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
		  int (*fn)(struct fault_lab *fl, void *arg, struct cbx_error *err), void *arg,
		  struct cbx_error *err);

/* "node" and "node:iface" as users write them; errors name what is wrong. */
int fault_node(const struct cbx_topo *t, const char *name, const struct cbx_node **out,
	       struct cbx_error *err);
int fault_iface(const struct cbx_topo *t, const char *spec, const struct cbx_iface **out,
		struct cbx_error *err);

/* Apply impairments to an interface (rtnl: a socket in its node's netns),
 * at `up` (fresh: never impaired before) and by fault_impair; no record. */
int lab_impair_iface(struct lab_ctx *ctx, const struct cbx_iface *ifc, struct nl_conn *rtnl,
		     const struct cbx_impair *im, bool fresh, struct cbx_error *err);

/* Replace the interface's impairments (nothing set: clear them). */
int fault_impair(struct fault_lab *fl, const struct cbx_iface *ifc, const struct cbx_impair *im,
		 struct cbx_error *err);
/* The impairments in force on an interface (zero when none). */
void fault_impair_get(struct fault_lab *fl, const struct cbx_iface *ifc, struct cbx_impair *im);

/* Cut or restore an interface's link without destroying it: the node sees
 * its carrier go off (a network interface's bridge port goes down; both
 * ends of a point-to-point link go down, as when a cable is pulled). */
int fault_link(struct fault_lab *fl, const struct cbx_iface *ifc, bool up, struct cbx_error *err);
/* The link between two nodes (they must share a point-to-point link). */
int fault_link_between(struct fault_lab *fl, const struct cbx_node *a, const struct cbx_node *b,
		       const struct cbx_iface **out, struct cbx_error *err);

/* A grudge: drops[i * n_nodes + j] means node i drops what node j sends
 * (Jepsen's general form of a partition). */
struct grudge {
	size_t n;
	bool *drops;
};

int grudge_init(struct grudge *g, size_t n_nodes, struct cbx_error *err);
void grudge_free(struct grudge *g);
bool grudge_empty(const struct grudge *g);
/* Nodes in different groups drop each other; group_of[i] < 0: not in any.
 * oneway (two groups): only group 1 drops what group 0 sends, so traffic
 * from group 0 to group 1 is cut and the other direction flows. */
void grudge_from_groups(struct grudge *g, const int *group_of, bool oneway);
/* "a,b c,d,e" style groups given as names; each node in at most one. */
int grudge_parse_groups(struct grudge *g, const struct cbx_topo *t, char *const *groups, size_t n,
			bool oneway, struct cbx_error *err);
/* The same groups as JSON lists of node names ([["a", "b"], ["c"]]), their
 * shape already checked by the caller. */
int grudge_parse_group_lists(struct grudge *g, const struct cbx_topo *t, json_t *groups,
			     bool oneway, struct cbx_error *err);
/* {"a": ["c"], "c": ["a", "b"]}: node -> nodes whose packets it drops. */
int grudge_parse_json(struct grudge *g, const struct cbx_topo *t, json_t *map, const char *what,
		      struct cbx_error *err);
/* "c drops a,b; a drops c" */
void grudge_describe(const struct grudge *g, const struct cbx_topo *t, char *buf, size_t size);

/* Replace the partition in force with this one (an empty grudge heals). */
int fault_partition(struct fault_lab *fl, const struct grudge *g, struct cbx_error *err);
/* Remove every partition, and nothing else. */
int fault_heal(struct fault_lab *fl, struct cbx_error *err);

int fault_pause(struct fault_lab *fl, const struct cbx_node *n, bool pause, struct cbx_error *err);
/* Stop (SIGTERM, SIGKILL after grace_ms; grace_ms 0: SIGKILL at once). The
 * netns stays pinned, so the node's interfaces and links stay. */
int fault_stop(struct fault_lab *fl, const struct cbx_node *n, int grace_ms, struct cbx_error *err);
/* Start a stopped node again in its netns, with its root filesystem. */
int fault_start(struct fault_lab *fl, const struct cbx_node *n, struct cbx_error *err);
bool fault_node_running(struct fault_lab *fl, const struct cbx_node *n);

/* Everything in force, as one line per fault ("partition: ...",
 * "impair h1:eth0: delay=50ms", "link down: a:eth1", "paused: c",
 * "stopped: d"); for `status`. Works on a record without a lock. */
json_t *fault_summary(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
		      const struct cbx_cgroups *cg);

/* Undo every fault: heal, clear impairments back to the topology's own,
 * links up, resume, start stopped nodes. Chaos runs end with this. */
int fault_clear_all(struct fault_lab *fl, struct cbx_error *err);

/* Record the topology's own impairments as in force (at `up`). */
int fault_record_initial(const struct lab_ctx *ctx, struct cbx_error *err);

#endif
