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

struct socks_wanted {
	struct lab_node_socks *s;
	bool with_nft;
};

static int open_socks(void *arg, struct cbx_error *err)
{
	const struct socks_wanted *w = arg;

	if (nl_open(&w->s->rtnl, NETLINK_ROUTE, err) < 0)
		return -1;
	return w->with_nft ? nl_open(&w->s->nft, NETLINK_NETFILTER, err) : 0;
}

int lab_node_socks_open(const struct cbx_topo *t, const struct cbx_node *n, bool with_nft,
			struct lab_node_socks *s, struct cbx_error *err)
{
	struct socks_wanted w = { s, with_nft };

	memset(s, 0, sizeof(*s));
	if (lab_node_netns_run(t, n, open_socks, &w, err) < 0) {
		lab_node_socks_close(s);
		return -1;
	}
	return 0;
}

static int open_nft(void *arg, struct cbx_error *err)
{
	return nl_open(arg, NETLINK_NETFILTER, err);
}

int lab_node_nft_open(const struct cbx_topo *t, const struct cbx_node *n, struct nl_conn *c,
		      struct cbx_error *err)
{
	memset(c, 0, sizeof(*c));
	return lab_node_netns_run(t, n, open_nft, c, err);
}

void lab_node_socks_close(struct lab_node_socks *s)
{
	nl_close(&s->rtnl);
	nl_close(&s->nft);
}
