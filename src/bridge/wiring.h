/* The lab's network wiring as netlink requests: bridges, veth pairs (node
 * ends created directly in the node's netns, under their final names),
 * addresses and routes. Each function appends labelled requests to a batch;
 * nothing is sent here, so `up` can send many of them per round trip. */
#ifndef CBX_WIRING_H
#define CBX_WIRING_H

#include "netlink/transport.h"
#include "topo/topo.h"

/* Bridge (STP off, fixed MAC, MTU, up) and its alias. */
void wiring_add_bridge(struct nl_batch *b, const struct cbx_topo *t, const struct cbx_network *net);
/* The host's gateway addresses on the bridge (ifindex: the bridge's). */
void wiring_add_bridge_addrs(struct nl_batch *b, const struct cbx_network *net, int ifindex);

/* A network interface: the veth's node end in the node's netns (fixed
 * ifindex, name, MAC, up), the host end up and on the bridge, with an alias
 * "cboxlab LAB/NODE/IFACE" naming what it belongs to. */
void wiring_add_network_veth(struct nl_batch *b, const struct cbx_topo *t,
			     const struct cbx_iface *ifc, int node_netns_fd, int bridge_ifindex);
/* A point-to-point link: both ends created in their nodes' netns at once. */
void wiring_add_link_veth(struct nl_batch *b, const struct cbx_link *l, int netns_a, int netns_b);

/* Inside a node's netns: lo up, every address, every route. */
void wiring_add_node_config(struct nl_batch *b, const struct cbx_node *n);

/* Delete a host link by name; one that is already gone is fine. */
void wiring_del_link(struct nl_batch *b, const char *name, const char *what);

#endif
