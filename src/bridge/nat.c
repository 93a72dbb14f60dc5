#include "bridge/nat.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <string.h>

#include "bridge/sysctl.h"
#include "netlink/nft_msg.h"

/* Standard netfilter priorities (nft's srcnat / dstnat). */
#define PRIO_SRCNAT 100
#define PRIO_DSTNAT (-100)

/* A lab over hosts: a host NATs its own networks and publishes its own
 * nodes' ports (a network with NAT never crosses hosts: the topology
 * refuses it). */
static bool nat_here(const struct cbx_topo *t, const struct cbx_network *net)
{
	return net->nat && cbx_network_here(t, net);
}

static bool publish_here(const struct cbx_topo *t, const struct cbx_publish *p)
{
	return cbx_node_here(t, p->node);
}

bool nat_needed(const struct cbx_topo *t)
{
	for (size_t i = 0; i < t->n_networks; i++)
		if (nat_here(t, &t->networks[i]))
			return true;
	for (size_t i = 0; i < t->n_publish; i++)
		if (publish_here(t, &t->publish[i]))
			return true;
	return false;
}

void nat_table_name(char *buf, size_t size, const char *lab)
{
	snprintf(buf, size, "cboxlab-%s", lab);
}

/* Bridges that carry published ports (each listed once). */
static bool bridge_has_publish(const struct cbx_topo *t, const struct cbx_network *net)
{
	for (size_t i = 0; i < t->n_publish; i++)
		for (size_t k = 0;
		     publish_here(t, &t->publish[i]) && k < t->publish[i].node->n_ifaces; k++) {
			const struct cbx_iface *ifc = t->publish[i].node->ifaces[k];
			if (ifc->network == net &&
			    cbx_prefix_contains(&net->subnet4, &t->publish[i].addr))
				return true;
		}
	return false;
}

void nat_add_table(struct nl_batch *b, const struct cbx_topo *t)
{
	char table[64], buf[CBX_PREFIX_STRLEN], to[CBX_PREFIX_STRLEN];

	nat_table_name(table, sizeof(table), t->name);
	NL_BUILD(b, nft_build_batch_begin);
	nl_batch_push(b, 0, "begin nftables transaction");
	NL_BUILD(b, nft_build_table_add, NFPROTO_INET, table);
	nl_batch_push(b, 0, "create nftables table inet %s", table);
	NL_BUILD(b, nft_build_chain_add, NFPROTO_INET, table, "postrouting", "nat",
		 NF_INET_POST_ROUTING, PRIO_SRCNAT, NF_ACCEPT);
	nl_batch_push(b, 0, "create chain %s postrouting", table);
	NL_BUILD(b, nft_build_chain_add, NFPROTO_INET, table, "prerouting", "nat",
		 NF_INET_PRE_ROUTING, PRIO_DSTNAT, NF_ACCEPT);
	nl_batch_push(b, 0, "create chain %s prerouting", table);
	NL_BUILD(b, nft_build_chain_add, NFPROTO_INET, table, "output", "nat", NF_INET_LOCAL_OUT,
		 PRIO_DSTNAT, NF_ACCEPT);
	nl_batch_push(b, 0, "create chain %s output", table);

	for (size_t i = 0; i < t->n_networks; i++) {
		const struct cbx_network *net = &t->networks[i];
		if (nat_here(t, net)) {
			NL_BUILD(b, nft_build_rule_masquerade, NFPROTO_INET, table, "postrouting",
				 &net->subnet4, net->bridge);
			nl_batch_push(b, 0, "masquerade %s leaving network %s",
				      cbx_prefix_str(&net->subnet4, buf, sizeof(buf)), net->name);
			if (net->has_subnet6) {
				NL_BUILD(b, nft_build_rule_masquerade, NFPROTO_INET, table,
					 "postrouting", &net->subnet6, net->bridge);
				nl_batch_push(b, 0, "masquerade %s leaving network %s",
					      cbx_prefix_str(&net->subnet6, buf, sizeof(buf)),
					      net->name);
			}
		}
		if (bridge_has_publish(t, net)) {
			NL_BUILD(b, nft_build_rule_masquerade_loopback, NFPROTO_INET, table,
				 "postrouting", net->bridge);
			nl_batch_push(b, 0, "masquerade loopback connections into %s", net->bridge);
		}
	}
	for (size_t i = 0; i < t->n_publish; i++) {
		const struct cbx_publish *p = &t->publish[i];
		const char *proto = p->proto == 6 ? "tcp" : "udp";
		for (int hook = 0; publish_here(t, p) && hook < 2; hook++) {
			const char *chain = hook == 0 ? "prerouting" : "output";
			NL_BUILD(b, nft_build_rule_dnat, NFPROTO_INET, table, chain, p->proto,
				 p->host_port, &p->addr, p->node_port);
			nl_batch_push(b, 0, "publish host port %u/%s to %s:%u (%s, %s)",
				      p->host_port, proto, cbx_ip_str(&p->addr, to, sizeof(to)),
				      p->node_port, p->node->name, chain);
		}
	}
	NL_BUILD(b, nft_build_batch_end);
	nl_batch_push(b, 0, "end nftables transaction");
}

void nat_del_table(struct nl_batch *b, const char *lab)
{
	char table[64];

	nat_table_name(table, sizeof(table), lab);
	NL_BUILD(b, nft_build_batch_begin);
	nl_batch_push(b, 0, "begin nftables transaction");
	NL_BUILD(b, nft_build_table_del, NFPROTO_INET, table);
	nl_batch_push(b, NL_REQ_IGNORE_MISSING, "delete nftables table inet %s", table);
	NL_BUILD(b, nft_build_batch_end);
	nl_batch_push(b, 0, "end nftables transaction");
}

int nat_set_bridge_sysctls(const struct cbx_topo *t, struct cbx_error *err)
{
	char name[128];

	for (size_t i = 0; i < t->n_networks; i++) {
		const struct cbx_network *net = &t->networks[i];
		if (nat_here(t, net)) {
			snprintf(name, sizeof(name), "net.ipv4.conf.%s.forwarding", net->bridge);
			if (cbx_sysctl_write(name, "1", err) < 0)
				return -1;
		}
		/* IPv6 forwards per interface only with force_forwarding (Linux
		 * 6.17); older kernels forward IPv6 only where the host does. */
		if (nat_here(t, net) && net->has_subnet6) {
			snprintf(name, sizeof(name), "net.ipv6.conf.%s.force_forwarding",
				 net->bridge);
			if (cbx_sysctl_write(name, "1", err) < 0 && err->code != ENOENT)
				return -1;
		}
		if (bridge_has_publish(t, net)) {
			snprintf(name, sizeof(name), "net.ipv4.conf.%s.route_localnet",
				 net->bridge);
			if (cbx_sysctl_write(name, "1", err) < 0)
				return -1;
		}
	}
	return 0;
}

const char *nat_forwarding_warning(const struct cbx_topo *t)
{
	struct cbx_error err;
	char value[16];
	bool any = false;

	for (size_t i = 0; i < t->n_networks; i++)
		any |= nat_here(t, &t->networks[i]);
	if (!any ||
	    cbx_sysctl_read("net.ipv4.conf.all.forwarding", value, sizeof(value), &err) < 0 ||
	    strcmp(value, "0"))
		return NULL;
	return "IPv4 forwarding is off on this host (net.ipv4.ip_forward=0): nodes on NAT networks "
	       "can send out, but replies from outside are not forwarded back to them. "
	       "Enable it with: sysctl -w net.ipv4.ip_forward=1";
}
