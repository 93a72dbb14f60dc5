/* Link state: an interface's carrier cut and restored, the link itself
 * kept (fault_link, lab/fault.h). */
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include "bridge/wiring.h"
#include "lab/fault.h"
#include "lab/node_netns.h"
#include "netlink/rtnl_msg.h"

static int set_link(struct nl_conn *c, int ifindex, const char *name, bool up, const char *where,
		    struct cbx_error *err)
{
	struct rtnl_link_spec l = RTNL_LINK_SPEC_INIT;
	struct nl_batch b;
	int rc;

	l.ifindex = ifindex;
	l.name = ifindex ? NULL : name;
	l.up = up;
	nl_batch_init(&b);
	NL_BUILD(&b, rtnl_build_link_change, &l);
	nl_batch_push(&b, 0, "set %s %s in %s", name, up ? "up" : "down", where);
	rc = nl_batch_commit(c, &b, err);
	nl_batch_free(&b);
	return rc;
}

static int running_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == RTM_NEWLINK)
		*(bool *)data = ifi->ifi_flags & IFF_RUNNING;
	return MNL_CB_OK;
}

/* A carrier coming back is acted on by the kernel's link watch, up to a
 * second later: until then the device drops what it is given. Wait for it,
 * so that traffic flows when `link up` returns. */
static int wait_running(struct nl_conn *c, int ifindex, const char *what, struct cbx_error *err)
{
	for (int i = 0; i < 300; i++) {
		char req[64];
		bool running = false;

		rtnl_build_link_get(req, sizeof(req), ifindex);
		if (nl_query(c, (struct nlmsghdr *)req, running_cb, &running, what, err) < 0)
			return -1;
		if (running)
			return 0;
		usleep(10000);
	}
	return cbx_error_set(err, CBX_ERR_SYSTEM, "%s did not come back up within 3 s", what);
}

/* The bridge port: the node keeps its interface up and sees the carrier
 * go, as with a cable pulled at the switch. */
static int link_network(struct lab_faults *fl, const struct cbx_iface *ifc, bool up,
			struct cbx_error *err)
{
	struct nl_conn *c = lab_rtnl(&fl->ctx, err);
	struct nl_conn rtnl;
	int rc;

	if (!c || set_link(c, 0, ifc->host_name, up, "the host", err) < 0)
		return -1;
	if (!up)
		return 0;
	if (lab_node_rtnl_open(fl->t, ifc->node, &rtnl, err) < 0)
		return -1;
	rc = wait_running(&rtnl, ifc->ifindex, ifc->name, err);
	nl_close(&rtnl);
	return rc;
}

/* Both ends of the cable. Taking an interface down makes the kernel drop
 * the routes through it (and its IPv6 addresses): bringing it up again
 * puts the node's configuration back. */
static int link_p2p(struct lab_faults *fl, const struct cbx_iface *ifc, bool up,
		    struct cbx_error *err)
{
	const struct cbx_iface *ends[2] = { ifc->link->a, ifc->link->b };
	struct nl_conn rtnl[2] = { 0 };
	int rc = 0;

	for (int e = 0; e < 2 && rc == 0; e++)
		rc = lab_node_rtnl_open(fl->t, ends[e]->node, &rtnl[e], err);
	for (int e = 0; e < 2 && rc == 0; e++)
		rc = set_link(&rtnl[e], ends[e]->ifindex, ends[e]->name, up, ends[e]->node->name,
			      err);
	/* Each end runs once the other is up too. */
	for (int e = 0; e < 2 && rc == 0 && up; e++)
		rc = wait_running(&rtnl[e], ends[e]->ifindex, ends[e]->name, err);
	for (int e = 0; e < 2 && rc == 0 && up; e++) {
		struct nl_batch b;
		nl_batch_init(&b);
		wiring_add_node_config(&b, ends[e]->node, NL_REQ_IGNORE_EXISTS);
		rc = nl_batch_commit(&rtnl[e], &b, err);
		nl_batch_free(&b);
	}
	nl_close(&rtnl[0]);
	nl_close(&rtnl[1]);
	return rc;
}

int fault_link(struct lab_faults *fl, const struct cbx_iface *ifc, bool up, struct cbx_error *err)
{
	if (ifc->parent)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "%s:%s is a VLAN sub-interface: take its trunk %s:%s down instead",
				     ifc->node->name, ifc->name, ifc->node->name,
				     ifc->parent->name);
	if ((ifc->network ? link_network(fl, ifc, up, err) : link_p2p(fl, ifc, up, err)) < 0)
		return -1;
	fault_record_link_set(fl->record, ifc, !up);
	return 0;
}
