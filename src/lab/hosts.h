/* The /etc/hosts every node of a lab shares (bound read-only into each):
 * every node by name at its first address, and every interface address as
 * "<node>-<iface>", so `ping h2` and `ping r1-eth1` work. */
#ifndef CBX_HOSTS_H
#define CBX_HOSTS_H

#include "common/error.h"
#include "topo/topo.h"

int lab_write_hosts(const struct cbx_topo *t, const char *path, struct cbx_error *err);

#endif
