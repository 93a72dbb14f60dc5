/* A running node's network namespace from the outside: opened through its
 * pin (/run/netns/<lab>-<node>), a function run in it, or netlink sockets
 * bound to it. For what acts on a node's network without entering the node:
 * the faults (impairments, link state, partitions) today, packet capture
 * and checks next. The caller's own netns is never left for longer than a
 * socket's opening. */
#ifndef CBX_LAB_NODE_NETNS_H
#define CBX_LAB_NODE_NETNS_H

#include "netlink/transport.h"
#include "topo/topo.h"

/* The node's netns, as a descriptor (O_RDONLY | O_CLOEXEC), or -1. */
int lab_node_netns_open(const struct cbx_topo *t, const struct cbx_node *n, struct cbx_error *err);
/* Run fn in the node's netns on the calling thread (runtime/netns.h's
 * netns_run): what fn opens there stays bound to it. */
int lab_node_netns_run(const struct cbx_topo *t, const struct cbx_node *n,
		       int (*fn)(void *arg, struct cbx_error *err), void *arg,
		       struct cbx_error *err);
/* An rtnetlink or an nftables socket bound to it; *c is zero (nothing to
 * close) on failure. */
int lab_node_rtnl_open(const struct cbx_topo *t, const struct cbx_node *n, struct nl_conn *c,
		       struct cbx_error *err);
int lab_node_nft_open(const struct cbx_topo *t, const struct cbx_node *n, struct nl_conn *c,
		      struct cbx_error *err);

#endif
