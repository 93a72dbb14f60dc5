/* nftables request builders: pure functions that write one message into a
 * caller's buffer and return its length, or a negative errno (-ENOSPC when it
 * does not fit; nothing is ever written past `size`).
 *
 * Messages carry sequence number 0 (the transport assigns them) and object
 * messages ask for an ACK. nftables requests only take effect inside a batch:
 * nft_build_batch_begin, the object messages, nft_build_batch_end, all sent
 * together; the kernel applies the whole batch or none of it.
 *
 * `family` is the table's family (NFPROTO_INET for the lab tables,
 * NFPROTO_IPV4 or NFPROTO_IPV6 also work for the rules). In an inet table a
 * rule that reads the network header first checks `meta nfproto`, so an IPv4
 * match never reads an IPv6 header.
 *
 * Each builder is unit-tested by parsing the message back with libnftnl, set
 * elements with libmnl (tests/unit/test_nft_msg.c).
 */
#ifndef CBX_NFT_MSG_H
#define CBX_NFT_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "common/ipaddr.h"

struct nlmsghdr;

int nft_build_batch_begin(void *buf, size_t size);
int nft_build_batch_end(void *buf, size_t size);

int nft_build_table_add(void *buf, size_t size, int family, const char *name);
/* Deleting a table deletes its chains, rules and sets with it. */
int nft_build_table_del(void *buf, size_t size, int family, const char *name);
/* A dump of the tables of one family (NFPROTO_UNSPEC: all), for nl_dump. */
int nft_build_table_dump(void *buf, size_t size, int family);
/* The name of the table a dump's message describes, into name (size bytes);
 * -EINVAL when it is no table, -ENAMETOOLONG when it does not fit. */
int nft_parse_table_name(const struct nlmsghdr *nlh, char *name, size_t size);

/* A base chain (no device: not for the netdev family). `type` is "nat" or
 * "filter", `hooknum` NF_INET_*, `policy` NF_ACCEPT or NF_DROP. */
int nft_build_chain_add(void *buf, size_t size, int family, const char *table, const char *chain,
			const char *type, unsigned hooknum, int prio, unsigned policy);

/* A named set of addresses: addr_family AF_INET (ipv4_addr) or AF_INET6
 * (ipv6_addr). n_elems: how many it will hold (0: not known), so that the
 * kernel sizes its hash table once instead of growing it while the
 * elements go in. */
int nft_build_set_add(void *buf, size_t size, int family, const char *table, const char *set,
		      int addr_family, uint32_t n_elems);
/* Add addrs[0..n) to a set, as many as fit in `size` (at least one, or
 * -ENOSPC); *consumed says how many went in, so a caller sends the rest in
 * further messages. All addresses must be of the set's family. */
int nft_build_set_elems_add(void *buf, size_t size, int family, const char *table, const char *set,
			    const struct cbx_ip *addrs, size_t n, size_t *consumed);

/* "ip saddr SUBNET oifname != NOT_OIFNAME masquerade" (ip6 saddr for an IPv6
 * subnet); not_oifname NULL leaves the interface test out. */
int nft_build_rule_masquerade(void *buf, size_t size, int family, const char *table,
			      const char *chain, const struct cbx_prefix *src_subnet,
			      const char *not_oifname);

/* "ip saddr 127.0.0.0/8 oifname OIFNAME masquerade": connections DNAT'ed
 * from the host's own 127.0.0.1 need a source the node can answer to. */
int nft_build_rule_masquerade_loopback(void *buf, size_t size, int family, const char *table,
				       const char *chain, const char *oifname);

/* "fib daddr type local meta nfproto ipv4 meta l4proto PROTO th dport DPORT
 * dnat ip to TO:TO_PORT": only connections addressed to the host itself,
 * never traffic passing through. l4proto IPPROTO_TCP or IPPROTO_UDP, ports
 * in host order, `to` IPv4; to_port 0 keeps the port. */
int nft_build_rule_dnat(void *buf, size_t size, int family, const char *table, const char *chain,
			uint8_t l4proto, uint16_t dport, const struct cbx_ip *to, uint16_t to_port);

/* "ip saddr @SET drop" (addr_family AF_INET), "ip6 saddr @SET drop"
 * (AF_INET6). */
int nft_build_rule_drop_saddr_set(void *buf, size_t size, int family, const char *table,
				  const char *chain, int addr_family, const char *set);

/* "iifname IIFNAME numgen random mod 1000000 < PER_MILLION drop": random
 * loss without netem, applied where packets arrive (dropped on the way out,
 * a locally sent packet would fail its sender with EPERM; netem's loss is
 * silent, and so is this). iifname NULL drops on any interface; per_million
 * is at most 1000000. */
int nft_build_rule_random_drop(void *buf, size_t size, int family, const char *table,
			       const char *chain, const char *iifname, uint32_t per_million);

/* VLANs on a bridge without the kernel's VLAN filtering (bridge/vlan.h),
 * rules of a bridge-family table, the VLAN carried in the packet's mark:
 * "iifname IIFNAME meta mark set MARK" where a port's frames come in, and
 * "KEY IFNAME meta mark != MARK drop" where they may not go: key
 * NFT_META_OIFNAME (out of a port), or NFT_META_IIFNAME (in from a port,
 * up to a bridge's own stack: meta ibrname needs a module of its own,
 * which kernels may lack). */
int nft_build_rule_set_mark(void *buf, size_t size, int family, const char *table,
			    const char *chain, const char *iifname, uint32_t mark);
int nft_build_rule_drop_unless_mark(void *buf, size_t size, int family, const char *table,
				    const char *chain, uint32_t meta_key, const char *ifname,
				    uint32_t mark);

#endif
