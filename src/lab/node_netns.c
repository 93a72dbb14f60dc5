#include "lab/node_netns.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "common/cleanup.h"
#include "runtime/netns.h"

int lab_node_netns_open(const struct cbx_topo *t, const struct cbx_node *n, struct cbx_error *err)
{
	char pin[512];
	int fd;

	if (netns_pin_path(pin, sizeof(pin), t->name, n->name) < 0)
		return cbx_error_sys(err, ENAMETOOLONG, "node %s: its netns", n->name);
	fd = open(pin, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cbx_error_sys(err, errno, "node %s: open its netns %s", n->name, pin);
	return fd;
}

int lab_node_netns_run(const struct cbx_topo *t, const struct cbx_node *n,
		       int (*fn)(void *arg, struct cbx_error *err), void *arg,
		       struct cbx_error *err)
{
	cleanup_close int fd = lab_node_netns_open(t, n, err);

	if (fd < 0)
		return -1;
	return netns_run(fd, fn, arg, err);
}

struct opening {
	struct nl_conn *c;
	int bus;
};

static int open_conn(void *arg, struct cbx_error *err)
{
	const struct opening *o = arg;

	return nl_open(o->c, o->bus, err);
}

static int open_in_node(const struct cbx_topo *t, const struct cbx_node *n, int bus,
			struct nl_conn *c, struct cbx_error *err)
{
	struct opening o = { c, bus };

	memset(c, 0, sizeof(*c));
	return lab_node_netns_run(t, n, open_conn, &o, err);
}

int lab_node_rtnl_open(const struct cbx_topo *t, const struct cbx_node *n, struct nl_conn *c,
		       struct cbx_error *err)
{
	return open_in_node(t, n, NETLINK_ROUTE, c, err);
}

int lab_node_nft_open(const struct cbx_topo *t, const struct cbx_node *n, struct nl_conn *c,
		      struct cbx_error *err)
{
	return open_in_node(t, n, NETLINK_NETFILTER, c, err);
}
