/* Impairments: the topology's own at `up`, and the impair fault. */
#include "lab/fault_impair.h"

#include <linux/netfilter.h>

#include "bridge/impair.h"
#include "lab/fault.h"
#include "lab/node_netns.h"

int lab_impair_iface(struct lab_ctx *ctx, const struct cbx_iface *ifc, struct nl_conn *rtnl,
		     const struct cbx_impair *im, bool fresh, struct cbx_error *err)
{
	struct impair_target target = {
		.rtnl = rtnl, .ifname = ifc->name, .ifindex = ifc->ifindex, .fresh = fresh
	};
	struct nl_conn peer_nft = { 0 };
	int rc;

	/* Where this interface's packets arrive (see bridge/impair.h): only
	 * for a loss rule, or to remove one an earlier impairment may have
	 * left. */
	if (!fresh || im->loss > 0) {
		if (ifc->network) {
			target.peer_nft = lab_nft(ctx, err);
			if (!target.peer_nft)
				return -1;
			target.peer_family = NFPROTO_BRIDGE;
			target.peer_ifname = ifc->host_name;
		} else {
			const struct cbx_iface *other =
				ifc->link->a == ifc ? ifc->link->b : ifc->link->a;
			if (lab_node_nft_open(ctx->t, other->node, &peer_nft, err) < 0)
				return -1;
			target.peer_nft = &peer_nft;
			target.peer_family = NFPROTO_INET;
			target.peer_ifname = other->name;
		}
	}
	rc = impair_apply(&target, im, err);
	/* Its nftables socket closed with the others (lab_nft_park). */
	lab_nft_park(ctx, &peer_nft);
	return rc;
}

int fault_impair(struct lab_faults *fl, const struct cbx_iface *ifc, const struct cbx_impair *im,
		 struct cbx_error *err)
{
	struct nl_conn rtnl;
	int rc;

	if (ifc->parent)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "%s:%s is a VLAN sub-interface: impair its trunk %s:%s instead",
				     ifc->node->name, ifc->name, ifc->node->name,
				     ifc->parent->name);
	if (lab_node_rtnl_open(fl->t, ifc->node, &rtnl, err) < 0)
		return -1;
	rc = lab_impair_iface(&fl->ctx, ifc, &rtnl, im, false, err);
	nl_close(&rtnl);
	if (rc < 0)
		return cbx_error_wrap(err, "impair %s:%s", ifc->node->name, ifc->name);
	fault_record_impair_set(fl->record, ifc, im);
	return 0;
}
