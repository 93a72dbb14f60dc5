#include "bridge/wiring.h"

#include <stdio.h>

#include "netlink/rtnl_msg.h"

void wiring_add_bridge(struct nl_batch *b, const struct cbx_topo *t, const struct cbx_network *net)
{
	struct rtnl_link_spec br = RTNL_LINK_SPEC_INIT;
	char alias[128];

	br.name = net->bridge;
	br.mac = net->mac;
	br.mtu = net->mtu;
	br.up = 1;
	NL_BUILD(b, rtnl_build_bridge_create, &br);
	nl_batch_push(b, 0, "create bridge %s for network %s", net->bridge, net->name);

	/* The kernel ignores an alias given at creation: set it after. */
	snprintf(alias, sizeof(alias), "cboxlab %s/network %s", t->name, net->name);
	br = (struct rtnl_link_spec)RTNL_LINK_SPEC_INIT;
	br.name = net->bridge;
	br.alias = alias;
	NL_BUILD(b, rtnl_build_link_change, &br);
	nl_batch_push(b, 0, "set alias of bridge %s", net->bridge);
}

void wiring_add_bridge_addrs(struct nl_batch *b, const struct cbx_network *net, int ifindex)
{
	char buf[CBX_PREFIX_STRLEN];

	if (net->has_gw4) {
		NL_BUILD(b, rtnl_build_addr_add, ifindex, &net->gw4);
		nl_batch_push(b, 0, "add gateway address %s to bridge %s",
			      cbx_prefix_str(&net->gw4, buf, sizeof(buf)), net->bridge);
	}
	if (net->has_gw6) {
		NL_BUILD(b, rtnl_build_addr_add, ifindex, &net->gw6);
		nl_batch_push(b, 0, "add gateway address %s to bridge %s",
			      cbx_prefix_str(&net->gw6, buf, sizeof(buf)), net->bridge);
	}
}

void wiring_add_network_veth(struct nl_batch *b, const struct cbx_topo *t,
			     const struct cbx_iface *ifc, int node_netns_fd, int bridge_ifindex)
{
	struct rtnl_link_spec node_end = RTNL_LINK_SPEC_INIT, host_end = RTNL_LINK_SPEC_INIT;
	char alias[160];

	node_end.name = ifc->name;
	node_end.ifindex = ifc->ifindex;
	node_end.netns_fd = node_netns_fd;
	node_end.mac = ifc->mac;
	node_end.mtu = ifc->mtu;
	node_end.up = 1;
	host_end.name = ifc->host_name;
	host_end.mac = ifc->host_mac;
	host_end.mtu = ifc->mtu;
	/* The node end is the primary device: only then does the kernel honour
	 * the fixed ifindex, and the node end needs it. */
	NL_BUILD(b, rtnl_build_veth_create, &node_end, &host_end);
	nl_batch_push(b, 0, "create veth %s:%s (host end %s) in netns of %s", ifc->node->name,
		      ifc->name, ifc->host_name, ifc->node->name);

	snprintf(alias, sizeof(alias), "cboxlab %s/%s/%s", t->name, ifc->node->name, ifc->name);
	host_end = (struct rtnl_link_spec)RTNL_LINK_SPEC_INIT;
	host_end.name = ifc->host_name;
	host_end.master = bridge_ifindex;
	host_end.alias = alias;
	host_end.up = 1;
	NL_BUILD(b, rtnl_build_link_change, &host_end);
	nl_batch_push(b, 0, "attach %s (%s:%s) to bridge %s", ifc->host_name, ifc->node->name,
		      ifc->name, ifc->network->bridge);
}

void wiring_add_link_veth(struct nl_batch *b, const struct cbx_link *l, int netns_a, int netns_b)
{
	struct rtnl_link_spec a = RTNL_LINK_SPEC_INIT, z = RTNL_LINK_SPEC_INIT;

	a.name = l->a->name;
	a.ifindex = l->a->ifindex;
	a.netns_fd = netns_a;
	a.mac = l->a->mac;
	a.mtu = l->a->mtu;
	a.up = 1;
	z.name = l->b->name;
	z.ifindex = l->b->ifindex;
	z.netns_fd = netns_b;
	z.mac = l->b->mac;
	z.mtu = l->b->mtu;
	/* Not up yet: the kernel opens a veth's peer before pairing it, and
	 * refuses (ENOTCONN). The node brings it up with its configuration. */
	NL_BUILD(b, rtnl_build_veth_create, &a, &z);
	nl_batch_push(b, 0, "create link %s:%s -- %s:%s", l->a->node->name, l->a->name,
		      l->b->node->name, l->b->name);
}

void wiring_add_node_config(struct nl_batch *b, const struct cbx_node *n)
{
	struct rtnl_link_spec lo = RTNL_LINK_SPEC_INIT;
	char buf[CBX_PREFIX_STRLEN], via[CBX_PREFIX_STRLEN];

	lo.ifindex = 1; /* every network namespace is born with lo at index 1 */
	lo.up = 1;
	NL_BUILD(b, rtnl_build_link_change, &lo);
	nl_batch_push(b, 0, "bring up lo in %s", n->name);
	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct cbx_iface *ifc = n->ifaces[i];
		struct rtnl_link_spec up = RTNL_LINK_SPEC_INIT;

		/* The peer end of a link was created down (see above). */
		up.ifindex = ifc->ifindex;
		up.up = 1;
		NL_BUILD(b, rtnl_build_link_change, &up);
		nl_batch_push(b, 0, "bring up %s:%s", n->name, ifc->name);
		for (unsigned k = 0; k < ifc->n_addrs; k++) {
			NL_BUILD(b, rtnl_build_addr_add, ifc->ifindex, &ifc->addrs[k]);
			nl_batch_push(b, 0, "add address %s to %s:%s",
				      cbx_prefix_str(&ifc->addrs[k], buf, sizeof(buf)), n->name,
				      ifc->name);
		}
	}
	for (size_t i = 0; i < n->n_routes; i++) {
		const struct cbx_route *r = &n->routes[i];
		struct rtnl_route_spec spec = { .dst = r->dst, .via = r->via, .metric = r->metric };

		spec.oif = r->dev ? r->dev->ifindex : 0;
		NL_BUILD(b, rtnl_build_route_add, &spec);
		nl_batch_push(b, 0, "add route to %s%s%s in %s",
			      r->dst.len ? cbx_prefix_str(&r->dst, buf, sizeof(buf)) : "default",
			      r->via.family ? " via " : "",
			      r->via.family ? cbx_ip_str(&r->via, via, sizeof(via)) : "", n->name);
	}
}

void wiring_del_link(struct nl_batch *b, const char *name, const char *what)
{
	NL_BUILD(b, rtnl_build_link_delete, 0, name);
	nl_batch_push(b, NL_REQ_IGNORE_MISSING, "delete %s %s", what, name);
}
