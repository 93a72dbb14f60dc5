/* Labs that span hosts: "hosts" (each host's underlay address, device and
 * MTU), a node's "host", and what follows from where the nodes are: which
 * networks and links cross hosts, their MTU (the underlay's less VXLAN's
 * headroom), their VNIs, and the host whose part is wanted (up --host).
 * docs/multihost.md has the design. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "topo/parser.h"

static const char *const host_keys[] = { "address", "dev", "mtu", "description", NULL };

/* Host names are written on command lines (--host) and in messages: the
 * same characters as a node's name, and '_'. */
static int check_host_name(struct parser *p, const char *name, const char *path)
{
	if (!*name || strlen(name) > CBX_NODE_NAME_MAX)
		return topo_fail(p, path, "a host name must be 1 to %d characters",
				 CBX_NODE_NAME_MAX);
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
			return topo_fail(p, path,
					 "host name \"%s\" may only contain letters, digits, '-' and '_'",
					 topo_shown(p, name));
	return 0;
}

static int parse_host(struct parser *p, struct cbx_host *h, json_t *v)
{
	json_t *x;

	if (topo_expect_object(p, v, h->path) < 0 || topo_check_keys(p, v, h->path, host_keys) < 0)
		return -1;
	x = json_object_get(v, "address");
	if (!x)
		return topo_fail(p, h->path,
				 "host \"%s\" has no \"address\": the underlay address its tunnels start from",
				 h->name);
	if (topo_expect_string(p, x, topo_path_key(p, h->path, "address")) < 0)
		return -1;
	if (!cbx_ip_parse(json_string_value(x), &h->address))
		return topo_fail(p, topo_path_key(p, h->path, "address"),
				 "\"%s\" is not an IPv4 or IPv6 address",
				 topo_shown(p, json_string_value(x)));
	if ((x = json_object_get(v, "dev"))) {
		const char *dpath = topo_path_key(p, h->path, "dev");
		if (topo_expect_string(p, x, dpath) < 0 ||
		    topo_check_ifname(p, json_string_value(x), dpath) < 0)
			return -1;
		if (!(h->dev = cbx_arena_strdup(p->a, json_string_value(x))))
			return topo_oom(p);
	}
	h->mtu = CBX_HOST_MTU_DEFAULT;
	if ((x = json_object_get(v, "mtu"))) {
		uint64_t mtu;
		/* The tunnels' frames must still carry IPv6's minimum. */
		if (topo_expect_uint(p, x, topo_path_key(p, h->path, "mtu"),
				     1280 + CBX_VXLAN_HEADROOM6, 65535, &mtu) < 0)
			return -1;
		h->mtu = (uint32_t)mtu;
	}
	return 0;
}

int topo_parse_hosts(struct parser *p)
{
	json_t *hosts = json_object_get(p->root, "hosts"), *v;
	struct cbx_topo *t = p->t;
	const char *name;

	if (!hosts)
		return 0;
	if (topo_expect_object(p, hosts, "hosts") < 0)
		return -1;
	if (json_object_size(hosts) == 0)
		return topo_fail(p, "hosts", "\"hosts\" is empty: name the hosts the lab spans");
	t->hosts = cbx_arena_array(p->a, json_object_size(hosts), sizeof(*t->hosts));
	if (!t->hosts)
		return topo_oom(p);
	json_object_foreach (hosts, name, v) {
		struct cbx_host *h = &t->hosts[t->n_hosts];
		bool oom = false;

		h->index = t->n_hosts++;
		h->path = topo_path_key(p, "hosts", name);
		h->name = cbx_arena_strdup(p->a, name);
		if (!h->path || !h->name)
			return topo_oom(p);
		if (check_host_name(p, name, h->path) < 0 || parse_host(p, h, v) < 0)
			return -1;
		if (!cbx_strmap_put(&t->host_by_name, h->name, h, &oom))
			return oom ? topo_oom(p)
				   : topo_fail(p, h->path, "duplicate host \"%s\"", name);
		for (size_t i = 0; i < h->index; i++) {
			char buf[CBX_PREFIX_STRLEN];
			if (cbx_ip_equal(&t->hosts[i].address, &h->address))
				return topo_fail(p, topo_path_key(p, h->path, "address"),
						 "address %s is also host \"%s\"'s",
						 cbx_ip_str(&h->address, buf, sizeof(buf)),
						 t->hosts[i].name);
			if (t->hosts[i].address.family != h->address.family)
				return topo_fail(p, topo_path_key(p, h->path, "address"),
						 "the hosts' addresses are all IPv4 or all IPv6 (host \"%s\"'s is not of the same family)",
						 t->hosts[i].name);
		}
	}
	return 0;
}

/* "a", "b" and "c" for messages. */
static const char *host_names(struct parser *p)
{
	const struct cbx_topo *t = p->t;
	char *s = cbx_arena_printf(p->a, "%s", "");

	for (size_t i = 0; s && i < t->n_hosts; i++)
		s = cbx_arena_printf(p->a, "%s%s\"%s\"", s,
				     i == 0                ? ""
				     : i + 1 == t->n_hosts ? " and "
							   : ", ",
				     t->hosts[i].name);
	return s ? s : "";
}

/* A node's "host". Where hosts are declared every node names one: a node
 * placed on some host by default would come up where nobody meant it to. */
int topo_parse_node_host(struct parser *p, struct cbx_node *n, json_t *v)
{
	json_t *x = json_object_get(v, "host");
	const char *path = topo_path_key(p, n->path, "host");

	if (!x) {
		if (p->t->n_hosts)
			return topo_fail(p, n->path,
					 "node \"%s\" has no \"host\": the lab spans hosts %s, and each node says which it runs on",
					 n->name, host_names(p));
		return 0;
	}
	if (topo_expect_string(p, x, path) < 0)
		return -1;
	if (!p->t->n_hosts)
		return topo_fail(p, path,
				 "node \"%s\" names host \"%s\", but the lab declares no \"hosts\"",
				 n->name, topo_shown(p, json_string_value(x)));
	n->host = cbx_strmap_get(&p->t->host_by_name, json_string_value(x));
	if (!n->host)
		return topo_fail(p, path, "unknown host \"%s\" (the lab's hosts are %s)",
				 topo_shown(p, json_string_value(x)), host_names(p));
	return 0;
}

bool cbx_network_here(const struct cbx_topo *t, const struct cbx_network *net)
{
	if (!t->local)
		return true;
	for (size_t i = 0; i < net->n_hosts; i++)
		if (net->hosts[i] == t->local)
			return true;
	return false;
}

static uint32_t headroom(const struct cbx_host *h)
{
	return h->address.family == AF_INET6 ? CBX_VXLAN_HEADROOM6 : CBX_VXLAN_HEADROOM4;
}

/* The largest MTU a tunnel between these hosts carries whole. */
static uint32_t tunnel_mtu(struct cbx_host *const *hosts, size_t n)
{
	uint32_t mtu = 65535;

	for (size_t i = 0; i < n; i++)
		if (hosts[i]->mtu - headroom(hosts[i]) < mtu)
			mtu = hosts[i]->mtu - headroom(hosts[i]);
	return mtu;
}

/* An MTU the file set on something crossing hosts: no more than the
 * tunnel carries (the kernel would drop the larger frames silently). */
static int check_mtu(struct parser *p, uint32_t mtu, uint32_t most, const char *path,
		     const char *what)
{
	if (mtu <= most)
		return 0;
	return topo_fail(p, topo_path_key(p, path, "mtu"),
			 "%s crosses hosts, whose tunnels carry frames of at most %u bytes (the underlay's MTU less VXLAN's headroom); an MTU of %u would be dropped",
			 what, most, mtu);
}

static int resolve_network(struct parser *p, struct cbx_network *net)
{
	struct cbx_topo *t = p->t;
	uint32_t most;
	char *what;

	net->hosts = cbx_arena_array(p->a, t->n_hosts, sizeof(*net->hosts));
	if (!net->hosts)
		return topo_oom(p);
	for (size_t h = 0; h < t->n_hosts; h++)
		for (size_t m = 0; m < net->n_members; m++)
			if (net->members[m]->node->host == &t->hosts[h]) {
				net->hosts[net->n_hosts++] = &t->hosts[h];
				break;
			}
	if (net->n_hosts < 2)
		return 0;
	/* One broadcast domain over several hosts: a gateway on each host's
	 * bridge would be one address answered from several places. */
	if (net->has_gw4 || net->has_gw6 || p->net_in[net->index].gw_auto[0] ||
	    p->net_in[net->index].gw_auto[1] || net->nat)
		return topo_fail(p, net->path,
				 "network \"%s\" spans hosts and has a gateway or NAT on the host, which would be on every host's bridge at once: give a node the gateway's role, or keep the network on one host",
				 net->name);
	/* The VXLAN device on each host's bridge would be an untagged port
	 * of the default VLAN only (and where the kernel has no bridge VLAN
	 * filtering, VLANs are nftables marks, which no tunnel carries):
	 * tagged frames would stop at each host's edge, silently. */
	if (net->n_vlans)
		return topo_fail(p, net->path,
				 "network \"%s\" spans hosts and has VLANs, which its tunnels between hosts do not carry: keep a VLAN network on one host, or make a network per VLAN",
				 net->name);
	most = tunnel_mtu(net->hosts, net->n_hosts);
	if (!(what = cbx_arena_printf(p->a, "network \"%s\"", net->name)))
		return topo_oom(p);
	if (net->mtu && check_mtu(p, net->mtu, most, net->path, what) < 0)
		return -1;
	for (size_t m = 0; m < net->n_members; m++)
		if (net->members[m]->mtu &&
		    check_mtu(p, net->members[m]->mtu, most, net->members[m]->path, what) < 0)
			return -1;
	if (!net->mtu)
		net->mtu = most;
	return 0;
}

static int resolve_link(struct parser *p, struct cbx_link *l)
{
	struct cbx_host *ends[2] = { l->a->node->host, l->b->node->host };
	uint32_t most;

	if (!ends[0] || ends[0] == ends[1])
		return 0;
	most = tunnel_mtu(ends, 2);
	if ((l->mtu && check_mtu(p, l->mtu, most, l->path, "this link") < 0) ||
	    (l->a->mtu && check_mtu(p, l->a->mtu, most, l->a->path, "its link") < 0) ||
	    (l->b->mtu && check_mtu(p, l->b->mtu, most, l->b->path, "its link") < 0))
		return -1;
	if (!l->mtu)
		l->mtu = most;
	l->vni = 1; /* crossing; its VNI comes with the names */
	return 0;
}

int topo_resolve_hosts(struct parser *p)
{
	struct cbx_topo *t = p->t;

	if (!t->n_hosts) {
		if (p->opts && p->opts->host)
			return topo_fail(p, "",
					 "--host %s: the lab declares no \"hosts\" (a lab on one host comes up without --host)",
					 topo_shown(p, p->opts->host));
		return 0;
	}
	for (size_t i = 0; i < t->n_networks; i++)
		if (resolve_network(p, &t->networks[i]) < 0)
			return -1;
	for (size_t i = 0; i < t->n_links; i++)
		if (resolve_link(p, &t->links[i]) < 0)
			return -1;
	if (p->opts && p->opts->host) {
		t->local = cbx_strmap_get(&t->host_by_name, p->opts->host);
		if (!t->local)
			return topo_fail(p, "", "--host %s: unknown host (the lab's hosts are %s)",
					 topo_shown(p, p->opts->host), host_names(p));
	}
	return 0;
}

/* FNV-1a, as the MACs (naming.c): stable across builds and hosts, which
 * must all derive the same VNIs from the same file. */
uint32_t cbx_vni_derive(const char *lab, const char *kind, const char *key, unsigned salt)
{
	const char *parts[] = { lab, "vni", kind, key };
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		for (const char *c = parts[i]; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	h = (h ^ salt) * 1099511628211ULL;
	/* 1 to 2^24 - 1: VNI 0 is left alone, as most VXLAN setups reserve it. */
	return 1 + (uint32_t)((h ^ (h >> 32)) % CBX_VNI_MAX);
}

/* A VNI for `key` no other crossing network or link of the lab has: the
 * kernel refuses a second device with a VNI in use on the same port. */
static int assign_vni(struct parser *p, struct cbx_strmap *seen, const char *kind, const char *key,
		      uint32_t *vni, const char *path)
{
	for (unsigned salt = 0;; salt++) {
		char *s;
		bool oom = false;

		*vni = cbx_vni_derive(p->t->name, kind, key, salt);
		if (!(s = cbx_arena_printf(p->a, "%u", *vni)))
			return topo_oom(p);
		if (cbx_strmap_put(seen, s, (void *)path, &oom))
			return 0;
		if (oom)
			return topo_oom(p);
	}
}

/* "node:iface" of a link's ends, the smaller first: the VNI is the same
 * whichever way round the file writes the link. */
static char *link_key(struct parser *p, const struct cbx_link *l)
{
	char *a = cbx_arena_printf(p->a, "%s:%s", l->a->node->name, l->a->name);
	char *b = cbx_arena_printf(p->a, "%s:%s", l->b->node->name, l->b->name);

	if (!a || !b)
		return NULL;
	return strcmp(a, b) < 0 ? cbx_arena_printf(p->a, "%s--%s", a, b)
				: cbx_arena_printf(p->a, "%s--%s", b, a);
}

int topo_name_tunnels(struct parser *p, struct cbx_strmap *macs)
{
	struct cbx_topo *t = p->t;
	struct cbx_strmap vnis;
	int rc = -1;

	cbx_strmap_init(&vnis);
	for (size_t i = 0; i < t->n_networks; i++) {
		struct cbx_network *net = &t->networks[i];
		int len;

		if (net->n_hosts < 2)
			continue;
		if (assign_vni(p, &vnis, "network", net->name, &net->vni, net->path) < 0)
			goto out;
		/* "LAB-bIx": no leaf's name ends in a letter (naming.c). */
		len = snprintf(net->vxlan, sizeof(net->vxlan), "%sx", net->bridge);
		if (len >= CBX_IFNAMSIZ) {
			topo_fail(p, net->path,
				  "network \"%s\" crosses hosts, and its VXLAN device's name \"%sx\" would be %d bytes (the kernel allows %d): use a shorter lab name",
				  net->name, net->bridge, len, CBX_IFNAMSIZ - 1);
			goto out;
		}
		net->vxlan_macs = cbx_arena_array(p->a, t->n_hosts, sizeof(*net->vxlan_macs));
		if (!net->vxlan_macs) {
			topo_oom(p);
			goto out;
		}
		/* One per host: the devices are ports of one broadcast domain. */
		for (size_t h = 0; h < net->n_hosts; h++)
			if (topo_derive_mac(p, macs, net->vxlan_macs[net->hosts[h]->index], "vxlan",
					    net->name, net->hosts[h]->name, net->path) < 0)
				goto out;
	}
	for (size_t i = 0; i < t->n_links; i++) {
		struct cbx_link *l = &t->links[i];
		char *key;

		if (!l->vni)
			continue;
		if (!(key = link_key(p, l))) {
			topo_oom(p);
			goto out;
		}
		if (assign_vni(p, &vnis, "link", key, &l->vni, l->path) < 0)
			goto out;
	}
	rc = 0;
out:
	cbx_strmap_free(&vnis);
	return rc;
}
