#include "netlink/nft_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* libnftnl writes without bounds checks, so each message is built into a
 * scratch buffer first and copied out only when it fits. With every name
 * shorter than NFT_NAME_MAXLEN (checked below) the largest message built
 * here (a DNAT rule, or a set lookup with three names) stays under 1.5 KiB. */
#define NFT_SCRATCH_SIZE 4096

/* Key types by nftables' datatype numbers, so `nft list` shows addresses. */
#define NFT_KEY_TYPE_IPV4_ADDR 7 /* nftables' TYPE_IPADDR */
#define NFT_KEY_TYPE_IPV6_ADDR 8 /* nftables' TYPE_IP6ADDR */

#define NUMGEN_RANGE 1000000u

static int check_name(const char *name)
{
	if (!name || !*name)
		return -EINVAL;
	if (strlen(name) >= NFT_NAME_MAXLEN)
		return -ENAMETOOLONG;
	return 0;
}

/* Interface names are compared as the kernel stores them: IFNAMSIZ bytes,
 * zero-padded, so "eth1" never matches "eth10". */
static int ifname_key(const char *name, char key[IFNAMSIZ])
{
	if (!name || !*name)
		return -EINVAL;
	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	memset(key, 0, IFNAMSIZ);
	memcpy(key, name, strlen(name));
	return 0;
}

static int emit(void *buf, size_t size, const struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_len > size)
		return -ENOSPC;
	memcpy(buf, nlh, nlh->nlmsg_len);
	return (int)nlh->nlmsg_len;
}

/* ---- batch ---- */

static int batch_marker(void *buf, size_t size, bool begin)
{
	struct nlmsghdr *nlh;

	if (size < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg)))
		return -ENOSPC;
	nlh = begin ? nftnl_batch_begin(buf, 0) : nftnl_batch_end(buf, 0);
	return (int)nlh->nlmsg_len;
}

int nft_build_batch_begin(void *buf, size_t size)
{
	return batch_marker(buf, size, true);
}

int nft_build_batch_end(void *buf, size_t size)
{
	return batch_marker(buf, size, false);
}

/* ---- tables and chains ---- */

static int build_table(void *buf, size_t size, uint16_t type, uint16_t flags, int family,
		       const char *name)
{
	char scratch[NFT_SCRATCH_SIZE] __attribute__((aligned(4)));
	struct nftnl_table *t;
	struct nlmsghdr *nlh;
	int err = check_name(name);

	if (err)
		return err;
	if (!(t = nftnl_table_alloc()))
		return -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, (uint32_t)family);
	if (nftnl_table_set_str(t, NFTNL_TABLE_NAME, name) < 0) {
		nftnl_table_free(t);
		return -ENOMEM;
	}
	nlh = nftnl_nlmsg_build_hdr(scratch, type, (uint16_t)family, NLM_F_ACK | flags, 0);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return emit(buf, size, nlh);
}

int nft_build_table_add(void *buf, size_t size, int family, const char *name)
{
	return build_table(buf, size, NFT_MSG_NEWTABLE, NLM_F_CREATE, family, name);
}

int nft_build_table_del(void *buf, size_t size, int family, const char *name)
{
	return build_table(buf, size, NFT_MSG_DELTABLE, 0, family, name);
}

int nft_build_table_dump(void *buf, size_t size, int family)
{
	char scratch[NFT_SCRATCH_SIZE] __attribute__((aligned(4)));
	struct nlmsghdr *nlh =
		nftnl_nlmsg_build_hdr(scratch, NFT_MSG_GETTABLE, (uint16_t)family, NLM_F_DUMP, 0);

	return emit(buf, size, nlh);
}

int nft_parse_table_name(const struct nlmsghdr *nlh, char *name, size_t size)
{
	struct nftnl_table *t;
	const char *got;
	int rc = -EINVAL;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE) ||
	    !(t = nftnl_table_alloc()))
		return -EINVAL;
	if (nftnl_table_nlmsg_parse(nlh, t) == 0 &&
	    (got = nftnl_table_get_str(t, NFTNL_TABLE_NAME)))
		rc = strlen(got) < size ? (int)strlen(strcpy(name, got)) : -ENAMETOOLONG;
	nftnl_table_free(t);
	return rc;
}

int nft_build_chain_add(void *buf, size_t size, int family, const char *table, const char *chain,
			const char *type, unsigned hooknum, int prio, unsigned policy)
{
	char scratch[NFT_SCRATCH_SIZE] __attribute__((aligned(4)));
	struct nftnl_chain *c;
	struct nlmsghdr *nlh;
	int err;

	if ((err = check_name(table)) || (err = check_name(chain)) || (err = check_name(type)))
		return err;
	if (policy != NF_ACCEPT && policy != NF_DROP)
		return -EINVAL;
	if (!(c = nftnl_chain_alloc()))
		return -ENOMEM;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, (uint32_t)family);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hooknum);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, policy);
	if (nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type) < 0) {
		nftnl_chain_free(c);
		return -ENOMEM;
	}
	nlh = nftnl_nlmsg_build_hdr(scratch, NFT_MSG_NEWCHAIN, (uint16_t)family,
				    NLM_F_CREATE | NLM_F_ACK, 0);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	return emit(buf, size, nlh);
}

/* ---- sets ---- */

/* The kernel insists on a set id (NFTA_SET_ID), which other messages of the
 * same batch may use instead of the name. Ours refer to sets by name; an id
 * derived from the name keeps two sets of one batch apart all the same. */
static uint32_t set_id(const char *name)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h ? h : 1;
}

int nft_build_set_add(void *buf, size_t size, int family, const char *table, const char *set,
		      int addr_family, uint32_t n_elems)
{
	char scratch[NFT_SCRATCH_SIZE] __attribute__((aligned(4)));
	struct nftnl_set *s;
	struct nlmsghdr *nlh;
	int err;

	if ((err = check_name(table)) || (err = check_name(set)))
		return err;
	if (addr_family != AF_INET && addr_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (!(s = nftnl_set_alloc()))
		return -ENOMEM;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t)family);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE,
			  addr_family == AF_INET ? NFT_KEY_TYPE_IPV4_ADDR : NFT_KEY_TYPE_IPV6_ADDR);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, cbx_ip_bytes(addr_family));
	nftnl_set_set_u32(s, NFTNL_SET_ID, set_id(set));
	if (n_elems)
		nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, n_elems);
	if (nftnl_set_set_str(s, NFTNL_SET_TABLE, table) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, set) < 0) {
		nftnl_set_free(s);
		return -ENOMEM;
	}
	nlh = nftnl_nlmsg_build_hdr(scratch, NFT_MSG_NEWSET, (uint16_t)family,
				    NLM_F_CREATE | NLM_F_ACK, 0);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	return emit(buf, size, nlh);
}

static struct nftnl_set *elems_set(int family, const char *table, const char *set,
				   const struct cbx_ip *addrs, size_t n)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t)family);
	if (nftnl_set_set_str(s, NFTNL_SET_TABLE, table) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, set) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();

		if (!e)
			goto fail;
		if (nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, addrs[i].bytes,
				       cbx_ip_bytes(addrs[i].family)) < 0) {
			nftnl_set_elem_free(e);
			goto fail;
		}
		nftnl_set_elem_add(s, e);
	}
	return s;
fail:
	nftnl_set_free(s);
	return NULL;
}

/* Build the message for addrs[0..n) into `out`, which the caller has made
 * large enough; its length, or 0 when out of memory. */
static size_t build_elems(char *out, int family, const char *table, const char *set,
			  const struct cbx_ip *addrs, size_t n)
{
	struct nftnl_set *s = elems_set(family, table, set, addrs, n);
	struct nlmsghdr *nlh;

	if (!s)
		return 0;
	nlh = nftnl_nlmsg_build_hdr(out, NFT_MSG_NEWSETELEM, (uint16_t)family,
				    NLM_F_CREATE | NLM_F_ACK, 0);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	return nlh->nlmsg_len;
}

int nft_build_set_elems_add(void *buf, size_t size, int family, const char *table, const char *set,
			    const struct cbx_ip *addrs, size_t n, size_t *consumed)
{
	char scratch[NFT_SCRATCH_SIZE] __attribute__((aligned(4)));
	size_t len1, per = 0, k = 1, want;
	char *out = scratch, *big = NULL;
	int err;

	*consumed = 0;
	if ((err = check_name(table)) || (err = check_name(set)))
		return err;
	if (n == 0 || (addrs[0].family != AF_INET && addrs[0].family != AF_INET6))
		return -EINVAL;
	for (size_t i = 1; i < n; i++)
		if (addrs[i].family != addrs[0].family)
			return -EINVAL;

	/* Every element takes the same room, so a message with one element
	 * and one with two give the fixed part and the size of an element. */
	if (!(len1 = build_elems(scratch, family, table, set, addrs, 1)))
		return -ENOMEM;
	if (len1 > size)
		return -ENOSPC;
	if (n > 1) {
		size_t len2 = build_elems(scratch, family, table, set, addrs, 2);

		if (!len2)
			return -ENOMEM;
		per = len2 - len1;
		k = 1 + (size - len1) / per;
		if (k > n)
			k = n;
		/* The element list is one attribute, and nla_len is 16 bits. */
		if (k > (UINT16_MAX - MNL_ATTR_HDRLEN) / per)
			k = (UINT16_MAX - MNL_ATTR_HDRLEN) / per;
	}
	want = len1 + (k - 1) * per;
	/* Room to spare either way, so a layout that grew after all is caught
	 * by the length check below instead of being written out of bounds. */
	if (want > sizeof(scratch) / 2) {
		if (!(big = malloc(want + sizeof(scratch))))
			return -ENOMEM;
		out = big;
	}
	if (!build_elems(out, family, table, set, addrs, k))
		err = -ENOMEM;
	else if (((struct nlmsghdr *)out)->nlmsg_len != want)
		err = -EPROTO;
	else
		err = emit(buf, size, (struct nlmsghdr *)out);
	free(big);
	if (err > 0)
		*consumed = k;
	return err;
}

/* ---- rules: expressions ---- */

/* Every expression below loads into and compares register 1, except the
 * DNAT port (register 2) and verdicts. */

static struct nftnl_expr *expr_meta(uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return e;
}

static struct nftnl_expr *expr_cmp(uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return e;
}

static struct nftnl_expr *expr_payload(uint32_t base, uint32_t offset, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	return e;
}

/* reg1 = reg1 & mask (the kernel wants the xor operand even when zero). */
static struct nftnl_expr *expr_mask(const void *mask, uint32_t len)
{
	static const uint8_t zero[16];
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	}
	return e;
}

static struct nftnl_expr *expr_immediate(uint32_t dreg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, dreg);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
	}
	return e;
}

static struct nftnl_expr *expr_drop(void)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
	}
	return e;
}

static struct nftnl_expr *expr_lookup(const char *set)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		if (nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set) < 0) {
			nftnl_expr_free(e);
			e = NULL;
		}
	}
	return e;
}

/* ---- rules: assembly ---- */

struct rule {
	struct nftnl_rule *r;
	bool oom; /* an allocation failed: the message is not built */
};

static int rule_start(struct rule *rl, int family, const char *table, const char *chain)
{
	int err;

	rl->oom = false;
	if ((err = check_name(table)) || (err = check_name(chain)))
		return err;
	if (!(rl->r = nftnl_rule_alloc()))
		return -ENOMEM;
	nftnl_rule_set_u32(rl->r, NFTNL_RULE_FAMILY, (uint32_t)family);
	if (nftnl_rule_set_str(rl->r, NFTNL_RULE_TABLE, table) < 0 ||
	    nftnl_rule_set_str(rl->r, NFTNL_RULE_CHAIN, chain) < 0)
		rl->oom = true;
	return 0;
}

static void add(struct rule *rl, struct nftnl_expr *e)
{
	if (e)
		nftnl_rule_add_expr(rl->r, e);
	else
		rl->oom = true;
}

static int rule_finish(struct rule *rl, int family, void *buf, size_t size)
{
	char scratch[NFT_SCRATCH_SIZE] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;

	if (rl->oom) {
		nftnl_rule_free(rl->r);
		return -ENOMEM;
	}
	nlh = nftnl_nlmsg_build_hdr(scratch, NFT_MSG_NEWRULE, (uint16_t)family,
				    NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, 0);
	nftnl_rule_nlmsg_build_payload(nlh, rl->r);
	nftnl_rule_free(rl->r);
	return emit(buf, size, nlh);
}

/* Can a table of `family` hold a rule matching `addr_family` headers? */
static int check_rule_family(int family, int addr_family)
{
	if (addr_family != AF_INET && addr_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (family == NFPROTO_INET)
		return 0;
	if ((family == NFPROTO_IPV4 && addr_family == AF_INET) ||
	    (family == NFPROTO_IPV6 && addr_family == AF_INET6))
		return 0;
	return -EAFNOSUPPORT;
}

/* An inet table sees IPv4 and IPv6 packets: check which one this is before
 * reading a network header field at a family-specific offset. */
static void add_nfproto_check(struct rule *rl, int family, int addr_family)
{
	uint8_t proto = addr_family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;

	if (family != NFPROTO_INET)
		return;
	add(rl, expr_meta(NFT_META_NFPROTO));
	add(rl, expr_cmp(NFT_CMP_EQ, &proto, 1));
}

static void add_saddr_load(struct rule *rl, int addr_family)
{
	if (addr_family == AF_INET)
		add(rl, expr_payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4));
	else
		add(rl, expr_payload(NFT_PAYLOAD_NETWORK_HEADER, 8, 16));
}

/* saddr in p: load, mask to the prefix length, compare with the network. */
static void add_saddr_in_prefix(struct rule *rl, int family, const struct cbx_prefix *p)
{
	unsigned alen = cbx_ip_bytes(p->ip.family);
	uint8_t mask[16] = { 0 }, net[16];

	for (unsigned bit = 0; bit < p->len; bit++)
		mask[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
	for (unsigned i = 0; i < alen; i++)
		net[i] = p->ip.bytes[i] & mask[i];
	add_nfproto_check(rl, family, p->ip.family);
	add_saddr_load(rl, p->ip.family);
	add(rl, expr_mask(mask, alen));
	add(rl, expr_cmp(NFT_CMP_EQ, net, alen));
}

/* meta_key NFT_META_OIFNAME or NFT_META_IIFNAME, compared with a key from
 * ifname_key. */
static void add_ifname_cmp(struct rule *rl, uint32_t meta_key, uint32_t op,
			   const char key[IFNAMSIZ])
{
	add(rl, expr_meta(meta_key));
	add(rl, expr_cmp(op, key, IFNAMSIZ));
}

/* ---- rules ---- */

int nft_build_rule_masquerade(void *buf, size_t size, int family, const char *table,
			      const char *chain, const struct cbx_prefix *src_subnet,
			      const char *not_oifname)
{
	char key[IFNAMSIZ];
	struct rule rl;
	int err;

	if ((err = check_rule_family(family, src_subnet->ip.family)))
		return err;
	if (src_subnet->len > cbx_ip_bits(src_subnet->ip.family))
		return -EINVAL;
	if (not_oifname && (err = ifname_key(not_oifname, key)))
		return err;
	if ((err = rule_start(&rl, family, table, chain)))
		return err;
	add_saddr_in_prefix(&rl, family, src_subnet);
	if (not_oifname)
		add_ifname_cmp(&rl, NFT_META_OIFNAME, NFT_CMP_NEQ, key);
	add(&rl, nftnl_expr_alloc("masq"));
	return rule_finish(&rl, family, buf, size);
}

int nft_build_rule_masquerade_loopback(void *buf, size_t size, int family, const char *table,
				       const char *chain, const char *oifname)
{
	struct cbx_prefix loopback = { .ip = { .family = AF_INET, .bytes = { 127 } }, .len = 8 };
	char key[IFNAMSIZ];
	struct rule rl;
	int err;

	if ((err = check_rule_family(family, AF_INET)) || (err = ifname_key(oifname, key)))
		return err;
	if ((err = rule_start(&rl, family, table, chain)))
		return err;
	add_saddr_in_prefix(&rl, family, &loopback);
	add_ifname_cmp(&rl, NFT_META_OIFNAME, NFT_CMP_EQ, key);
	add(&rl, nftnl_expr_alloc("masq"));
	return rule_finish(&rl, family, buf, size);
}

static struct nftnl_expr *expr_fib_daddr_type(void)
{
	struct nftnl_expr *e = nftnl_expr_alloc("fib");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
	}
	return e;
}

static struct nftnl_expr *expr_dnat4(bool with_port)
{
	struct nftnl_expr *e = nftnl_expr_alloc("nat");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
		if (with_port) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
			/* As nft sends it (the kernel would infer it). */
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
		}
	}
	return e;
}

int nft_build_rule_dnat(void *buf, size_t size, int family, const char *table, const char *chain,
			uint8_t l4proto, uint16_t dport, const struct cbx_ip *to, uint16_t to_port)
{
	uint32_t local = RTN_LOCAL; /* fib results are host-order words */
	uint16_t dport_be = htons(dport), to_port_be = htons(to_port);
	struct rule rl;
	int err;

	if ((err = check_rule_family(family, AF_INET)))
		return err;
	if (to->family != AF_INET)
		return -EAFNOSUPPORT;
	if ((l4proto != IPPROTO_TCP && l4proto != IPPROTO_UDP) || dport == 0)
		return -EINVAL;
	if ((err = rule_start(&rl, family, table, chain)))
		return err;
	add(&rl, expr_fib_daddr_type());
	add(&rl, expr_cmp(NFT_CMP_EQ, &local, sizeof(local)));
	add_nfproto_check(&rl, family, AF_INET);
	add(&rl, expr_meta(NFT_META_L4PROTO));
	add(&rl, expr_cmp(NFT_CMP_EQ, &l4proto, 1));
	/* The destination port sits at offset 2 in both TCP and UDP headers. */
	add(&rl, expr_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2));
	add(&rl, expr_cmp(NFT_CMP_EQ, &dport_be, 2));
	add(&rl, expr_immediate(NFT_REG_1, to->bytes, 4));
	if (to_port)
		add(&rl, expr_immediate(NFT_REG_2, &to_port_be, 2));
	add(&rl, expr_dnat4(to_port != 0));
	return rule_finish(&rl, family, buf, size);
}

int nft_build_rule_drop_saddr_set(void *buf, size_t size, int family, const char *table,
				  const char *chain, int addr_family, const char *set)
{
	struct rule rl;
	int err;

	if ((err = check_rule_family(family, addr_family)) || (err = check_name(set)))
		return err;
	if ((err = rule_start(&rl, family, table, chain)))
		return err;
	add_nfproto_check(&rl, family, addr_family);
	add_saddr_load(&rl, addr_family);
	add(&rl, expr_lookup(set));
	add(&rl, expr_drop());
	return rule_finish(&rl, family, buf, size);
}

static struct nftnl_expr *expr_numgen_random(uint32_t modulus)
{
	struct nftnl_expr *e = nftnl_expr_alloc("numgen");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NG_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NG_TYPE, NFT_NG_RANDOM);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NG_MODULUS, modulus);
	}
	return e;
}

static struct nftnl_expr *expr_hton32(void)
{
	struct nftnl_expr *e = nftnl_expr_alloc("byteorder");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 4);
	}
	return e;
}

int nft_build_rule_random_drop(void *buf, size_t size, int family, const char *table,
			       const char *chain, const char *iifname, uint32_t per_million)
{
	uint32_t threshold_be = htonl(per_million);
	char key[IFNAMSIZ];
	struct rule rl;
	int err;

	if (per_million > NUMGEN_RANGE)
		return -EINVAL;
	if (iifname && (err = ifname_key(iifname, key)))
		return err;
	if ((err = rule_start(&rl, family, table, chain)))
		return err;
	if (iifname)
		add_ifname_cmp(&rl, NFT_META_IIFNAME, NFT_CMP_EQ, key);
	add(&rl, expr_numgen_random(NUMGEN_RANGE));
	/* cmp lt compares bytes with memcmp, so the host-order number from
	 * numgen is turned big-endian first (nft does the same). */
	add(&rl, expr_hton32());
	add(&rl, expr_cmp(NFT_CMP_LT, &threshold_be, 4));
	add(&rl, expr_drop());
	return rule_finish(&rl, family, buf, size);
}

int nft_build_rule_set_mark(void *buf, size_t size, int family, const char *table,
			    const char *chain, const char *iifname, uint32_t mark)
{
	char key[IFNAMSIZ];
	struct nftnl_expr *set;
	struct rule rl;
	int err;

	if ((err = ifname_key(iifname, key)) || (err = rule_start(&rl, family, table, chain)))
		return err;
	add_ifname_cmp(&rl, NFT_META_IIFNAME, NFT_CMP_EQ, key);
	add(&rl, expr_immediate(NFT_REG_1, &mark, sizeof(mark)));
	if ((set = nftnl_expr_alloc("meta"))) {
		nftnl_expr_set_u32(set, NFTNL_EXPR_META_KEY, NFT_META_MARK);
		nftnl_expr_set_u32(set, NFTNL_EXPR_META_SREG, NFT_REG_1);
	}
	add(&rl, set);
	return rule_finish(&rl, family, buf, size);
}

int nft_build_rule_drop_unless_mark(void *buf, size_t size, int family, const char *table,
				    const char *chain, uint32_t meta_key, const char *ifname,
				    uint32_t mark)
{
	char key[IFNAMSIZ];
	struct rule rl;
	int err;

	if (meta_key != NFT_META_OIFNAME && meta_key != NFT_META_IIFNAME)
		return -EINVAL;
	if ((err = ifname_key(ifname, key)) || (err = rule_start(&rl, family, table, chain)))
		return err;
	add_ifname_cmp(&rl, meta_key, NFT_CMP_EQ, key);
	add(&rl, expr_meta(NFT_META_MARK));
	/* The mark is a host-order u32, as nft compares it. */
	add(&rl, expr_cmp(NFT_CMP_NEQ, &mark, sizeof(mark)));
	add(&rl, expr_drop());
	return rule_finish(&rl, family, buf, size);
}
