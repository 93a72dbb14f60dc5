/* Internal to src/kit: the classroom and CI kit's parts (check, capture,
 * graph, gen) below what lab/cboxlab.h offers. */
#ifndef CBX_KIT_H
#define CBX_KIT_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stdint.h>

#include "lab/cboxlab.h"

/* --- expect.c: where the topology's routes lead (pure) ------------------ */

/* Does node `n` forward packets of `family` (its sysctls)? */
bool kit_forwards(const struct cbx_node *n, int family);
/* The node that owns address ip, or NULL (an address of none, or the
 * host's). */
const struct cbx_node *kit_owner(const struct cbx_topo *t, const struct cbx_ip *ip);

/* --- probe.c: ICMP echo from inside nodes' netns ------------------------ */

struct kit_probe {
	size_t from;       /* node index */
	struct cbx_ip dst; /* the address asked */
	bool reached;      /* an echo reply came from dst */
	bool expected;     /* the caller's: stop waiting early once these answered */
	uint32_t rtt_us;
};

/* Send every probe from its node, again every so often until answered,
 * for at most timeout_ms; stop early when every expected probe has
 * answered and the others had a fair chance. */
int kit_probe_run(const struct cbx_topo *t, struct kit_probe *pr, size_t n, int timeout_ms,
		  struct cbx_error *err);

/* --- ports.c: TCP connect and UDP refusal, concurrently ----------------- */

struct kit_port_probe {
	size_t from;
	struct cbx_ip dst;
	uint16_t port;
	bool udp;
	bool open; /* the result */
	char seen[96];
};
int kit_ports_run(const struct cbx_topo *t, struct kit_port_probe *pp, size_t n, int timeout_ms,
		  struct cbx_error *err);

/* --- route_check.c: is a route there (a node's routing table) ---------- */

/* Does one RTM_NEWROUTE of a dump match dst (and via, when its family is
 * set)? Main table, unicast. */
bool kit_route_msg_matches(const struct nlmsghdr *nlh, const struct cbx_prefix *dst,
			   const struct cbx_ip *via);
int kit_route_present(const struct cbx_topo *t, const struct cbx_node *n,
		      const struct cbx_prefix *dst, const struct cbx_ip *via, bool *present,
		      struct cbx_error *err);

#endif
