#include "bridge/vlan.h"

#include <linux/if_bridge.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter_bridge.h>
#include <stdio.h>
#include <unistd.h>

#include "netlink/nft_msg.h"
#include "netlink/rtnl_msg.h"

/* Before nat and filter at their usual priorities. */
#define PRIO_VLAN (-300)

bool vlan_bridge_filters(const char *name)
{
	char path[128];

	/* The attribute exists only in kernels built with the filtering. */
	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge/vlan_filtering", name);
	return access(path, F_OK) == 0;
}

static void add_bridge_filtering(struct nl_batch *b, int ifindex, const char *name)
{
	NL_BUILD(b, rtnl_build_bridge_vlan_filtering, ifindex);
	nl_batch_push(b, 0, "turn VLAN filtering on in bridge %s", name);
}

/* A port member of vids, tagged. */
static void add_trunk(struct nl_batch *b, int port, const char *name, const uint16_t *vids,
		      size_t n)
{
	NL_BUILD(b, rtnl_build_bridge_vlans, true, port, vids, n, 0);
	nl_batch_push(b, 0, "make %s a trunk of %zu VLAN(s) (%u...)", name, n, vids[0]);
}

void vlan_add_filtering(struct nl_batch *b, const struct cbx_network *net, int bridge_ifindex,
			const int *leaf_ifindex, const int *uplink_ifindex,
			const int *downlink_ifindex)
{
	add_bridge_filtering(b, bridge_ifindex, net->bridge);
	for (size_t k = 0; k < net->n_leaves; k++) {
		const struct cbx_bridge_leaf *l = &net->leaves[k];
		add_bridge_filtering(b, leaf_ifindex[k], l->bridge);
		add_trunk(b, uplink_ifindex[k], l->uplink, net->vlans, net->n_vlans);
		add_trunk(b, downlink_ifindex[k], l->downlink, net->vlans, net->n_vlans);
	}
}

void vlan_add_port(struct nl_batch *b, const struct cbx_iface *ifc, int port_ifindex)
{
	static const uint16_t default_vlan = 1;
	char what[64];

	snprintf(what, sizeof(what), "%s (%s:%s)", ifc->host_name, ifc->node->name, ifc->name);
	if (ifc->n_vlans) {
		add_trunk(b, port_ifindex, what, ifc->vlans, ifc->n_vlans);
		return;
	}
	if (ifc->vlan <= 1)
		return;
	/* PVID moves to the access VLAN, then the port leaves the default. */
	NL_BUILD(b, rtnl_build_bridge_vlans, true, port_ifindex, &ifc->vlan, 1,
		 BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED);
	nl_batch_push(b, 0, "make %s an access port of VLAN %u", what, ifc->vlan);
	NL_BUILD(b, rtnl_build_bridge_vlans, false, port_ifindex, &default_vlan, 1, 0);
	nl_batch_push(b, 0, "take %s out of the default VLAN", what);
}

void vlan_table_name(char *buf, size_t size, const struct cbx_network *net)
{
	snprintf(buf, size, "cboxlab-vlan-%s", net->bridge);
}

/* The mark of a VLAN: 0 for the default one, so a frame of any port the
 * table does not mark (an uplink's, the host's) counts as in it. */
static uint32_t mark_of(const struct cbx_iface *ifc)
{
	return ifc->vlan > 1 ? ifc->vlan : 0;
}

static void add_chain(struct nl_batch *b, const char *table, const char *chain, unsigned hook)
{
	NL_BUILD(b, nft_build_chain_add, NFPROTO_BRIDGE, table, chain, "filter", hook, PRIO_VLAN,
		 NF_ACCEPT);
	nl_batch_push(b, 0, "create chain %s %s", table, chain);
}

static void add_keep_out(struct nl_batch *b, const char *table, const char *chain,
			 uint32_t meta_key, const char *ifname, uint32_t mark)
{
	NL_BUILD(b, nft_build_rule_drop_unless_mark, NFPROTO_BRIDGE, table, chain, meta_key, ifname,
		 mark);
	nl_batch_push(b, 0, "drop frames of other VLANs than %u at %s (%s)", mark ? mark : 1,
		      ifname, chain);
}

void vlan_add_mark_table(struct nl_batch *b, const struct cbx_network *net)
{
	char table[64];

	vlan_table_name(table, sizeof(table), net);
	NL_BUILD(b, nft_build_batch_begin);
	nl_batch_push(b, 0, "begin nftables transaction");
	NL_BUILD(b, nft_build_table_add, NFPROTO_BRIDGE, table);
	nl_batch_push(b, 0, "create nftables table bridge %s", table);
	add_chain(b, table, "prerouting", NF_BR_PRE_ROUTING);
	add_chain(b, table, "forward", NF_BR_FORWARD);
	add_chain(b, table, "input", NF_BR_LOCAL_IN);
	add_chain(b, table, "output", NF_BR_LOCAL_OUT);
	for (size_t i = 0; i < net->n_members; i++) {
		const struct cbx_iface *ifc = net->members[i];
		uint32_t mark = mark_of(ifc);
		if (mark) {
			NL_BUILD(b, nft_build_rule_set_mark, NFPROTO_BRIDGE, table, "prerouting",
				 ifc->host_name, mark);
			nl_batch_push(b, 0, "mark frames from %s (%s:%s) with VLAN %u",
				      ifc->host_name, ifc->node->name, ifc->name, mark);
			/* The host is in the default VLAN. */
			add_keep_out(b, table, "output", NFT_META_OIFNAME, ifc->host_name, mark);
		}
		add_keep_out(b, table, "forward", NFT_META_OIFNAME, ifc->host_name, mark);
	}
	/* Up to a bridge's own stack (the host's gateway), from the ports a
	 * frame of another VLAN may come in by. */
	for (size_t i = 0; i < net->n_members; i++)
		if (mark_of(net->members[i]))
			add_keep_out(b, table, "input", NFT_META_IIFNAME,
				     net->members[i]->host_name, 0);
	for (size_t k = 0; k < net->n_leaves; k++) {
		add_keep_out(b, table, "input", NFT_META_IIFNAME, net->leaves[k].uplink, 0);
		add_keep_out(b, table, "input", NFT_META_IIFNAME, net->leaves[k].downlink, 0);
	}
	NL_BUILD(b, nft_build_batch_end);
	nl_batch_push(b, 0, "end nftables transaction");
}

void vlan_del_mark_table(struct nl_batch *b, const struct cbx_network *net)
{
	char table[64];

	vlan_table_name(table, sizeof(table), net);
	NL_BUILD(b, nft_build_batch_begin);
	nl_batch_push(b, 0, "begin nftables transaction");
	NL_BUILD(b, nft_build_table_del, NFPROTO_BRIDGE, table);
	nl_batch_push(b, NL_REQ_IGNORE_MISSING, "delete nftables table bridge %s", table);
	NL_BUILD(b, nft_build_batch_end);
	nl_batch_push(b, 0, "end nftables transaction");
}
