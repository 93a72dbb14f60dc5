#include "netlink/rtnl_msg.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/neighbour.h>
#include <linux/veth.h>
#include <arpa/inet.h>
#include <string.h>

#include "netlink/msg_put.h"

static void set_ifinfo(struct ifinfomsg *ifi, const struct rtnl_link_spec *l)
{
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = l->ifindex;
	if (l->up >= 0) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = l->up ? IFF_UP : 0;
	}
}

/* The attributes a link spec may carry, common to create and change. */
static bool put_link_attrs(struct nlmsghdr *nlh, size_t size, const struct rtnl_link_spec *l)
{
	if (l->name && !mnl_attr_put_strz_check(nlh, size, IFLA_IFNAME, l->name))
		return false;
	if (l->netns_fd >= 0 &&
	    !mnl_attr_put_u32_check(nlh, size, IFLA_NET_NS_FD, (uint32_t)l->netns_fd))
		return false;
	if (l->netns_pid > 0 &&
	    !mnl_attr_put_u32_check(nlh, size, IFLA_NET_NS_PID, (uint32_t)l->netns_pid))
		return false;
	if (l->mac && !mnl_attr_put_check(nlh, size, IFLA_ADDRESS, 6, l->mac))
		return false;
	if (l->mtu && !mnl_attr_put_u32_check(nlh, size, IFLA_MTU, l->mtu))
		return false;
	if (l->alias && !mnl_attr_put_str_check(nlh, size, IFLA_IFALIAS, l->alias))
		return false;
	if (l->master && !mnl_attr_put_u32_check(nlh, size, IFLA_MASTER,
						 l->master < 0 ? 0 : (uint32_t)l->master))
		return false;
	if (l->group && !mnl_attr_put_u32_check(nlh, size, IFLA_GROUP, l->group))
		return false;
	if (l->link > 0 && !mnl_attr_put_u32_check(nlh, size, IFLA_LINK, (uint32_t)l->link))
		return false;
	if (l->addr_gen_mode >= 0) {
		struct nlattr *spec, *inet6;
		if (!(spec = mnl_attr_nest_start_check(nlh, size, IFLA_AF_SPEC)) ||
		    !(inet6 = mnl_attr_nest_start_check(nlh, size, AF_INET6)) ||
		    !mnl_attr_put_u8_check(nlh, size, IFLA_INET6_ADDR_GEN_MODE,
					   (uint8_t)l->addr_gen_mode))
			return false;
		mnl_attr_nest_end(nlh, inet6);
		mnl_attr_nest_end(nlh, spec);
	}
	return true;
}

/* One TX and one RX queue, said outright. Without them the kernel makes a
 * veth with a queue per possible CPU and then cuts the active ones back to
 * one, which for a registered device waits for an RCU grace period
 * (netif_set_real_num_tx_queues -> synchronize_net): twice per pair, each
 * under the rtnl lock (docs/performance.md, "Measurements behind the code"). */
static bool put_one_queue(struct nlmsghdr *nlh, size_t size)
{
	return mnl_attr_put_u32_check(nlh, size, IFLA_NUM_TX_QUEUES, 1) &&
	       mnl_attr_put_u32_check(nlh, size, IFLA_NUM_RX_QUEUES, 1);
}

/* The peer nest of a veth starts with a raw ifinfomsg, not an attribute. */
static bool put_veth_data(struct nlmsghdr *nlh, size_t size, const void *data)
{
	const struct rtnl_link_spec *peer = data;
	struct nlattr *peer_nest = mnl_attr_nest_start_check(nlh, size, VETH_INFO_PEER);
	struct ifinfomsg *peer_ifi;

	if (!peer_nest || nlh->nlmsg_len + MNL_ALIGN(sizeof(*peer_ifi)) > size)
		return false;
	peer_ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer_ifi));
	set_ifinfo(peer_ifi, peer);
	if (!put_link_attrs(nlh, size, peer) || !put_one_queue(nlh, size))
		return false;
	mnl_attr_nest_end(nlh, peer_nest);
	return true;
}

/* With STP off a port forwards as soon as it is up: no 30 s of
 * listening/learning before the first packet of a lab passes. With
 * multicast snooping off a network floods multicast to every interface, as
 * a hub does, whatever its nodes run (an IGMP querier included); with it
 * on, every port's coming up or going re-armed two query timers on every
 * other port of the bridge (br_port_state_selection): O(N^2) timers for a
 * network of N interfaces, a third of node-net at 10,000. */
static bool put_bridge_data(struct nlmsghdr *nlh, size_t size, const void *data)
{
	(void)data;
	return mnl_attr_put_u32_check(nlh, size, IFLA_BR_STP_STATE, 0) &&
	       mnl_attr_put_u8_check(nlh, size, IFLA_BR_MCAST_SNOOPING, 0);
}

static bool put_ip(struct nlmsghdr *nlh, size_t size, uint16_t type4, uint16_t type6,
		   const struct cbx_ip *ip)
{
	return mnl_attr_put_check(nlh, size, ip->family == AF_INET6 ? type6 : type4,
				  cbx_ip_bytes(ip->family), ip->bytes);
}

/* Learning off unless asked: the lab knows where every far host is, and
 * says so with FDB entries (or the one remote) that never age. */
static bool put_vxlan_data(struct nlmsghdr *nlh, size_t size, const void *data)
{
	const struct rtnl_vxlan_spec *vx = data;

	if (!mnl_attr_put_u32_check(nlh, size, IFLA_VXLAN_ID, vx->vni) ||
	    !mnl_attr_put_u16_check(nlh, size, IFLA_VXLAN_PORT, htons(vx->port)) ||
	    !mnl_attr_put_u8_check(nlh, size, IFLA_VXLAN_LEARNING, vx->learning ? 1 : 0))
		return false;
	if (vx->local.family && !put_ip(nlh, size, IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6, &vx->local))
		return false;
	if (vx->remote.family &&
	    !put_ip(nlh, size, IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6, &vx->remote))
		return false;
	if (vx->link && !mnl_attr_put_u32_check(nlh, size, IFLA_VXLAN_LINK, (uint32_t)vx->link))
		return false;
	return true;
}

const struct rtnl_link_kind rtnl_link_veth = { .name = "veth",
					       .put_data = put_veth_data,
					       .one_queue = true };
const struct rtnl_link_kind rtnl_link_bridge = { .name = "bridge", .put_data = put_bridge_data };
const struct rtnl_link_kind rtnl_link_vxlan = { .name = "vxlan", .put_data = put_vxlan_data };

static bool put_vlan_data(struct nlmsghdr *nlh, size_t size, const void *data)
{
	return mnl_attr_put_u16_check(nlh, size, IFLA_VLAN_ID, *(const uint16_t *)data);
}

const struct rtnl_link_kind rtnl_link_vlan = { .name = "vlan", .put_data = put_vlan_data };

int rtnl_build_link_create(void *buf, size_t size, const struct rtnl_link_kind *kind,
			   const struct rtnl_link_spec *link, const void *data)
{
	struct nlmsghdr *nlh = nl_put_request(buf, size, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
					      sizeof(struct ifinfomsg));
	struct nlattr *linkinfo, *info_data;

	PUT(nlh);
	set_ifinfo(mnl_nlmsg_get_payload(nlh), link);
	PUT(put_link_attrs(nlh, size, link));
	if (kind->one_queue)
		PUT(put_one_queue(nlh, size));
	PUT(linkinfo = mnl_attr_nest_start_check(nlh, size, IFLA_LINKINFO));
	PUT(mnl_attr_put_strz_check(nlh, size, IFLA_INFO_KIND, kind->name));
	if (kind->put_data) {
		PUT(info_data = mnl_attr_nest_start_check(nlh, size, IFLA_INFO_DATA));
		PUT(kind->put_data(nlh, size, data));
		mnl_attr_nest_end(nlh, info_data);
	}
	mnl_attr_nest_end(nlh, linkinfo);
	return (int)nlh->nlmsg_len;
}

int rtnl_build_veth_create(void *buf, size_t size, const struct rtnl_link_spec *end,
			   const struct rtnl_link_spec *peer)
{
	return rtnl_build_link_create(buf, size, &rtnl_link_veth, end, peer);
}

int rtnl_build_bridge_create(void *buf, size_t size, const struct rtnl_link_spec *br)
{
	return rtnl_build_link_create(buf, size, &rtnl_link_bridge, br, NULL);
}

int rtnl_build_vxlan_create(void *buf, size_t size, const struct rtnl_link_spec *link,
			    const struct rtnl_vxlan_spec *vx)
{
	return rtnl_build_link_create(buf, size, &rtnl_link_vxlan, link, vx);
}

int rtnl_build_fdb_append(void *buf, size_t size, int ifindex, const uint8_t mac[6],
			  const struct cbx_ip *dst)
{
	struct nlmsghdr *nlh = nl_put_request(buf, size, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND,
					      sizeof(struct ndmsg));
	struct ndmsg *ndm;

	PUT(nlh);
	ndm = mnl_nlmsg_get_payload(nlh);
	ndm->ndm_family = AF_BRIDGE;
	ndm->ndm_ifindex = ifindex;
	/* As `bridge fdb append` sends it: the device's own table (not its
	 * master bridge's), permanent. */
	ndm->ndm_state = NUD_PERMANENT | NUD_NOARP;
	ndm->ndm_flags = NTF_SELF;
	PUT(mnl_attr_put_check(nlh, size, NDA_LLADDR, 6, mac));
	PUT(mnl_attr_put_check(nlh, size, NDA_DST, cbx_ip_bytes(dst->family), dst->bytes));
	return (int)nlh->nlmsg_len;
}

int rtnl_build_vlan_create(void *buf, size_t size, const struct rtnl_link_spec *link, uint16_t vid)
{
	return rtnl_build_link_create(buf, size, &rtnl_link_vlan, link, &vid);
}

int rtnl_build_bridge_vlan_filtering(void *buf, size_t size, int bridge_ifindex)
{
	struct nlmsghdr *nlh = nl_put_request(buf, size, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	struct nlattr *linkinfo, *info_data;
	struct ifinfomsg *ifi;

	PUT(nlh);
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = bridge_ifindex;
	PUT(linkinfo = mnl_attr_nest_start_check(nlh, size, IFLA_LINKINFO));
	PUT(mnl_attr_put_strz_check(nlh, size, IFLA_INFO_KIND, "bridge"));
	PUT(info_data = mnl_attr_nest_start_check(nlh, size, IFLA_INFO_DATA));
	PUT(mnl_attr_put_u8_check(nlh, size, IFLA_BR_VLAN_FILTERING, 1));
	mnl_attr_nest_end(nlh, info_data);
	mnl_attr_nest_end(nlh, linkinfo);
	return (int)nlh->nlmsg_len;
}

int rtnl_build_bridge_vlans(void *buf, size_t size, bool add, int port_ifindex,
			    const uint16_t *vids, size_t n, uint16_t flags)
{
	struct nlmsghdr *nlh = nl_put_request(buf, size, add ? RTM_SETLINK : RTM_DELLINK, 0,
					      sizeof(struct ifinfomsg));
	struct nlattr *spec;
	struct ifinfomsg *ifi;

	PUT(nlh);
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_BRIDGE;
	ifi->ifi_index = port_ifindex;
	PUT(spec = mnl_attr_nest_start_check(nlh, size, IFLA_AF_SPEC));
	for (size_t i = 0; i < n; i++) {
		struct bridge_vlan_info info = { .flags = flags, .vid = vids[i] };
		PUT(mnl_attr_put_check(nlh, size, IFLA_BRIDGE_VLAN_INFO, sizeof(info), &info));
	}
	mnl_attr_nest_end(nlh, spec);
	return (int)nlh->nlmsg_len;
}

int rtnl_build_link_change(void *buf, size_t size, const struct rtnl_link_spec *link)
{
	struct nlmsghdr *nlh = nl_put_request(buf, size, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));

	PUT(nlh);
	set_ifinfo(mnl_nlmsg_get_payload(nlh), link);
	PUT(put_link_attrs(nlh, size, link));
	return (int)nlh->nlmsg_len;
}

/* A request about one link that carries no more than its ifinfomsg's family
 * and index (0: none, or by name). */
static struct nlmsghdr *put_link_header(void *buf, size_t size, uint16_t type, uint16_t flags,
					int ifindex)
{
	struct nlmsghdr *nlh = nl_put_request(buf, size, type, flags, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi;

	if (!nlh)
		return NULL;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

int rtnl_build_link_delete(void *buf, size_t size, int ifindex, const char *name)
{
	struct nlmsghdr *nlh = put_link_header(buf, size, RTM_DELLINK, 0, ifindex);

	PUT(nlh);
	if (!ifindex)
		PUT(mnl_attr_put_strz_check(nlh, size, IFLA_IFNAME, name));
	return (int)nlh->nlmsg_len;
}

int rtnl_build_link_delete_group(void *buf, size_t size, uint32_t group)
{
	struct nlmsghdr *nlh = put_link_header(buf, size, RTM_DELLINK, 0, 0);

	PUT(nlh);
	PUT(mnl_attr_put_u32_check(nlh, size, IFLA_GROUP, group));
	return (int)nlh->nlmsg_len;
}

int rtnl_build_link_dump(void *buf, size_t size)
{
	struct nlmsghdr *nlh = put_link_header(buf, size, RTM_GETLINK, NLM_F_DUMP, 0);

	PUT(nlh);
	nlh->nlmsg_flags &= ~NLM_F_ACK;
	return (int)nlh->nlmsg_len;
}

int rtnl_build_link_get(void *buf, size_t size, int ifindex)
{
	struct nlmsghdr *nlh = put_link_header(buf, size, RTM_GETLINK, 0, ifindex);

	PUT(nlh);
	return (int)nlh->nlmsg_len;
}

int rtnl_build_link_get_brief(void *buf, size_t size, int ifindex)
{
	struct nlmsghdr *nlh = put_link_header(buf, size, RTM_GETLINK, 0, ifindex);

	PUT(nlh);
	PUT(mnl_attr_put_u32_check(nlh, size, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS));
	return (int)nlh->nlmsg_len;
}

int rtnl_build_route_dump(void *buf, size_t size, int family)
{
	struct nlmsghdr *nlh =
		nl_put_request(buf, size, RTM_GETROUTE, NLM_F_DUMP, sizeof(struct rtmsg));

	PUT(nlh);
	nlh->nlmsg_flags &= ~NLM_F_ACK;
	((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_family = (unsigned char)family;
	return (int)nlh->nlmsg_len;
}

int rtnl_build_route_get(void *buf, size_t size, const struct cbx_ip *dst, int oif)
{
	struct nlmsghdr *nlh = nl_put_request(buf, size, RTM_GETROUTE, 0, sizeof(struct rtmsg));
	struct rtmsg *rtm;

	PUT(nlh);
	nlh->nlmsg_flags &= ~NLM_F_ACK;
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = (unsigned char)(cbx_ip_bytes(dst->family) * 8);
	PUT(put_ip(nlh, size, RTA_DST, RTA_DST, dst));
	if (oif)
		PUT(mnl_attr_put_u32_check(nlh, size, RTA_OIF, (uint32_t)oif));
	return (int)nlh->nlmsg_len;
}

int rtnl_build_addr_dump(void *buf, size_t size, int family)
{
	struct nlmsghdr *nlh =
		nl_put_request(buf, size, RTM_GETADDR, NLM_F_DUMP, sizeof(struct ifaddrmsg));

	PUT(nlh);
	nlh->nlmsg_flags &= ~NLM_F_ACK;
	((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_family = (unsigned char)family;
	return (int)nlh->nlmsg_len;
}

int rtnl_build_addr_add(void *buf, size_t size, int ifindex, const struct cbx_prefix *addr)
{
	struct nlmsghdr *nlh = nl_put_request(buf, size, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
					      sizeof(struct ifaddrmsg));
	unsigned alen = cbx_ip_bytes(addr->ip.family);
	struct ifaddrmsg *ifa;

	PUT(nlh);
	ifa = mnl_nlmsg_get_payload(nlh);
	ifa->ifa_family = addr->ip.family;
	ifa->ifa_prefixlen = addr->len;
	ifa->ifa_index = (uint32_t)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	if (addr->ip.family == AF_INET && addr->ip.bytes[0] == 127)
		ifa->ifa_scope = RT_SCOPE_HOST;
	PUT(mnl_attr_put_check(nlh, size, IFA_LOCAL, alen, addr->ip.bytes));
	PUT(mnl_attr_put_check(nlh, size, IFA_ADDRESS, alen, addr->ip.bytes));
	if (addr->ip.family == AF_INET && addr->len < 31) {
		/* As `ip addr add` does: the subnet's broadcast address. */
		uint8_t brd[4];
		memcpy(brd, addr->ip.bytes, 4);
		for (unsigned bit = addr->len; bit < 32; bit++)
			brd[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
		PUT(mnl_attr_put_check(nlh, size, IFA_BROADCAST, 4, brd));
	}
	if (addr->ip.family == AF_INET6)
		PUT(mnl_attr_put_u32_check(nlh, size, IFA_FLAGS, IFA_F_NODAD));
	return (int)nlh->nlmsg_len;
}

int rtnl_build_route_add(void *buf, size_t size, const struct rtnl_route_spec *r)
{
	struct nlmsghdr *nlh = nl_put_request(buf, size, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
					      sizeof(struct rtmsg));
	int family = r->dst.ip.family ? r->dst.ip.family : r->via.family;
	struct rtmsg *rtm;

	PUT(nlh);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = r->dst.len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = r->via.family ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (r->dst.len)
		PUT(mnl_attr_put_check(nlh, size, RTA_DST, cbx_ip_bytes(family), r->dst.ip.bytes));
	if (r->via.family)
		PUT(mnl_attr_put_check(nlh, size, RTA_GATEWAY, cbx_ip_bytes(family), r->via.bytes));
	if (r->oif)
		PUT(mnl_attr_put_u32_check(nlh, size, RTA_OIF, (uint32_t)r->oif));
	if (r->metric)
		PUT(mnl_attr_put_u32_check(nlh, size, RTA_PRIORITY, r->metric));
	return (int)nlh->nlmsg_len;
}
