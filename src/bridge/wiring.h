/* The lab's network wiring as netlink requests: bridges, veth pairs (node
 * ends created directly in the node's netns, under their final names),
 * addresses and routes. Each function appends labelled requests to a batch;
 * nothing is sent here, so `up` can send many of them per round trip. */
#ifndef CBX_WIRING_H
#define CBX_WIRING_H

#include <stdint.h>
#include <sys/types.h>

#include "netlink/transport.h"
#include "topo/topo.h"

/* Creating and then configuring a host link are two batches: a change sent
 * after a failed create would land on whoever owns that name already. */

/* Bridge: STP off, the lab's MAC for it, MTU, up. */
void wiring_add_bridge(struct nl_batch *b, const struct cbx_network *net);
/* Its alias "cboxlab LAB/network NET" and the host's gateway addresses. */
void wiring_add_bridge_setup(struct nl_batch *b, const struct cbx_topo *t,
			     const struct cbx_network *net, int ifindex);

/* A leaf bridge of a network that is a tree (topo.h): the bridge and its
 * uplink, a veth pair with both ends on the host, all down. */
void wiring_add_leaf(struct nl_batch *b, const struct cbx_network *net,
		     const struct cbx_bridge_leaf *leaf);
/* Then: its alias, no IPv6 link-local address anywhere (a leaf has no
 * address), the uplink's ends on the network's bridge and on the leaf, and
 * everything up. */
void wiring_add_leaf_setup(struct nl_batch *b, const struct cbx_topo *t,
			   const struct cbx_network *net, const struct cbx_bridge_leaf *leaf,
			   int leaf_ifindex, int bridge_ifindex);

/* A node's netns as the kernel is told where a device goes: the netns of
 * its process `pid` (a container node), or, pid 0, the netns file `fd` (a
 * netns node, which has no process). */
struct wiring_netns {
	pid_t pid;
	int fd;
};

/* A network interface's veth pair: the node end in the node's netns (fixed
 * ifindex, name, MAC, up), the host end with the lab's MAC for it. */
void wiring_add_network_veth(struct nl_batch *b, const struct cbx_iface *ifc,
			     struct wiring_netns node);
/* The host end up, on the bridge, with an alias "cboxlab LAB/NODE/IFACE". */
void wiring_add_network_veth_attach(struct nl_batch *b, const struct cbx_topo *t,
				    const struct cbx_iface *ifc, int bridge_ifindex);
/* Settle the link event an interface was born with (none for a VLAN
 * sub-interface, made later): a request, sent in its node's netns before
 * any node's interfaces come up. Each is answered with the device's
 * description (about 1 KiB): the caller sends a few dozen at a time.
 *
 * Each veth end is born with a carrier-off event queued for the kernel's
 * linkwatch worker (veth_newlink calls netif_carrier_off). While the device
 * is down the event is not urgent, and the worker handles such events a
 * hundred a second; but each time a link comes up (an urgent event) the
 * worker walks the whole queue, under RTNL and with interrupts off, to pick
 * the urgent ones out (__linkwatch_run_queue). A lab of N links has 2N
 * events queued when its nodes' interfaces start coming up, so bringing
 * them up cost O(N^2): 60 of the 70 s of `up` at 10,000 routers. Asking
 * for a device (RTM_GETLINK) handles its queued event then and there
 * (rtnl_getlink calls linkwatch_sync_dev on 6.18, where this was measured;
 * on a kernel without that call the request changes nothing). */
void wiring_add_link_settle(struct nl_batch *b, const struct cbx_iface *ifc);
/* A point-to-point link: both ends created in their nodes' netns at once
 * (the netns of nodes a and b). */
void wiring_add_link_veth(struct nl_batch *b, const struct cbx_link *l, struct wiring_netns a_end,
			  struct wiring_netns b_end);

/* Networks and links that cross hosts (docs/multihost.md): VXLAN devices
 * from the local host (t->local) to the others, learning off, MTU the
 * tunnel's. underlay: the ifindex of the host's "dev", 0 for none. */

/* A crossing network's VXLAN device on this host, down, in the host's
 * netns; then (attach) on the network's bridge with its alias, no
 * link-local address, up; then (fdb) a flood entry per far host with
 * members, and an entry per far member's MAC: no learning, no flooding of
 * unicast the lab knows the place of. */
void wiring_add_net_vxlan(struct nl_batch *b, const struct cbx_topo *t,
			  const struct cbx_network *net, int underlay);
void wiring_add_net_vxlan_attach(struct nl_batch *b, const struct cbx_topo *t,
				 const struct cbx_network *net, int bridge_ifindex);
void wiring_add_net_vxlan_fdb(struct nl_batch *b, const struct cbx_topo *t,
			      const struct cbx_network *net, int vxlan_ifindex);
/* This host's end of a crossing link: a VXLAN device made from the host's
 * netns (its socket stays there) right in the node's, as the node's
 * interface (name, ifindex, MAC, MTU), down; its one remote is the far
 * end's host. */
void wiring_add_link_vxlan(struct nl_batch *b, const struct cbx_topo *t, const struct cbx_link *l,
			   struct wiring_netns node, int underlay);

/* Inside a node's netns: lo and every interface up, every address, every
 * route. flags NL_REQ_IGNORE_EXISTS re-applies it over what survived (the
 * kernel drops routes, and IPv6 addresses, of an interface taken down). */
void wiring_add_node_config(struct nl_batch *b, const struct cbx_node *n, unsigned flags);

/* Delete a host link by name; one that is already gone is fine. */
void wiring_del_link(struct nl_batch *b, const char *name, const char *what);

/* Dump the host's links into `cb`. A dump the kernel marks interrupted
 * (links came and went meanwhile, e.g. another lab starting) is retried from
 * scratch (reset(data) first), with a growing pause; if the host never
 * settles, the last dump is taken as it is. */
int wiring_dump_links(struct nl_conn *c, nl_dump_cb cb, void (*reset)(void *data), void *data,
		      struct cbx_error *err);

/* A host link the lab made, known by its name and the MAC the lab gave it
 * at creation (both are set by the create request itself, so even a link
 * whose alias never got set is recognised). */
struct owned_link {
	const char *name;
	const uint8_t *mac;
	const char *what; /* "bridge", "veth" */
};

/* Delete those of `links` that exist with the lab's MAC: one dump, one
 * batch. A link of the same name made by someone else is left alone. */
int wiring_del_owned_links(struct nl_conn *c, const struct owned_link *links, size_t n,
			   struct cbx_error *err);
/* Wait for those of `links` that exist with the lab's MAC to disappear
 * (the kernel tearing down the netns of their peers), until none has for
 * timeout_ms (and a millisecond per link at first); *left says how many
 * did not. */
int wiring_wait_links_gone(struct nl_conn *c, const struct owned_link *links, size_t n,
			   int timeout_ms, size_t *left, struct cbx_error *err);

#endif
