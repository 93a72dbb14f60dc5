/* A lab's fault record, <state>/faults.json: the faults in force that the
 * kernel cannot cheaply be asked about, so that `status` shows them and a
 * heal knows what to undo:
 *   {"impairments": {"node:iface": "delay=50ms loss=2%"},
 *    "partition": {"node": ["node", ...]},
 *    "links_down": ["node:iface", ...],
 *    "disks_full": ["node", "node:/volume/dst", ...],
 *    "clock_skew": {"node": microseconds},
 *    "disks_slow": {"node": "wbps=1048576 riops=100"}}
 * Paused and stopped nodes are read from the kernel (freezer, init alive).
 * Its JSON stays in fault_record.c. */
#ifndef CBX_FAULT_RECORD_H
#define CBX_FAULT_RECORD_H

#include <stdbool.h>

#include "lab/cboxlab.h"
#include "lab/lab_ctx.h"

struct fault_record;

/* The record at `path`; an empty one when there is none (or it is not a
 * record). NULL only when memory is exhausted. */
struct fault_record *fault_record_load(const char *path);
/* Write it back if it changed: whole, under a temporary name, renamed. */
int fault_record_save(struct fault_record *r, const char *path, struct cbx_error *err);
void fault_record_free(struct fault_record *r);

/* The impairments in force on an interface (zero when none); set them (none
 * set: the entry goes). */
void fault_record_impair_get(const struct fault_record *r, const struct cbx_iface *ifc,
			     struct cbx_impair *im);
void fault_record_impair_set(struct fault_record *r, const struct cbx_iface *ifc,
			     const struct cbx_impair *im);
/* Every interface's impairments as the record has them, in its order. */
int fault_record_impairments(const struct fault_record *r, struct lab_impairment **out, size_t *n,
			     struct cbx_error *err);

bool fault_record_link_down(const struct fault_record *r, const struct cbx_iface *ifc);
void fault_record_link_set(struct fault_record *r, const struct cbx_iface *ifc, bool down);

/* Is the node's storage full (`fill`), or (path) its volume at that DST?
 * Set it so or not. */
bool fault_record_disk_full(const struct fault_record *r, const struct cbx_node *n,
			    const char *path);
void fault_record_disk_full_set(struct fault_record *r, const struct cbx_node *n, const char *path,
				bool full);

/* The wall-clock skew the node was last started with when it is not the
 * topology's (`restart --clock-skew`, a plan's clock-skew): true and the
 * skew; false: the topology's. */
bool fault_record_clock_skew(const struct fault_record *r, const struct cbx_node *n,
			     int64_t *skew_us);
/* Record the skew a start gave the node (the topology's: the entry goes). */
void fault_record_clock_skew_set(struct fault_record *r, const struct cbx_node *n, int64_t skew_us);

/* The node's disk limits in force (zero: none); set them (none: the entry
 * goes). */
void fault_record_disk_slow_get(const struct fault_record *r, const struct cbx_node *n,
				struct lab_io_max *io);
void fault_record_disk_slow_set(struct fault_record *r, const struct cbx_node *n,
				const struct lab_io_max *io);

/* The partition in force (an empty grudge: none). */
void fault_record_partition_set(struct fault_record *r, const struct cbx_topo *t,
				const struct lab_grudge *g);

/* ... and the partition in force, into g (sized for t, all false). */
void fault_record_partition_get(const struct fault_record *r, const struct cbx_topo *t,
				struct lab_grudge *g);

/* What is in force as one line each: "impair h1:eth0: delay=50ms",
 * "partition: c drops a,b", "link down: a:eth1"; appended to `out`. */
int fault_record_summary(const struct fault_record *r, struct cbx_lines *out,
			 struct cbx_error *err);

/* The same as data: an entry per impaired interface, per node that drops
 * another's packets, per link down; appended to `out`. */
int fault_record_in_force(const struct fault_record *r, struct lab_in_force_list *out,
			  struct cbx_error *err);
/* Append an entry (node and iface copied; iface may be NULL); NULL when out
 * of memory. */
struct lab_in_force *fault_in_force_add(struct lab_in_force_list *l, enum lab_in_force_kind kind,
					const char *node, const char *iface);
void fault_in_force_free(struct lab_in_force_list *l);

/* The record a lab starts with: the topology's own impairments (at `up`). */
int fault_record_initial(const struct lab_ctx *ctx, struct cbx_error *err);

#endif
