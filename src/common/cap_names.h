/* Capability names as capabilities(7) gives them, both ways: the topology
 * names them, messages and docs print them. Pure. */
#ifndef CBX_CAP_NAMES_H
#define CBX_CAP_NAMES_H

/* The capability named "NET_ADMIN", "net_admin" or "CAP_NET_ADMIN"; -1 for
 * none. */
int cbx_cap_from_name(const char *name);
/* "NET_ADMIN" for 12; NULL past the last one known. */
const char *cbx_cap_name(int cap);

#endif
