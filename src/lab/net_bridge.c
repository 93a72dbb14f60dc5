/* A network that is a Linux bridge on the host: the bridge, its alias, its
 * gateway addresses; its veths attach to it (steps_node.c). A network with
 * more interfaces than a bridge holds is a tree (topo.h): its leaf bridges
 * and their uplinks are made and removed with it. A network that crosses
 * hosts has, on each host's bridge, a VXLAN device to the others. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/vlan.h"
#include "bridge/wiring.h"
#include "lab/steps.h"

/* The device's ifindex into *out; -1 with err when it is not there. */
static int find_link(const char *name, int *out, struct cbx_error *err)
{
	*out = (int)if_nametoindex(name);
	return *out ? 0 : cbx_error_sys(err, errno, "find bridge %s", name);
}

/* Does this host make a VXLAN device for net? */
static bool tunnelled(const struct lab_ctx *ctx, const struct cbx_network *net)
{
	return net->n_hosts > 1 && ctx->t->local;
}

int lab_underlay_ifindex(const struct cbx_topo *t, int *out, struct cbx_error *err)
{
	*out = 0;
	if (!t->local || !t->local->dev)
		return 0;
	*out = (int)if_nametoindex(t->local->dev);
	return *out ? 0
		    : cbx_error_sys(err, errno, "find host %s's underlay device %s", t->local->name,
				    t->local->dev);
}

/* The VXLAN devices of the crossing networks: on their bridges, up, with
 * their FDB entries (which need their ifindexes). */
static int tunnels_setup(struct lab_ctx *ctx, struct nl_conn *c, const struct step *s, size_t n,
			 struct cbx_error *err)
{
	struct nl_batch b;
	int rc = -1, ifindex;

	nl_batch_init(&b);
	for (size_t i = 0; i < n; i++) {
		const struct cbx_network *net = s[i].u.net;
		if (!tunnelled(ctx, net))
			continue;
		wiring_add_net_vxlan_attach(&b, ctx->t, net, ctx->net_ifindex[net->index]);
		if (find_link(net->vxlan, &ifindex, err) < 0)
			goto out;
		wiring_add_net_vxlan_fdb(&b, ctx->t, net, ifindex);
	}
	rc = nl_batch_empty(&b) ? 0 : nl_batch_commit(c, &b, err);
out:
	nl_batch_free(&b);
	return rc;
}

static int vlans_run(struct lab_ctx *ctx, const struct cbx_network *net, struct cbx_error *err);

static int bridge_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	struct nl_conn *c = lab_rtnl(ctx, err);
	struct nl_batch b;
	int rc = -1, underlay;

	if (!c || lab_underlay_ifindex(ctx->t, &underlay, err) < 0)
		return -1;
	nl_batch_init(&b);
	for (size_t i = 0; i < n; i++) {
		const struct cbx_network *net = s[i].u.net;
		wiring_add_bridge(&b, net);
		for (size_t k = 0; k < net->n_leaves; k++)
			wiring_add_leaf(&b, net, &net->leaves[k]);
		if (tunnelled(ctx, net))
			wiring_add_net_vxlan(&b, ctx->t, net, underlay);
	}
	if (nl_batch_commit(c, &b, err) < 0)
		goto out;
	nl_batch_reset(&b);
	for (size_t i = 0; i < n; i++) {
		const struct cbx_network *net = s[i].u.net;
		int *ifindex = &ctx->net_ifindex[net->index];

		if (find_link(net->bridge, ifindex, err) < 0)
			goto out;
		wiring_add_bridge_setup(&b, ctx->t, net, *ifindex);
		for (size_t k = 0; k < net->n_leaves; k++) {
			int *leaf = &ctx->leaf_ifindex[net->first_leaf + k];
			if (find_link(net->leaves[k].bridge, leaf, err) < 0)
				goto out;
			wiring_add_leaf_setup(&b, ctx->t, net, &net->leaves[k], *leaf, *ifindex);
		}
	}
	if ((rc = nl_batch_commit(c, &b, err)) < 0 || (rc = tunnels_setup(ctx, c, s, n, err)) < 0)
		goto out;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (s[i].u.net->n_vlans)
			rc = vlans_run(ctx, s[i].u.net, err);
out:
	nl_batch_free(&b);
	return rc;
}

/* The name of the first trunk of a network, for messages. */
static const struct cbx_iface *first_trunk(const struct cbx_network *net)
{
	for (size_t i = 0; i < net->n_members; i++)
		if (net->members[i]->n_vlans)
			return net->members[i];
	return NULL;
}

/* A VLAN-aware network, its bridges up: the kernel's filtering where it has
 * it, else the mark table (bridge/vlan.h), which serves no trunk. */
static int vlans_run(struct lab_ctx *ctx, const struct cbx_network *net, struct cbx_error *err)
{
	struct nl_batch b;
	struct nl_conn *c;
	int *idx = NULL, rc = -1;

	nl_batch_init(&b);
	if (!vlan_bridge_filters(net->bridge)) {
		const struct cbx_iface *trunk = first_trunk(net);
		if (trunk) {
			rc = cbx_error_sys(err, EOPNOTSUPP,
					   "network %s has trunks (\"vlans\" on %s:%s), which need the kernel's bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING), and this kernel has none",
					   net->name, trunk->node->name, trunk->name);
			goto out;
		}
		if (!(c = lab_nft(ctx, err)))
			goto out;
		vlan_add_mark_table(&b, net);
		rc = nl_batch_commit(c, &b, err);
		goto out;
	}
	idx = calloc(2 * net->n_leaves + 1, sizeof(*idx));
	if (!idx) {
		rc = cbx_error_sys(err, ENOMEM, "VLANs of network %s", net->name);
		goto out;
	}
	for (size_t k = 0; k < net->n_leaves; k++)
		if (find_link(net->leaves[k].uplink, &idx[k], err) < 0 ||
		    find_link(net->leaves[k].downlink, &idx[net->n_leaves + k], err) < 0)
			goto out;
	if (!(c = lab_rtnl(ctx, err)))
		goto out;
	vlan_add_filtering(&b, net, ctx->net_ifindex[net->index],
			   &ctx->leaf_ifindex[net->first_leaf], idx, idx + net->n_leaves);
	rc = nl_batch_commit(c, &b, err);
out:
	free(idx);
	nl_batch_free(&b);
	return rc;
}

/* The mark table, if any: filtering went with the bridges. */
static int vlans_undo(struct lab_ctx *ctx, const struct cbx_network *net, struct cbx_error *err)
{
	struct nl_conn *c = lab_nft(ctx, err);
	struct nl_batch b;
	int rc;

	if (!c)
		return -1;
	nl_batch_init(&b);
	vlan_del_mark_table(&b, net);
	rc = nl_batch_commit(c, &b, err);
	nl_batch_free(&b);
	return rc;
}

static int bridge_undo(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	struct nl_conn *c = lab_rtnl(ctx, err);
	struct owned_link *links;
	struct cbx_error one;
	size_t count = 0, m = 0;
	int rc;

	if (!c)
		return -1;
	for (size_t i = 0; i < n; i++)
		count += 2 + 2 * s[i].u.net->n_leaves;
	links = calloc(count, sizeof(*links));
	if (!links)
		return cbx_error_sys(err, ENOMEM, "delete bridges");
	/* An uplink's two ends go together: one name says both. */
	for (size_t i = 0; i < n; i++) {
		const struct cbx_network *net = s[i].u.net;
		for (size_t k = 0; k < net->n_leaves; k++) {
			const struct cbx_bridge_leaf *l = &net->leaves[k];
			links[m++] = (struct owned_link){ l->uplink, l->uplink_mac, "veth" };
			links[m++] = (struct owned_link){ l->bridge, l->mac, "bridge" };
		}
		links[m++] = (struct owned_link){ net->bridge, net->mac, "bridge" };
		/* Its MAC is this host's: a part unknown (no saved host) is
		 * left to down's sweep, by name and alias. */
		if (tunnelled(ctx, net))
			links[m++] = (struct owned_link){ net->vxlan,
							  net->vxlan_macs[ctx->t->local->index],
							  "vxlan" };
	}
	rc = wiring_del_owned_links(c, links, m, err);
	free(links);
	for (size_t i = 0; i < n; i++)
		if (s[i].u.net->n_vlans)
			rc = cbx_error_keep_first(rc, err, vlans_undo(ctx, s[i].u.net, &one), &one);
	return rc;
}

static void bridge_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	const struct cbx_network *net = s->u.net;
	char gw[CBX_PREFIX_STRLEN] = "";

	if (undo) {
		snprintf(buf, size, "delete bridge %s%s%s%s%s", net->bridge,
			 net->n_leaves ? " and its leaf bridges" : "",
			 net->n_hosts > 1 ? " and VXLAN device " : "",
			 net->n_hosts > 1 ? net->vxlan : "",
			 net->n_vlans ? ", and its VLAN table if any" : "");
		return;
	}
	if (net->n_hosts > 1 && s->t->local) {
		size_t len;
		snprintf(buf, size,
			 "create bridge %s for network %s, with VXLAN device %s (VNI %u, MTU %u, UDP port %d) to host",
			 net->bridge, net->name, net->vxlan, net->vni, net->mtu, CBX_VXLAN_PORT);
		for (size_t h = 0, first = 1; h < net->n_hosts; h++) {
			if (net->hosts[h] == s->t->local)
				continue;
			len = strlen(buf);
			snprintf(buf + len, size - len, "%s %s", first ? "" : ",",
				 net->hosts[h]->name);
			first = 0;
		}
		return;
	}
	if (net->has_gw4)
		cbx_prefix_str(&net->gw4, gw, sizeof(gw));
	if (net->n_vlans)
		snprintf(buf, size,
			 "create bridge %s for network %s%s%s%s, VLAN-aware (%zu VLANs: the kernel's filtering, or a table bridge cboxlab-vlan-%s where it has none)",
			 net->bridge, net->name, gw[0] ? " with gateway " : "", gw,
			 net->n_leaves ? " and its leaf bridges" : "", net->n_vlans, net->bridge);
	else if (net->n_leaves)
		snprintf(buf, size,
			 "create bridge %s for network %s%s%s, and %zu leaf bridges under it (%s...) for its %zu interfaces",
			 net->bridge, net->name, gw[0] ? " with gateway " : "", gw, net->n_leaves,
			 net->leaves[0].bridge, net->n_members);
	else
		snprintf(buf, size, "create bridge %s for network %s%s%s", net->bridge, net->name,
			 gw[0] ? " with gateway " : "", gw);
}

const struct step_ops step_ops_net_bridge = {
	.run = bridge_run,
	.undo = bridge_undo,
	.describe = bridge_describe,
};
