/* nftables builders: build each message, parse it back with libnftnl, and
 * compare every attribute and, for rules, every expression in order with
 * its registers, offsets, lengths and data. Short buffers must fail without
 * a byte written past their end. No root needed. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
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

#include "netlink/nft_msg.h"
#include "overflow.h"
#include "tap.h"

static char buf[8192] __attribute__((aligned(4)));
/* For the short-buffer checks: a message plus room to see stray writes. */
static char obuf[8192 + 256] __attribute__((aligned(4)));

static uint16_t nft_type(uint16_t msg)
{
	return (uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | msg);
}

/* The frame every object message shares: type, flags, seq 0, family. */
static void check_frame(const char *what, int len, uint16_t msg, uint16_t flags, int family)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);

	ok(len > 0, "%s: builds", what);
	is_int(nlh->nlmsg_len, len, "%s: returns its length", what);
	is_int(nlh->nlmsg_type, nft_type(msg), "%s: message type", what);
	is_int(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | flags, "%s: flags", what);
	is_int(nlh->nlmsg_seq, 0, "%s: sequence left to the transport", what);
	is_int(nfg->nfgen_family, family, "%s: family", what);
	is_int(nfg->version, NFNETLINK_V0, "%s: nfnetlink version", what);
}

static void test_batch(void)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	int len;

	len = nft_build_batch_begin(buf, sizeof(buf));
	is_int(len, 20, "batch begin: header and nfgenmsg");
	is_int(nlh->nlmsg_type, NFNL_MSG_BATCH_BEGIN, "batch begin: type");
	is_int(nlh->nlmsg_flags, NLM_F_REQUEST, "batch begin: a plain request");
	is_int(nlh->nlmsg_seq, 0, "batch begin: seq 0");
	is_int(nfg->nfgen_family, AF_UNSPEC, "batch begin: no family");
	is_int(ntohs(nfg->res_id), NFNL_SUBSYS_NFTABLES, "batch begin: for nftables");
	NO_OVERFLOW("batch begin", len, nft_build_batch_begin(obuf, sz_));

	len = nft_build_batch_end(buf, sizeof(buf));
	is_int(len, 20, "batch end: header and nfgenmsg");
	is_int(nlh->nlmsg_type, NFNL_MSG_BATCH_END, "batch end: type");
	is_int(ntohs(nfg->res_id), NFNL_SUBSYS_NFTABLES, "batch end: for nftables");
	NO_OVERFLOW("batch end", len, nft_build_batch_end(obuf, sz_));
}

static void test_table(void)
{
	struct nftnl_table *t;
	int len;

	len = nft_build_table_add(buf, sizeof(buf), NFPROTO_INET, "cboxlab-lab1");
	check_frame("table add", len, NFT_MSG_NEWTABLE, NLM_F_CREATE, NFPROTO_INET);
	t = nftnl_table_alloc();
	ok(nftnl_table_nlmsg_parse((struct nlmsghdr *)buf, t) == 0, "table add: parses");
	is_str(nftnl_table_get_str(t, NFTNL_TABLE_NAME), "cboxlab-lab1", "table add: name");
	is_int(nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY), NFPROTO_INET, "table add: family");
	nftnl_table_free(t);
	NO_OVERFLOW("table add", len, nft_build_table_add(obuf, sz_, NFPROTO_INET, "cboxlab-lab1"));

	len = nft_build_table_del(buf, sizeof(buf), NFPROTO_INET, "cboxlab-lab1");
	check_frame("table del", len, NFT_MSG_DELTABLE, 0, NFPROTO_INET);
	t = nftnl_table_alloc();
	ok(nftnl_table_nlmsg_parse((struct nlmsghdr *)buf, t) == 0, "table del: parses");
	is_str(nftnl_table_get_str(t, NFTNL_TABLE_NAME), "cboxlab-lab1", "table del: name");
	nftnl_table_free(t);

	{
		char longname[300];

		memset(longname, 'x', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		is_int(nft_build_table_add(buf, sizeof(buf), NFPROTO_INET, longname), -ENAMETOOLONG,
		       "table: a name past NFT_NAME_MAXLEN is refused");
		is_int(nft_build_table_add(buf, sizeof(buf), NFPROTO_INET, ""), -EINVAL,
		       "table: an empty name is refused");
	}
}

/* `down` lists the host's tables once instead of adding and deleting one
 * per interface: the dump request, and the name read back from what the
 * kernel answers (a NEWTABLE message, as the table add builds one). */
static void test_table_dump(void)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	char name[64], small[8];
	int len;

	len = nft_build_table_dump(buf, sizeof(buf), NFPROTO_BRIDGE);
	is_int(len, 20, "table dump: header and nfgenmsg");
	is_int(nlh->nlmsg_type, nft_type(NFT_MSG_GETTABLE), "table dump: GETTABLE");
	is_int(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP, "table dump: a dump");
	is_int(nfg->nfgen_family, NFPROTO_BRIDGE, "table dump: of the family asked");
	NO_OVERFLOW("table dump", len, nft_build_table_dump(obuf, sz_, NFPROTO_BRIDGE));

	nft_build_table_add(buf, sizeof(buf), NFPROTO_BRIDGE, "cboxlab-loss-tx-3");
	is_int(nft_parse_table_name(nlh, name, sizeof(name)), 17, "table name: read back");
	is_str(name, "cboxlab-loss-tx-3", "table name: the table's");
	is_int(nft_parse_table_name(nlh, small, sizeof(small)), -ENAMETOOLONG,
	       "table name: one that does not fit is refused");
	nft_build_chain_add(buf, sizeof(buf), NFPROTO_BRIDGE, "cboxlab-loss-tx-3", "in", "filter",
			    0, 0, NF_ACCEPT);
	is_int(nft_parse_table_name(nlh, name, sizeof(name)), -EINVAL,
	       "table name: a chain's message is no table");
}

static void test_chain(void)
{
	struct nftnl_chain *c;
	int len;

	len = nft_build_chain_add(buf, sizeof(buf), NFPROTO_INET, "cbx", "postrouting", "nat",
				  NF_INET_POST_ROUTING, 100, NF_ACCEPT);
	check_frame("nat chain", len, NFT_MSG_NEWCHAIN, NLM_F_CREATE, NFPROTO_INET);
	c = nftnl_chain_alloc();
	ok(nftnl_chain_nlmsg_parse((struct nlmsghdr *)buf, c) == 0, "nat chain: parses");
	is_str(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), "cbx", "nat chain: table");
	is_str(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), "postrouting", "nat chain: name");
	is_str(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE), "nat", "nat chain: type");
	is_int(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM), NF_INET_POST_ROUTING,
	       "nat chain: hook");
	is_int(nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO), 100, "nat chain: priority");
	is_int(nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY), NF_ACCEPT, "nat chain: policy");
	is_int(nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY), NFPROTO_INET, "nat chain: family");
	ok(!nftnl_chain_is_set(c, NFTNL_CHAIN_DEV), "nat chain: no device");
	nftnl_chain_free(c);
	NO_OVERFLOW("nat chain", len,
		    nft_build_chain_add(obuf, sz_, NFPROTO_INET, "cbx", "postrouting", "nat",
					NF_INET_POST_ROUTING, 100, NF_ACCEPT));

	len = nft_build_chain_add(buf, sizeof(buf), NFPROTO_INET, "cbx", "prerouting", "nat",
				  NF_INET_PRE_ROUTING, -100, NF_ACCEPT);
	c = nftnl_chain_alloc();
	nftnl_chain_nlmsg_parse((struct nlmsghdr *)buf, c);
	is_int(nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO), -100, "dstnat chain: negative priority");
	is_int(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM), NF_INET_PRE_ROUTING,
	       "dstnat chain: hook");
	nftnl_chain_free(c);

	len = nft_build_chain_add(buf, sizeof(buf), NFPROTO_INET, "cbx", "input", "filter",
				  NF_INET_LOCAL_IN, 0, NF_DROP);
	c = nftnl_chain_alloc();
	nftnl_chain_nlmsg_parse((struct nlmsghdr *)buf, c);
	is_str(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE), "filter", "filter chain: type");
	is_int(nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY), NF_DROP, "filter chain: drop policy");
	nftnl_chain_free(c);

	is_int(nft_build_chain_add(buf, sizeof(buf), NFPROTO_INET, "cbx", "x", "filter",
				   NF_INET_LOCAL_IN, 0, NF_QUEUE),
	       -EINVAL, "chain: a policy other than accept or drop is refused");
}

static void test_set(void)
{
	struct nftnl_set *s;
	int len;

	len = nft_build_set_add(buf, sizeof(buf), NFPROTO_INET, "cbx", "cut4", AF_INET, 0);
	check_frame("set4", len, NFT_MSG_NEWSET, NLM_F_CREATE, NFPROTO_INET);
	s = nftnl_set_alloc();
	ok(nftnl_set_nlmsg_parse((struct nlmsghdr *)buf, s) == 0, "set4: parses");
	is_str(nftnl_set_get_str(s, NFTNL_SET_TABLE), "cbx", "set4: table");
	is_str(nftnl_set_get_str(s, NFTNL_SET_NAME), "cut4", "set4: name");
	is_int(nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE), 7, "set4: ipv4_addr key");
	is_int(nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN), 4, "set4: 4-byte key");
	ok(!nftnl_set_is_set(s, NFTNL_SET_DESC_SIZE), "set4: no size given, none said");
	nftnl_set_free(s);
	NO_OVERFLOW("set4", len,
		    nft_build_set_add(obuf, sz_, NFPROTO_INET, "cbx", "cut4", AF_INET, 0));

	len = nft_build_set_add(buf, sizeof(buf), NFPROTO_INET, "cbx", "cut6", AF_INET6, 500);
	s = nftnl_set_alloc();
	ok(len > 0 && nftnl_set_nlmsg_parse((struct nlmsghdr *)buf, s) == 0, "set6: parses");
	is_int(nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE), 8, "set6: ipv6_addr key");
	is_int(nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN), 16, "set6: 16-byte key");
	is_int(nftnl_set_get_u32(s, NFTNL_SET_DESC_SIZE), 500,
	       "set6: its size, for the kernel's table");
	nftnl_set_free(s);

	is_int(nft_build_set_add(buf, sizeof(buf), NFPROTO_INET, "cbx", "x", AF_UNIX, 0),
	       -EAFNOSUPPORT, "set: only IPv4 and IPv6 keys");
}

/* Parse a NEWSETELEM message with libmnl; append its keys to out[*got..].
 * (libnftnl's own parser cannot read these back: libnftnl numbers the
 * element nests 1, 2, 3... as it builds them, which the kernel accepts, but
 * its parser, written for kernel dumps, wants every one typed
 * NFTA_LIST_ELEM.) */
struct elems_parse {
	const char *table, *set;
	const struct nlattr *elements;
};

static int elems_top(const struct nlattr *a, void *data)
{
	struct elems_parse *p = data;

	switch (mnl_attr_get_type(a)) {
	case NFTA_SET_ELEM_LIST_TABLE:
		p->table = mnl_attr_get_str(a);
		break;
	case NFTA_SET_ELEM_LIST_SET:
		p->set = mnl_attr_get_str(a);
		break;
	case NFTA_SET_ELEM_LIST_ELEMENTS:
		p->elements = a;
		break;
	}
	return MNL_CB_OK;
}

static bool parse_elems(const char *msg, const char *set, unsigned alen, struct cbx_ip *out,
			size_t *got, size_t max)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)msg;
	struct elems_parse p = { 0 };
	const struct nlattr *elem, *key, *value;

	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), elems_top, &p) != MNL_CB_OK || !p.table ||
	    strcmp(p.table, "cbx") || !p.set || strcmp(p.set, set) || !p.elements)
		return false;
	mnl_attr_for_each_nested(elem, p.elements)
	{
		/* Each element holds exactly one key, which holds one value. */
		key = mnl_attr_get_payload(elem);
		if (mnl_attr_get_payload_len(elem) != MNL_ALIGN(mnl_attr_get_len(key)) ||
		    mnl_attr_get_type(key) != NFTA_SET_ELEM_KEY)
			return false;
		value = mnl_attr_get_payload(key);
		if (mnl_attr_get_payload_len(key) != MNL_ALIGN(mnl_attr_get_len(value)) ||
		    mnl_attr_get_type(value) != NFTA_DATA_VALUE ||
		    mnl_attr_get_payload_len(value) != alen || *got >= max)
			return false;
		out[*got].family = alen == 4 ? AF_INET : AF_INET6;
		memset(out[*got].bytes, 0, sizeof(out[*got].bytes));
		memcpy(out[*got].bytes, mnl_attr_get_payload(value), alen);
		(*got)++;
	}
	return true;
}

/* A one-element message, read back by libnftnl itself. */
static void test_set_elem_libnftnl(void)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e;
	struct cbx_ip a;
	uint32_t klen = 0;
	const void *key = NULL;
	size_t used;

	cbx_ip_parse("fd00::9", &a);
	nft_build_set_elems_add(buf, sizeof(buf), NFPROTO_INET, "cbx", "cut6", &a, 1, &used);
	ok(nftnl_set_elems_nlmsg_parse((struct nlmsghdr *)buf, s) == 0, "elem: libnftnl parses it");
	is_str(nftnl_set_get_str(s, NFTNL_SET_NAME), "cut6", "elem: set name");
	is_str(nftnl_set_get_str(s, NFTNL_SET_TABLE), "cbx", "elem: table");
	it = nftnl_set_elems_iter_create(s);
	if ((e = nftnl_set_elems_iter_next(it)))
		key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &klen);
	ok(key && klen == 16 && !memcmp(key, a.bytes, 16), "elem: key is the address");
	ok(!nftnl_set_elems_iter_next(it), "elem: only one");
	nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
}

static void test_set_elems_split(int family, unsigned count, size_t size)
{
	struct cbx_ip *addrs = calloc(count, sizeof(*addrs)), *back = calloc(count, sizeof(*addrs));
	unsigned alen = family == AF_INET ? 4 : 16;
	const char *set = family == AF_INET ? "cut4" : "cut6";
	size_t done = 0, got = 0, msgs = 0, room = size + 256;
	bool fits = true, parses = true, all_equal = true;
	char *mbuf = aligned_alloc(4, room);

	for (unsigned i = 0; i < count; i++) {
		addrs[i].family = (uint8_t)family;
		if (family == AF_INET) {
			addrs[i].bytes[0] = 10;
			addrs[i].bytes[1] = 9;
			addrs[i].bytes[2] = (uint8_t)(i >> 8);
			addrs[i].bytes[3] = (uint8_t)i;
		} else {
			addrs[i].bytes[0] = 0xfd;
			addrs[i].bytes[14] = (uint8_t)(i >> 8);
			addrs[i].bytes[15] = (uint8_t)i;
		}
	}
	while (done < count) {
		size_t used = 0;
		int len;

		memset(mbuf, CANARY, room);
		len = nft_build_set_elems_add(mbuf, size, NFPROTO_INET, "cbx", set, addrs + done,
					      count - done, &used);
		if (len <= 0 || used == 0) {
			ok(0, "elems %s: message %zu builds (got %d)", set, msgs, len);
			break;
		}
		msgs++;
		if ((size_t)len > size || !untouched(mbuf + size, room - size))
			fits = false;
		if (((struct nlmsghdr *)mbuf)->nlmsg_type != nft_type(NFT_MSG_NEWSETELEM) ||
		    ((struct nlmsghdr *)mbuf)->nlmsg_flags !=
			    (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE))
			parses = false;
		{
			size_t before = got;

			if (!parse_elems(mbuf, set, alen, back, &got, count) ||
			    got - before != used)
				parses = false;
		}
		done += used;
	}
	ok(msgs > 1, "elems %s x%u in %zu-byte messages: split over %zu messages", set, count, size,
	   msgs);
	ok(fits, "elems %s: each message within its size, nothing written past it", set);
	ok(parses, "elems %s: each message parses to as many keys as it consumed", set);
	is_int(got, count, "elems %s: every address went in once", set);
	for (size_t i = 0; i < got && i < count; i++)
		if (!cbx_ip_equal(&addrs[i], &back[i]))
			all_equal = false;
	ok(all_equal, "elems %s: keys equal the addresses, in order", set);
	free(addrs);
	free(back);
	free(mbuf);
}

static void test_set_elems(void)
{
	struct cbx_ip a[3], back[3];
	size_t used = 99, got = 0;
	int len, len1;

	cbx_ip_parse("10.0.0.1", &a[0]);
	cbx_ip_parse("10.0.0.2", &a[1]);
	cbx_ip_parse("192.168.7.9", &a[2]);
	len = nft_build_set_elems_add(buf, sizeof(buf), NFPROTO_INET, "cbx", "cut4", a, 3, &used);
	check_frame("elems", len, NFT_MSG_NEWSETELEM, NLM_F_CREATE, NFPROTO_INET);
	is_int(used, 3, "elems: all three consumed");
	ok(parse_elems(buf, "cut4", 4, back, &got, 3), "elems: parse back");
	is_int(got, 3, "elems: three keys");
	ok(got == 3 && cbx_ip_equal(&a[0], &back[0]) && cbx_ip_equal(&a[1], &back[1]) &&
		   cbx_ip_equal(&a[2], &back[2]),
	   "elems: keys are the addresses");

	len1 = nft_build_set_elems_add(buf, sizeof(buf), NFPROTO_INET, "cbx", "cut4", a, 1, &used);
	memset(obuf, CANARY, sizeof(obuf));
	is_int(nft_build_set_elems_add(obuf, (size_t)len1 - 1, NFPROTO_INET, "cbx", "cut4", a, 3,
				       &used),
	       -ENOSPC, "elems: no room for one element is -ENOSPC");
	is_int(used, 0, "elems: nothing consumed on failure");
	ok(untouched(obuf + len1 - 1, sizeof(obuf) - (size_t)len1 + 1),
	   "elems: nothing written past a short buffer");
	memset(obuf, CANARY, sizeof(obuf));
	is_int(nft_build_set_elems_add(obuf, (size_t)len - 1, NFPROTO_INET, "cbx", "cut4", a, 3,
				       &used),
	       len - (len - len1) / 2, "elems: one byte short of three gives two");
	is_int(used, 2, "elems: two consumed");
	ok(untouched(obuf + len - 1, sizeof(obuf) - (size_t)len + 1),
	   "elems: nothing written past the buffer");

	a[1].family = AF_INET6;
	is_int(nft_build_set_elems_add(buf, sizeof(buf), NFPROTO_INET, "cbx", "cut4", a, 3, &used),
	       -EINVAL, "elems: mixed families are refused");
	is_int(nft_build_set_elems_add(buf, sizeof(buf), NFPROTO_INET, "cbx", "cut4", a, 0, &used),
	       -EINVAL, "elems: an empty list is refused");

	test_set_elem_libnftnl();
	test_set_elems_split(AF_INET, 1000, 4096);
	test_set_elems_split(AF_INET6, 1000, 8192);
	/* Large buffers are bounded by the 16-bit length of the element list. */
	test_set_elems_split(AF_INET, 10000, 200000);
}

/* ---- rules: expression-by-expression comparison ---- */

struct exprs {
	struct nftnl_rule *r;
	struct nftnl_expr *e[32];
	int n, i;
	const char *what;
};

static void rule_parse(struct exprs *x, const char *what, int len, int family)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;

	check_frame(what, len, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, family);
	x->what = what;
	x->n = x->i = 0;
	x->r = nftnl_rule_alloc();
	ok(nftnl_rule_nlmsg_parse((struct nlmsghdr *)buf, x->r) == 0, "%s: parses", what);
	is_str(nftnl_rule_get_str(x->r, NFTNL_RULE_TABLE), "cbx", "%s: table", what);
	is_str(nftnl_rule_get_str(x->r, NFTNL_RULE_CHAIN), "c", "%s: chain", what);
	is_int(nftnl_rule_get_u32(x->r, NFTNL_RULE_FAMILY), family, "%s: rule family", what);
	it = nftnl_expr_iter_create(x->r);
	while ((e = nftnl_expr_iter_next(it)) && x->n < 32)
		x->e[x->n++] = e;
	nftnl_expr_iter_destroy(it);
}

static void rule_done(struct exprs *x)
{
	is_int(x->n, x->i, "%s: no further expressions", x->what);
	nftnl_rule_free(x->r);
}

/* The next expression, which must be `name`; NULL (and a failure) if not. */
static const struct nftnl_expr *next(struct exprs *x, const char *name)
{
	const struct nftnl_expr *e = x->i < x->n ? x->e[x->i] : NULL;
	int at = ++x->i;

	if (!e) {
		ok(0, "%s: expression %d is %s (missing)", x->what, at, name);
		return NULL;
	}
	is_str(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), name, "%s: expression %d is %s", x->what, at,
	       name);
	return strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), name) ? NULL : e;
}

static void data_is(struct exprs *x, const struct nftnl_expr *e, uint16_t attr, const void *want,
		    uint32_t wlen, const char *field)
{
	uint32_t glen = 0;
	const void *got = nftnl_expr_get(e, attr, &glen);

	ok(got && glen == wlen && !memcmp(got, want, wlen), "%s: expression %d %s (%u bytes)",
	   x->what, x->i, field, wlen);
}

static void want_meta(struct exprs *x, uint32_t key)
{
	const struct nftnl_expr *e = next(x, "meta");

	if (!e)
		return;
	is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY), key, "%s: meta key", x->what);
	is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG), NFT_REG_1, "%s: meta into reg 1",
	       x->what);
}

static void want_cmp(struct exprs *x, uint32_t op, const void *data, uint32_t len)
{
	const struct nftnl_expr *e = next(x, "cmp");

	if (!e)
		return;
	is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG), NFT_REG_1, "%s: cmp reg 1", x->what);
	is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), op, "%s: cmp op", x->what);
	data_is(x, e, NFTNL_EXPR_CMP_DATA, data, len, "cmp data");
}

static void want_cmp_u8(struct exprs *x, uint8_t v)
{
	want_cmp(x, NFT_CMP_EQ, &v, 1);
}

/* An inet table's check of the packet's family: meta nfproto == proto. */
static void want_nfproto(struct exprs *x, uint8_t proto)
{
	want_meta(x, NFT_META_NFPROTO);
	want_cmp_u8(x, proto);
}

static void want_payload(struct exprs *x, uint32_t base, uint32_t offset, uint32_t len)
{
	const struct nftnl_expr *e = next(x, "payload");

	if (!e)
		return;
	is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG), NFT_REG_1, "%s: payload reg 1",
	       x->what);
	is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE), base, "%s: payload base", x->what);
	is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET), offset, "%s: payload offset",
	       x->what);
	is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN), len, "%s: payload length", x->what);
}

static void want_mask(struct exprs *x, const void *mask, uint32_t len)
{
	static const uint8_t zero[16];
	const struct nftnl_expr *e = next(x, "bitwise");

	if (!e)
		return;
	is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG), NFT_REG_1, "%s: bitwise from reg 1",
	       x->what);
	is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG), NFT_REG_1, "%s: bitwise to reg 1",
	       x->what);
	is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_LEN), len, "%s: bitwise length", x->what);
	data_is(x, e, NFTNL_EXPR_BITWISE_MASK, mask, len, "mask");
	data_is(x, e, NFTNL_EXPR_BITWISE_XOR, zero, len, "xor zero");
}

/* meta_key NFT_META_OIFNAME or NFT_META_IIFNAME compared (op) with the
 * name, zero-padded to IFNAMSIZ as the kernel stores it. */
/* "ip saddr NET/MASK" (alen 4) or "ip6 saddr" (alen 16): load the source
 * address, mask it, compare it with the network. */
static void want_saddr_prefix(struct exprs *x, uint32_t alen, const void *mask, const void *net)
{
	want_payload(x, NFT_PAYLOAD_NETWORK_HEADER, alen == 4 ? 12 : 8, alen);
	want_mask(x, mask, alen);
	want_cmp(x, NFT_CMP_EQ, net, alen);
}

static void want_ifname(struct exprs *x, uint32_t meta_key, uint32_t op, const char *name)
{
	char key[IFNAMSIZ] = { 0 };

	memcpy(key, name, strlen(name));
	want_meta(x, meta_key);
	want_cmp(x, op, key, IFNAMSIZ);
}

static void want_drop(struct exprs *x)
{
	const struct nftnl_expr *e = next(x, "immediate");

	if (!e)
		return;
	is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG), NFT_REG_VERDICT, "%s: verdict register",
	       x->what);
	is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT), NF_DROP, "%s: drop", x->what);
}

static void want_masq(struct exprs *x)
{
	const struct nftnl_expr *e = next(x, "masq");

	if (e)
		ok(!nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_FLAGS) &&
			   !nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN),
		   "%s: plain masquerade", x->what);
}

static void test_masquerade(void)
{
	static const uint8_t mask24[4] = { 255, 255, 255, 0 }, net24[4] = { 10, 0, 0, 0 };
	static const uint8_t mask64[16] = { 255, 255, 255, 255, 255, 255, 255, 255 };
	static const uint8_t net64[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 7 };
	static const uint8_t mask8[4] = { 255, 0, 0, 0 }, lo[4] = { 127, 0, 0, 0 };
	static const uint8_t mask20[4] = { 255, 255, 240, 0 }, net20[4] = { 172, 16, 16, 0 };
	struct cbx_prefix p;
	struct exprs x;
	int len;

	cbx_prefix_parse("10.0.0.0/24", true, &p);
	len = nft_build_rule_masquerade(buf, sizeof(buf), NFPROTO_INET, "cbx", "c", &p, "lan-b0");
	rule_parse(&x, "masq4", len, NFPROTO_INET);
	want_nfproto(&x, NFPROTO_IPV4);
	want_saddr_prefix(&x, 4, mask24, net24);
	want_ifname(&x, NFT_META_OIFNAME, NFT_CMP_NEQ, "lan-b0");
	want_masq(&x);
	rule_done(&x);
	NO_OVERFLOW("masq4", len,
		    nft_build_rule_masquerade(obuf, sz_, NFPROTO_INET, "cbx", "c", &p, "lan-b0"));

	/* Host bits in the subnet are masked off the compared value. */
	cbx_prefix_parse("172.16.17.5/20", true, &p);
	len = nft_build_rule_masquerade(buf, sizeof(buf), NFPROTO_INET, "cbx", "c", &p, NULL);
	rule_parse(&x, "masq4 /20, any interface", len, NFPROTO_INET);
	want_nfproto(&x, NFPROTO_IPV4);
	want_saddr_prefix(&x, 4, mask20, net20);
	want_masq(&x);
	rule_done(&x);

	cbx_prefix_parse("fd00:0:0:7::/64", true, &p);
	len = nft_build_rule_masquerade(buf, sizeof(buf), NFPROTO_INET, "cbx", "c", &p, "lan-b0");
	rule_parse(&x, "masq6", len, NFPROTO_INET);
	want_nfproto(&x, NFPROTO_IPV6);
	want_saddr_prefix(&x, 16, mask64, net64);
	want_ifname(&x, NFT_META_OIFNAME, NFT_CMP_NEQ, "lan-b0");
	want_masq(&x);
	rule_done(&x);

	/* An ip table needs no nfproto check: it only ever sees IPv4. */
	cbx_prefix_parse("10.0.0.0/24", true, &p);
	len = nft_build_rule_masquerade(buf, sizeof(buf), NFPROTO_IPV4, "cbx", "c", &p, "lan-b0");
	rule_parse(&x, "masq4 in an ip table", len, NFPROTO_IPV4);
	want_saddr_prefix(&x, 4, mask24, net24);
	want_ifname(&x, NFT_META_OIFNAME, NFT_CMP_NEQ, "lan-b0");
	want_masq(&x);
	rule_done(&x);
	is_int(nft_build_rule_masquerade(buf, sizeof(buf), NFPROTO_IPV6, "cbx", "c", &p, NULL),
	       -EAFNOSUPPORT, "masq: an IPv4 subnet in an ip6 table is refused");
	is_int(nft_build_rule_masquerade(buf, sizeof(buf), NFPROTO_INET, "cbx", "c", &p,
					 "sixteen-chars-xx"),
	       -ENAMETOOLONG, "masq: an interface name of IFNAMSIZ chars is refused");

	len = nft_build_rule_masquerade_loopback(buf, sizeof(buf), NFPROTO_INET, "cbx", "c",
						 "lan-b0");
	rule_parse(&x, "masq loopback", len, NFPROTO_INET);
	want_nfproto(&x, NFPROTO_IPV4);
	want_saddr_prefix(&x, 4, mask8, lo);
	want_ifname(&x, NFT_META_OIFNAME, NFT_CMP_EQ, "lan-b0");
	want_masq(&x);
	rule_done(&x);
	NO_OVERFLOW("masq loopback", len,
		    nft_build_rule_masquerade_loopback(obuf, sz_, NFPROTO_INET, "cbx", "c",
						       "lan-b0"));
	is_int(nft_build_rule_masquerade_loopback(buf, sizeof(buf), NFPROTO_INET, "cbx", "c", NULL),
	       -EINVAL, "masq loopback: the interface is required");
}

static void test_dnat(void)
{
	uint32_t local = RTN_LOCAL;
	uint16_t dport = htons(8080), to_port = htons(80);
	const struct nftnl_expr *e;
	struct cbx_ip to;
	struct exprs x;
	int len;

	cbx_ip_parse("10.0.0.2", &to);
	len = nft_build_rule_dnat(buf, sizeof(buf), NFPROTO_INET, "cbx", "c", IPPROTO_TCP, 8080,
				  &to, 80);
	rule_parse(&x, "dnat", len, NFPROTO_INET);
	if ((e = next(&x, "fib"))) {
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_DREG), NFT_REG_1,
		       "dnat: fib into reg 1");
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_RESULT), NFT_FIB_RESULT_ADDRTYPE,
		       "dnat: fib address type");
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_FLAGS), NFTA_FIB_F_DADDR,
		       "dnat: fib of the destination address");
	}
	want_cmp(&x, NFT_CMP_EQ, &local, 4);
	want_nfproto(&x, NFPROTO_IPV4);
	want_meta(&x, NFT_META_L4PROTO);
	want_cmp_u8(&x, IPPROTO_TCP);
	want_payload(&x, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	want_cmp(&x, NFT_CMP_EQ, &dport, 2);
	if ((e = next(&x, "immediate"))) {
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG), NFT_REG_1,
		       "dnat: address in reg 1");
		data_is(&x, e, NFTNL_EXPR_IMM_DATA, to.bytes, 4, "address");
	}
	if ((e = next(&x, "immediate"))) {
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG), NFT_REG_2,
		       "dnat: port in reg 2");
		data_is(&x, e, NFTNL_EXPR_IMM_DATA, &to_port, 2, "port, network order");
	}
	if ((e = next(&x, "nat"))) {
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE), NFT_NAT_DNAT, "dnat: type");
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FAMILY), NFPROTO_IPV4, "dnat: ipv4");
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN), NFT_REG_1,
		       "dnat: address from reg 1");
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN), NFT_REG_2,
		       "dnat: port from reg 2");
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FLAGS), NF_NAT_RANGE_PROTO_SPECIFIED,
		       "dnat: port specified");
		ok(!nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MAX) &&
			   !nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_PROTO_MAX),
		   "dnat: one address, one port");
	}
	rule_done(&x);
	NO_OVERFLOW("dnat", len,
		    nft_build_rule_dnat(obuf, sz_, NFPROTO_INET, "cbx", "c", IPPROTO_TCP, 8080, &to,
					80));

	/* UDP, same port on the node: no port register, no port flag. */
	dport = htons(53);
	len = nft_build_rule_dnat(buf, sizeof(buf), NFPROTO_INET, "cbx", "c", IPPROTO_UDP, 53, &to,
				  0);
	rule_parse(&x, "dnat udp keep port", len, NFPROTO_INET);
	next(&x, "fib");
	want_cmp(&x, NFT_CMP_EQ, &local, 4);
	want_nfproto(&x, NFPROTO_IPV4);
	want_meta(&x, NFT_META_L4PROTO);
	want_cmp_u8(&x, IPPROTO_UDP);
	want_payload(&x, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	want_cmp(&x, NFT_CMP_EQ, &dport, 2);
	next(&x, "immediate");
	if ((e = next(&x, "nat")))
		ok(!nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_PROTO_MIN) &&
			   !nftnl_expr_is_set(e, NFTNL_EXPR_NAT_FLAGS),
		   "dnat udp keep port: no port mapping");
	rule_done(&x);

	is_int(nft_build_rule_dnat(buf, sizeof(buf), NFPROTO_INET, "cbx", "c", IPPROTO_ICMP, 1, &to,
				   0),
	       -EINVAL, "dnat: only tcp and udp");
	cbx_ip_parse("fd00::2", &to);
	is_int(nft_build_rule_dnat(buf, sizeof(buf), NFPROTO_INET, "cbx", "c", IPPROTO_TCP, 1, &to,
				   0),
	       -EAFNOSUPPORT, "dnat: to an IPv4 address only");
}

static void test_drop_set(void)
{
	const struct nftnl_expr *e;
	struct exprs x;
	int len;

	len = nft_build_rule_drop_saddr_set(buf, sizeof(buf), NFPROTO_INET, "cbx", "c", AF_INET,
					    "cut4");
	rule_parse(&x, "drop set4", len, NFPROTO_INET);
	want_nfproto(&x, NFPROTO_IPV4);
	want_payload(&x, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	if ((e = next(&x, "lookup"))) {
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG), NFT_REG_1,
		       "drop set4: looks up reg 1");
		is_str(nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET), "cut4", "drop set4: set name");
		ok(!nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG) &&
			   !nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS),
		   "drop set4: a plain membership test");
	}
	want_drop(&x);
	rule_done(&x);
	NO_OVERFLOW("drop set4", len,
		    nft_build_rule_drop_saddr_set(obuf, sz_, NFPROTO_INET, "cbx", "c", AF_INET,
						  "cut4"));

	len = nft_build_rule_drop_saddr_set(buf, sizeof(buf), NFPROTO_INET, "cbx", "c", AF_INET6,
					    "cut6");
	rule_parse(&x, "drop set6", len, NFPROTO_INET);
	want_nfproto(&x, NFPROTO_IPV6);
	want_payload(&x, NFT_PAYLOAD_NETWORK_HEADER, 8, 16);
	if ((e = next(&x, "lookup")))
		is_str(nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET), "cut6", "drop set6: set name");
	want_drop(&x);
	rule_done(&x);
}

static void want_random_below(struct exprs *x, uint32_t per_million)
{
	const struct nftnl_expr *e;
	uint32_t threshold = htonl(per_million);

	if ((e = next(x, "numgen"))) {
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_NG_DREG), NFT_REG_1, "%s: numgen reg 1",
		       x->what);
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_NG_TYPE), NFT_NG_RANDOM, "%s: random",
		       x->what);
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_NG_MODULUS), 1000000, "%s: mod 1000000",
		       x->what);
		ok(!nftnl_expr_is_set(e, NFTNL_EXPR_NG_OFFSET) ||
			   nftnl_expr_get_u32(e, NFTNL_EXPR_NG_OFFSET) == 0,
		   "%s: from 0", x->what);
	}
	if ((e = next(x, "byteorder"))) {
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_SREG), NFT_REG_1,
		       "%s: byteorder from reg 1", x->what);
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_DREG), NFT_REG_1,
		       "%s: byteorder to reg 1", x->what);
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_OP), NFT_BYTEORDER_HTON,
		       "%s: to network order", x->what);
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_LEN), 4, "%s: 4 bytes", x->what);
		is_int(nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_SIZE), 4, "%s: one 32-bit word",
		       x->what);
	}
	want_cmp(x, NFT_CMP_LT, &threshold, 4);
}

static void test_random_drop(void)
{
	struct exprs x;
	int len;

	len = nft_build_rule_random_drop(buf, sizeof(buf), NFPROTO_INET, "cbx", "c", "eth0", 25000);
	rule_parse(&x, "random drop", len, NFPROTO_INET);
	want_ifname(&x, NFT_META_IIFNAME, NFT_CMP_EQ, "eth0");
	want_random_below(&x, 25000);
	want_drop(&x);
	rule_done(&x);
	NO_OVERFLOW("random drop", len,
		    nft_build_rule_random_drop(obuf, sz_, NFPROTO_INET, "cbx", "c", "eth0", 25000));

	len = nft_build_rule_random_drop(buf, sizeof(buf), NFPROTO_INET, "cbx", "c", NULL, 1000000);
	rule_parse(&x, "random drop everywhere", len, NFPROTO_INET);
	want_random_below(&x, 1000000);
	want_drop(&x);
	rule_done(&x);

	is_int(nft_build_rule_random_drop(buf, sizeof(buf), NFPROTO_INET, "cbx", "c", NULL,
					  1000001),
	       -EINVAL, "random drop: more than a million per million is refused");
}

static void test_vlan_marks(void)
{
	struct exprs x;
	uint32_t mark = 10;
	const struct nftnl_expr *e;
	uint32_t got_len = 0;
	const void *got;
	int len;

	len = nft_build_rule_set_mark(buf, sizeof(buf), NFPROTO_BRIDGE, "cbx", "c", "lab-3", 10);
	rule_parse(&x, "set mark", len, NFPROTO_BRIDGE);
	want_ifname(&x, NFT_META_IIFNAME, NFT_CMP_EQ, "lab-3");
	e = next(&x, "immediate");
	if (e) {
		got = nftnl_expr_get(e, NFTNL_EXPR_IMM_DATA, &got_len);
		ok(nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG) == NFT_REG_1 && got_len == 4 &&
			   !memcmp(got, &mark, 4),
		   "set mark: reg1 = 10");
	}
	e = next(&x, "meta");
	if (e)
		ok(nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY) == NFT_META_MARK &&
			   nftnl_expr_is_set(e, NFTNL_EXPR_META_SREG) &&
			   nftnl_expr_get_u32(e, NFTNL_EXPR_META_SREG) == NFT_REG_1,
		   "set mark: meta mark set reg1");
	rule_done(&x);
	NO_OVERFLOW("set mark", len,
		    nft_build_rule_set_mark(obuf, sz_, NFPROTO_BRIDGE, "cbx", "c", "lab-3", 10));

	len = nft_build_rule_drop_unless_mark(buf, sizeof(buf), NFPROTO_BRIDGE, "cbx", "c",
					      NFT_META_OIFNAME, "lab-4", 10);
	rule_parse(&x, "drop unless mark", len, NFPROTO_BRIDGE);
	want_ifname(&x, NFT_META_OIFNAME, NFT_CMP_EQ, "lab-4");
	want_meta(&x, NFT_META_MARK);
	want_cmp(&x, NFT_CMP_NEQ, &mark, 4);
	want_drop(&x);
	rule_done(&x);
	NO_OVERFLOW("drop unless mark", len,
		    nft_build_rule_drop_unless_mark(obuf, sz_, NFPROTO_BRIDGE, "cbx", "c",
						    NFT_META_OIFNAME, "lab-4", 10));

	len = nft_build_rule_drop_unless_mark(buf, sizeof(buf), NFPROTO_BRIDGE, "cbx", "c",
					      NFT_META_IIFNAME, "lab-b0u1", 0);
	rule_parse(&x, "drop unless mark coming in", len, NFPROTO_BRIDGE);
	want_ifname(&x, NFT_META_IIFNAME, NFT_CMP_EQ, "lab-b0u1");
	want_meta(&x, NFT_META_MARK);
	mark = 0;
	want_cmp(&x, NFT_CMP_NEQ, &mark, 4);
	want_drop(&x);
	rule_done(&x);
	is_int(nft_build_rule_drop_unless_mark(buf, sizeof(buf), NFPROTO_BRIDGE, "cbx", "c",
					       NFT_META_BRI_IIFNAME, "lab-b0", 0),
	       -EINVAL, "drop unless mark: only by output or input port");
	is_int(nft_build_rule_set_mark(buf, sizeof(buf), NFPROTO_BRIDGE, "cbx", "c",
				       "a-name-too-long-for-ifnamsiz", 1),
	       -ENAMETOOLONG, "set mark: a name longer than IFNAMSIZ is refused");
}

int main(void)
{
	test_vlan_marks();
	test_batch();
	test_table();
	test_table_dump();
	test_chain();
	test_set();
	test_set_elems();
	test_masquerade();
	test_dnat();
	test_drop_set();
	test_random_drop();
	return tap_done();
}
