#include "bridge/wiring.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/strmap.h"
#include "netlink/rtnl_msg.h"

/* No IPv6 link-local address on an interface that has no IPv6: without it,
 * bringing the interface up sends no duplicate address detection, MLD or
 * router solicitation, which a bridge floods to every other port, so a
 * star of N nodes costs N^2 packets (most of `up` at 1000 nodes). The mode
 * only counts before the interface goes up: a request of its own, first. */
static void add_no_link_local(struct nl_batch *b, int ifindex, const char *what)
{
	struct rtnl_link_spec l = RTNL_LINK_SPEC_INIT;

	l.ifindex = ifindex;
	l.addr_gen_mode = IN6_ADDR_GEN_MODE_NONE;
	NL_BUILD(b, rtnl_build_link_change, &l);
	nl_batch_push(b, NL_REQ_IGNORE_UNSUPPORTED, "turn IPv6 link-local addresses off on %s",
		      what);
}

static bool has_ipv6(const struct cbx_iface *ifc)
{
	for (unsigned k = 0; k < ifc->n_addrs; k++)
		if (ifc->addrs[k].ip.family == AF_INET6)
			return true;
	return false;
}

void wiring_add_bridge(struct nl_batch *b, const struct cbx_network *net)
{
	struct rtnl_link_spec br = RTNL_LINK_SPEC_INIT;

	br.name = net->bridge;
	br.mac = net->mac;
	br.mtu = net->mtu;
	/* Down until its IPv6 address generation is settled (setup). */
	NL_BUILD(b, rtnl_build_bridge_create, &br);
	nl_batch_push(b, 0, "create bridge %s for network %s", net->bridge, net->name);
}

/* A bridge made down (wiring_add_bridge, wiring_add_leaf): its alias, no
 * IPv6 link-local address when it has no IPv6 (before it goes up), up. */
static void add_bridge_up(struct nl_batch *b, int ifindex, const char *name, const char *alias,
			  bool no_link_local)
{
	struct rtnl_link_spec br = RTNL_LINK_SPEC_INIT;

	br.ifindex = ifindex;
	br.alias = alias;
	NL_BUILD(b, rtnl_build_link_change, &br);
	nl_batch_push(b, 0, "set alias of bridge %s", name);
	if (no_link_local)
		add_no_link_local(b, ifindex, name);
	br = (struct rtnl_link_spec)RTNL_LINK_SPEC_INIT;
	br.ifindex = ifindex;
	br.up = 1;
	NL_BUILD(b, rtnl_build_link_change, &br);
	nl_batch_push(b, 0, "bring up bridge %s", name);
}

void wiring_add_bridge_setup(struct nl_batch *b, const struct cbx_topo *t,
			     const struct cbx_network *net, int ifindex)
{
	char alias[128], buf[CBX_PREFIX_STRLEN];

	/* The kernel ignores an alias given at creation. */
	snprintf(alias, sizeof(alias), "cboxlab %s/network %s", t->name, net->name);
	add_bridge_up(b, ifindex, net->bridge, alias, !net->has_subnet6 && !net->has_gw6);
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

void wiring_add_leaf(struct nl_batch *b, const struct cbx_network *net,
		     const struct cbx_bridge_leaf *leaf)
{
	struct rtnl_link_spec br = RTNL_LINK_SPEC_INIT, up = RTNL_LINK_SPEC_INIT,
			      down = RTNL_LINK_SPEC_INIT;

	br.name = leaf->bridge;
	br.mac = leaf->mac;
	br.mtu = net->mtu;
	NL_BUILD(b, rtnl_build_bridge_create, &br);
	nl_batch_push(b, 0, "create bridge %s, a leaf of network %s", leaf->bridge, net->name);
	up.name = leaf->uplink;
	up.mac = leaf->uplink_mac;
	up.mtu = net->mtu;
	down.name = leaf->downlink;
	down.mac = leaf->downlink_mac;
	down.mtu = net->mtu;
	NL_BUILD(b, rtnl_build_veth_create, &up, &down);
	nl_batch_push(b, 0, "create veth %s -- %s between bridges %s and %s", leaf->uplink,
		      leaf->downlink, net->bridge, leaf->bridge);
}

/* A host link the lab configures by name: master (0 none), no link-local
 * address, up. */
static void add_port_up(struct nl_batch *b, const char *name, const char *owner, int master,
			const char *alias, const char *bridge)
{
	struct rtnl_link_spec l = RTNL_LINK_SPEC_INIT;

	l.name = name;
	l.master = master;
	l.alias = alias;
	NL_BUILD(b, rtnl_build_link_change, &l);
	nl_batch_push(b, 0, "attach %s%s to bridge %s", name, owner, bridge);
	l = (struct rtnl_link_spec)RTNL_LINK_SPEC_INIT;
	l.name = name;
	l.addr_gen_mode = IN6_ADDR_GEN_MODE_NONE;
	NL_BUILD(b, rtnl_build_link_change, &l);
	nl_batch_push(b, NL_REQ_IGNORE_UNSUPPORTED, "turn IPv6 link-local addresses off on %s",
		      name);
	l = (struct rtnl_link_spec)RTNL_LINK_SPEC_INIT;
	l.name = name;
	l.up = 1;
	NL_BUILD(b, rtnl_build_link_change, &l);
	nl_batch_push(b, 0, "bring up %s", name);
}

void wiring_add_leaf_setup(struct nl_batch *b, const struct cbx_topo *t,
			   const struct cbx_network *net, const struct cbx_bridge_leaf *leaf,
			   int leaf_ifindex, int bridge_ifindex)
{
	char alias[128];

	snprintf(alias, sizeof(alias), "cboxlab %s/network %s (a leaf)", t->name, net->name);
	add_bridge_up(b, leaf_ifindex, leaf->bridge, alias, true);
	snprintf(alias, sizeof(alias), "cboxlab %s/network %s (uplink)", t->name, net->name);
	add_port_up(b, leaf->uplink, "", bridge_ifindex, alias, net->bridge);
	add_port_up(b, leaf->downlink, "", leaf_ifindex, alias, leaf->bridge);
}

/* A node's interface as a veth end created in the node's netns. */
static struct rtnl_link_spec iface_spec(const struct cbx_iface *ifc, struct wiring_netns ns)
{
	struct rtnl_link_spec l = RTNL_LINK_SPEC_INIT;

	l.name = ifc->name;
	l.ifindex = ifc->ifindex;
	l.netns_pid = ns.pid;
	if (ns.pid <= 0)
		l.netns_fd = ns.fd;
	l.mac = ifc->mac;
	l.mtu = ifc->mtu;
	return l;
}

void wiring_add_network_veth(struct nl_batch *b, const struct cbx_iface *ifc,
			     struct wiring_netns node)
{
	struct rtnl_link_spec node_end = iface_spec(ifc, node), host_end = RTNL_LINK_SPEC_INIT;

	host_end.name = ifc->host_name;
	host_end.mac = ifc->host_mac;
	host_end.mtu = ifc->mtu;
	/* The node end is the primary device: only then does the kernel honour
	 * the fixed ifindex. Both ends stay down: the node's configuration and
	 * the attach bring them up, after their IPv6 link-local setting. */
	NL_BUILD(b, rtnl_build_veth_create, &node_end, &host_end);
	nl_batch_push(b, 0, "create veth %s:%s (host end %s) in netns of %s", ifc->node->name,
		      ifc->name, ifc->host_name, ifc->node->name);
}

void wiring_add_network_veth_attach(struct nl_batch *b, const struct cbx_topo *t,
				    const struct cbx_iface *ifc, int bridge_ifindex)
{
	char alias[160], owner[64];

	snprintf(alias, sizeof(alias), "cboxlab %s/%s/%s", t->name, ifc->node->name, ifc->name);
	snprintf(owner, sizeof(owner), " (%s:%s)", ifc->node->name, ifc->name);
	/* A bridge port needs no address of its own, link-local included. */
	add_port_up(b, ifc->host_name, owner, bridge_ifindex, alias, cbx_iface_bridge(ifc));
}

void wiring_add_link_veth(struct nl_batch *b, const struct cbx_link *l, struct wiring_netns a_end,
			  struct wiring_netns b_end)
{
	struct rtnl_link_spec a = iface_spec(l->a, a_end), z = iface_spec(l->b, b_end);

	/* Both down: the kernel opens a veth's peer before pairing it, and
	 * refuses (ENOTCONN); the nodes bring their ends up with their
	 * configuration, after the IPv6 link-local setting. */
	NL_BUILD(b, rtnl_build_veth_create, &a, &z);
	nl_batch_push(b, 0, "create link %s:%s -- %s:%s", l->a->node->name, l->a->name,
		      l->b->node->name, l->b->name);
}

static struct rtnl_vxlan_spec vxlan_spec(const struct cbx_topo *t, uint32_t vni, int underlay)
{
	struct rtnl_vxlan_spec vx = { .vni = vni, .port = CBX_VXLAN_PORT, .link = underlay };

	vx.local = t->local->address;
	return vx;
}

void wiring_add_net_vxlan(struct nl_batch *b, const struct cbx_topo *t,
			  const struct cbx_network *net, int underlay)
{
	struct rtnl_link_spec l = RTNL_LINK_SPEC_INIT;
	struct rtnl_vxlan_spec vx = vxlan_spec(t, net->vni, underlay);

	l.name = net->vxlan;
	l.mac = net->vxlan_macs[t->local->index];
	l.mtu = net->mtu;
	NL_BUILD(b, rtnl_build_vxlan_create, &l, &vx);
	nl_batch_push(b, 0, "create VXLAN device %s (VNI %u) for network %s", net->vxlan, net->vni,
		      net->name);
}

void wiring_add_net_vxlan_attach(struct nl_batch *b, const struct cbx_topo *t,
				 const struct cbx_network *net, int bridge_ifindex)
{
	char alias[128];

	snprintf(alias, sizeof(alias), "cboxlab %s/network %s (vxlan)", t->name, net->name);
	add_port_up(b, net->vxlan, "", bridge_ifindex, alias, net->bridge);
}

void wiring_add_net_vxlan_fdb(struct nl_batch *b, const struct cbx_topo *t,
			      const struct cbx_network *net, int vxlan_ifindex)
{
	static const uint8_t flood[6];
	char buf[CBX_PREFIX_STRLEN];

	for (size_t h = 0; h < net->n_hosts; h++) {
		if (net->hosts[h] == t->local)
			continue;
		NL_BUILD(b, rtnl_build_fdb_append, vxlan_ifindex, flood, &net->hosts[h]->address);
		nl_batch_push(b, 0, "flood network %s's broadcasts to host %s (%s)", net->name,
			      net->hosts[h]->name,
			      cbx_ip_str(&net->hosts[h]->address, buf, sizeof(buf)));
	}
	for (size_t m = 0; m < net->n_members; m++) {
		const struct cbx_iface *ifc = net->members[m];
		const struct cbx_host *far = ifc->node->host;

		if (far == t->local)
			continue;
		NL_BUILD(b, rtnl_build_fdb_append, vxlan_ifindex, ifc->mac, &far->address);
		nl_batch_push(b, 0, "send network %s's frames for %s:%s to host %s", net->name,
			      ifc->node->name, ifc->name, far->name);
	}
}

void wiring_add_link_vxlan(struct nl_batch *b, const struct cbx_topo *t, const struct cbx_link *l,
			   struct wiring_netns node, int underlay)
{
	const struct cbx_iface *here = cbx_node_here(t, l->a->node) ? l->a : l->b;
	const struct cbx_iface *far = here == l->a ? l->b : l->a;
	struct rtnl_link_spec end = iface_spec(here, node);
	struct rtnl_vxlan_spec vx = vxlan_spec(t, l->vni, underlay);

	vx.remote = far->node->host->address;
	NL_BUILD(b, rtnl_build_vxlan_create, &end, &vx);
	nl_batch_push(b, 0, "create %s:%s, VXLAN (VNI %u) to %s:%s on host %s", here->node->name,
		      here->name, l->vni, far->node->name, far->name, far->node->host->name);
}

void wiring_add_link_settle(struct nl_batch *b, const struct cbx_iface *ifc)
{
	if (ifc->parent)
		return;
	NL_BUILD(b, rtnl_build_link_get_brief, ifc->ifindex);
	nl_batch_push(b, 0, "settle the link event of %s:%s", ifc->node->name, ifc->name);
}

void wiring_add_node_config(struct nl_batch *b, const struct cbx_node *n, unsigned flags)
{
	struct rtnl_link_spec lo = RTNL_LINK_SPEC_INIT;
	char buf[CBX_PREFIX_STRLEN], via[CBX_PREFIX_STRLEN];

	lo.ifindex = 1; /* every network namespace is born with lo at index 1 */
	lo.up = 1;
	NL_BUILD(b, rtnl_build_link_change, &lo);
	nl_batch_push(b, 0, "bring up lo in %s", n->name);
	/* VLAN sub-interfaces on their trunks, down as the rest (a trunk
	 * taken down and up again keeps them: the kernel only took them down
	 * with it, and the loop below brings them up). */
	for (size_t i = 0; i < n->n_ifaces && !flags; i++) {
		const struct cbx_iface *ifc = n->ifaces[i];
		struct rtnl_link_spec sub = RTNL_LINK_SPEC_INIT;

		if (!ifc->parent)
			continue;
		sub.name = ifc->name;
		sub.ifindex = ifc->ifindex;
		sub.link = ifc->parent->ifindex;
		sub.mac = ifc->mac;
		sub.mtu = ifc->mtu;
		NL_BUILD(b, rtnl_build_vlan_create, &sub, ifc->vlan);
		nl_batch_push(b, 0, "create VLAN %u sub-interface %s:%s on %s", ifc->vlan, n->name,
			      ifc->name, ifc->parent->name);
	}
	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct cbx_iface *ifc = n->ifaces[i];
		struct rtnl_link_spec up = RTNL_LINK_SPEC_INIT;

		/* Re-applied configuration (flags) finds the interfaces up:
		 * the mode can no longer change and needs not. */
		if (!flags && !has_ipv6(ifc)) {
			char what[64];
			snprintf(what, sizeof(what), "%s:%s", n->name, ifc->name);
			add_no_link_local(b, ifc->ifindex, what);
		}
		/* Interfaces are created down (see above). */
		up.ifindex = ifc->ifindex;
		up.up = 1;
		NL_BUILD(b, rtnl_build_link_change, &up);
		nl_batch_push(b, 0, "bring up %s:%s", n->name, ifc->name);
		for (unsigned k = 0; k < ifc->n_addrs; k++) {
			NL_BUILD(b, rtnl_build_addr_add, ifc->ifindex, &ifc->addrs[k]);
			nl_batch_push(b, flags, "add address %s to %s:%s",
				      cbx_prefix_str(&ifc->addrs[k], buf, sizeof(buf)), n->name,
				      ifc->name);
		}
	}
	for (size_t i = 0; i < n->n_routes; i++) {
		const struct cbx_route *r = &n->routes[i];
		struct rtnl_route_spec spec = { .dst = r->dst, .via = r->via, .metric = r->metric };

		spec.oif = r->dev ? r->dev->ifindex : 0;
		NL_BUILD(b, rtnl_build_route_add, &spec);
		nl_batch_push(b, flags, "add route to %s%s%s in %s",
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

struct owned_dump {
	struct cbx_strmap wanted; /* name -> struct owned_link */
	struct nl_batch *batch;   /* deletes of the owned links found; or NULL: */
	size_t found;             /* just count them */
	int *ifindex;             /* when not NULL: the found ones' ... */
	size_t room;              /* ... room for this many */
	uint32_t group;           /* a device group for them (wiring_del_owned_links) ... */
	bool group_taken;         /* ... that some link on the host is in already */
};

static int owned_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct owned_dump *d = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct owned_link *want;
	const struct nlattr *attr;
	const char *name = NULL;
	const uint8_t *mac = NULL;

	mnl_attr_for_each (attr, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(attr) == IFLA_IFNAME)
			name = mnl_attr_get_str(attr);
		else if (mnl_attr_get_type(attr) == IFLA_ADDRESS &&
			 mnl_attr_get_payload_len(attr) == 6)
			mac = mnl_attr_get_payload(attr);
		else if (mnl_attr_get_type(attr) == IFLA_GROUP &&
			 mnl_attr_get_payload_len(attr) == 4 && d->group &&
			 mnl_attr_get_u32(attr) == d->group)
			d->group_taken = true;
	}
	if (!name || !mac || !(want = cbx_strmap_get(&d->wanted, name)) ||
	    memcmp(mac, want->mac, 6))
		return MNL_CB_OK;
	if (d->ifindex && d->found < d->room)
		d->ifindex[d->found] = ifi->ifi_index;
	d->found++;
	if (!d->batch)
		return MNL_CB_OK;
	NL_BUILD(d->batch, rtnl_build_link_delete, ifi->ifi_index, NULL);
	nl_batch_push(d->batch, NL_REQ_IGNORE_MISSING, "delete %s %s", want->what, want->name);
	return MNL_CB_OK;
}

static void reset_batch(void *data)
{
	struct owned_dump *d = data;

	d->found = 0;
	d->group_taken = false;
	if (d->batch)
		nl_batch_reset(d->batch);
}

static int fill_wanted(struct owned_dump *d, const struct owned_link *links, size_t n,
		       struct cbx_error *err)
{
	cbx_strmap_init(&d->wanted);
	for (size_t i = 0; i < n; i++)
		if (!cbx_strmap_put(&d->wanted, links[i].name, (void *)&links[i], NULL) &&
		    !cbx_strmap_get(&d->wanted, links[i].name))
			return cbx_error_sys(err, ENOMEM, "look up links");
	return 0;
}

int wiring_dump_links(struct nl_conn *c, nl_dump_cb cb, void (*reset)(void *data), void *data,
		      struct cbx_error *err)
{
	char req[64];
	int rc = -1;

	for (unsigned tries = 0, pause_us = 500; tries < 40; tries++, pause_us += pause_us / 2) {
		reset(data);
		rtnl_build_link_dump(req, sizeof(req));
		rc = nl_dump(c, (struct nlmsghdr *)req, cb, data, "list host links", err);
		if (rc == 0 || err->code != EINTR)
			return rc;
		usleep(pause_us < 50000 ? pause_us : 50000);
	}
	/* Still changing after seconds: what was seen is real, if not all. */
	return 0;
}

/* A device group no link is in (1 in 4 billion that one is: then none). */
static uint32_t unused_group_guess(void)
{
	uint32_t g = 0;

	if (getrandom(&g, sizeof(g), GRND_NONBLOCK) != (ssize_t)sizeof(g))
		return 0;
	return g;
}

/* Each bridge's unregistration waits for an RCU barrier of its own (the
 * kernel's br_multicast_dev_del), and each RTM_DELLINK another after it
 * (netdev_run_todo): 15-30 ms a bridge, 10 s for a lab of 300 LANs. Deleted
 * as one device group, the links share the second barrier: half the time.
 * The group is a random one no link was in, and only the lab's own links
 * (found by name and MAC) are moved into it. */
static int delete_as_group(struct nl_conn *c, const struct owned_dump *d, struct cbx_error *err)
{
	struct nl_batch b;
	int rc;

	nl_batch_init(&b);
	for (size_t i = 0; i < d->found; i++) {
		struct rtnl_link_spec l = RTNL_LINK_SPEC_INIT;
		l.ifindex = d->ifindex[i];
		l.group = d->group;
		NL_BUILD(&b, rtnl_build_link_change, &l);
		nl_batch_push(&b, NL_REQ_IGNORE_MISSING, "put link %d in device group %u",
			      d->ifindex[i], d->group);
	}
	rc = nl_batch_commit(c, &b, err);
	if (rc == 0) {
		nl_batch_reset(&b);
		NL_BUILD(&b, rtnl_build_link_delete_group, d->group);
		nl_batch_push(&b, NL_REQ_IGNORE_MISSING, "delete the links of device group %u",
			      d->group);
		rc = nl_batch_commit(c, &b, err);
	}
	nl_batch_free(&b);
	return rc;
}

int wiring_del_owned_links(struct nl_conn *c, const struct owned_link *links, size_t n,
			   struct cbx_error *err)
{
	struct nl_batch b;
	struct owned_dump d = { .batch = &b, .room = n, .group = unused_group_guess() };
	struct cbx_error one;
	int rc = 0;

	nl_batch_init(&b);
	d.ifindex = calloc(n ? n : 1, sizeof(*d.ifindex));
	if (!d.ifindex || fill_wanted(&d, links, n, err) < 0) {
		rc = d.ifindex ? -1 : cbx_error_sys(err, ENOMEM, "delete links");
		goto out;
	}
	rc = wiring_dump_links(c, owned_link_cb, reset_batch, &d, err);
	/* As a group when that saves a barrier; one by one (what is left) if
	 * that fails, e.g. on a kernel that refuses group deletion. */
	if (rc == 0 && d.found > 1 && d.found <= d.room && d.group && !d.group_taken &&
	    delete_as_group(c, &d, &one) == 0)
		goto out;
	if (rc == 0 && !nl_batch_empty(&b))
		rc = nl_batch_commit(c, &b, err);
out:
	nl_batch_free(&b);
	free(d.ifindex);
	cbx_strmap_free(&d.wanted);
	return rc;
}

/* An RTM_DELLINK of one of the links found: it is gone. */
static int link_deleted_cb(const struct nlmsghdr *nlh, void *data)
{
	struct owned_dump *d = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_DELLINK || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return MNL_CB_OK;
	for (size_t i = 0; i < d->found && i < d->room; i++)
		if (d->ifindex[i] == ifi->ifi_index) {
			d->ifindex[i] = d->ifindex[--d->found];
			break;
		}
	return MNL_CB_OK;
}

/* Which of the wanted links exist with the lab's MAC, asked by name
 * (SIOCGIFINDEX, SIOCGIFHWADDR: any socket answers them for its netns, and
 * c's is the host's), link by link. Not a dump: each veth end in a dump
 * names its peer's netns by its id in the host's, which the kernel finds by
 * a walk of the host's peer ids (one per node of every lab): a dump of a
 * 10,000-node lab's host ends walked 10,000 ids 10,000 times, under RTNL.
 * An ioctl takes neither. */
static void scan_by_name(struct nl_conn *c, struct owned_dump *d, const struct owned_link *links,
			 size_t n)
{
	int s = mnl_socket_get_fd(c->sock);

	d->found = 0;
	for (size_t i = 0; i < n; i++) {
		struct ifreq ifr = { 0 };
		int ifindex;

		if (strlen(links[i].name) >= sizeof(ifr.ifr_name))
			continue;
		strcpy(ifr.ifr_name, links[i].name);
		if (ioctl(s, SIOCGIFINDEX, &ifr) < 0)
			continue;
		ifindex = ifr.ifr_ifindex;
		if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0 ||
		    memcmp(ifr.ifr_hwaddr.sa_data, links[i].mac, 6))
			continue;
		if (d->found < d->room)
			d->ifindex[d->found] = ifindex;
		d->found++;
	}
}

/* The wait is for the kernel to stall, not to finish: a lab of 10,000
 * nodes takes it longer than the timeout, one link after another, and its
 * teardown starts with seconds of work per namespace before the first link
 * goes (about 1 ms per node here). So the timeout counts from the last
 * link gone, and from the start with a millisecond per link added. */
static long long first_deadline(int timeout_ms, size_t n)
{
	return cbx_now_ms() + timeout_ms + (long long)n;
}

/* Without notifications (no socket to spare): look again and again. */
static void poll_links_gone(struct nl_conn *c, struct owned_dump *d, const struct owned_link *links,
			    size_t n, int timeout_ms)
{
	long long deadline = first_deadline(timeout_ms, n);
	size_t before = n;

	for (unsigned pause_us = 1000;; pause_us = pause_us < 32000 ? pause_us * 2 : pause_us) {
		scan_by_name(c, d, links, n);
		if (d->found == 0)
			return;
		if (d->found < before)
			deadline = cbx_now_ms() + timeout_ms; /* still going */
		else if (cbx_now_ms() >= deadline)
			return;
		before = d->found;
		usleep(pause_us);
	}
}

int wiring_wait_links_gone(struct nl_conn *c, const struct owned_link *links, size_t n,
			   int timeout_ms, size_t *left, struct cbx_error *err)
{
	struct owned_dump d = { .batch = NULL, .room = n };
	struct nl_conn events = { 0 };
	struct cbx_error no_events;
	long long deadline = first_deadline(timeout_ms, n);
	int rc = -1;

	*left = n;
	d.ifindex = calloc(n ? n : 1, sizeof(*d.ifindex));
	if (!d.ifindex) {
		cbx_error_sys(err, ENOMEM, "wait for links");
		goto out;
	}
	/* Told of each deletion as it happens, rather than looking again and
	 * again (every 1, 2, 4 ... 32 ms overshot by up to half the wait).
	 * Subscribed before looking, so no deletion goes unseen; too many at
	 * once for the socket (ENOBUFS): look again. */
	if (nl_open(&events, NETLINK_ROUTE, &no_events) < 0 ||
	    nl_subscribe(&events, RTNLGRP_LINK, &no_events) < 0) {
		poll_links_gone(c, &d, links, n, timeout_ms);
		*left = d.found;
		rc = 0;
		goto out;
	}
	scan_by_name(c, &d, links, n);
	for (rc = 0; d.found > 0 && cbx_now_ms() < deadline;) {
		size_t before = d.found;

		if (nl_read_events(&events, (int)(deadline - cbx_now_ms()), link_deleted_cb, &d,
				   err) < 0) {
			if (err->code != ENOBUFS) {
				rc = -1;
				break;
			}
			scan_by_name(c, &d, links, n);
		}
		if (d.found < before)
			deadline = cbx_now_ms() + timeout_ms;
	}
	*left = d.found;
out:
	nl_close(&events);
	free(d.ifindex);
	return rc;
}
