/* Node faults: pause and resume (the cgroup freezer), stop and start (the
 * node's processes; its netns, interfaces and links stay). */
#include <unistd.h>

#include "lab/fault.h"
#include "lab/lab.h"
#include "lab/node_proc.h"

bool fault_node_running(const struct lab_faults *fl, const struct cbx_node *n)
{
	return lab_node_pid(fl->ctx.cbx, fl->t->name, n->name) > 0;
}

bool fault_node_paused(const struct lab_faults *fl, const struct cbx_node *n)
{
	const struct cbx_cgroups *cg = &fl->ctx.cg;

	return cg->ops->frozen(cg, fl->t->name, n->name) == 1;
}

int fault_pause(struct lab_faults *fl, const struct cbx_node *n, bool pause, struct cbx_error *err)
{
	const struct cbx_cgroups *cg = &fl->ctx.cg;

	if (!fault_node_running(fl, n))
		return cbx_error_set(err, CBX_ERR_STATE, "node %s is not running", n->name);
	if (cg->ops->freeze(cg, fl->t->name, n->name, pause, err) < 0)
		return cbx_error_wrap(err, "%s node %s", pause ? "pause" : "resume", n->name);
	/* The freezer works asynchronously: wait until it is done, so that
	 * a paused node is paused when we return. */
	for (int i = 0; i < 5000; i++) {
		if (cg->ops->frozen(cg, fl->t->name, n->name) == (pause ? 1 : 0))
			return 0;
		usleep(1000);
	}
	return cbx_error_set(err, CBX_ERR_SYSTEM, "node %s did not %s within 5 s", n->name,
			     pause ? "freeze" : "thaw");
}

int fault_stop(struct lab_faults *fl, const struct cbx_node *n, int grace_ms, struct cbx_error *err)
{
	const struct cbx_node *nodes[1] = { n };

	return lab_kill_nodes(&fl->ctx, nodes, 1, grace_ms, err);
}

void fault_set_clock(struct lab_faults *fl, const struct cbx_node *n, int64_t offset_us)
{
	fl->ctx.nodes[n->index].clock_set = true;
	fl->ctx.nodes[n->index].clock_offset_us = offset_us;
}

void fault_set_skew(struct lab_faults *fl, const struct cbx_node *n, int64_t skew_us)
{
	fl->ctx.nodes[n->index].skew_set = true;
	fl->ctx.nodes[n->index].clock_skew_us = skew_us;
}

int fault_start(struct lab_faults *fl, const struct cbx_node *n, struct cbx_error *err)
{
	const struct cbx_node *nodes[1] = { n };

	if (fault_node_running(fl, n))
		return cbx_error_set(err, CBX_ERR_STATE, "node %s is already running", n->name);
	if (lab_spawn_node(&fl->ctx, n, true, err) < 0 ||
	    lab_wait_namespaces(&fl->ctx, nodes, 1, err) < 0 ||
	    lab_release_nodes(&fl->ctx, nodes, 1, err) < 0) {
		lab_nodes_explain_failure(&fl->ctx, err);
		return cbx_error_wrap(err, "start node %s", n->name);
	}
	fault_record_clock_skew_set(fl->record, n, lab_node_skew(&fl->ctx, n));
	return 0;
}
