#include "lab/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/nat.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "lab/lab_ctx.h"
#include "lab/node_proc.h"
#include "lab/steps.h"

static const struct step_ops *const ops[] = {
	[STEP_LAB_STATE] = &step_ops_lab_state,
	[STEP_LAB_CGROUP] = &step_ops_lab_cgroup,
	[STEP_NETWORK] = &step_ops_network,
	[STEP_NAT] = &step_ops_nat,
	[STEP_NODE] = &step_ops_node,
	[STEP_VETH] = &step_ops_veth,
	[STEP_LINK] = &step_ops_link,
	[STEP_NODE_NET] = &step_ops_node_net,
	[STEP_NODE_START] = &step_ops_node_start,
	[STEP_LAB_READY] = &step_ops_lab_ready,
};
_Static_assert(CBX_ARRAY_SIZE(ops) == STEP_KIND_COUNT, "step ops for every kind of step");

int plan_build(const struct cbx_ctx *cbx, const struct cbx_topo *t, struct plan *p,
	       struct cbx_error *err)
{
	size_t cap = 4 + t->n_networks + 3 * t->n_nodes + t->n_ifaces + t->n_links + 1;
	size_t n = 0;

	p->t = t;
	p->steps = calloc(cap, sizeof(*p->steps));
	if (!p->steps)
		return cbx_error_sys(err, ENOMEM, "plan lab %s", t->name);
#define ADD(k, field, value) \
	p->steps[n++] = (struct step){ \
		.kind = (k), .t = t, .state_root = cbx->state_root, .u.field = (value) \
	}

	ADD(STEP_LAB_STATE, node, NULL);
	ADD(STEP_LAB_CGROUP, node, NULL);
	/* By kind: each kind's networks are made together (steps_network.c). */
	for (int k = 0; k < CBX_NET_KIND_MAX; k++)
		for (size_t i = 0; i < t->n_networks; i++)
			if (t->networks[i].kind == (enum cbx_net_kind)k &&
			    cbx_network_here(t, &t->networks[i]))
				ADD(STEP_NETWORK, net, &t->networks[i]);
	if (nat_needed(t))
		ADD(STEP_NAT, node, NULL);
	/* Nodes are cloned before the wiring: the veths go straight into
	 * their network namespaces, while the nodes build their root
	 * filesystems in parallel. By kind: each kind's are made together
	 * (steps_node.c). */
	for (int k = 0; k < CBX_NODE_KIND_MAX; k++)
		for (size_t i = 0; i < t->n_nodes; i++)
			if (t->nodes[i].kind == (enum cbx_node_kind)k &&
			    cbx_node_here(t, &t->nodes[i]))
				ADD(STEP_NODE, node, &t->nodes[i]);
	for (size_t i = 0; i < t->n_ifaces; i++)
		if (t->ifaces[i].network && cbx_node_here(t, t->ifaces[i].node))
			ADD(STEP_VETH, iface, &t->ifaces[i]);
	/* A link that crosses hosts is each host's end of it (steps_node.c). */
	for (size_t i = 0; i < t->n_links; i++)
		if (cbx_link_here(t, &t->links[i]))
			ADD(STEP_LINK, link, &t->links[i]);
	for (size_t i = 0; i < t->n_nodes; i++)
		if (cbx_node_here(t, &t->nodes[i]))
			ADD(STEP_NODE_NET, node, &t->nodes[i]);
	/* A kind without processes has nothing to start. */
	for (size_t i = 0; i < t->n_nodes; i++)
		if (cbx_node_here(t, &t->nodes[i]) && cbx_node_kinds[t->nodes[i].kind].processes)
			ADD(STEP_NODE_START, node, &t->nodes[i]);
	ADD(STEP_LAB_READY, node, NULL);
#undef ADD
	p->n = n;
	return 0;
}

void plan_free(struct plan *p)
{
	free(p->steps);
	p->steps = NULL;
	p->n = 0;
}

void plan_step_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	ops[s->kind]->describe(s, undo, buf, size);
}

_Static_assert(STEP_KIND_COUNT <= LAB_PHASE_MAX, "a lab's report has room for every phase");

const char *lab_phase_name(unsigned k)
{
	return k < STEP_KIND_COUNT ? ops[k]->name : NULL;
}

void plan_print(const struct plan *p, FILE *out)
{
	char what[512], undo[512];

	for (size_t i = 0; i < p->n; i++) {
		plan_step_describe(&p->steps[i], false, what, sizeof(what));
		plan_step_describe(&p->steps[i], true, undo, sizeof(undo));
		fprintf(out, "%3zu  %s\n     undo: %s\n", i + 1, what, undo);
	}
}

/* The end of the phase that starts at `i`. */
static size_t phase_end(const struct plan *p, size_t i)
{
	size_t j = i;

	while (j < p->n && p->steps[j].kind == p->steps[i].kind)
		j++;
	return j;
}

/* The start of the phase that ends at `end` (> 0). */
static size_t phase_start(const struct plan *p, size_t end)
{
	size_t start = end - 1;

	while (start > 0 && p->steps[start - 1].kind == p->steps[end - 1].kind)
		start--;
	return start;
}

/* The undo_finish of every phase in [from, upto) that has one, last first. */
static void finish_undos(struct lab_ctx *ctx, struct plan *p, size_t from, size_t upto, int *rc,
			 struct cbx_error *err)
{
	for (size_t end = upto; end > from;) {
		size_t start = phase_start(p, end);
		const struct step_ops *o = ops[p->steps[start].kind];
		struct cbx_error one;

		if (o->undo_finish) {
			uint64_t t0 = cbx_now_us();
			cbx_error_clear(&one);
			*rc = cbx_error_keep_first(*rc, err,
						   o->undo_finish(ctx, &p->steps[start],
								  end - start, &one),
						   &one);
			ctx->phase_us[p->steps[start].kind] += cbx_now_us() - t0;
		}
		end = start;
	}
}

/* The phase of steps [start, end) begins (progress). */
static void progress_phase(struct lab_ctx *ctx, struct plan *p, size_t start, size_t end,
			   size_t done, size_t total, bool undo)
{
	ctx->progress = (struct cbx_progress){ .phase = ops[p->steps[start].kind]->name,
					       .phase_steps = end - start,
					       .done = done,
					       .total = total,
					       .undo = undo };
	lab_progress(ctx, 0);
}

/* Phases are undone last first. What an undo leaves to finish (undo_finish)
 * runs once every phase but the first is undone, just before the lab's
 * state goes: the longer the kernel's background work (a killed node's
 * netns) overlaps with the other undos, the better, and a `down` that fails
 * there still finds the lab's state to try again with. The first failure,
 * in the order things happened, is the one reported. */
int plan_undo(struct lab_ctx *ctx, struct plan *p, size_t upto, struct cbx_error *err)
{
	int rc = 0;

	for (size_t end = upto; end > 0;) {
		size_t start = phase_start(p, end);
		struct cbx_error one;

		if (start == 0)
			finish_undos(ctx, p, end, upto, &rc, err);
		progress_phase(ctx, p, start, end, upto - end, upto, true);
		uint64_t t0 = cbx_now_us();

		cbx_error_clear(&one);
		rc = cbx_error_keep_first(rc, err,
					  ops[p->steps[start].kind]->undo(ctx, &p->steps[start],
									  end - start, &one),
					  &one);
		ctx->phase_us[p->steps[start].kind] += cbx_now_us() - t0;
		lab_progress(ctx, end - start);
		end = start;
	}
	return rc;
}

/* Cancel what the phases from `from` on began ahead of their turn. */
static void cancel_prestarted(struct lab_ctx *ctx, struct plan *p, size_t from)
{
	for (size_t i = from; i < p->n; i = phase_end(p, i)) {
		const struct step_ops *o = ops[p->steps[i].kind];
		if (o->cancel)
			o->cancel(ctx, &p->steps[i], phase_end(p, i) - i);
	}
}

/* Let the phases from `from` on begin ahead; -1 when one fails. */
static int prestart_phases(struct lab_ctx *ctx, struct plan *p, size_t from, struct cbx_error *err)
{
	/* Not their turn: their progress is told when it comes. */
	ctx->progress.phase = NULL;
	for (size_t i = from; i < p->n; i = phase_end(p, i)) {
		const struct step_ops *o = ops[p->steps[i].kind];
		uint64_t t0 = cbx_now_us();
		int rc = o->prestart ? o->prestart(ctx, &p->steps[i], phase_end(p, i) - i, err) : 0;

		ctx->phase_us[p->steps[i].kind] += cbx_now_us() - t0;
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* A failure once phases [0, end) were attempted: cancel what the later
 * phases began ahead, then undo those (the last may have half-happened). */
static int fail_after(struct lab_ctx *ctx, struct plan *p, size_t end, struct cbx_error *err)
{
	struct cbx_error undo_err;

	lab_nodes_explain_failure(ctx, err);
	cancel_prestarted(ctx, p, end);
	if (plan_undo(ctx, p, end, &undo_err) < 0)
		cbx_error_append(err, "; and cleaning up failed too: %s", undo_err.msg);
	return -1;
}

int plan_execute(struct lab_ctx *ctx, struct plan *p, struct cbx_error *err)
{
	for (size_t i = 0; i < p->n;) {
		size_t end = phase_end(p, i);
		uint64_t t0;
		int rc;

		progress_phase(ctx, p, i, end, i, p->n, false);
		t0 = cbx_now_us();
		rc = ops[p->steps[i].kind]->run(ctx, &p->steps[i], end - i, err);
		ctx->phase_us[p->steps[i].kind] += cbx_now_us() - t0;
		if (rc == 0)
			lab_progress(ctx, end - i);
		/* Once the lab's state directory (the first phase) is there,
		 * what begins ahead may rely on it being in every new mount
		 * namespace. */
		if (rc < 0 || (i == 0 && prestart_phases(ctx, p, end, err) < 0))
			return fail_after(ctx, p, end, err);
		i = end;
	}
	return 0;
}
