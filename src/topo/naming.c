/* Names and hardware addresses the lab gives things on the host: bridges
 * "<lab>-b<i>", host ends of veth pairs "<lab>-<j>" (short, since the kernel
 * allows 15 bytes, and always carrying the lab's name), node ifindexes, and
 * MAC addresses derived from names so that re-creating a lab gives every
 * interface the same MAC (neighbour caches and captures stay meaningful). */
#include <stdio.h>
#include <string.h>

#include "topo/parser.h"

/* Node interfaces get fixed ifindexes in their netns, so that addresses and
 * routes can be sent right after the links without asking the kernel for
 * indexes. Start above what a new netns may already hold (lo is 1, and a
 * kernel with tunnel modules loaded adds fallback devices: sit0, gre0...),
 * and above anything the host's own netns will hold: older kernels (Debian
 * 12's 6.1; not this project's 6.18) look a new link's ifindex up in the
 * netns of the socket that asks, the host's, and answer EEXIST when a host
 * device has it. The
 * host numbers its devices from 1 up, one per device ever made there, so a
 * base of 32 failed once the host had made 31 (in the stock-kernel VM, a
 * few labs into the suite); it will not have made a billion. */
#define NODE_IFINDEX_BASE 1000000000

static unsigned digits(size_t n)
{
	unsigned d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

static int check_lab_name_fits(struct parser *p, size_t n_veths)
{
	const struct cbx_topo *t = p->t;
	size_t lab = strlen(t->name);
	size_t bridge = t->n_networks ? lab + 2 + digits(t->n_networks - 1) : 0;
	size_t veth = n_veths ? lab + 1 + digits(n_veths - 1) : 0;
	size_t longest = bridge > veth ? bridge : veth;

	if (longest < CBX_IFNAMSIZ)
		return 0;
	return topo_fail(p, "name",
			 "lab name \"%s\" is too long for this lab: its host interface names (\"%s-b%zu\", \"%s-%zu\") would be %zu bytes, and the kernel allows %d",
			 t->name, t->name, t->n_networks ? t->n_networks - 1 : 0, t->name,
			 n_veths ? n_veths - 1 : 0, longest, CBX_IFNAMSIZ - 1);
}

static bool mac_set(const uint8_t mac[6])
{
	return mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5];
}

static uint64_t fnv1a(const char *parts[], size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		for (const char *c = parts[i]; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL; /* separator: "a","bc" != "ab","c" */
	}
	return h;
}

/* A locally administered unicast MAC (02:xx:...) from a hash of the names,
 * unique in the lab: a collision is resolved by hashing again with a salt. */
int topo_derive_mac(struct parser *p, struct cbx_strmap *seen, uint8_t mac[6], const char *a,
		    const char *b, const char *c, const char *what)
{
	bool explicit = mac_set(mac);

	for (unsigned salt = 0;; salt++) {
		char salt_s[16], *key;
		bool oom = false;

		if (!explicit) {
			const char *parts[] = { p->t->name, a, b, c, salt_s };
			uint64_t h;
			snprintf(salt_s, sizeof(salt_s), "%u", salt);
			h = fnv1a(parts, salt ? 5 : 4);
			mac[0] = 0x02;
			for (int i = 1; i < 6; i++)
				mac[i] = (uint8_t)(h >> (8 * (i - 1)));
		}
		key = cbx_arena_printf(p->a, "%02x%02x%02x%02x%02x%02x", mac[0], mac[1], mac[2],
				       mac[3], mac[4], mac[5]);
		if (!key)
			return topo_oom(p);
		if (cbx_strmap_put(seen, key, (void *)what, &oom))
			return 0;
		if (oom)
			return topo_oom(p);
		if (explicit)
			return topo_fail(p, what,
					 "MAC address %02x:%02x:%02x:%02x:%02x:%02x is also used by %s",
					 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
					 (const char *)cbx_strmap_get(seen, key));
	}
}

/* The length was checked by check_lab_name_fits; this only formats. */
static void set_name(char dst[CBX_IFNAMSIZ], const char *fmt, const char *lab, size_t i)
{
	char buf[64];

	snprintf(buf, sizeof(buf), fmt, lab, i);
	memcpy(dst, buf, CBX_IFNAMSIZ - 1);
	dst[CBX_IFNAMSIZ - 1] = '\0';
}

/* One name of a leaf's: "LAB-bI" + kind + K ("l" the leaf bridge, "u" the
 * uplink's end on the network's bridge, "d" its end on the leaf). No other
 * host name of a lab's has a letter after "-bI". plan_leaves checked that
 * the longest fits. */
static void leaf_name(char dst[CBX_IFNAMSIZ], const struct cbx_network *net, char kind, size_t k)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s%c%zu", net->bridge, kind, k);
	memcpy(dst, buf, CBX_IFNAMSIZ - 1);
	dst[CBX_IFNAMSIZ - 1] = '\0';
}

/* A network with more interfaces than a bridge's ports: its leaves, their
 * names and MACs, and which leaf each interface is on (in file order, the
 * leaves filled one after the other). */
static int plan_leaves(struct parser *p, struct cbx_strmap *seen, struct cbx_network *net)
{
	size_t ports = net->ports_per_bridge ? net->ports_per_bridge : CBX_BRIDGE_PORTS_MAX;
	size_t per_leaf = ports - 1; /* one port is the uplink */
	int len;

	if (net->n_members <= ports)
		return 0;
	net->n_leaves = (net->n_members + per_leaf - 1) / per_leaf;
	len = snprintf(NULL, 0, "%sl%zu", net->bridge, net->n_leaves - 1);
	if (len >= CBX_IFNAMSIZ)
		return topo_fail(p, net->path,
				 "network \"%s\" needs %zu bridges, and the names of the last (\"%sl%zu\") would be %d bytes, which the kernel does not allow (at most %d): use a shorter lab name or a larger ports_per_bridge",
				 net->name, net->n_leaves, net->bridge, net->n_leaves - 1, len,
				 CBX_IFNAMSIZ - 1);
	net->first_leaf = p->t->n_leaves;
	p->t->n_leaves += net->n_leaves;
	net->leaves = cbx_arena_array(p->a, net->n_leaves, sizeof(*net->leaves));
	if (!net->leaves)
		return topo_oom(p);
	for (size_t k = 0; k < net->n_leaves; k++) {
		struct cbx_bridge_leaf *l = &net->leaves[k];
		char ks[24];

		snprintf(ks, sizeof(ks), "%zu", k);
		leaf_name(l->bridge, net, 'l', k);
		leaf_name(l->uplink, net, 'u', k);
		leaf_name(l->downlink, net, 'd', k);
		if (topo_derive_mac(p, seen, l->mac, "leaf", net->name, ks, net->path) < 0 ||
		    topo_derive_mac(p, seen, l->uplink_mac, "uplink", net->name, ks, net->path) <
			    0 ||
		    topo_derive_mac(p, seen, l->downlink_mac, "downlink", net->name, ks,
				    net->path) < 0)
			return -1;
	}
	for (size_t m = 0; m < net->n_members; m++)
		net->members[m]->leaf = m / per_leaf;
	return 0;
}

const char *cbx_iface_bridge(const struct cbx_iface *ifc)
{
	const struct cbx_network *net = ifc->network;

	return net->n_leaves ? net->leaves[ifc->leaf].bridge : net->bridge;
}

int topo_assign_names_and_macs(struct parser *p)
{
	struct cbx_topo *t = p->t;
	struct cbx_strmap seen;
	size_t n_veths = 0;
	int rc = -1;

	for (size_t i = 0; i < t->n_ifaces; i++)
		if (t->ifaces[i].network)
			n_veths++;
	if (check_lab_name_fits(p, n_veths) < 0)
		return -1;

	cbx_strmap_init(&seen);
	/* Explicit MACs first, so a derived one never takes a user's. */
	for (size_t i = 0; i < t->n_ifaces; i++) {
		struct cbx_iface *ifc = &t->ifaces[i];
		if (mac_set(ifc->mac) && topo_derive_mac(p, &seen, ifc->mac, NULL, NULL, NULL,
							 topo_path_key(p, ifc->path, "mac")) < 0)
			goto out;
	}
	for (size_t i = 0; i < t->n_networks; i++) {
		struct cbx_network *net = &t->networks[i];
		set_name(net->bridge, "%s-b%zu", t->name, i);
		if (topo_derive_mac(p, &seen, net->mac, "network", net->name, "bridge", net->path) <
			    0 ||
		    plan_leaves(p, &seen, net) < 0)
			goto out;
	}
	n_veths = 0;
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct cbx_node *n = &t->nodes[i];
		for (size_t k = 0; k < n->n_ifaces; k++) {
			struct cbx_iface *ifc = n->ifaces[k];
			ifc->ifindex = NODE_IFINDEX_BASE + (int)k;
			/* A VLAN sub-interface has its trunk's MAC, as the
			 * kernel gives it one (below), unless the file says. */
			if (ifc->parent)
				continue;
			if (!mac_set(ifc->mac) &&
			    topo_derive_mac(p, &seen, ifc->mac, "node", n->name, ifc->name,
					    ifc->path) < 0)
				goto out;
			if (!ifc->network)
				continue;
			set_name(ifc->host_name, "%s-%zu", t->name, n_veths++);
			if (topo_derive_mac(p, &seen, ifc->host_mac, "host", n->name, ifc->name,
					    ifc->path) < 0)
				goto out;
			if (!ifc->mtu)
				ifc->mtu = ifc->network->mtu;
		}
	}
	for (size_t i = 0; i < t->n_ifaces; i++) {
		struct cbx_iface *ifc = &t->ifaces[i];
		if (ifc->parent && !mac_set(ifc->mac))
			memcpy(ifc->mac, ifc->parent->mac, 6);
	}
	for (size_t i = 0; i < t->n_links; i++) {
		struct cbx_link *l = &t->links[i];
		if (l->mtu) {
			if (!l->a->mtu)
				l->a->mtu = l->mtu;
			if (!l->b->mtu)
				l->b->mtu = l->mtu;
		}
	}
	if (topo_name_tunnels(p, &seen) < 0)
		goto out;
	rc = 0;
out:
	cbx_strmap_free(&seen);
	return rc;
}
