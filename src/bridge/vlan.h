/* A network's VLANs on the host (topo.h: "vlan", "vlans").
 *
 * Where the kernel's bridges filter by VLAN (CONFIG_BRIDGE_VLAN_FILTERING),
 * they do it: the network's bridges filter, an access port is a member of
 * its VLAN only (PVID, untagged on the way out), a trunk of each of its
 * VLANs tagged (and of the default VLAN 1 untagged, as every port), a
 * tree's uplinks of every VLAN the network uses, tagged.
 *
 * Where they do not (this project's own CI machines), access ports still
 * work: a bridge-family nftables table of the network's own
 * ("cboxlab-vlan-BRIDGE") marks each frame with its port's VLAN where it
 * comes in (the mark survives the uplinks of a tree: both ends are in the
 * host's netns) and drops it at any port of another VLAN and at the
 * bridges' own stack unless it is in the default VLAN. Trunks need tags,
 * which only the kernel's filtering gives: `up` refuses them there, saying
 * why. */
#ifndef CBX_VLAN_H
#define CBX_VLAN_H

#include <stdbool.h>

#include "netlink/transport.h"
#include "topo/topo.h"

/* Does bridge `name` (made already) filter by VLAN? */
bool vlan_bridge_filters(const char *name);

/* Filtering on: the network's bridge and its leaves (by ifindex), and the
 * uplinks' ends members of every VLAN of the network. After the bridges'
 * setup (the uplinks are ports by then). */
void vlan_add_filtering(struct nl_batch *b, const struct cbx_network *net, int bridge_ifindex,
			const int *leaf_ifindex, const int *uplink_ifindex,
			const int *downlink_ifindex);
/* An interface's membership, on its host end `port_ifindex` (a port of a
 * filtering bridge by then): nothing for the default VLAN. */
void vlan_add_port(struct nl_batch *b, const struct cbx_iface *ifc, int port_ifindex);

/* Without filtering: the network's table, one transaction. */
void vlan_table_name(char *buf, size_t size, const struct cbx_network *net);
void vlan_add_mark_table(struct nl_batch *b, const struct cbx_network *net);
/* One transaction deleting it; a missing table is fine. */
void vlan_del_mark_table(struct nl_batch *b, const struct cbx_network *net);

#endif
