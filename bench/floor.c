/* floor: the kernel's minimum work per lab node, as a reference point for
 * cboxlab's benchmark. Nothing here is shared with cboxlab.
 *
 *   floor up N [--hold] [--ipv6ll] [--netns-only] [--shape star|chain|mesh] [--prefix P]
 *
 * Up, per node: clone() a child into new net/mount/PID/UTS/IPC namespaces that
 * blocks on a pipe; one RTM_NEWLINK creating a veth pair whose peer ("eth0",
 * ifindex 2) is created straight inside the child's netns; the host end's
 * IPv6 turned off (disable_ipv6) and a second request enslaving it to the
 * bridge and raising it; then, through a netlink socket opened inside the
 * child's netns, an address and link up on eth0. One request and one ACK at
 * a time.
 *
 * A bridge port needs no IPv6 of its own: with it, each host end has a
 * multicast route in the host's local table, one list that every port's
 * coming up and going walks (past a few thousand ports, most of the time).
 * And before eth0 goes up its IPv6 address generation is turned off (one
 * more small request). Without that, every node's link-local
 * autoconfiguration (DAD, router and MLD solicitations: multicast) is
 * flooded by the bridge to every other node, O(N^2) packets handled in
 * softirq while the next nodes are being made: measured here at N = 1000,
 * about 3000 packets per port and an up time of ~11 s instead of ~2.3 s.
 * (IFLA_AF_SPEC in the link-up request itself is too late: the flags are
 * applied first.) --ipv6ll leaves both as the kernel makes them (and the
 * host end is enslaved and raised in the creating request).
 *
 * The bridges do not snoop multicast (as cboxlab's: a network floods it, as
 * a hub does); snooping re-arms two timers on every port of a bridge each
 * time one port comes up or goes.
 *
 * Down: SIGKILL and reap every child, delete the bridge, and wait until the
 * kernel has removed every cbxbf- interface (the netns of a dead child is
 * destroyed asynchronously, and its veth pair with it). The host ends are
 * not deleted one by one on purpose: measured here, an RTM_DELLINK per veth
 * pair costs about 20 ms each (every deletion waits for RCU grace periods),
 * while the kernel's netns cleanup removes them in batches (~1 ms per node).
 *
 * --netns-only: a node is a network namespace and nothing else, the floor of
 * cboxlab's "kind": "netns" nodes: unshare(CLONE_NEWNET), its descriptor
 * kept open (which keeps it alive) and back to the host's; no process. Down
 * closes them all, one after the other, as killing the children does.
 *
 * --shape chain|mesh: the same nodes, no bridge, and instead the point-to-point
 * links of bench/gen_topo.py's shape (chain: node i -- node i+1; mesh: every
 * pair), each one RTM_NEWLINK creating the veth pair with both ends straight in
 * the two nodes' netns, then in each netns addrgenmode none, its /30 address
 * and link up (one netlink socket per node, opened once). No routes: the
 * kernel's minimum for the links alone. Down kills the nodes; the kernel
 * then frees their netns, and the links in them, asynchronously (nothing of
 * them is visible from the host to wait for: the harness lets the machine
 * go quiet before the next run).
 *
 * It prints one line of key=value timings for the benchmark harness (its
 * up_s starts after its own setup). With --hold it prints the children's
 * PIDs (with --netns-only, 0) as soon as it is up and waits for a line (or EOF) on stdin before
 * going down: bench/run.sh times it to that line as a whole command (with
 * bench/timeit --until-line), as it times cboxlab. Every host object is
 * named cbxbf-*.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

/* Every host object's name starts with obj_prefix ("cbxbf-" unless --prefix
 * says otherwise, so that two people can run the benchmark on one host); the
 * bridge is <prefix>br, a node's host end <prefix>h<i>. */
#define OBJ_PREFIX_MAX 8
static char obj_prefix[OBJ_PREFIX_MAX + 1] = "cbxbf-";
static char bridge_name[OBJ_PREFIX_MAX + 3];
#define NODE_IFNAME "eth0"
#define NODE_IFINDEX 2 /* lo is 1 in a fresh netns; we choose eth0's */
#define NODE_NS_FLAGS (CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC)
#define MAX_NODES 65000 /* node i gets 10.0.0.0/16 + i */
#define DOWN_TIMEOUT_S 120

struct nl {
	struct mnl_socket *sk;
	unsigned seq, portid;
};

static pid_t *children;
static int n_children;
static int netns_only; /* --netns-only: nodes are bare netns, held by these */
static int *held_ns;
static int n_held;
static int bridge_made; /* cleanup deletes only a bridge this process made */
static int leaves_made; /* leaf bridges (and their uplinks) of a star past one bridge */

static void best_effort_cleanup(void);

static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("floor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	best_effort_cleanup();
	exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nl_open(struct nl *nl)
{
	int on = 1;
	nl->sk = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sk)
		die("netlink socket: %s", strerror(errno));
	/* The kernel's extended ACK text often says exactly what is wrong. */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &on, sizeof on);
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink bind: %s", strerror(errno));
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (unsigned)time(NULL);
}

static const char *extack_text(const struct nlmsghdr *r)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(r);
	const struct nlattr *a;
	size_t off = sizeof(*e);

	if (!(r->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	if (!(r->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	mnl_attr_for_each (a, r, off)
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
			return mnl_attr_get_str(a);
	return "";
}

/* Send one request and wait for its ACK; any error is fatal. ENODEV is
 * returned instead when allow_enodev is set (deleting what is already gone). */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh, const char *what, int allow_enodev)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		die("%s: send: %s", what, strerror(errno));
	for (;;) {
		int n = (int)mnl_socket_recvfrom(nl->sk, buf, sizeof buf);
		const struct nlmsghdr *r = (const struct nlmsghdr *)buf;

		if (n < 0)
			die("%s: receive: %s", what, strerror(errno));
		for (; mnl_nlmsg_ok(r, n); r = mnl_nlmsg_next(r, &n)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(r);

			if (r->nlmsg_seq != nl->seq || r->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error == 0 || (allow_enodev && e->error == -ENODEV))
				return -e->error;
			die("%s: %s %s", what, strerror(-e->error), extack_text(r));
		}
	}
}

static struct nlmsghdr *link_msg(char *buf, int type, int flags, struct ifinfomsg **ifm)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	*ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(**ifm)); /* zeroed */
	(*ifm)->ifi_family = AF_UNSPEC;
	return nlh;
}

static int bridge_create(struct nl *nl, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifm);
	struct nlattr *info, *data;
	int index;

	ifm->ifi_flags = ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	nl_talk(nl, nlh, "create bridge", 0);
	index = (int)if_nametoindex(name);
	if (!index)
		die("bridge %s: %s", name, strerror(errno));
	return index;
}

static void link_delete(struct nl *nl, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = link_msg(buf, RTM_DELLINK, 0, &ifm);

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	nl_talk(nl, nlh, "delete link", 1);
}

/* Enslave link `name` to bridge `master` and bring it up. */
static void link_set_master(struct nl *nl, const char *name, int master)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, &ifm);

	ifm->ifi_flags = ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	nl_talk(nl, nlh, "enslave link", 0);
}

/* No IPv6 on host end `name` (before it comes up). */
static void host_end_without_ipv6(const char *name)
{
	char path[96];
	int fd;

	snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return; /* no IPv6 on this host: nothing to turn off */
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	if (write(fd, "1", 1) != 1)
		die("write %s: %s", path, strerror(errno));
	close(fd);
}

/* The bridge, and the tree's leaves and their uplink pairs if any. */
static void bridges_delete(struct nl *nl)
{
	char name[32]; /* fits IFNAMSIZ: prefix <= 8, k < 64 */

	link_delete(nl, bridge_name);
	for (int k = 0; k < leaves_made; k++) {
		snprintf(name, sizeof name, "%su%d", obj_prefix, k);
		link_delete(nl, name);
		snprintf(name, sizeof name, "%sl%d", obj_prefix, k);
		link_delete(nl, name);
	}
	bridge_made = leaves_made = 0;
}

/* One end of a veth pair: its name, the ifindex it asks for (0: the
 * kernel's choice), the netns to create it in (-1: this one), and for a host
 * end the bridge it joins (0: none) and whether it comes up at once. */
struct veth_end {
	const char *name;
	int ifindex, nsfd, master, up;
};

static void put_end(struct nlmsghdr *nlh, struct ifinfomsg *ifm, const struct veth_end *e)
{
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = e->ifindex;
	if (e->up)
		ifm->ifi_flags = ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, e->name);
	if (e->nsfd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)e->nsfd);
	if (e->master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)e->master);
}

/* A veth pair in one request: end a, and its peer b, each created straight
 * where it belongs (star: a is the host end on the bridge, b the node's eth0;
 * chain and mesh: a and b in two nodes' netns). */
static void veth_create(struct nl *nl, const struct veth_end *a, const struct veth_end *b)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifm);
	struct nlattr *info, *data, *peer;

	put_end(nlh, ifm, a);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer's attributes follow a raw ifinfomsg, not an attribute. */
	put_end(nlh, mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg)), b);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	nl_talk(nl, nlh, "create veth", 0);
}

/* Inside a node's netns (nl was opened there), on interface `ifindex`: no
 * IPv6 link-local (see the top), address/prefix, then link up. */
static void iface_configure(struct nl *nl, int ifindex, uint32_t host_order_addr, int prefix,
			    int ipv6ll)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	struct ifinfomsg *ifm;
	uint32_t addr = htonl(host_order_addr);

	if (!ipv6ll) {
		struct nlattr *af, *inet6;

		nlh = link_msg(buf, RTM_NEWLINK, 0, &ifm);
		ifm->ifi_index = ifindex;
		af = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
		inet6 = mnl_attr_nest_start(nlh, AF_INET6);
		mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
		mnl_attr_nest_end(nlh, inet6);
		mnl_attr_nest_end(nlh, af);
		nl_talk(nl, nlh, "node addrgenmode none", 0);
	}

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, addr);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, addr);
	nl_talk(nl, nlh, "node address", 0);

	nlh = link_msg(buf, RTM_NEWLINK, 0, &ifm);
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = ifm->ifi_change = IFF_UP;
	nl_talk(nl, nlh, "node link up", 0);
}

static const char *count_prefix;

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;
	mnl_attr_for_each (a, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(a) == IFLA_IFNAME &&
		    strncmp(mnl_attr_get_str(a), count_prefix, strlen(count_prefix)) == 0)
			++*(int *)data;
	return MNL_CB_OK;
}

/* How many interfaces named cbxbf-* the host netns has (an RTM_GETLINK dump),
 * or -1 when the kernel flags the dump as interrupted (links changed meanwhile:
 * they do, while a netns is being torn down), which means "ask again". */
static int count_links(struct nl *nl)
{
	static char buf[1 << 16];
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifm);
	int count = 0, interrupted = 0;

	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		die("link dump: %s", strerror(errno));
	for (;;) {
		int n = (int)mnl_socket_recvfrom(nl->sk, buf, sizeof buf);
		const struct nlmsghdr *r = (const struct nlmsghdr *)buf;

		if (n < 0)
			die("link dump: %s", strerror(errno));
		for (; mnl_nlmsg_ok(r, n); r = mnl_nlmsg_next(r, &n)) {
			if (r->nlmsg_seq != nl->seq)
				continue;
			if (r->nlmsg_flags & NLM_F_DUMP_INTR)
				interrupted = 1;
			if (r->nlmsg_type == NLMSG_DONE)
				return interrupted ? -1 : count;
			if (r->nlmsg_type == NLMSG_ERROR)
				die("link dump: %s",
				    strerror(-((const struct nlmsgerr *)mnl_nlmsg_get_payload(r))
						      ->error));
			count_cb(r, &count);
		}
	}
}

static int child_main(void *arg)
{
	int *pipefd = arg;
	char c;

	/* If floor dies, its nodes die with it (and their netns, and veths). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(pipefd[1]);
	while (read(pipefd[0], &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static long pss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Pss: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void kill_children(void)
{
	for (int i = 0; i < n_children; i++)
		kill(children[i], SIGKILL);
	for (int i = 0; i < n_children; i++)
		while (waitpid(children[i], NULL, 0) < 0 && errno == EINTR)
			;
	n_children = 0;
	for (int i = 0; i < n_held; i++)
		close(held_ns[i]);
	n_held = 0;
}

static void best_effort_cleanup(void)
{
	static int done;
	struct nl nl;

	if (done++)
		return;
	kill_children();
	if (!bridge_made)
		return;
	/* A dying node takes its veth pair along; only the bridges are left. */
	nl.sk = mnl_socket_open(NETLINK_ROUTE);
	if (nl.sk && mnl_socket_bind(nl.sk, 0, MNL_SOCKET_AUTOPID) == 0) {
		nl.seq = 1;
		bridges_delete(&nl);
	}
}

enum shape {
	STAR,
	CHAIN,
	MESH
};

/* Node i (1-based): cloned (or with --netns-only, a netns made and held), its
 * netns fd open; give it back with release_node_ns. */
static int make_node(int i, int *pipefd, int host_ns)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	char nspath[64];
	pid_t pid;
	int nsfd;

	if (netns_only) {
		if (unshare(CLONE_NEWNET) < 0)
			die("unshare netns of node %d: %s", i, strerror(errno));
		nsfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			die("open netns of node %d: %s", i, strerror(errno));
		if (setns(host_ns, CLONE_NEWNET) < 0)
			die("setns back to host: %s", strerror(errno));
		return nsfd;
	}
	pid = clone(child_main, stack + sizeof stack, NODE_NS_FLAGS | SIGCHLD, pipefd);
	if (pid < 0)
		die("clone node %d: %s", i, strerror(errno));
	children[n_children++] = pid;
	snprintf(nspath, sizeof nspath, "/proc/%d/ns/net", pid);
	nsfd = open(nspath, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		die("open %s: %s", nspath, strerror(errno));
	return nsfd;
}

/* Done with node's netns fd: a bare netns lives as long as it is held. */
static void release_node_ns(int nsfd)
{
	if (netns_only)
		held_ns[n_held++] = nsfd;
	else
		close(nsfd);
}

/* A netlink socket belongs to the netns it was opened in. */
static void nl_open_in(struct nl *inner, int nsfd, int host_ns)
{
	if (setns(nsfd, CLONE_NEWNET) < 0)
		die("setns: %s", strerror(errno));
	nl_open(inner);
	if (setns(host_ns, CLONE_NEWNET) < 0)
		die("setns back to host: %s", strerror(errno));
}

/* chain and mesh: every node first (netns fd and netlink socket kept), then
 * the links, numbered as gen_topo.py numbers them; link k is 10.0.0.0 + 4k
 * /30, host 1 on its first end. Interface names and indexes: mesh, node i's
 * end towards j is eth<j>, ifindex j + 1; chain, eth0 (ifindex 2) towards
 * i - 1 and eth1 (ifindex 3) towards i + 1. */
static void up_p2p(enum shape shape, int n, int *pipefd, int host_ns, struct nl *nl, int ipv6ll,
		   double *t_clone, double *t_veth, double *t_inside)
{
	int *nsfd = calloc((size_t)n + 1, sizeof(*nsfd));
	struct nl *inner = calloc((size_t)n + 1, sizeof(*inner));
	unsigned k = 0;
	double t;

	if (!nsfd || !inner)
		die("out of memory");
	for (int i = 1; i <= n; i++) {
		t = now();
		nsfd[i] = make_node(i, pipefd, host_ns);
		*t_clone += now() - t;
		t = now();
		nl_open_in(&inner[i], nsfd[i], host_ns);
		*t_inside += now() - t;
	}
	for (int i = 1; i <= n; i++) {
		for (int j = i + 1; j <= (shape == MESH ? n : i + 1) && j <= n; j++, k++) {
			char name_a[IFNAMSIZ], name_b[IFNAMSIZ];
			int idx_a = shape == MESH ? j + 1 : 3, idx_b = shape == MESH ? i + 1 : 2;
			uint32_t base = (10u << 24) + 4 * k;

			snprintf(name_a, sizeof name_a, "eth%d", shape == MESH ? j : 1);
			snprintf(name_b, sizeof name_b, "eth%d", shape == MESH ? i : 0);
			t = now();
			veth_create(nl, &(struct veth_end){ name_a, idx_a, nsfd[i], 0, 0 },
				    &(struct veth_end){ name_b, idx_b, nsfd[j], 0, 0 });
			*t_veth += now() - t;
			t = now();
			iface_configure(&inner[i], idx_a, base + 1, 30, ipv6ll);
			iface_configure(&inner[j], idx_b, base + 2, 30, ipv6ll);
			*t_inside += now() - t;
		}
	}
	for (int i = 1; i <= n; i++) {
		mnl_socket_close(inner[i].sk);
		release_node_ns(nsfd[i]);
	}
	free(inner);
	free(nsfd);
}

/* A bridge holds 1023 ports. A star of more nodes than that is a tree, as
 * cboxlab makes it: the bridge holds one uplink per leaf bridge (a veth
 * pair, <prefix>u<k> on the bridge, <prefix>d<k> on leaf <prefix>l<k>), and
 * each leaf up to LEAF_NODES nodes. */
#define BRIDGE_PORTS 1023
#define LEAF_NODES (BRIDGE_PORTS - 1)

static void up_star(int n, int *pipefd, int host_ns, struct nl *nl, int ipv6ll, double *t_clone,
		    double *t_veth, double *t_inside)
{
	int br_index, *leaf_index = NULL, n_leaves = 0;
	double t;

	br_index = bridge_create(nl, bridge_name);
	bridge_made = 1;
	if (n > BRIDGE_PORTS) {
		n_leaves = (n + LEAF_NODES - 1) / LEAF_NODES;
		leaf_index = calloc((size_t)n_leaves, sizeof(*leaf_index));
		if (!leaf_index)
			die("out of memory");
		for (int k = 0; k < n_leaves; k++) {
			char leaf[32], up[32], down[32]; /* fit IFNAMSIZ */
			snprintf(leaf, sizeof leaf, "%sl%d", obj_prefix, k);
			snprintf(up, sizeof up, "%su%d", obj_prefix, k);
			snprintf(down, sizeof down, "%sd%d", obj_prefix, k);
			leaf_index[k] = bridge_create(nl, leaf);
			leaves_made = k + 1;
			/* The peer's own IFLA_MASTER is refused by newer kernels
			 * (6.18: "Transport endpoint is not connected"): the leaf
			 * end joins its bridge in a second request. */
			veth_create(nl, &(struct veth_end){ up, 0, -1, br_index, 1 },
				    &(struct veth_end){ down, 0, -1, 0, 0 });
			link_set_master(nl, down, leaf_index[k]);
		}
	}
	for (int i = 1; i <= n; i++) {
		char host[24]; /* i <= MAX_NODES: fits IFNAMSIZ */
		struct nl inner;
		int nsfd, master = n_leaves ? leaf_index[(i - 1) / LEAF_NODES] : br_index;

		t = now();
		nsfd = make_node(i, pipefd, host_ns);
		*t_clone += now() - t;

		t = now();
		snprintf(host, sizeof host, "%sh%d", obj_prefix, i);
		if (ipv6ll) {
			veth_create(nl, &(struct veth_end){ host, 0, -1, master, 1 },
				    &(struct veth_end){ NODE_IFNAME, NODE_IFINDEX, nsfd, 0, 0 });
		} else {
			/* A bridge port needs no IPv6 of its own: without it,
			 * no multicast route in the host's local table, one list
			 * every port's up and down walks (as cboxlab does). */
			veth_create(nl, &(struct veth_end){ host, 0, -1, 0, 0 },
				    &(struct veth_end){ NODE_IFNAME, NODE_IFINDEX, nsfd, 0, 0 });
			host_end_without_ipv6(host);
			link_set_master(nl, host, master);
		}
		*t_veth += now() - t;

		t = now();
		nl_open_in(&inner, nsfd, host_ns);
		iface_configure(&inner, NODE_IFINDEX, (10u << 24) + (unsigned)i, 16, ipv6ll);
		mnl_socket_close(inner.sk);
		release_node_ns(nsfd);
		*t_inside += now() - t;
	}
	free(leaf_index);
}

/* Wait until no interface named `prefix`* is left in the host netns. */
static void wait_links_gone(struct nl *nl, const char *prefix, double t0)
{
	count_prefix = prefix;
	while (count_links(nl) != 0) {
		struct timespec ms = { 0, 1000000 };
		if (now() - t0 > DOWN_TIMEOUT_S)
			die("interfaces named %s* still present after %d s", prefix,
			    DOWN_TIMEOUT_S);
		nanosleep(&ms, NULL);
	}
	count_prefix = obj_prefix;
}

int main(int argc, char **argv)
{
	int n, hold = 0, ipv6ll = 0, pipefd[2], host_ns;
	enum shape shape = STAR;
	double t0, t_clone = 0, t_veth = 0, t_inside = 0, up_s, down_s;
	long pss_total = 0;
	struct rusage ru;
	struct nl nl;

	if (argc < 3 || strcmp(argv[1], "up") != 0) {
		fprintf(stderr, "usage: floor up N [--hold] [--ipv6ll] [--netns-only] "
				"[--shape star|chain|mesh] [--prefix P]\n");
		return 2;
	}
	n = atoi(argv[2]);
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--hold") == 0)
			hold = 1;
		else if (strcmp(argv[i], "--ipv6ll") == 0)
			ipv6ll = 1;
		else if (strcmp(argv[i], "--netns-only") == 0)
			netns_only = 1;
		else if (strcmp(argv[i], "--prefix") == 0 && i + 1 < argc) {
			const char *v = argv[++i];
			/* <prefix>h65000 must fit in IFNAMSIZ. */
			if (!*v || strlen(v) > OBJ_PREFIX_MAX || strpbrk(v, "/ :"))
				die("--prefix: 1 to %d characters, no '/', ':' or space",
				    OBJ_PREFIX_MAX);
			strcpy(obj_prefix, v);
		} else if (strcmp(argv[i], "--shape") == 0 && i + 1 < argc) {
			const char *v = argv[++i];
			if (strcmp(v, "star") == 0)
				shape = STAR;
			else if (strcmp(v, "chain") == 0)
				shape = CHAIN;
			else if (strcmp(v, "mesh") == 0)
				shape = MESH;
			else
				die("unknown shape %s (star, chain or mesh)", v);
		} else
			die("unknown option %s", argv[i]);
	}
	if (n < 1 || n > MAX_NODES || (shape == MESH && n > 254))
		die("N must be 1..%d (mesh: 1..254)", MAX_NODES);
	snprintf(bridge_name, sizeof(bridge_name), "%sbr", obj_prefix);
	count_prefix = obj_prefix;
	children = calloc((size_t)n, sizeof(*children));
	held_ns = calloc((size_t)n, sizeof(*held_ns));
	if (!children || !held_ns || pipe2(pipefd, O_CLOEXEC) < 0)
		die("setup: %s", strerror(errno));
	host_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (host_ns < 0)
		die("open host netns: %s", strerror(errno));
	/* chain and mesh hold a netns fd and a socket per node, bare netns
	 * nodes their netns fd. */
	if (shape != STAR || netns_only) {
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	nl_open(&nl);

	/* ---- up ---- */
	t0 = now();
	if (shape == STAR)
		up_star(n, pipefd, host_ns, &nl, ipv6ll, &t_clone, &t_veth, &t_inside);
	else
		up_p2p(shape, n, pipefd, host_ns, &nl, ipv6ll, &t_clone, &t_veth, &t_inside);
	up_s = now() - t0;

	/* The PIDs first: bench/timeit --until-line stops its clock at this
	 * line, which is how the harness times the floor as a whole command,
	 * process start included, the way it times cboxlab. */
	if (hold) {
		for (int i = 0; i < n_children; i++)
			printf("%d%c", children[i], i + 1 < n_children ? ' ' : '\n');
		if (!n_children) /* --netns-only: no process to name */
			printf("0\n");
		fflush(stdout);
	}
	for (int i = 0; i < n_children; i++)
		pss_total += pss_kb(children[i]);
	if (hold) {
		char line[16];
		if (!fgets(line, sizeof line, stdin))
			clearerr(stdin);
	}

	/* ---- down ---- */
	t0 = now();
	kill_children();
	if (shape == STAR) {
		bridges_delete(&nl);
		wait_links_gone(&nl, obj_prefix, t0);
	}
	down_s = now() - t0;

	getrusage(RUSAGE_SELF, &ru);
	printf("n=%d shape=%s netns_only=%d ipv6ll=%d up_s=%.4f down_s=%.4f clone_ms_per_node=%.3f "
	       "veth_ms_per_node=%.3f inside_ms_per_node=%.3f pss_kb_per_node=%.1f self_maxrss_kb=%ld\n",
	       n,
	       shape == STAR    ? "star"
	       : shape == CHAIN ? "chain"
				: "mesh",
	       netns_only, ipv6ll, up_s, down_s, t_clone * 1e3 / n, t_veth * 1e3 / n,
	       t_inside * 1e3 / n, (double)pss_total / n, ru.ru_maxrss);
	mnl_socket_close(nl.sk);
	return 0;
}
