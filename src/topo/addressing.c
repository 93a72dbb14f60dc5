/* Addresses: which an interface may have at all, explicit ones checked
 * against their subnet, the others allocated in file order from the
 * network's or link's subnet, so the same file always gives the same
 * addresses. Then the whole lab is checked for duplicate addresses and
 * overlapping subnets. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "topo/parser.h"

const char *topo_address_problem(const struct cbx_ip *ip)
{
	static const uint8_t loopback6[16] = { [15] = 1 }, none[16];

	if (ip->family == AF_INET ? (ip->bytes[0] & 0xf0) == 0xe0 : ip->bytes[0] == 0xff)
		return "is a multicast address";
	if (ip->family == AF_INET6 && !memcmp(ip->bytes, loopback6, 16))
		return "is the loopback address";
	if (!memcmp(ip->bytes, none, cbx_ip_bytes(ip->family)))
		return "is the unspecified address";
	return NULL;
}

const char *topo_subnet_problem(const struct cbx_prefix *net)
{
	static const struct cbx_prefix multicast4 = { { AF_INET, { 224 } }, 4 },
				       multicast6 = { { AF_INET6, { 0xff } }, 8 };
	static const struct cbx_ip loopback6 = { AF_INET6, { [15] = 1 } };

	if (net->len == 0)
		return "is the whole address space";
	if (cbx_prefix_overlaps(net, &multicast4) || cbx_prefix_overlaps(net, &multicast6))
		return "overlaps the multicast addresses, which an interface cannot have";
	if (cbx_prefix_contains(net, &loopback6))
		return "holds ::1, the loopback address, which an interface cannot have";
	return NULL;
}

struct attachment {
	bool has[2];
	const struct cbx_prefix *subnet[2]; /* [0] IPv4, [1] IPv6 */
	const char *what;                   /* for messages */
};

static int fam_index(int family)
{
	return family == AF_INET ? 0 : 1;
}

static struct attachment attachment_of(struct parser *p, const struct cbx_iface *ifc)
{
	struct attachment at = { 0 };

	if (ifc->network) {
		at.has[0] = ifc->network->has_subnet4;
		at.has[1] = ifc->network->has_subnet6;
		at.subnet[0] = &ifc->network->subnet4;
		at.subnet[1] = &ifc->network->subnet6;
		at.what = cbx_arena_printf(p->a, "network \"%s\"", ifc->network->name);
	} else if (ifc->parent) {
		at.what =
			cbx_arena_printf(p->a, "VLAN sub-interface %s (on no network)", ifc->name);
	} else {
		at.has[0] = ifc->link->has_subnet4;
		at.has[1] = ifc->link->has_subnet6;
		at.subnet[0] = &ifc->link->subnet4;
		at.subnet[1] = &ifc->link->subnet6;
		at.what = ifc->link->path;
	}
	return at;
}

static int parse_explicit(struct parser *p, struct cbx_iface *ifc, json_t *list)
{
	const char *lpath = topo_path_key(p, ifc->path, "addresses");
	struct attachment at = attachment_of(p, ifc);
	char buf[CBX_PREFIX_STRLEN];

	if (json_array_size(list) > CBX_IFACE_ADDRS_MAX)
		return topo_fail(p, lpath, "at most %d addresses per interface",
				 CBX_IFACE_ADDRS_MAX);
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *v = json_array_get(list, i);
		const char *path = topo_path_index(p, lpath, i);
		struct cbx_prefix *a = &ifc->addrs[ifc->n_addrs];
		const char *s;
		int f;

		if (topo_expect_string(p, v, path) < 0)
			return -1;
		s = json_string_value(v);
		if (!cbx_prefix_parse(s, false, a))
			return topo_fail(p, path, "\"%s\" is not an IPv4 or IPv6 address",
					 topo_shown(p, s));
		if (topo_address_problem(&a->ip))
			return topo_fail(p, path, "%s %s, which an interface cannot have", s,
					 topo_address_problem(&a->ip));
		f = fam_index(a->ip.family);
		if (at.has[f]) {
			const struct cbx_prefix *sn = at.subnet[f];
			if (!strchr(s, '/'))
				a->len = sn->len;
			if (!cbx_prefix_contains(sn, &a->ip))
				return topo_fail(p, path, "%s is outside subnet %s of %s", s,
						 cbx_prefix_str(sn, buf, sizeof(buf)), at.what);
			if (a->len != sn->len)
				return topo_fail(p, path,
						 "%s does not match the /%u of subnet %s of %s", s,
						 sn->len, cbx_prefix_str(sn, buf, sizeof(buf)),
						 at.what);
			if (cbx_prefix_is_reserved_host(sn, &a->ip))
				return topo_fail(p, path,
						 "%s is the network or broadcast address of subnet %s",
						 s, cbx_prefix_str(sn, buf, sizeof(buf)));
		} else if (!strchr(s, '/')) {
			return topo_fail(p, path,
					 "%s needs a prefix length (e.g. /24): %s has no %s subnet",
					 s, at.what, f == 0 ? "IPv4" : "IPv6");
		}
		ifc->n_addrs++;
	}
	return 0;
}

/* Hands out the offsets of a subnet in order, skipping the taken ones. */
struct allocator {
	const struct cbx_prefix *subnet;
	uint64_t *taken; /* sorted */
	size_t n_taken, j;
	uint64_t next;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void allocator_init(struct allocator *al, const struct cbx_prefix *subnet, uint64_t *taken,
			   size_t n_taken)
{
	unsigned host_bits = cbx_ip_bits(subnet->ip.family) - subnet->len;

	qsort(taken, n_taken, sizeof(*taken), cmp_u64);
	*al = (struct allocator){ .subnet = subnet, .taken = taken, .n_taken = n_taken };
	/* Host 1 first; /31 and /32 (and /127, /128) have no network address
	 * to skip (RFC 3021). */
	al->next = host_bits <= 1 ? 0 : 1;
}

static bool allocator_next(struct allocator *al, struct cbx_prefix *out)
{
	while (al->j < al->n_taken && al->taken[al->j] < al->next)
		al->j++;
	while (al->j < al->n_taken && al->taken[al->j] == al->next) {
		al->next++;
		al->j++;
	}
	if (!cbx_prefix_nth(al->subnet, al->next, &out->ip))
		return false;
	out->len = al->subnet->len;
	al->next++;
	return true;
}

static void add_taken(const struct cbx_prefix *subnet, const struct cbx_iface *ifc, uint64_t *taken,
		      size_t *n)
{
	for (unsigned k = 0; k < ifc->n_addrs; k++)
		if (cbx_prefix_contains(subnet, &ifc->addrs[k].ip))
			taken[(*n)++] = cbx_prefix_offset(subnet, &ifc->addrs[k].ip);
}

static int exhausted(struct parser *p, const struct cbx_prefix *subnet, const char *who,
		     const char *what)
{
	char buf[CBX_PREFIX_STRLEN];

	return topo_fail(p, what, "subnet %s has no address left for %s",
			 cbx_prefix_str(subnet, buf, sizeof(buf)), who);
}

/* Gives every interface of ifaces[] without explicit addresses the next free
 * address of subnet, in order. Their explicit addresses are taken, and so is
 * an explicit gateway; an automatic gateway (gw_auto) gets the first free
 * address, before the interfaces. gw is NULL when there is no gateway (a
 * link, or a network without one); `what` is the JSON path for messages. */
static int allocate_in(struct parser *p, const struct cbx_prefix *subnet,
		       struct cbx_iface *const *ifaces, size_t n_ifaces, struct cbx_prefix *gw,
		       bool gw_auto, const char *what)
{
	uint64_t small[2 * CBX_IFACE_ADDRS_MAX + 1], *taken = small;
	struct allocator al;
	size_t n = 0;

	if (n_ifaces * CBX_IFACE_ADDRS_MAX + 1 > CBX_ARRAY_SIZE(small)) {
		taken = cbx_arena_array(p->a, n_ifaces * CBX_IFACE_ADDRS_MAX + 1, sizeof(*taken));
		if (!taken)
			return topo_oom(p);
	}
	for (size_t i = 0; i < n_ifaces; i++)
		add_taken(subnet, ifaces[i], taken, &n);
	if (gw && !gw_auto)
		taken[n++] = cbx_prefix_offset(subnet, &gw->ip);
	allocator_init(&al, subnet, taken, n);
	if (gw && gw_auto && !allocator_next(&al, gw))
		return exhausted(p, subnet, "the gateway", what);
	for (size_t i = 0; i < n_ifaces; i++) {
		struct cbx_iface *ifc = ifaces[i];
		if (p->iface_in[ifc->index].addresses)
			continue;
		if (!allocator_next(&al, &ifc->addrs[ifc->n_addrs]))
			return exhausted(p, subnet,
					 cbx_arena_printf(p->a, "%s:%s", ifc->node->name,
							  ifc->name),
					 what);
		ifc->n_addrs++;
	}
	return 0;
}

static int allocate_network(struct parser *p, struct cbx_network *net, int f)
{
	bool has_gw = f == 0 ? net->has_gw4 : net->has_gw6;

	return allocate_in(p, f == 0 ? &net->subnet4 : &net->subnet6, net->members, net->n_members,
			   has_gw ? (f == 0 ? &net->gw4 : &net->gw6) : NULL,
			   p->net_in[net->index].gw_auto[f], net->path);
}

static int allocate_link(struct parser *p, struct cbx_link *l, int f)
{
	struct cbx_iface *ends[2] = { l->a, l->b };

	return allocate_in(p, f == 0 ? &l->subnet4 : &l->subnet6, ends, 2, NULL, false, l->path);
}

/* The members are known (vlans.c); a tree of bridges two levels deep
 * holds only so many. */
static int check_members(struct parser *p)
{
	struct cbx_topo *t = p->t;

	for (size_t i = 0; i < t->n_networks; i++)
		if (t->networks[i].n_members >
		    (size_t)CBX_BRIDGE_PORTS_MAX * (CBX_BRIDGE_PORTS_MAX - 1))
			return topo_fail(p, t->networks[i].path,
					 "%zu interfaces on one network; its two levels of bridges hold at most %d",
					 t->networks[i].n_members,
					 CBX_BRIDGE_PORTS_MAX * (CBX_BRIDGE_PORTS_MAX - 1));
	return 0;
}

/* Every address in the lab, with who holds it, sorted to find duplicates. */
struct owned_addr {
	struct cbx_ip ip;
	const char *owner;
	size_t order; /* networks (their gateways) come before nodes in a file */
};

static int cmp_owned(const void *a, const void *b)
{
	const struct owned_addr *x = a, *y = b;

	if (x->ip.family != y->ip.family)
		return x->ip.family - y->ip.family;
	return memcmp(x->ip.bytes, y->ip.bytes, 16);
}

static int check_duplicates(struct parser *p)
{
	struct cbx_topo *t = p->t;
	size_t cap = t->n_ifaces * CBX_IFACE_ADDRS_MAX + 2 * t->n_networks + 1;
	struct owned_addr *all = cbx_arena_array(p->a, cap, sizeof(*all));
	char buf[CBX_PREFIX_STRLEN];
	size_t n = 0;

	if (!all)
		return topo_oom(p);
	for (size_t i = 0; i < t->n_ifaces; i++)
		for (unsigned k = 0; k < t->ifaces[i].n_addrs; k++)
			all[n++] = (struct owned_addr){ t->ifaces[i].addrs[k].ip, t->ifaces[i].path,
							t->n_networks + i };
	for (size_t i = 0; i < t->n_networks; i++) {
		const struct cbx_network *net = &t->networks[i];
		const char *owner = cbx_arena_printf(p->a, "the gateway of %s", net->path);
		if (net->has_gw4)
			all[n++] = (struct owned_addr){ net->gw4.ip, owner, i };
		if (net->has_gw6)
			all[n++] = (struct owned_addr){ net->gw6.ip, owner, i };
	}
	qsort(all, n, sizeof(*all), cmp_owned);
	for (size_t i = 1; i < n; i++)
		if (cbx_ip_equal(&all[i].ip, &all[i - 1].ip)) {
			/* Report it where the file mentions it second. */
			const struct owned_addr *x = &all[i - 1], *y = &all[i];
			const char *first = x->order < y->order ? x->owner : y->owner;
			const char *second = x->order < y->order ? y->owner : x->owner;
			return topo_fail(p, second, "duplicate address %s: %s has it too",
					 cbx_ip_str(&all[i].ip, buf, sizeof(buf)), first);
		}
	return 0;
}

struct owned_subnet {
	struct cbx_prefix net;
	const char *owner;
};

static int cmp_subnet(const void *a, const void *b)
{
	const struct owned_subnet *x = a, *y = b;
	int c = cmp_owned(&(struct owned_addr){ .ip = x->net.ip },
			  &(struct owned_addr){ .ip = y->net.ip });

	return c ? c : (int)x->net.len - (int)y->net.len;
}

/* Sorted by address (and shorter prefix first), a subnet that overlaps any
 * other overlaps its successor: whatever lies between a subnet and one it
 * contains is inside it too. So one pass over neighbours finds them all. */
static int check_overlaps(struct parser *p)
{
	struct cbx_topo *t = p->t;
	size_t cap = 2 * (t->n_networks + t->n_links) + 1;
	struct owned_subnet *all = cbx_arena_array(p->a, cap, sizeof(*all));
	char a[CBX_PREFIX_STRLEN], b[CBX_PREFIX_STRLEN];
	size_t n = 0;

	if (!all)
		return topo_oom(p);
	for (size_t i = 0; i < t->n_networks; i++) {
		const struct cbx_network *net = &t->networks[i];
		if (net->has_subnet4)
			all[n++] = (struct owned_subnet){ net->subnet4,
							  topo_path_key(p, net->path, "subnet") };
		if (net->has_subnet6)
			all[n++] = (struct owned_subnet){ net->subnet6,
							  topo_path_key(p, net->path, "subnet6") };
	}
	for (size_t i = 0; i < t->n_links; i++) {
		const struct cbx_link *l = &t->links[i];
		if (l->has_subnet4)
			all[n++] = (struct owned_subnet){ l->subnet4,
							  topo_path_key(p, l->path, "subnet") };
		if (l->has_subnet6)
			all[n++] = (struct owned_subnet){ l->subnet6,
							  topo_path_key(p, l->path, "subnet6") };
	}
	qsort(all, n, sizeof(*all), cmp_subnet);
	for (size_t i = 1; i < n; i++)
		if (cbx_prefix_overlaps(&all[i - 1].net, &all[i].net))
			return topo_fail(p, all[i].owner, "subnet %s overlaps %s of %s",
					 cbx_prefix_str(&all[i].net, a, sizeof(a)),
					 cbx_prefix_str(&all[i - 1].net, b, sizeof(b)),
					 all[i - 1].owner);
	return 0;
}

int topo_resolve_addresses(struct parser *p)
{
	struct cbx_topo *t = p->t;

	if (check_members(p) < 0 || check_overlaps(p) < 0)
		return -1;
	for (size_t i = 0; i < t->n_ifaces; i++) {
		json_t *list = p->iface_in[i].addresses;
		if (list && parse_explicit(p, &t->ifaces[i], list) < 0)
			return -1;
	}
	for (size_t i = 0; i < t->n_networks; i++) {
		struct cbx_network *net = &t->networks[i];
		if (net->has_subnet4 && allocate_network(p, net, 0) < 0)
			return -1;
		if (net->has_subnet6 && allocate_network(p, net, 1) < 0)
			return -1;
	}
	for (size_t i = 0; i < t->n_links; i++) {
		struct cbx_link *l = &t->links[i];
		if (l->has_subnet4 && allocate_link(p, l, 0) < 0)
			return -1;
		if (l->has_subnet6 && allocate_link(p, l, 1) < 0)
			return -1;
	}
	return check_duplicates(p);
}
