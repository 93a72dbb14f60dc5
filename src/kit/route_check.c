/* "route" checks: a node's main routing table, dumped over an rtnetlink
 * socket opened in its netns (nothing runs in the node). */
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "kit/kit.h"
#include "lab/node_netns.h"
#include "netlink/rtnl_msg.h"

struct route_seen {
	uint32_t table;
	bool has_dst, has_gw;
	uint8_t dst[16], gw[16];
};

static int route_attr(const struct nlattr *a, void *data)
{
	struct route_seen *s = data;
	size_t len = mnl_attr_get_payload_len(a);

	switch (mnl_attr_get_type(a)) {
	case RTA_TABLE:
		if (len >= 4)
			s->table = mnl_attr_get_u32(a);
		break;
	case RTA_DST:
		if (len <= 16) {
			memcpy(s->dst, mnl_attr_get_payload(a), len);
			s->has_dst = true;
		}
		break;
	case RTA_GATEWAY:
		if (len <= 16) {
			memcpy(s->gw, mnl_attr_get_payload(a), len);
			s->has_gw = true;
		}
		break;
	}
	return MNL_CB_OK;
}

bool kit_route_msg_matches(const struct nlmsghdr *nlh, const struct cbx_prefix *dst,
			   const struct cbx_ip *via)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct route_seen s = { 0 };
	unsigned bytes = cbx_ip_bytes(dst->ip.family);

	if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return false;
	if (rtm->rtm_family != dst->ip.family || rtm->rtm_dst_len != dst->len ||
	    rtm->rtm_type != RTN_UNICAST)
		return false;
	s.table = rtm->rtm_table;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr, &s);
	if (s.table != RT_TABLE_MAIN)
		return false;
	if (dst->len && (!s.has_dst || memcmp(s.dst, dst->ip.bytes, bytes)))
		return false;
	if (via && via->family && (!s.has_gw || memcmp(s.gw, via->bytes, bytes)))
		return false;
	return true;
}

struct want {
	const struct cbx_prefix *dst;
	const struct cbx_ip *via;
	bool found;
};

static int on_route(const struct nlmsghdr *nlh, void *data)
{
	struct want *w = data;

	if (kit_route_msg_matches(nlh, w->dst, w->via))
		w->found = true;
	return MNL_CB_OK;
}

int kit_route_present(const struct cbx_topo *t, const struct cbx_node *n,
		      const struct cbx_prefix *dst, const struct cbx_ip *via, bool *present,
		      struct cbx_error *err)
{
	struct want w = { dst, via, false };
	struct nl_conn rtnl;
	char buf[256];
	int rc;

	if (lab_node_rtnl_open(t, n, &rtnl, err) < 0)
		return -1;
	rc = rtnl_build_route_dump(buf, sizeof(buf), dst->ip.family);
	if (rc >= 0)
		rc = nl_dump(&rtnl, (struct nlmsghdr *)buf, on_route, &w, "dump routes", err);
	nl_close(&rtnl);
	*present = w.found;
	return rc < 0 ? -1 : 0;
}
