/* What the topology says a node should reach: its routes followed hop by
 * hop, as the kernels of the nodes will follow them, there and back. No
 * system is touched: `check` compares this with what the probes see, so
 * that a lab whose file leaves two networks unrouted is not reported as
 * broken, and one whose partition cuts a routed pair is. */
#include <stdio.h>
#include <string.h>

#include "kit/kit.h"

/* Far more hops than any lab's path; a routing loop ends here. */
#define HOPS_MAX 64

bool kit_forwards(const struct cbx_node *n, int family)
{
	for (size_t i = 0; i < n->n_sysctls; i++) {
		char key[128];
		const char *k = n->sysctls[i].key, *v = n->sysctls[i].value;

		snprintf(key, sizeof(key), "%s", k);
		for (char *c = key; *c; c++)
			if (*c == '/')
				*c = '.';
		if (strcmp(v, "1"))
			continue;
		if (family == AF_INET && (!strcmp(key, "net.ipv4.ip_forward") ||
					  !strcmp(key, "net.ipv4.conf.all.forwarding")))
			return true;
		if (family == AF_INET6 && !strcmp(key, "net.ipv6.conf.all.forwarding"))
			return true;
	}
	return false;
}

static bool owns(const struct cbx_node *n, const struct cbx_ip *ip)
{
	for (size_t i = 0; i < n->n_ifaces; i++)
		for (unsigned k = 0; k < n->ifaces[i]->n_addrs; k++)
			if (cbx_ip_equal(&n->ifaces[i]->addrs[k].ip, ip))
				return true;
	return false;
}

const struct cbx_node *kit_owner(const struct cbx_topo *t, const struct cbx_ip *ip)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (owns(&t->nodes[i], ip))
			return &t->nodes[i];
	return NULL;
}

/* The route a node's kernel picks for dst: the longest prefix among its
 * connected subnets and its routes (a connected one wins a tie). The
 * interface it leaves by and the next hop's address. */
struct hop {
	const struct cbx_iface *dev;
	struct cbx_ip next;
};

static bool lookup(const struct cbx_node *n, const struct cbx_ip *dst, struct hop *h)
{
	int best = -1;

	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct cbx_iface *ifc = n->ifaces[i];
		for (unsigned k = 0; k < ifc->n_addrs; k++) {
			if (ifc->addrs[k].ip.family != dst->family ||
			    !cbx_prefix_contains(&ifc->addrs[k], dst) || ifc->addrs[k].len <= best)
				continue;
			best = ifc->addrs[k].len;
			h->dev = ifc;
			h->next = *dst;
		}
	}
	for (size_t i = 0; i < n->n_routes; i++) {
		const struct cbx_route *r = &n->routes[i];
		if (r->dst.ip.family != dst->family || r->dst.len <= best ||
		    (r->dst.len && !cbx_prefix_contains(&r->dst, dst)))
			continue;
		best = r->dst.len;
		h->next = r->via.family ? r->via : *dst;
		h->dev = r->dev;
		if (!h->dev) /* the interface whose subnet holds the gateway */
			for (size_t j = 0; j < n->n_ifaces && !h->dev; j++)
				for (unsigned k = 0; k < n->ifaces[j]->n_addrs; k++)
					if (cbx_prefix_contains(&n->ifaces[j]->addrs[k], &h->next))
						h->dev = n->ifaces[j];
	}
	return best >= 0 && h->dev;
}

static bool has_addr(const struct cbx_iface *ifc, const struct cbx_ip *addr)
{
	for (unsigned k = 0; k < ifc->n_addrs; k++)
		if (cbx_ip_equal(&ifc->addrs[k].ip, addr))
			return true;
	return false;
}

/* The VLAN an interface's untagged frames are in on its network: an access
 * port's, else the default VLAN 1 (a trunk's untagged frames too). */
static unsigned untagged_vlan(const struct cbx_iface *ifc)
{
	return ifc->vlan > 1 ? ifc->vlan : 1;
}

/* The node on dev's segment that owns addr: the link's other end, or on a
 * network, an interface in the same VLAN: a member untagged in it, or a
 * trunk's sub-interface of it. */
static const struct cbx_node *neighbour(const struct cbx_iface *dev, const struct cbx_ip *addr)
{
	const struct cbx_network *net = dev->parent ? dev->parent->network : dev->network;
	unsigned vlan = dev->parent ? dev->vlan : net ? untagged_vlan(dev) : 0;

	if (dev->link) {
		const struct cbx_iface *o = dev->link->a == dev ? dev->link->b : dev->link->a;
		return has_addr(o, addr) ? o->node : NULL;
	}
	for (size_t i = 0; net && i < net->n_members; i++) {
		const struct cbx_iface *m = net->members[i];
		if (m != dev && untagged_vlan(m) == vlan && has_addr(m, addr))
			return m->node;
		for (size_t k = 0; m->n_vlans && k < m->node->n_ifaces; k++) {
			const struct cbx_iface *sub = m->node->ifaces[k];
			if (sub != dev && sub->parent == m && sub->vlan == vlan &&
			    has_addr(sub, addr))
				return sub->node;
		}
	}
	return NULL;
}

/* Follow dst from node `from`; the address `from` sends with (the first of
 * dst's family on the interface it leaves by) in *src. */
static const struct cbx_node *follow(const struct cbx_node *from, const struct cbx_ip *dst,
				     struct cbx_ip *src)
{
	const struct cbx_node *cur = from;

	for (int hops = 0; hops < HOPS_MAX; hops++) {
		struct hop h;

		if (owns(cur, dst))
			return cur;
		if (cur != from && !kit_forwards(cur, dst->family))
			return NULL;
		if (!lookup(cur, dst, &h))
			return NULL;
		if (cur == from && src) {
			src->family = 0;
			for (unsigned k = 0; k < h.dev->n_addrs && !src->family; k++)
				if (h.dev->addrs[k].ip.family == dst->family)
					*src = h.dev->addrs[k].ip;
			if (!src->family)
				return NULL;
		}
		cur = neighbour(h.dev, &h.next);
		if (!cur)
			return NULL; /* the host's gateway, or no one */
	}
	return NULL;
}

bool lab_reach_expected(const struct cbx_topo *t, const struct cbx_node *from,
			const struct cbx_ip *dst)
{
	const struct cbx_node *to = kit_owner(t, dst);
	struct cbx_ip src = { 0 };

	if (!to || to == from || follow(from, dst, &src) != to)
		return false;
	/* The echo reply's way back, to the address the request came from. */
	return follow(to, &src, NULL) == from;
}
