/* A node's side of a network partition: nftables in the node's own network
 * namespace dropping every packet from a set of addresses, at prerouting
 * (before conntrack and routing), so it cuts traffic to the node and traffic
 * the node routes, across bridges and routers alike. One table per node,
 * "inet cboxlab-partition", replaced whole in one transaction. */
#ifndef CBX_PARTITION_H
#define CBX_PARTITION_H

#include <stddef.h>

#include "common/ipaddr.h"
#include "netlink/transport.h"

#define PARTITION_TABLE "cboxlab-partition"

/* One transaction making the node drop packets from addrs[0..n) (both
 * families mixed); n = 0 removes the node's partition table. */
void partition_add_node_rules(struct nl_batch *b, const char *node, const struct cbx_ip *addrs,
			      size_t n);

#endif
