/* Published ports the host already uses. A lab's DNAT of host port P comes
 * before any socket of the host's: a server listening on P loses its
 * connections to the lab without a word. So `up` refuses a port that a
 * socket on the host (TCP listening, or UDP, IPv4 or IPv6, on any address)
 * has, and names what holds it where it can tell. The sockets are listed
 * with NETLINK_SOCK_DIAG (what `ss` uses), not /proc/net, whose text is
 * slow to read and parse. */
#ifndef CBX_HOST_PORTS_H
#define CBX_HOST_PORTS_H

#include "topo/topo.h"

int host_ports_check(const struct cbx_topo *t, struct cbx_error *err);

#endif
