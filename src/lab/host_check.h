/* What the host already has that a lab must not collide with, checked
 * before `up` makes anything (and by `up --dry-run`):
 *
 * - a network with a host side (a host gateway, NAT) whose subnet overlaps
 *   a route the host has (another lab's bridge, the uplink's subnet, a
 *   VPN's): two labs on 10.10.0.0/24 both came up, and the host then sent
 *   the second's traffic, published ports too, to the first (issue 15);
 * - such a subnet holding one of the host's addresses or its default
 *   gateway;
 * - a published port something on the host already listens on.
 *
 * A network without a host side is isolated, and may overlap anything. */
#ifndef CBX_HOST_CHECK_H
#define CBX_HOST_CHECK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ipaddr.h"
#include "lab/cboxlab.h"
#include "netlink/transport.h"
#include "topo/topo.h"

struct host_route {
	struct cbx_prefix dst; /* len 0: a default route */
	struct cbx_ip gw;      /* family 0: none */
	int oif;
};

struct host_addr {
	struct cbx_ip ip;
	int ifindex;
};

struct host_view {
	struct host_route *routes;
	size_t n_routes;
	struct host_addr *addrs;
	size_t n_addrs;
};

/* Does the lab have a host side (a network with a gateway) at all? */
bool host_check_needed(const struct cbx_topo *t);
/* The host's unicast routes of every table but `local`, and its addresses. */
int host_view_read(struct nl_conn *c, struct host_view *h, struct cbx_error *err);
/* Its addresses alone (no routes). */
int host_view_read_addrs(struct nl_conn *c, struct host_view *h, struct cbx_error *err);

/* One link of the host's, by ifindex: its name, alias, MTU. */
struct host_link {
	char name[IF_NAMESIZE];
	char alias[128];
	uint32_t mtu;
};
int host_link_get(struct nl_conn *c, int ifindex, struct host_link *ln, struct cbx_error *err);
void host_view_free(struct host_view *h);

/* Names an interface for a message: "eth0", or "lan-b0 (lab lan's network
 * lan)"; buf holds it. */
typedef const char *(*host_ifname_fn)(void *arg, int ifindex, char *buf, size_t size);

/* The first clash of the lab's host-side networks with the view, as an
 * error (CBX_ERR_STATE); 0 when there is none. Pure: no system calls. */
int host_clash_find(const struct cbx_topo *t, const struct host_view *h, host_ifname_fn ifname,
		    void *arg, struct cbx_error *err);

/* All of it, on the host: its routes and addresses, then the published
 * ports' listeners (lab/host_ports.c). c: an rtnetlink socket to use.
 * Nothing to check for a lab without a host side, or one that is up. */
int lab_check_host(const struct cbx_ctx *cbx, const struct cbx_topo *t, struct nl_conn *c,
		   struct cbx_error *err);

#endif
