/* The one fault operation type (cboxlab.h's struct lab_fault_op): a table
 * of its kinds, each with its name as plans and logs spell it and the
 * function that applies it. The CLI's fault commands and chaos timelines
 * both come through lab_fault_apply. */
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "lab/fault.h"

typedef int (*apply_fn)(struct lab_faults *fl, const struct lab_fault_op *op,
			struct cbx_error *err);

static int apply_partition(struct lab_faults *fl, const struct lab_fault_op *op,
			   struct cbx_error *err)
{
	return fault_partition(fl, &op->grudge, err);
}

static int apply_heal(struct lab_faults *fl, const struct lab_fault_op *op, struct cbx_error *err)
{
	(void)op;
	return fault_heal(fl, err);
}

static int apply_heal_all(struct lab_faults *fl, const struct lab_fault_op *op,
			  struct cbx_error *err)
{
	(void)op;
	return lab_fault_clear_all(fl, err);
}

static int apply_impair(struct lab_faults *fl, const struct lab_fault_op *op, struct cbx_error *err)
{
	static const struct cbx_impair none;

	return fault_impair(fl, op->iface, op->kind == LAB_FAULT_CLEAR ? &none : &op->impair, err);
}

static int apply_link(struct lab_faults *fl, const struct lab_fault_op *op, struct cbx_error *err)
{
	return fault_link(fl, op->iface, op->kind == LAB_FAULT_LINK_UP, err);
}

static int apply_pause(struct lab_faults *fl, const struct lab_fault_op *op, struct cbx_error *err)
{
	return fault_pause(fl, op->node, op->kind == LAB_FAULT_PAUSE, err);
}

static int apply_stop(struct lab_faults *fl, const struct lab_fault_op *op, struct cbx_error *err)
{
	return fault_stop(fl, op->node, op->kind == LAB_FAULT_KILL ? 0 : op->grace_ms, err);
}

static int apply_start(struct lab_faults *fl, const struct lab_fault_op *op, struct cbx_error *err)
{
	if (op->set_clock)
		fault_set_clock(fl, op->node, op->clock_offset_us);
	if (op->set_skew || op->kind == LAB_FAULT_CLOCK_SKEW)
		fault_set_skew(fl, op->node, op->clock_skew_us);
	return fault_start(fl, op->node, err);
}

static int apply_restart(struct lab_faults *fl, const struct lab_fault_op *op,
			 struct cbx_error *err)
{
	if (fault_stop(fl, op->node, op->grace_ms, err) < 0)
		return -1;
	return apply_start(fl, op, err);
}

static int apply_disk(struct lab_faults *fl, const struct lab_fault_op *op, struct cbx_error *err)
{
	return fault_disk(fl, op->node, op->path, op->kind == LAB_FAULT_FILL, err);
}

static int apply_throttle(struct lab_faults *fl, const struct lab_fault_op *op,
			  struct cbx_error *err)
{
	static const struct lab_io_max none;

	return fault_throttle(fl, op->node, op->kind == LAB_FAULT_THROTTLE ? &op->io : &none, err);
}

/* What an op names: nothing, an interface or a node (for descriptions). */
enum target {
	TARGET_NONE,
	TARGET_GRUDGE,
	TARGET_IFACE,
	TARGET_NODE
};

static const struct fault_kind {
	const char *name;
	bool removes;
	enum target target;
	apply_fn apply;
} kinds[] = {
	[LAB_FAULT_PARTITION] = { "partition", false, TARGET_GRUDGE, apply_partition },
	[LAB_FAULT_HEAL] = { "heal", true, TARGET_NONE, apply_heal },
	[LAB_FAULT_IMPAIR] = { "impair", false, TARGET_IFACE, apply_impair },
	[LAB_FAULT_CLEAR] = { "clear", true, TARGET_IFACE, apply_impair },
	[LAB_FAULT_LINK_DOWN] = { "link-down", false, TARGET_IFACE, apply_link },
	[LAB_FAULT_LINK_UP] = { "link-up", true, TARGET_IFACE, apply_link },
	[LAB_FAULT_PAUSE] = { "pause", false, TARGET_NODE, apply_pause },
	[LAB_FAULT_RESUME] = { "resume", true, TARGET_NODE, apply_pause },
	[LAB_FAULT_STOP] = { "stop", false, TARGET_NODE, apply_stop },
	[LAB_FAULT_START] = { "start", true, TARGET_NODE, apply_start },
	[LAB_FAULT_RESTART] = { "restart", false, TARGET_NODE, apply_restart },
	[LAB_FAULT_KILL] = { "kill", false, TARGET_NODE, apply_stop },
	[LAB_FAULT_FILL] = { "fill", false, TARGET_NODE, apply_disk },
	[LAB_FAULT_UNFILL] = { "unfill", true, TARGET_NODE, apply_disk },
	[LAB_FAULT_CLOCK_SKEW] = { "clock-skew", false, TARGET_NODE, apply_restart },
	[LAB_FAULT_THROTTLE] = { "throttle", false, TARGET_NODE, apply_throttle },
	[LAB_FAULT_UNTHROTTLE] = { "unthrottle", true, TARGET_NODE, apply_throttle },
	[LAB_FAULT_HEAL_ALL] = { "heal-all", true, TARGET_NONE, apply_heal_all },
};
_Static_assert(CBX_ARRAY_SIZE(kinds) == LAB_FAULT_KIND_MAX, "a row for every kind of fault");

const char *lab_fault_kind_name(enum lab_fault_kind k)
{
	return kinds[k].name;
}

bool lab_fault_kind_from_name(const char *name, enum lab_fault_kind *k)
{
	for (size_t i = 0; i < CBX_ARRAY_SIZE(kinds); i++)
		if (!strcmp(name, kinds[i].name)) {
			*k = (enum lab_fault_kind)i;
			return true;
		}
	return false;
}

bool lab_fault_removes(enum lab_fault_kind k)
{
	return kinds[k].removes;
}

void lab_fault_describe(const struct cbx_topo *t, const struct lab_fault_op *op, char *buf,
			size_t size)
{
	const char *name = kinds[op->kind].name;
	char detail[2048];

	switch (kinds[op->kind].target) {
	case TARGET_GRUDGE:
		lab_grudge_describe(&op->grudge, t, detail, sizeof(detail));
		snprintf(buf, size, "%s: %s", name, detail);
		break;
	case TARGET_IFACE:
		detail[0] = '\0';
		if (op->kind == LAB_FAULT_IMPAIR) {
			detail[0] = ' ';
			cbx_impair_format(&op->impair, detail + 1, sizeof(detail) - 1);
		}
		snprintf(buf, size, "%s %s:%s%s", name, op->iface->node->name, op->iface->name,
			 detail);
		break;
	case TARGET_NODE:
		if (op->kind == LAB_FAULT_CLOCK_SKEW) {
			snprintf(buf, size, "%s %s %+.6gs", name, op->node->name,
				 (double)op->clock_skew_us / 1e6);
		} else if (op->kind == LAB_FAULT_THROTTLE) {
			lab_io_max_format(&op->io, detail, sizeof(detail));
			snprintf(buf, size, "%s %s %s", name, op->node->name, detail);
		} else if (op->path) {
			snprintf(buf, size, "%s %s:%s", name, op->node->name, op->path);
		} else
			snprintf(buf, size, "%s %s", name, op->node->name);
		break;
	case TARGET_NONE:
		snprintf(buf, size, "%s", name);
		break;
	}
}

int lab_fault_apply(struct lab_faults *fl, const struct lab_fault_op *op, struct cbx_error *err)
{
	const struct cbx_node *n = op->node ? op->node : op->iface ? op->iface->node : NULL;

	/* A node on another host is that host's to change. */
	if (n && !cbx_node_here(fl->t, n))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "node %s runs on host %s, and this is host %s's part of lab %s: run the command there",
				     n->name, n->host->name, fl->t->local->name, fl->t->name);
	/* A node fault acts on the node's processes, cgroups or storage: a
	 * kind without them (a netns node) has none to act on. */
	if (kinds[op->kind].target == TARGET_NODE && !cbx_node_kinds[n->kind].processes)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "%s %s: node %s is \"kind\": \"%s\", a network namespace without processes, cgroups or storage of its own; only its interfaces take faults (partition, impair, link down/up, capture)",
				     kinds[op->kind].name, n->name, n->name,
				     cbx_node_kinds[n->kind].word);
	return kinds[op->kind].apply(fl, op, err);
}

int lab_fault_clear_all(struct lab_faults *fl, struct cbx_error *err)
{
	const struct cbx_topo *t = fl->t;
	struct cbx_error one;
	int rc = 0;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct cbx_node *n = &t->nodes[i];
		if (!cbx_node_here(t, n) || !cbx_node_kinds[n->kind].processes)
			continue;
		if (!fault_node_running(fl, n))
			rc = cbx_error_keep_first(rc, err, fault_start(fl, n, &one), &one);
		else if (fault_node_paused(fl, n))
			rc = cbx_error_keep_first(rc, err, fault_pause(fl, n, false, &one), &one);
	}
	rc = cbx_error_keep_first(rc, err, fault_heal(fl, &one), &one);
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct cbx_node *n = &t->nodes[i];
		int64_t skew;
		struct lab_io_max io;
		if (fault_record_disk_full(fl->record, n, NULL))
			rc = cbx_error_keep_first(rc, err, fault_disk(fl, n, NULL, false, &one),
						  &one);
		for (size_t k = 0; k < n->n_volumes; k++)
			if (fault_record_disk_full(fl->record, n, n->volumes[k].dst))
				rc = cbx_error_keep_first(rc, err,
							  fault_disk(fl, n, n->volumes[k].dst,
								     false, &one),
							  &one);
		fault_record_disk_slow_get(fl->record, n, &io);
		if (lab_io_max_is_set(&io))
			rc = cbx_error_keep_first(rc, err,
						  fault_throttle(fl, n, &(struct lab_io_max){ 0 },
								 &one),
						  &one);
		/* A node skewed otherwise than its topology says: restarted
		 * with the topology's skew (SIGTERM, 5 s before SIGKILL). */
		if (fault_record_clock_skew(fl->record, n, &skew) &&
		    (fault_stop(fl, n, 5000, &one) < 0 || fault_start(fl, n, &one) < 0))
			rc = cbx_error_keep_first(rc, err, -1, &one);
	}
	for (size_t i = 0; i < t->n_ifaces; i++)
		if (cbx_node_here(t, t->ifaces[i].node) &&
		    fault_record_link_down(fl->record, &t->ifaces[i]))
			rc = cbx_error_keep_first(rc, err,
						  fault_link(fl, &t->ifaces[i], true, &one), &one);
	/* Impairments back to what the topology declares. */
	for (size_t i = 0; i < t->n_ifaces; i++) {
		const struct cbx_iface *ifc = &t->ifaces[i];
		struct cbx_impair now;
		if (!cbx_node_here(t, ifc->node))
			continue;
		fault_record_impair_get(fl->record, ifc, &now);
		if (memcmp(&now, &ifc->impair, sizeof(now)))
			rc = cbx_error_keep_first(rc, err,
						  fault_impair(fl, ifc, &ifc->impair, &one), &one);
	}
	return rc;
}
