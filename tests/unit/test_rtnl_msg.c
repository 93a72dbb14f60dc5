/* rtnetlink builders: build each message, parse it back with libmnl, and
 * compare every attribute with what the spec asked for. No root needed. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/neighbour.h>
#include <linux/veth.h>
#include <string.h>

#include "attrs.h"
#include "netlink/rtnl_msg.h"
#include "tap.h"

static void parse_nested(const struct nlattr *nest, struct attrs *out)
{
	memset(out, 0, sizeof(*out));
	mnl_attr_parse_nested(nest, collect, out);
}

static void test_veth(void)
{
	char buf[4096];
	uint8_t mac[6] = { 2, 1, 2, 3, 4, 5 }, pmac[6] = { 2, 9, 8, 7, 6, 5 };
	struct rtnl_link_spec end = RTNL_LINK_SPEC_INIT, peer = RTNL_LINK_SPEC_INIT;
	struct attrs top = { 0 }, info, data, peerattrs;
	const struct ifinfomsg *ifi, *pifi;
	const struct nlattr *peer_nest;
	struct nlmsghdr *nlh;
	int len;

	end.name = "eth1";
	end.ifindex = 33;
	end.netns_fd = 7;
	end.mac = mac;
	end.mtu = 1400;
	end.up = 1;
	peer.name = "lab-12";
	peer.mac = pmac;
	peer.netns_fd = 9;
	peer.up = 1;
	len = rtnl_build_veth_create(buf, sizeof(buf), &end, &peer);
	ok(len > 0, "veth: builds");
	nlh = (struct nlmsghdr *)buf;
	is_int(nlh->nlmsg_len, len, "veth: length returned is the message length");
	is_int(nlh->nlmsg_type, RTM_NEWLINK, "veth: RTM_NEWLINK");
	ok((nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK | NLM_F_REQUEST)) ==
		   (NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK | NLM_F_REQUEST),
	   "veth: create, exclusive, acked request");
	ifi = mnl_nlmsg_get_payload(nlh);
	is_int(ifi->ifi_index, 33, "veth: primary asks for its ifindex");
	ok(ifi->ifi_flags == IFF_UP && ifi->ifi_change == IFF_UP, "veth: primary comes up");
	mnl_attr_parse(nlh, sizeof(*ifi), collect, &top);
	is_str(mnl_attr_get_str(top.a[IFLA_IFNAME]), "eth1", "veth: primary name");
	is_int(mnl_attr_get_u32(top.a[IFLA_NET_NS_FD]), 7, "veth: primary netns fd");
	is_int(mnl_attr_get_u32(top.a[IFLA_MTU]), 1400, "veth: mtu");
	ok(top.a[IFLA_NUM_TX_QUEUES] && mnl_attr_get_u32(top.a[IFLA_NUM_TX_QUEUES]) == 1 &&
		   top.a[IFLA_NUM_RX_QUEUES] && mnl_attr_get_u32(top.a[IFLA_NUM_RX_QUEUES]) == 1,
	   "veth: primary asks for one TX and one RX queue");
	ok(top.a[IFLA_ADDRESS] && !memcmp(mnl_attr_get_payload(top.a[IFLA_ADDRESS]), mac, 6),
	   "veth: primary mac");
	ok(top.a[IFLA_LINKINFO] && (mnl_attr_get_type(top.a[IFLA_LINKINFO]) == IFLA_LINKINFO),
	   "veth: has linkinfo");
	ok(top.a[IFLA_LINKINFO]->nla_type & NLA_F_NESTED, "veth: linkinfo is marked nested");
	parse_nested(top.a[IFLA_LINKINFO], &info);
	is_str(mnl_attr_get_str(info.a[IFLA_INFO_KIND]), "veth", "veth: kind");
	parse_nested(info.a[IFLA_INFO_DATA], &data);
	peer_nest = data.a[VETH_INFO_PEER];
	ok(peer_nest != NULL, "veth: has peer");
	/* The peer nest begins with a raw ifinfomsg, then attributes. */
	pifi = mnl_attr_get_payload(peer_nest);
	is_int(pifi->ifi_flags, IFF_UP, "veth: peer comes up");
	memset(&peerattrs, 0, sizeof(peerattrs));
	mnl_attr_parse_payload((const char *)pifi + MNL_ALIGN(sizeof(*pifi)),
			       mnl_attr_get_payload_len(peer_nest) - MNL_ALIGN(sizeof(*pifi)),
			       collect, &peerattrs);
	is_str(mnl_attr_get_str(peerattrs.a[IFLA_IFNAME]), "lab-12", "veth: peer name");
	is_int(mnl_attr_get_u32(peerattrs.a[IFLA_NET_NS_FD]), 9, "veth: peer netns fd");
	ok(peerattrs.a[IFLA_ADDRESS] &&
		   !memcmp(mnl_attr_get_payload(peerattrs.a[IFLA_ADDRESS]), pmac, 6),
	   "veth: peer mac");
	ok(peerattrs.a[IFLA_MTU] == NULL, "veth: peer mtu left to the kernel when unset");
	ok(peerattrs.a[IFLA_NUM_TX_QUEUES] &&
		   mnl_attr_get_u32(peerattrs.a[IFLA_NUM_TX_QUEUES]) == 1 &&
		   peerattrs.a[IFLA_NUM_RX_QUEUES] &&
		   mnl_attr_get_u32(peerattrs.a[IFLA_NUM_RX_QUEUES]) == 1,
	   "veth: and so does the peer");

	is_int(rtnl_build_veth_create(buf, 40, &end, &peer), -ENOSPC, "veth: overflow is -ENOSPC");
}

static void test_bridge(void)
{
	char buf[1024];
	struct rtnl_link_spec br = RTNL_LINK_SPEC_INIT;
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct attrs top = { 0 }, info, data;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	br.name = "lan-b0";
	br.mac = mac;
	br.up = 1;
	ok(rtnl_build_bridge_create(buf, sizeof(buf), &br) > 0, "bridge: builds");
	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), collect, &top);
	is_str(mnl_attr_get_str(top.a[IFLA_IFNAME]), "lan-b0", "bridge: name");
	ok(top.a[IFLA_NET_NS_FD] == NULL, "bridge: no netns attribute when netns_fd is -1");
	parse_nested(top.a[IFLA_LINKINFO], &info);
	is_str(mnl_attr_get_str(info.a[IFLA_INFO_KIND]), "bridge", "bridge: kind");
	parse_nested(info.a[IFLA_INFO_DATA], &data);
	is_int(mnl_attr_get_u32(data.a[IFLA_BR_STP_STATE]), 0, "bridge: stp off");
	ok(data.a[IFLA_BR_MCAST_SNOOPING] != NULL, "bridge: says whether it snoops multicast");
	if (data.a[IFLA_BR_MCAST_SNOOPING])
		is_int(mnl_attr_get_u8(data.a[IFLA_BR_MCAST_SNOOPING]), 0,
		       "bridge: multicast snooping off (it floods, as a hub)");
}

/* A kind of link is a name and what its data holds: one without data (as a
 * dummy device is) builds a request that names it and carries no
 * IFLA_INFO_DATA; the common attributes are the kind's to ignore. */
static void test_link_kind(void)
{
	static const struct rtnl_link_kind dummy = { .name = "dummy" };
	char buf[1024];
	struct rtnl_link_spec l = RTNL_LINK_SPEC_INIT;
	struct attrs top = { 0 }, info = { 0 };
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	l.name = "cbxt-d0";
	l.mtu = 1400;
	ok(rtnl_build_link_create(buf, sizeof(buf), &dummy, &l, NULL) > 0,
	   "a kind without data builds");
	ok(nlh->nlmsg_type == RTM_NEWLINK && (nlh->nlmsg_flags & NLM_F_CREATE) &&
		   (nlh->nlmsg_flags & NLM_F_EXCL),
	   "kind: a create request");
	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), collect, &top);
	is_int(mnl_attr_get_u32(top.a[IFLA_MTU]), 1400, "kind: the common attributes");
	ok(top.a[IFLA_NUM_TX_QUEUES] == NULL, "kind: queues only for a kind that asks");
	parse_nested(top.a[IFLA_LINKINFO], &info);
	is_str(mnl_attr_get_str(info.a[IFLA_INFO_KIND]), "dummy",
	       "kind: IFLA_INFO_KIND is its name");
	ok(info.a[IFLA_INFO_DATA] == NULL, "kind: no IFLA_INFO_DATA without put_data");
	is_int(rtnl_build_link_create(buf, 40, &rtnl_link_bridge, &l, NULL), -ENOSPC,
	       "kind: overflow is -ENOSPC");
}

static void test_link_change_and_delete(void)
{
	char buf[1024];
	struct rtnl_link_spec l = RTNL_LINK_SPEC_INIT;
	struct attrs top = { 0 };
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	const struct ifinfomsg *ifi;

	l.name = "lan-3";
	l.master = 12;
	l.alias = "cboxlab lan/h1/eth0";
	l.up = 0;
	ok(rtnl_build_link_change(buf, sizeof(buf), &l) > 0, "change: builds");
	ok(!(nlh->nlmsg_flags & NLM_F_CREATE), "change: does not create");
	ifi = mnl_nlmsg_get_payload(nlh);
	ok(ifi->ifi_change == IFF_UP && ifi->ifi_flags == 0, "change: takes the link down");
	mnl_attr_parse(nlh, sizeof(*ifi), collect, &top);
	is_int(mnl_attr_get_u32(top.a[IFLA_MASTER]), 12, "change: master");
	/* Like iproute2, the alias goes without its NUL. */
	ok(mnl_attr_get_payload_len(top.a[IFLA_IFALIAS]) == strlen("cboxlab lan/h1/eth0") &&
		   !memcmp(mnl_attr_get_payload(top.a[IFLA_IFALIAS]), "cboxlab lan/h1/eth0",
			   strlen("cboxlab lan/h1/eth0")),
	   "change: alias");

	l = (struct rtnl_link_spec)RTNL_LINK_SPEC_INIT;
	l.ifindex = 5;
	l.master = -1;
	memset(&top, 0, sizeof(top));
	ok(rtnl_build_link_change(buf, sizeof(buf), &l) > 0, "release: builds");
	mnl_attr_parse(nlh, sizeof(*ifi), collect, &top);
	is_int(mnl_attr_get_u32(top.a[IFLA_MASTER]), 0, "release: master 0");
	ok(((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_change == 0,
	   "release: flags untouched when up is -1");

	memset(&top, 0, sizeof(top));
	ok(rtnl_build_link_delete(buf, sizeof(buf), 0, "lan-b0") > 0, "delete by name: builds");
	is_int(nlh->nlmsg_type, RTM_DELLINK, "delete: RTM_DELLINK");
	mnl_attr_parse(nlh, sizeof(*ifi), collect, &top);
	is_str(mnl_attr_get_str(top.a[IFLA_IFNAME]), "lan-b0", "delete: by name");
	memset(&top, 0, sizeof(top));
	rtnl_build_link_delete(buf, sizeof(buf), 42, NULL);
	ifi = mnl_nlmsg_get_payload(nlh);
	is_int(ifi->ifi_index, 42, "delete: by index");
	mnl_attr_parse(nlh, sizeof(*ifi), collect, &top);
	ok(top.a[IFLA_IFNAME] == NULL, "delete by index: no name");

	memset(&top, 0, sizeof(top));
	ok(rtnl_build_link_delete_group(buf, sizeof(buf), 0xc0ffee) > 0, "delete a group: builds");
	is_int(nlh->nlmsg_type, RTM_DELLINK, "delete a group: RTM_DELLINK");
	is_int(((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index, 0,
	       "delete a group: no index");
	mnl_attr_parse(nlh, sizeof(*ifi), collect, &top);
	ok(top.a[IFLA_IFNAME] == NULL && top.a[IFLA_GROUP] != NULL,
	   "delete a group: by group, not by name");
	is_int(top.a[IFLA_GROUP] ? mnl_attr_get_u32(top.a[IFLA_GROUP]) : 0, 0xc0ffee,
	       "delete a group: the group");

	memset(&top, 0, sizeof(top));
	ok(rtnl_build_link_get_brief(buf, sizeof(buf), 12) > 0, "get a link briefly: builds");
	is_int(nlh->nlmsg_type, RTM_GETLINK, "get a link briefly: RTM_GETLINK");
	ok(!(nlh->nlmsg_flags & NLM_F_DUMP), "get a link briefly: one link, not a dump");
	is_int(((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index, 12,
	       "get a link briefly: by index");
	mnl_attr_parse(nlh, sizeof(*ifi), collect, &top);
	is_int(top.a[IFLA_EXT_MASK] ? mnl_attr_get_u32(top.a[IFLA_EXT_MASK]) : 0,
	       RTEXT_FILTER_SKIP_STATS, "get a link briefly: without its statistics");
}

static void test_netns_pid_and_addr_gen(void)
{
	char buf[1024];
	struct rtnl_link_spec l = RTNL_LINK_SPEC_INIT;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct attrs top = { 0 }, spec, inet6;

	l.ifindex = 7;
	l.netns_pid = 4242;
	l.addr_gen_mode = IN6_ADDR_GEN_MODE_NONE;
	ok(rtnl_build_link_change(buf, sizeof(buf), &l) > 0, "addr gen mode: builds");
	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), collect, &top);
	is_int(mnl_attr_get_u32(top.a[IFLA_NET_NS_PID]), 4242, "netns by pid");
	ok(top.a[IFLA_NET_NS_FD] == NULL, "no netns fd with a pid");
	ok(top.a[IFLA_AF_SPEC] && (top.a[IFLA_AF_SPEC]->nla_type & NLA_F_NESTED), "af spec nest");
	parse_nested(top.a[IFLA_AF_SPEC], &spec);
	ok(spec.a[AF_INET6] != NULL, "AF_INET6 inside");
	parse_nested(spec.a[AF_INET6], &inet6);
	is_int(mnl_attr_get_u8(inet6.a[IFLA_INET6_ADDR_GEN_MODE]), IN6_ADDR_GEN_MODE_NONE,
	       "address generation: none");

	memset(&top, 0, sizeof(top));
	l = (struct rtnl_link_spec)RTNL_LINK_SPEC_INIT;
	l.ifindex = 7;
	rtnl_build_link_change(buf, sizeof(buf), &l);
	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), collect, &top);
	ok(top.a[IFLA_AF_SPEC] == NULL && top.a[IFLA_NET_NS_PID] == NULL, "neither by default");
}

static void test_addr(void)
{
	char buf[1024];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct attrs top = { 0 };
	const struct ifaddrmsg *ifa;
	struct cbx_prefix p;
	uint8_t brd[4];

	cbx_prefix_parse("10.1.2.3/24", true, &p);
	ok(rtnl_build_addr_add(buf, sizeof(buf), 4, &p) > 0, "addr4: builds");
	is_int(nlh->nlmsg_type, RTM_NEWADDR, "addr4: RTM_NEWADDR");
	ifa = mnl_nlmsg_get_payload(nlh);
	ok(ifa->ifa_family == AF_INET && ifa->ifa_prefixlen == 24 && ifa->ifa_index == 4,
	   "addr4: family, prefix, index");
	is_int(ifa->ifa_scope, RT_SCOPE_UNIVERSE, "addr4: universe scope");
	mnl_attr_parse(nlh, sizeof(*ifa), collect, &top);
	ok(!memcmp(mnl_attr_get_payload(top.a[IFA_LOCAL]), p.ip.bytes, 4), "addr4: local");
	ok(!memcmp(mnl_attr_get_payload(top.a[IFA_ADDRESS]), p.ip.bytes, 4), "addr4: address");
	inet_pton(AF_INET, "10.1.2.255", brd);
	ok(top.a[IFA_BROADCAST] && !memcmp(mnl_attr_get_payload(top.a[IFA_BROADCAST]), brd, 4),
	   "addr4: broadcast of the subnet");

	memset(&top, 0, sizeof(top));
	cbx_prefix_parse("fd00::5/64", true, &p);
	rtnl_build_addr_add(buf, sizeof(buf), 9, &p);
	ifa = mnl_nlmsg_get_payload(nlh);
	ok(ifa->ifa_family == AF_INET6 && ifa->ifa_prefixlen == 64, "addr6: family and prefix");
	mnl_attr_parse(nlh, sizeof(*ifa), collect, &top);
	is_int(mnl_attr_get_payload_len(top.a[IFA_ADDRESS]), 16, "addr6: 16-byte address");
	is_int(mnl_attr_get_u32(top.a[IFA_FLAGS]), IFA_F_NODAD, "addr6: no DAD");
	ok(top.a[IFA_BROADCAST] == NULL, "addr6: no broadcast");

	cbx_prefix_parse("127.0.0.2/8", true, &p);
	rtnl_build_addr_add(buf, sizeof(buf), 1, &p);
	is_int(((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_scope, RT_SCOPE_HOST,
	       "addr: loopback addresses get host scope");
}

static void test_route(void)
{
	char buf[1024];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct rtnl_route_spec r = { 0 };
	struct attrs top = { 0 };
	const struct rtmsg *rtm;

	cbx_ip_parse("10.0.0.1", &r.via);
	ok(rtnl_build_route_add(buf, sizeof(buf), &r) > 0, "default route: builds");
	rtm = mnl_nlmsg_get_payload(nlh);
	ok(rtm->rtm_family == AF_INET && rtm->rtm_dst_len == 0, "default route: inet, /0");
	ok(rtm->rtm_table == RT_TABLE_MAIN && rtm->rtm_protocol == RTPROT_STATIC &&
		   rtm->rtm_type == RTN_UNICAST && rtm->rtm_scope == RT_SCOPE_UNIVERSE,
	   "default route: main table, static, unicast, universe");
	mnl_attr_parse(nlh, sizeof(*rtm), collect, &top);
	ok(top.a[RTA_DST] == NULL, "default route: no RTA_DST");
	ok(!memcmp(mnl_attr_get_payload(top.a[RTA_GATEWAY]), r.via.bytes, 4), "route: gateway");

	memset(&r, 0, sizeof(r));
	memset(&top, 0, sizeof(top));
	cbx_prefix_parse("10.9.0.0/16", true, &r.dst);
	r.oif = 3;
	r.metric = 20;
	rtnl_build_route_add(buf, sizeof(buf), &r);
	rtm = mnl_nlmsg_get_payload(nlh);
	is_int(rtm->rtm_scope, RT_SCOPE_LINK, "on-link route: link scope");
	mnl_attr_parse(nlh, sizeof(*rtm), collect, &top);
	ok(!memcmp(mnl_attr_get_payload(top.a[RTA_DST]), r.dst.ip.bytes, 4) &&
		   rtm->rtm_dst_len == 16,
	   "on-link route: destination");
	is_int(mnl_attr_get_u32(top.a[RTA_OIF]), 3, "on-link route: oif");
	is_int(mnl_attr_get_u32(top.a[RTA_PRIORITY]), 20, "route: metric");
	ok(top.a[RTA_GATEWAY] == NULL, "on-link route: no gateway");
}

/* What the host has, read before a lab adds its own (lab/host_check.c). */
static void test_dumps(void)
{
	char buf[256];
	const struct nlmsghdr *nlh = (const void *)buf;
	int len = rtnl_build_route_dump(buf, sizeof(buf), AF_INET6);

	ok(len > 0 && (size_t)len == nlh->nlmsg_len, "route dump: length");
	is_int(nlh->nlmsg_type, RTM_GETROUTE, "route dump: type");
	is_int(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP, "route dump: a dump, no ACK asked");
	is_int(((const struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_family, AF_INET6,
	       "route dump: family");
	len = rtnl_build_addr_dump(buf, sizeof(buf), AF_UNSPEC);
	ok(len > 0 && (size_t)len == nlh->nlmsg_len, "address dump: length");
	is_int(nlh->nlmsg_type, RTM_GETADDR, "address dump: type");
	is_int(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP, "address dump: a dump");
	is_int(((const struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_family, AF_UNSPEC,
	       "address dump: every family");
	is_int(rtnl_build_route_dump(buf, 16, AF_INET), -ENOSPC, "route dump: too small a buffer");
}

/* Which way the host reaches another host of a lab (lab/host_underlay.c). */
static void test_route_get(void)
{
	char buf[256] = { 0 };
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct attrs top = { 0 };
	struct cbx_ip dst;
	int len;

	cbx_ip_parse("192.0.2.2", &dst);
	len = rtnl_build_route_get(buf, sizeof(buf), &dst, 0);
	ok(len > 0 && (size_t)len == nlh->nlmsg_len, "route get: length");
	is_int(nlh->nlmsg_type, RTM_GETROUTE, "route get: type");
	is_int(nlh->nlmsg_flags, NLM_F_REQUEST, "route get: one answer, not a dump");
	is_int(rtm->rtm_family, AF_INET, "route get: family");
	is_int(rtm->rtm_dst_len, 32, "route get: a host's address");
	mnl_attr_parse(nlh, sizeof(*rtm), collect, &top);
	ok(top.a[RTA_DST] && mnl_attr_get_payload_len(top.a[RTA_DST]) == 4 &&
		   !memcmp(mnl_attr_get_payload(top.a[RTA_DST]), dst.bytes, 4),
	   "route get: the destination");
	ok(!top.a[RTA_OIF], "route get: any device, unless one is given");

	memset(&top, 0, sizeof(top));
	cbx_ip_parse("2001:db8::2", &dst);
	len = rtnl_build_route_get(buf, sizeof(buf), &dst, 7);
	is_int(rtm->rtm_family, AF_INET6, "route get, IPv6: family");
	is_int(rtm->rtm_dst_len, 128, "route get, IPv6: a host's address");
	mnl_attr_parse(nlh, sizeof(*rtm), collect, &top);
	ok(top.a[RTA_DST] && mnl_attr_get_payload_len(top.a[RTA_DST]) == 16 &&
		   !memcmp(mnl_attr_get_payload(top.a[RTA_DST]), dst.bytes, 16),
	   "route get, IPv6: the destination");
	is_int(top.a[RTA_OIF] ? mnl_attr_get_u32(top.a[RTA_OIF]) : 0, 7,
	       "route get: through the device given");
	is_int(rtnl_build_route_get(buf, 20, &dst, 7), -ENOSPC, "route get: too small a buffer");
}

/* A tunnel's end: VNI, port (network order), learning off, local and
 * remote addresses of the family given, the underlay device when set. */
static void test_vxlan(void)
{
	char buf[1024];
	struct rtnl_link_spec l = RTNL_LINK_SPEC_INIT;
	struct rtnl_vxlan_spec vx = { .vni = 0xabcdef, .port = 4789, .link = 5 };
	uint8_t mac[6] = { 2, 1, 1, 1, 1, 1 };
	struct attrs top = { 0 }, info, data;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	const struct ifinfomsg *ifi;

	l.name = "eth1";
	l.ifindex = 33;
	l.netns_pid = 4242;
	l.mac = mac;
	l.mtu = 1450;
	ok(cbx_ip_parse("192.0.2.1", &vx.local) && cbx_ip_parse("192.0.2.2", &vx.remote),
	   "vxlan: addresses");
	ok(rtnl_build_vxlan_create(buf, sizeof(buf), &l, &vx) > 0, "vxlan: builds");
	ok(nlh->nlmsg_type == RTM_NEWLINK && (nlh->nlmsg_flags & NLM_F_CREATE) &&
		   (nlh->nlmsg_flags & NLM_F_EXCL),
	   "vxlan: an exclusive create");
	ifi = mnl_nlmsg_get_payload(nlh);
	is_int(ifi->ifi_index, 33, "vxlan: its fixed ifindex");
	mnl_attr_parse(nlh, sizeof(*ifi), collect, &top);
	is_str(mnl_attr_get_str(top.a[IFLA_IFNAME]), "eth1", "vxlan: name");
	is_int(mnl_attr_get_u32(top.a[IFLA_NET_NS_PID]), 4242, "vxlan: made in the node's netns");
	is_int(mnl_attr_get_u32(top.a[IFLA_MTU]), 1450, "vxlan: mtu");
	ok(top.a[IFLA_ADDRESS] && !memcmp(mnl_attr_get_payload(top.a[IFLA_ADDRESS]), mac, 6),
	   "vxlan: mac");
	parse_nested(top.a[IFLA_LINKINFO], &info);
	is_str(mnl_attr_get_str(info.a[IFLA_INFO_KIND]), "vxlan", "vxlan: kind");
	parse_nested(info.a[IFLA_INFO_DATA], &data);
	ok(data.a[IFLA_VXLAN_ID] && mnl_attr_get_u32(data.a[IFLA_VXLAN_ID]) == 0xabcdef,
	   "vxlan: VNI");
	ok(data.a[IFLA_VXLAN_PORT] && mnl_attr_get_u16(data.a[IFLA_VXLAN_PORT]) == htons(4789),
	   "vxlan: port, in network order");
	ok(data.a[IFLA_VXLAN_LEARNING] && mnl_attr_get_u8(data.a[IFLA_VXLAN_LEARNING]) == 0,
	   "vxlan: learning off");
	ok(data.a[IFLA_VXLAN_LOCAL] && mnl_attr_get_payload_len(data.a[IFLA_VXLAN_LOCAL]) == 4 &&
		   !memcmp(mnl_attr_get_payload(data.a[IFLA_VXLAN_LOCAL]), vx.local.bytes, 4),
	   "vxlan: local address");
	ok(data.a[IFLA_VXLAN_GROUP] && mnl_attr_get_payload_len(data.a[IFLA_VXLAN_GROUP]) == 4 &&
		   !memcmp(mnl_attr_get_payload(data.a[IFLA_VXLAN_GROUP]), vx.remote.bytes, 4),
	   "vxlan: the one remote");
	ok(data.a[IFLA_VXLAN_LINK] && mnl_attr_get_u32(data.a[IFLA_VXLAN_LINK]) == 5,
	   "vxlan: underlay device");

	/* A network's end: no remote (FDB entries instead), IPv6, no device. */
	vx.remote.family = 0;
	vx.link = 0;
	vx.learning = true;
	ok(cbx_ip_parse("2001:db8::1", &vx.local), "vxlan6: address");
	ok(rtnl_build_vxlan_create(buf, sizeof(buf), &l, &vx) > 0, "vxlan6: builds");
	memset(&top, 0, sizeof(top));
	mnl_attr_parse(nlh, sizeof(*ifi), collect, &top);
	parse_nested(top.a[IFLA_LINKINFO], &info);
	parse_nested(info.a[IFLA_INFO_DATA], &data);
	ok(data.a[IFLA_VXLAN_LOCAL6] && !data.a[IFLA_VXLAN_LOCAL] &&
		   mnl_attr_get_payload_len(data.a[IFLA_VXLAN_LOCAL6]) == 16 &&
		   !memcmp(mnl_attr_get_payload(data.a[IFLA_VXLAN_LOCAL6]), vx.local.bytes, 16),
	   "vxlan6: local address as LOCAL6");
	ok(!data.a[IFLA_VXLAN_GROUP] && !data.a[IFLA_VXLAN_GROUP6],
	   "vxlan: no remote when none is given");
	ok(!data.a[IFLA_VXLAN_LINK], "vxlan: no underlay device when none is given");
	ok(mnl_attr_get_u8(data.a[IFLA_VXLAN_LEARNING]) == 1, "vxlan: learning when asked");
	is_int(rtnl_build_vxlan_create(buf, 80, &l, &vx), -ENOSPC, "vxlan: overflow is -ENOSPC");
}

/* `bridge fdb append 00:00:00:00:00:00 dev VX dst IP`, as the kernel's
 * vxlan_fdb_add reads it. */
static void test_fdb(void)
{
	char buf[256];
	const struct nlmsghdr *nlh = (const void *)buf;
	const uint8_t zero[6] = { 0 };
	const struct ndmsg *ndm;
	struct attrs top = { 0 };
	struct cbx_ip dst;
	int len;

	ok(cbx_ip_parse("192.0.2.2", &dst), "fdb: address");
	len = rtnl_build_fdb_append(buf, sizeof(buf), 17, zero, &dst);
	ok(len > 0 && (size_t)len == nlh->nlmsg_len, "fdb: builds");
	is_int(nlh->nlmsg_type, RTM_NEWNEIGH, "fdb: RTM_NEWNEIGH");
	ok((nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_APPEND)) == (NLM_F_CREATE | NLM_F_APPEND) &&
		   !(nlh->nlmsg_flags & (NLM_F_EXCL | NLM_F_REPLACE)),
	   "fdb: create and append (one entry per far host), not replace");
	ndm = mnl_nlmsg_get_payload(nlh);
	is_int(ndm->ndm_family, AF_BRIDGE, "fdb: AF_BRIDGE");
	is_int(ndm->ndm_ifindex, 17, "fdb: the vxlan device");
	ok(ndm->ndm_flags == NTF_SELF, "fdb: the device's own table (NTF_SELF)");
	ok(ndm->ndm_state & NUD_PERMANENT, "fdb: permanent");
	mnl_attr_parse(nlh, sizeof(*ndm), collect, &top);
	ok(top.a[NDA_LLADDR] && mnl_attr_get_payload_len(top.a[NDA_LLADDR]) == 6 &&
		   !memcmp(mnl_attr_get_payload(top.a[NDA_LLADDR]), zero, 6),
	   "fdb: the all-zeros MAC");
	ok(top.a[NDA_DST] && mnl_attr_get_payload_len(top.a[NDA_DST]) == 4 &&
		   !memcmp(mnl_attr_get_payload(top.a[NDA_DST]), dst.bytes, 4),
	   "fdb: the far host");
	ok(cbx_ip_parse("2001:db8::2", &dst) &&
		   rtnl_build_fdb_append(buf, sizeof(buf), 17, zero, &dst) > 0,
	   "fdb6: builds");
	memset(&top, 0, sizeof(top));
	mnl_attr_parse(nlh, sizeof(*ndm), collect, &top);
	ok(top.a[NDA_DST] && mnl_attr_get_payload_len(top.a[NDA_DST]) == 16,
	   "fdb6: a 16-byte far address");
	is_int(rtnl_build_fdb_append(buf, 40, 17, zero, &dst), -ENOSPC, "fdb: overflow is -ENOSPC");
}

/* VLANs: a VLAN device on its trunk, a bridge's filtering, a port's
 * membership. */
static void test_vlans(void)
{
	char buf[1024] = { 0 };
	struct rtnl_link_spec sub = RTNL_LINK_SPEC_INIT;
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 7 };
	struct attrs top = { 0 }, info, data, spec;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const uint16_t vids[] = { 10, 20, 4094 };
	const struct nlattr *attr;
	unsigned seen = 0;
	bool all_right = true;

	sub.name = "eth0.10";
	sub.ifindex = 1002;
	sub.link = 1000;
	sub.mac = mac;
	ok(rtnl_build_vlan_create(buf, sizeof(buf), &sub, 10) > 0, "vlan device: builds");
	ok(nlh->nlmsg_type == RTM_NEWLINK && (nlh->nlmsg_flags & NLM_F_CREATE) &&
		   (nlh->nlmsg_flags & NLM_F_EXCL),
	   "vlan device: an exclusive create");
	is_int(ifi->ifi_index, 1002, "vlan device: its fixed ifindex");
	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), collect, &top);
	is_str(mnl_attr_get_str(top.a[IFLA_IFNAME]), "eth0.10", "vlan device: name");
	ok(top.a[IFLA_LINK] && mnl_attr_get_u32(top.a[IFLA_LINK]) == 1000,
	   "vlan device: on its trunk (IFLA_LINK)");
	ok(top.a[IFLA_ADDRESS] && !memcmp(mnl_attr_get_payload(top.a[IFLA_ADDRESS]), mac, 6),
	   "vlan device: its MAC");
	parse_nested(top.a[IFLA_LINKINFO], &info);
	is_str(mnl_attr_get_str(info.a[IFLA_INFO_KIND]), "vlan", "vlan device: kind vlan");
	parse_nested(info.a[IFLA_INFO_DATA], &data);
	ok(data.a[IFLA_VLAN_ID] && mnl_attr_get_u16(data.a[IFLA_VLAN_ID]) == 10,
	   "vlan device: IFLA_VLAN_ID 10");

	ok(rtnl_build_bridge_vlan_filtering(buf, sizeof(buf), 55) > 0, "vlan filtering: builds");
	ok(nlh->nlmsg_type == RTM_NEWLINK && !(nlh->nlmsg_flags & NLM_F_CREATE) &&
		   ifi->ifi_index == 55,
	   "vlan filtering: a change of bridge 55");
	memset(&top, 0, sizeof(top));
	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), collect, &top);
	parse_nested(top.a[IFLA_LINKINFO], &info);
	is_str(mnl_attr_get_str(info.a[IFLA_INFO_KIND]), "bridge", "vlan filtering: of a bridge");
	parse_nested(info.a[IFLA_INFO_DATA], &data);
	ok(data.a[IFLA_BR_VLAN_FILTERING] && mnl_attr_get_u8(data.a[IFLA_BR_VLAN_FILTERING]) == 1,
	   "vlan filtering: IFLA_BR_VLAN_FILTERING 1");

	ok(rtnl_build_bridge_vlans(buf, sizeof(buf), true, 77, vids, 3, 0) > 0,
	   "port vlans: builds");
	ok(nlh->nlmsg_type == RTM_SETLINK && ifi->ifi_family == AF_BRIDGE && ifi->ifi_index == 77,
	   "port vlans: RTM_SETLINK, AF_BRIDGE, port 77");
	memset(&top, 0, sizeof(top));
	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), collect, &top);
	ok(top.a[IFLA_AF_SPEC] != NULL, "port vlans: in IFLA_AF_SPEC");
	mnl_attr_for_each_nested(attr, top.a[IFLA_AF_SPEC])
	{
		const struct bridge_vlan_info *v = mnl_attr_get_payload(attr);
		all_right &= mnl_attr_get_type(attr) == IFLA_BRIDGE_VLAN_INFO &&
			     mnl_attr_get_payload_len(attr) == sizeof(*v) && seen < 3 &&
			     v->vid == vids[seen] && v->flags == 0;
		seen++;
	}
	ok(all_right && seen == 3,
	   "port vlans: one tagged IFLA_BRIDGE_VLAN_INFO per VLAN, in order");

	ok(rtnl_build_bridge_vlans(buf, sizeof(buf), true, 77, vids, 1,
				   BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED) > 0,
	   "access port: builds");
	memset(&spec, 0, sizeof(spec));
	memset(&top, 0, sizeof(top));
	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), collect, &top);
	parse_nested(top.a[IFLA_AF_SPEC], &spec);
	ok(spec.a[IFLA_BRIDGE_VLAN_INFO] &&
		   ((const struct bridge_vlan_info *)mnl_attr_get_payload(
			    spec.a[IFLA_BRIDGE_VLAN_INFO]))
				   ->flags == (BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED),
	   "access port: PVID, untagged");
	ok(rtnl_build_bridge_vlans(buf, sizeof(buf), false, 77, vids, 1, 0) > 0 &&
		   nlh->nlmsg_type == RTM_DELLINK && ifi->ifi_family == AF_BRIDGE,
	   "port vlans: a removal is RTM_DELLINK, AF_BRIDGE");
	is_int(rtnl_build_bridge_vlans(buf, 40, true, 77, vids, 3, 0), -ENOSPC,
	       "port vlans: -ENOSPC when they do not fit");
}

int main(void)
{
	test_vxlan();
	test_fdb();
	test_vlans();
	test_dumps();
	test_route_get();
	test_veth();
	test_bridge();
	test_link_kind();
	test_link_change_and_delete();
	test_netns_pid_and_addr_gen();
	test_addr();
	test_route();
	return tap_done();
}
