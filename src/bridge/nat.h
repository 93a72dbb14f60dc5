/* NAT and port publishing for a lab: one nftables table of the lab's own in
 * the host's netns ("inet cboxlab-<lab>"), created and deleted whole, so
 * `down` never touches anyone else's rules.
 *   postrouting (srcnat): masquerade what leaves a NAT network through any
 *                         other interface; masquerade DNAT'ed connections
 *                         from the host's loopback
 *   prerouting, output (dstnat): published ports, for connections addressed
 *                         to the host itself (fib daddr type local) */
#ifndef CBX_NAT_H
#define CBX_NAT_H

#include <stdbool.h>

#include "netlink/transport.h"
#include "topo/topo.h"

bool nat_needed(const struct cbx_topo *t);
/* "cboxlab-<lab>" */
void nat_table_name(char *buf, size_t size, const char *lab);
/* One transaction (batch begin ... end) creating the table. */
void nat_add_table(struct nl_batch *b, const struct cbx_topo *t);
/* One transaction deleting it; a missing table is fine. */
void nat_del_table(struct nl_batch *b, const char *lab);
/* Per-bridge sysctls: forwarding on NAT bridges (the packets of nodes are
 * routed out), route_localnet where ports are published (so a connection to
 * 127.0.0.1:PORT may be sent to a node). The bridges go with their sysctls. */
int nat_set_bridge_sysctls(const struct cbx_topo *t, struct cbx_error *err);
/* A warning for the user when replies from outside cannot come back (the
 * host's own forwarding is off); NULL when all is well. */
const char *nat_forwarding_warning(const struct cbx_topo *t);

#endif
