/* A network that is a Linux bridge on the host: the bridge, its alias, its
 * gateway addresses; its veths attach to it (steps_node.c). */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>

#include "bridge/wiring.h"
#include "lab/steps.h"

static int bridge_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	struct nl_conn *c = lab_rtnl(ctx, err);
	struct nl_batch b;
	int rc = -1;

	if (!c)
		return -1;
	nl_batch_init(&b);
	for (size_t i = 0; i < n; i++)
		wiring_add_bridge(&b, s[i].u.net);
	if (nl_batch_commit(c, &b, err) < 0)
		goto out;
	nl_batch_reset(&b);
	for (size_t i = 0; i < n; i++) {
		const struct cbx_network *net = s[i].u.net;
		int ifindex = (int)if_nametoindex(net->bridge);
		if (!ifindex) {
			cbx_error_sys(err, errno, "find bridge %s", net->bridge);
			goto out;
		}
		ctx->net_ifindex[net->index] = ifindex;
		wiring_add_bridge_setup(&b, ctx->t, net, ifindex);
	}
	rc = nl_batch_commit(c, &b, err);
out:
	nl_batch_free(&b);
	return rc;
}

static int bridge_undo(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	struct nl_conn *c = lab_rtnl(ctx, err);
	struct owned_link *links;
	int rc;

	if (!c)
		return -1;
	links = calloc(n, sizeof(*links));
	if (!links)
		return cbx_error_sys(err, ENOMEM, "delete bridges");
	for (size_t i = 0; i < n; i++)
		links[i] = (struct owned_link){ s[i].u.net->bridge, s[i].u.net->mac, "bridge" };
	rc = wiring_del_owned_links(c, links, n, err);
	free(links);
	return rc;
}

static void bridge_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	const struct cbx_network *net = s->u.net;
	char gw[CBX_PREFIX_STRLEN] = "";

	if (undo) {
		snprintf(buf, size, "delete bridge %s", net->bridge);
		return;
	}
	if (net->has_gw4)
		cbx_prefix_str(&net->gw4, gw, sizeof(gw));
	snprintf(buf, size, "create bridge %s for network %s%s%s", net->bridge, net->name,
		 gw[0] ? " with gateway " : "", gw);
}

const struct step_ops step_ops_net_bridge = {
	.run = bridge_run,
	.undo = bridge_undo,
	.describe = bridge_describe,
};
