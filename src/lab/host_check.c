#include "lab/host_check.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/host_ports.h"
#include "lab/lab_ctx.h"
#include "netlink/rtnl_msg.h"

bool host_check_needed(const struct cbx_topo *t)
{
	for (size_t i = 0; i < t->n_networks; i++)
		if (t->networks[i].has_gw4 || t->networks[i].has_gw6)
			return true;
	return t->n_publish > 0;
}

void host_view_free(struct host_view *h)
{
	free(h->routes);
	free(h->addrs);
	memset(h, 0, sizeof(*h));
}

/* Grow an array by one element; NULL when out of memory. */
static void *grow(void **arr, size_t *n, size_t elem)
{
	if (*n % 16 == 0) {
		void *bigger = realloc(*arr, (*n + 16) * elem);
		if (!bigger)
			return NULL;
		*arr = bigger;
	}
	return (char *)*arr + (*n)++ * elem;
}

struct view_fill {
	struct host_view *h;
	bool oom;
};

static void ip_from_attr(struct cbx_ip *ip, int family, const struct nlattr *a)
{
	unsigned len = cbx_ip_bytes(family);

	if (mnl_attr_get_payload_len(a) < len)
		return;
	ip->family = (uint8_t)family;
	memcpy(ip->bytes, mnl_attr_get_payload(a), len);
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct view_fill *f = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct host_route r = { .dst = { .len = rtm->rtm_dst_len } };
	uint32_t table = rtm->rtm_table;
	struct host_route *slot;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	r.dst.ip.family = rtm->rtm_family;
	mnl_attr_for_each (a, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_DST:
			ip_from_attr(&r.dst.ip, rtm->rtm_family, a);
			break;
		case RTA_GATEWAY:
			ip_from_attr(&r.gw, rtm->rtm_family, a);
			break;
		case RTA_OIF:
			r.oif = (int)mnl_attr_get_u32(a);
			break;
		case RTA_TABLE:
			table = mnl_attr_get_u32(a);
			break;
		}
	}
	/* The local table holds the host's own addresses, seen below. */
	if (table == RT_TABLE_LOCAL)
		return MNL_CB_OK;
	slot = grow((void **)&f->h->routes, &f->h->n_routes, sizeof(r));
	if (!slot)
		f->oom = true;
	else
		*slot = r;
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct view_fill *f = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct host_addr ha = { .ifindex = (int)ifa->ifa_index };
	struct host_addr *slot;

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;
	/* IFA_LOCAL is the address itself (IFA_ADDRESS the peer's, on a
	 * point-to-point link); IPv6 has only IFA_ADDRESS. */
	mnl_attr_for_each (a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(a) == IFA_LOCAL ||
		    (mnl_attr_get_type(a) == IFA_ADDRESS && !ha.ip.family))
			ip_from_attr(&ha.ip, ifa->ifa_family, a);
	}
	if (!ha.ip.family)
		return MNL_CB_OK;
	slot = grow((void **)&f->h->addrs, &f->h->n_addrs, sizeof(ha));
	if (!slot)
		f->oom = true;
	else
		*slot = ha;
	return MNL_CB_OK;
}

/* A dump, again while the kernel's list changes under it (EINTR). */
static int dump(struct nl_conn *c, int (*build)(void *, size_t, int), nl_dump_cb cb,
		struct view_fill *f, bool routes, const char *label, struct cbx_error *err)
{
	char req[64];
	int rc = -1;

	for (unsigned tries = 0; tries < 20; tries++) {
		if (routes) {
			free(f->h->routes);
			f->h->routes = NULL;
			f->h->n_routes = 0;
		} else {
			free(f->h->addrs);
			f->h->addrs = NULL;
			f->h->n_addrs = 0;
		}
		build(req, sizeof(req), AF_UNSPEC);
		rc = nl_dump(c, (struct nlmsghdr *)req, cb, f, label, err);
		if (rc == 0 && f->oom)
			return cbx_error_sys(err, ENOMEM, "%s", label);
		if (rc == 0 || err->code != EINTR)
			return rc;
		usleep(1000);
	}
	return rc;
}

int host_view_read_addrs(struct nl_conn *c, struct host_view *h, struct cbx_error *err)
{
	struct view_fill f = { .h = h };
	int rc;

	memset(h, 0, sizeof(*h));
	rc = dump(c, rtnl_build_addr_dump, addr_cb, &f, false, "list the host's addresses", err);
	if (rc < 0)
		host_view_free(h);
	return rc;
}

int host_view_read(struct nl_conn *c, struct host_view *h, struct cbx_error *err)
{
	struct view_fill f = { .h = h };

	if (host_view_read_addrs(c, h, err) < 0)
		return -1;
	if (dump(c, rtnl_build_route_dump, route_cb, &f, true, "list the host's routes", err) < 0) {
		host_view_free(h);
		return -1;
	}
	return 0;
}

/* One host-side subnet of a network against the view. */
static int clash_one(const struct cbx_network *net, const struct cbx_prefix *subnet,
		     const struct host_view *h, host_ifname_fn ifname, void *arg,
		     struct cbx_error *err)
{
	char sn[CBX_PREFIX_STRLEN], what[CBX_PREFIX_STRLEN], dev[160];

	cbx_prefix_str(subnet, sn, sizeof(sn));
	for (size_t i = 0; i < h->n_routes; i++) {
		const struct host_route *r = &h->routes[i];
		if (r->dst.len == 0 || !cbx_prefix_overlaps(subnet, &r->dst))
			continue;
		return cbx_error_set(err, CBX_ERR_STATE,
				     "network %s: subnet %s overlaps the host's route to %s on %s: the host could not tell the two apart (give the network another subnet, or no host gateway and NAT)",
				     net->name, sn, cbx_prefix_str(&r->dst, what, sizeof(what)),
				     ifname(arg, r->oif, dev, sizeof(dev)));
	}
	for (size_t i = 0; i < h->n_addrs; i++) {
		const struct host_addr *a = &h->addrs[i];
		if (!cbx_prefix_contains(subnet, &a->ip))
			continue;
		return cbx_error_set(err, CBX_ERR_STATE,
				     "network %s: subnet %s holds %s, an address of the host (on %s): give the network another subnet, or no host gateway and NAT",
				     net->name, sn, cbx_ip_str(&a->ip, what, sizeof(what)),
				     ifname(arg, a->ifindex, dev, sizeof(dev)));
	}
	for (size_t i = 0; i < h->n_routes; i++) {
		const struct host_route *r = &h->routes[i];
		if (r->dst.len != 0 || !r->gw.family || !cbx_prefix_contains(subnet, &r->gw))
			continue;
		return cbx_error_set(err, CBX_ERR_STATE,
				     "network %s: subnet %s holds %s, the host's default gateway (on %s): give the network another subnet, or no host gateway and NAT",
				     net->name, sn, cbx_ip_str(&r->gw, what, sizeof(what)),
				     ifname(arg, r->oif, dev, sizeof(dev)));
	}
	return 0;
}

int host_clash_find(const struct cbx_topo *t, const struct host_view *h, host_ifname_fn ifname,
		    void *arg, struct cbx_error *err)
{
	for (size_t i = 0; i < t->n_networks; i++) {
		const struct cbx_network *net = &t->networks[i];
		if (net->has_gw4 && clash_one(net, &net->subnet4, h, ifname, arg, err) < 0)
			return -1;
		if (net->has_gw6 && clash_one(net, &net->subnet6, h, ifname, arg, err) < 0)
			return -1;
	}
	return 0;
}

static int host_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct host_link *ln = data;
	const struct nlattr *a;

	mnl_attr_for_each (a, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(a) == IFLA_IFNAME)
			snprintf(ln->name, sizeof(ln->name), "%s", mnl_attr_get_str(a));
		else if (mnl_attr_get_type(a) == IFLA_IFALIAS)
			snprintf(ln->alias, sizeof(ln->alias), "%s", mnl_attr_get_str(a));
		else if (mnl_attr_get_type(a) == IFLA_MTU && mnl_attr_get_payload_len(a) >= 4)
			ln->mtu = mnl_attr_get_u32(a);
	}
	return MNL_CB_OK;
}

int host_link_get(struct nl_conn *c, int ifindex, struct host_link *ln, struct cbx_error *err)
{
	char req[64];

	memset(ln, 0, sizeof(*ln));
	rtnl_build_link_get_brief(req, sizeof(req), ifindex);
	return nl_query(c, (struct nlmsghdr *)req, host_link_cb, ln, "get a link of the host's",
			err);
}

/* The interface's name, and the lab it is of when its alias says so
 * ("cboxlab lan/network lan": a bridge of lab lan). Only for a message. */
static const char *host_ifname(void *arg, int ifindex, char *buf, size_t size)
{
	struct host_link ln;
	struct cbx_error err;
	char lab[64], net[64];

	if (!ifindex || host_link_get(arg, ifindex, &ln, &err) < 0 || !ln.name[0])
		snprintf(buf, size, "interface %d", ifindex);
	else if (sscanf(ln.alias, "cboxlab %63[^/]/network %63s", lab, net) == 2)
		snprintf(buf, size, "%s, lab %s's network %s", ln.name, lab, net);
	else if (sscanf(ln.alias, "cboxlab %63[^/]/", lab) == 1)
		snprintf(buf, size, "%s, of lab %s", ln.name, lab);
	else
		snprintf(buf, size, "%s", ln.name);
	return buf;
}

int lab_check_host(const struct cbx_ctx *cbx, const struct cbx_topo *t, struct nl_conn *c,
		   struct cbx_error *err)
{
	struct host_view h;
	char state[512];
	int rc;

	/* A lab that is up has its own routes there: `up` says it is up. */
	if (!host_check_needed(t) || lab_state_path(cbx, t->name, NULL, state, sizeof(state)) < 0 ||
	    access(state, F_OK) == 0)
		return 0;
	if (host_view_read(c, &h, err) < 0)
		return -1;
	rc = host_clash_find(t, &h, host_ifname, c, err);
	host_view_free(&h);
	if (rc == 0)
		rc = host_ports_check(t, err);
	return rc;
}
