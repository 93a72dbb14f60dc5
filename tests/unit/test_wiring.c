/* The wiring's requests, read back from the batch (no kernel). */
#include <linux/rtnetlink.h>
#include <string.h>

#include "attrs.h"
#include "bridge/wiring.h"
#include "tap.h"
#include "topo/topo.h"

/* A router on a stick: a trunk, two sub-interfaces, and a link. */
static const char *lab =
	"{\"name\": \"tw\", \"networks\": {\"lan\": {\"subnet\": \"10.0.0.0/24\"}},"
	" \"nodes\": {\"r\": {\"interfaces\": {"
	"   \"eth0\": {\"network\": \"lan\", \"vlans\": [10, 20]},"
	"   \"eth0.10\": {\"addresses\": [\"10.0.10.1/24\"]},"
	"   \"eth0.20\": {\"addresses\": [\"10.0.20.1/24\"]}}},"
	"  \"s\": {}},"
	" \"links\": [{\"endpoints\": [\"r:eth1\", \"s:eth0\"], \"subnet\": \"10.9.0.0/30\"}]}";

/* Every interface that exists once the links are made gets a request for
 * itself, briefly answered: the VLAN sub-interfaces, made later, do not. */
static void test_link_settle(void)
{
	struct cbx_topo *t = NULL;
	struct cbx_error err;
	struct nl_batch b;
	const struct cbx_node *r;
	size_t got = 0;

	if (!ok(cbx_topo_load_text(lab, strlen(lab), "lab.json", &t, &err) == 0, "the lab loads")) {
		printf("#   %s\n", err.msg);
		return;
	}
	r = cbx_topo_node(t, "r");
	is_int(r->n_ifaces, 4, "r has a trunk, two sub-interfaces and a link's end");
	nl_batch_init(&b);
	for (size_t i = 0; i < r->n_ifaces; i++)
		wiring_add_link_settle(&b, r->ifaces[i]);
	is_int(b.build_error, 0, "builds");
	is_int(b.nreqs, 2, "a request per interface that is no sub-interface");
	for (size_t i = 0; i < b.nreqs; i++) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(b.buf + b.reqs[i].off);
		const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
		struct attrs top = { 0 };
		const struct cbx_iface *ifc = NULL;

		for (size_t k = 0; k < r->n_ifaces; k++)
			if (r->ifaces[k]->ifindex == ifi->ifi_index)
				ifc = r->ifaces[k];
		mnl_attr_parse(nlh, sizeof(*ifi), collect, &top);
		got += nlh->nlmsg_type == RTM_GETLINK && !(nlh->nlmsg_flags & NLM_F_DUMP) && ifc &&
		       !ifc->parent && top.a[IFLA_EXT_MASK] &&
		       mnl_attr_get_u32(top.a[IFLA_EXT_MASK]) == RTEXT_FILTER_SKIP_STATS;
	}
	is_int(got, 2, "each a brief RTM_GETLINK of one of them, by its ifindex");
	has_str(b.nreqs ? b.reqs[0].label : "", "settle the link event of r:eth",
		"labelled with the node and interface");
	nl_batch_free(&b);
	cbx_topo_free(t);
}

int main(void)
{
	test_link_settle();
	return tap_done();
}
