/* The plan's networks: each kind of network (enum cbx_net_kind) has step
 * ops of its own (net_bridge.c; VXLAN next), and this phase hands each its
 * networks. plan_build lists the networks by kind, so each kind's are one
 * run of steps, made together (a bridge phase is two netlink batches for
 * all the lab's bridges). A new kind is a row here and a file of its own. */
#include "common/cleanup.h"
#include "lab/steps.h"

static const struct step_ops *const kinds[] = {
	[CBX_NET_BRIDGE] = &step_ops_net_bridge,
};
_Static_assert(CBX_ARRAY_SIZE(kinds) == CBX_NET_KIND_MAX, "step ops for every kind of network");

static const struct step_ops *kind_of(const struct step *s)
{
	return kinds[s->u.net->kind];
}

/* The end of the run of steps of one kind that starts at `i`. */
static size_t run_end(const struct step *s, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && s[j].u.net->kind == s[i].u.net->kind)
		j++;
	return j;
}

static int network_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	for (size_t i = 0, j; i < n; i = j) {
		j = run_end(s, n, i);
		if (kind_of(&s[i])->run(ctx, &s[i], j - i, err) < 0)
			return -1;
	}
	return 0;
}

/* Every kind's undo, even after one failed; the first failure is kept. */
static int network_undo(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	struct cbx_error one;
	int rc = 0;

	for (size_t i = 0, j; i < n; i = j) {
		j = run_end(s, n, i);
		rc = cbx_error_keep_first(rc, err, kind_of(&s[i])->undo(ctx, &s[i], j - i, &one),
					  &one);
	}
	return rc;
}

static void network_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	kind_of(s)->describe(s, undo, buf, size);
}

const struct step_ops step_ops_network = {
	.name = "networks",
	.run = network_run,
	.undo = network_undo,
	.describe = network_describe,
};
