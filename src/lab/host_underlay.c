#include "lab/host_underlay.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlink/rtnl_msg.h"

static bool has_address(const struct host_view *h, const struct cbx_ip *ip)
{
	for (size_t i = 0; i < h->n_addrs; i++)
		if (cbx_ip_equal(&h->addrs[i].ip, ip))
			return true;
	return false;
}

static int path_clash(const struct cbx_host *local, const struct underlay_path *p,
		      struct cbx_error *err)
{
	char far[CBX_PREFIX_STRLEN], through[IF_NAMESIZE + 16] = "";
	uint32_t mtu = p->route_mtu && p->route_mtu < p->dev_mtu ? p->route_mtu : p->dev_mtu;

	cbx_ip_str(&p->far->address, far, sizeof(far));
	if (local->dev)
		snprintf(through, sizeof(through), " through %s", local->dev);
	if (!p->routed)
		return cbx_error_set(err, CBX_ERR_STATE,
				     "host %s has no route to host %s (%s)%s: %s; the tunnels to it would carry nothing",
				     local->name, p->far->name, far, through,
				     strerror(p->err_code));
	if (mtu >= local->mtu)
		return 0;
	return cbx_error_set(err, CBX_ERR_STATE,
			     "host %s reaches host %s (%s) through %s, whose %s MTU is %u, less than the %u %s.mtu says%s: set \"mtu\": %u for host %s in every host's copy of the file, and the tunnels are sized for it",
			     local->name, p->far->name, far, p->dev,
			     mtu == p->dev_mtu ? "device's" : "route's", mtu, local->mtu,
			     local->path,
			     local->mtu == CBX_HOST_MTU_DEFAULT
				     ? " (the default, when it says none)"
				     : "",
			     mtu, local->name);
}

int host_underlay_find(const struct cbx_topo *t, const struct underlay_view *v,
		       struct cbx_error *err)
{
	const struct cbx_host *local = t->local;
	char addr[CBX_PREFIX_STRLEN];

	if (!local)
		return 0;
	if (!has_address(v->h, &local->address))
		return cbx_error_set(err, CBX_ERR_STATE,
				     "this machine is not host %s: its address %s is on none of this machine's interfaces (bring host %s's part up on host %s, or correct %s.address)",
				     local->name, cbx_ip_str(&local->address, addr, sizeof(addr)),
				     local->name, local->name, local->path);
	if (v->dev_missing)
		return cbx_error_set(err, CBX_ERR_STATE,
				     "host %s's underlay device %s (%s.dev) is not on this machine",
				     local->name, local->dev, local->path);
	for (size_t i = 0; i < v->n_paths; i++)
		if (path_clash(local, &v->paths[i], err) < 0)
			return -1;
	return 0;
}

/* The hosts this host's tunnels go to: those of the crossing networks and
 * links it has a part of. far[i]: host i is one. */
static size_t far_hosts(const struct cbx_topo *t, bool *far)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n_networks; i++) {
		const struct cbx_network *net = &t->networks[i];
		if (net->n_hosts < 2 || !cbx_network_here(t, net))
			continue;
		for (size_t h = 0; h < net->n_hosts; h++)
			far[net->hosts[h]->index] = true;
	}
	for (size_t i = 0; i < t->n_links; i++) {
		const struct cbx_link *l = &t->links[i];
		if (l->vni && cbx_link_here(t, l)) {
			far[l->a->node->host->index] = true;
			far[l->b->node->host->index] = true;
		}
	}
	far[t->local->index] = false;
	for (size_t i = 0; i < t->n_hosts; i++)
		n += far[i];
	return n;
}

struct route_answer {
	int oif;
	uint32_t mtu;
};

static int route_metrics_cb(const struct nlattr *a, void *data)
{
	struct route_answer *r = data;

	if (mnl_attr_get_type(a) == RTAX_MTU && mnl_attr_get_payload_len(a) >= 4)
		r->mtu = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_answer *r = data;
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	mnl_attr_for_each (a, nlh, sizeof(struct rtmsg)) {
		if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_get_payload_len(a) >= 4)
			r->oif = (int)mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == RTA_METRICS)
			mnl_attr_parse_nested(a, route_metrics_cb, r);
	}
	return MNL_CB_OK;
}

/* What the kernel answers a route lookup that finds none (an unreachable
 * or prohibit route, no route at all, the device down). */
static bool no_route(const struct cbx_error *e)
{
	return e->kind == CBX_ERR_SYSTEM &&
	       (e->code == ENETUNREACH || e->code == EHOSTUNREACH || e->code == ENETDOWN ||
		e->code == EACCES || e->code == EPERM);
}

/* The route to p->far (through dev when not 0) and its device: 0, with
 * p->routed false when there is none; -1 when asking failed otherwise. */
static int read_path(struct nl_conn *c, int dev, struct underlay_path *p, struct cbx_error *err)
{
	struct route_answer r = { 0 };
	struct host_link ln;
	struct cbx_error e;
	char req[128];

	if (rtnl_build_route_get(req, sizeof(req), &p->far->address, dev) < 0)
		return cbx_error_sys(err, ENOSPC, "build a route request");
	if (nl_query(c, (struct nlmsghdr *)req, route_cb, &r, "look up the route to a host", &e) <
	    0) {
		if (!no_route(&e)) {
			*err = e;
			return -1;
		}
		p->err_code = e.code;
		return 0;
	}
	if (!r.oif) {
		p->err_code = ENETUNREACH;
		return 0;
	}
	p->routed = true;
	p->route_mtu = r.mtu;
	if (host_link_get(c, r.oif, &ln, err) < 0)
		return -1;
	snprintf(p->dev, sizeof(p->dev), "%s", ln.name);
	p->dev_mtu = ln.mtu;
	return 0;
}

int lab_check_underlay(const struct cbx_topo *t, struct nl_conn *c, struct cbx_error *err)
{
	struct host_view h;
	struct underlay_view v = { .h = &h };
	struct underlay_path *paths = NULL;
	bool *far = NULL;
	int dev = 0, rc = -1;

	if (!t->local)
		return 0;
	if (host_view_read_addrs(c, &h, err) < 0)
		return -1;
	far = calloc(t->n_hosts, sizeof(*far));
	paths = calloc(t->n_hosts, sizeof(*paths));
	if (!far || !paths) {
		cbx_error_sys(err, ENOMEM, "check host %s's underlay", t->local->name);
		goto out;
	}
	if (t->local->dev && !(dev = (int)if_nametoindex(t->local->dev)))
		v.dev_missing = true;
	if (has_address(&h, &t->local->address) && !v.dev_missing && far_hosts(t, far))
		for (size_t i = 0; i < t->n_hosts; i++) {
			if (!far[i])
				continue;
			paths[v.n_paths].far = &t->hosts[i];
			if (read_path(c, dev, &paths[v.n_paths++], err) < 0)
				goto out;
		}
	v.paths = paths;
	rc = host_underlay_find(t, &v, err);
out:
	free(far);
	free(paths);
	host_view_free(&h);
	return rc;
}
