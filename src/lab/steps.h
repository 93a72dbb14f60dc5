/* Internal to src/lab: the do and undo of each kind of plan step. Each runs
 * a whole phase (all consecutive steps of its kind) at once. An undo must
 * tolerate objects that were never made, and keeps going after a failure
 * (reporting the first), because it also serves `down` after a crash. */
#ifndef CBX_STEPS_H
#define CBX_STEPS_H

#include "lab/lab_ctx.h"
#include "lab/plan.h"

struct step_ops {
	const char *name; /* its phase's, for timings: "nodes" */
	int (*run)(struct lab_ctx *ctx, const struct step *steps, size_t n, struct cbx_error *err);
	int (*undo)(struct lab_ctx *ctx, const struct step *steps, size_t n, struct cbx_error *err);
	/* What the step does (undo false) or what its undo does. */
	void (*describe)(const struct step *s, bool undo, char *buf, size_t size);
	/* Optional: begin, once the plan's first phase (the lab's state) is
	 * done, the part of the phase that needs nothing the phases between
	 * make; run then does the rest. When the plan fails before the phase's
	 * turn, cancel ends what prestart began and touches nothing else. */
	int (*prestart)(struct lab_ctx *ctx, const struct step *steps, size_t n,
			struct cbx_error *err);
	void (*cancel)(struct lab_ctx *ctx, const struct step *steps, size_t n);
	/* Optional: the end of undo, run once every phase but the first (the
	 * lab's state) has been undone too, so that what the kernel finishes
	 * in the background after undo (a killed node's netns) overlaps with
	 * those undos (the bridges'). */
	int (*undo_finish)(struct lab_ctx *ctx, const struct step *steps, size_t n,
			   struct cbx_error *err);
};

extern const struct step_ops step_ops_lab_state, step_ops_lab_cgroup, step_ops_network,
	step_ops_nat, step_ops_lab_ready;
/* A network of each kind (enum cbx_net_kind): step_ops_network runs them. */
extern const struct step_ops step_ops_net_bridge;
/* A netns node (cbx_node_kinds): step_ops_node runs them. */
extern const struct step_ops step_ops_node_netns;
extern const struct step_ops step_ops_node, step_ops_veth, step_ops_link, step_ops_node_net,
	step_ops_node_start;

#endif
