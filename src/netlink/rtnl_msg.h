/* rtnetlink request builders: pure functions that write one message into a
 * caller's buffer and return its length, or -ENOSPC when it does not fit.
 * They set NLM_F_REQUEST|NLM_F_ACK; the transport assigns sequence numbers.
 * Each is unit-tested by parsing the message back (tests/unit/test_rtnl_msg.c).
 */
#ifndef CBX_RTNL_MSG_H
#define CBX_RTNL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ipaddr.h"

struct nlmsghdr;

/* One network device as a request describes it. Zero/NULL/-1 fields are left
 * out of the message, so the same spec serves create and change. */
struct rtnl_link_spec {
	const char *name; /* IFLA_IFNAME */
	int ifindex;      /* ifi_index: the device to change, or the index to create with */
	int netns_fd;     /* IFLA_NET_NS_FD; -1 for the socket's own netns */
	int netns_pid;    /* IFLA_NET_NS_PID: the netns of this process; 0 none */
	/* IFLA_AF_SPEC/AF_INET6 address generation: -1 leave alone, else an
	 * IN6_ADDR_GEN_MODE_* (NONE: no link-local address, hence none of the
	 * multicast (DAD, MLD, router solicitations) it brings). */
	int addr_gen_mode;
	const uint8_t *mac; /* IFLA_ADDRESS (6 bytes) */
	uint32_t mtu;       /* IFLA_MTU */
	const char *alias;  /* IFLA_IFALIAS */
	int master;         /* IFLA_MASTER: bridge ifindex; 0 none; -1 release */
	uint32_t group;     /* IFLA_GROUP; 0 none */
	int link;           /* IFLA_LINK: the lower device (a VLAN's trunk); 0 none */
	int up;             /* 1 set IFF_UP, 0 clear it, -1 leave alone */
};

#define RTNL_LINK_SPEC_INIT \
	{ \
		.netns_fd = -1, .up = -1, .addr_gen_mode = -1 \
	}

/* A kind of link (IFLA_INFO_KIND), as iproute2's `struct link_util`: what a
 * create request of that kind carries beyond the common attributes. A new
 * kind (vxlan) is one of these and the spec of its own that put_data reads. */
struct rtnl_link_kind {
	const char *name; /* IFLA_INFO_KIND: "veth", "bridge" */
	/* IFLA_INFO_DATA's attributes from `data`, the kind's own spec; false
	 * when they do not fit. NULL: the kind has none. */
	bool (*put_data)(struct nlmsghdr *nlh, size_t size, const void *data);
	/* One TX and one RX queue, said outright (see rtnl_msg.c). */
	bool one_queue;
};

/* data: the peer's struct rtnl_link_spec (its ifindex is honoured by the
 * kernel only when the primary's is set too). */
extern const struct rtnl_link_kind rtnl_link_veth;
/* data: none; STP off, so ports forward at once. */
extern const struct rtnl_link_kind rtnl_link_bridge;
/* data: the VLAN id, a uint16_t (802.1Q); the spec's `link` is the lower
 * device. */
extern const struct rtnl_link_kind rtnl_link_vlan;

/* A VXLAN device (IFLA_INFO_KIND "vxlan"): what rtnl_link_vxlan reads. */
struct rtnl_vxlan_spec {
	uint32_t vni;         /* IFLA_VXLAN_ID, < 2^24 */
	struct cbx_ip local;  /* IFLA_VXLAN_LOCAL(6): the tunnels' source; family 0: none */
	struct cbx_ip remote; /* IFLA_VXLAN_GROUP(6): the one far end (the kernel makes it the
			       * all-zeros FDB entry); family 0: none, FDB entries instead */
	int link;             /* IFLA_VXLAN_LINK: the underlay device; 0: routing picks */
	uint16_t port;        /* IFLA_VXLAN_PORT, the UDP destination port */
	bool learning;        /* IFLA_VXLAN_LEARNING: learn far MACs from what comes in */
};
/* data: a struct rtnl_vxlan_spec. */
extern const struct rtnl_link_kind rtnl_link_vxlan;

/* Create a link of `kind`: `link` the device, `data` what its kind reads. */
int rtnl_build_link_create(void *buf, size_t size, const struct rtnl_link_kind *kind,
			   const struct rtnl_link_spec *link, const void *data);

/* A veth pair: `end` is the primary device, `peer` the other end. */
int rtnl_build_veth_create(void *buf, size_t size, const struct rtnl_link_spec *end,
			   const struct rtnl_link_spec *peer);
/* A bridge. */
int rtnl_build_bridge_create(void *buf, size_t size, const struct rtnl_link_spec *br);
/* A VXLAN device. Created in another netns (link->netns_pid), its socket,
 * routing and VNI table stay in the netns of the socket that sent this. */
int rtnl_build_vxlan_create(void *buf, size_t size, const struct rtnl_link_spec *link,
			    const struct rtnl_vxlan_spec *vx);
/* Append a permanent FDB entry to VXLAN device ifindex: frames for `mac`
 * go to `dst` (`bridge fdb append MAC dev VX dst DST`: RTM_NEWNEIGH,
 * AF_BRIDGE, NTF_SELF). The all-zeros MAC is the flood entry: broadcast,
 * multicast and unknown unicast go to every such dst (head-end
 * replication), one entry per far host. */
int rtnl_build_fdb_append(void *buf, size_t size, int ifindex, const uint8_t mac[6],
			  const struct cbx_ip *dst);
/* A VLAN device `link` (its name, ifindex, lower device in link->link) of
 * VLAN `vid`. */
int rtnl_build_vlan_create(void *buf, size_t size, const struct rtnl_link_spec *link, uint16_t vid);
/* Turn a bridge's VLAN filtering on (IFLA_BR_VLAN_FILTERING in a change of
 * its IFLA_LINKINFO): from then on, a port forwards only the VLANs it is a
 * member of. A kernel without CONFIG_BRIDGE_VLAN_FILTERING refuses it
 * (EOPNOTSUPP). */
int rtnl_build_bridge_vlan_filtering(void *buf, size_t size, int bridge_ifindex);
/* A bridge port's VLAN membership (as `bridge vlan add|del dev PORT vid
 * VID [pvid] [untagged]`): RTM_SETLINK (add) or RTM_DELLINK (del), family
 * AF_BRIDGE, one IFLA_BRIDGE_VLAN_INFO per VLAN in IFLA_AF_SPEC, each with
 * `flags` (BRIDGE_VLAN_INFO_PVID, _UNTAGGED; 0: a tagged member). */
int rtnl_build_bridge_vlans(void *buf, size_t size, bool add, int port_ifindex,
			    const uint16_t *vids, size_t n, uint16_t flags);
/* Change an existing device found by ifindex, or by name when ifindex is 0. */
int rtnl_build_link_change(void *buf, size_t size, const struct rtnl_link_spec *link);
/* Delete a device by ifindex, or by name when ifindex is 0. */
int rtnl_build_link_delete(void *buf, size_t size, int ifindex, const char *name);
/* Delete every device of the socket's netns in device group `group`
 * (IFLA_GROUP, `ip link delete group N`): one unregistration for all. */
int rtnl_build_link_delete_group(void *buf, size_t size, uint32_t group);
/* Dump all links (for status and stats). */
int rtnl_build_link_dump(void *buf, size_t size);
/* Get one link by ifindex. */
int rtnl_build_link_get(void *buf, size_t size, int ifindex);
/* The same without its statistics (RTEXT_FILTER_SKIP_STATS): a short
 * answer, for a request made for its effect (wiring_add_link_settle). */
int rtnl_build_link_get_brief(void *buf, size_t size, int ifindex);
/* Dump every route (all tables) / every address of a family (AF_UNSPEC:
 * both), for what the host has before a lab adds its own. */
int rtnl_build_route_dump(void *buf, size_t size, int family);
int rtnl_build_addr_dump(void *buf, size_t size, int family);
/* The route the host would take to dst (`ip route get DST [oif DEV]`),
 * through oif when it is not 0: one answer, an RTM_NEWROUTE. */
int rtnl_build_route_get(void *buf, size_t size, const struct cbx_ip *dst, int oif);

/* Add an address; IPv6 addresses skip duplicate address detection (a lab
 * has no duplicates, and DAD would delay the address by a second). */
int rtnl_build_addr_add(void *buf, size_t size, int ifindex, const struct cbx_prefix *addr);

struct rtnl_route_spec {
	struct cbx_prefix dst; /* len 0 = default route */
	struct cbx_ip via;     /* family 0 = on-link route */
	int oif;               /* 0 = let the kernel choose from the gateway */
	uint32_t metric;       /* 0 = none */
};
int rtnl_build_route_add(void *buf, size_t size, const struct rtnl_route_spec *r);

#endif
