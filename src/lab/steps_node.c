/* Steps that make and wire the nodes: clone them, create their veth pairs,
 * configure their networks, and start their commands. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bridge/sysctl.h"
#include "bridge/wiring.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "lab/lab.h"
#include "lab/node_env.h"
#include "lab/steps.h"
#include "runtime/netns.h"

#define START_TIMEOUT_MS 60000
#define KILL_TIMEOUT_MS 10000

/* --- nodes -------------------------------------------------------------- */

static int spawn_node(struct lab_ctx *ctx, const struct cbx_node *n, struct cbx_error *err)
{
	struct node_rt *rt = &ctx->nodes[n->index];
	struct node_spawn_spec spec = { .name = n->name, .init_fd = ctx->init_fd, .netns_fd = -1 };
	char dir[512], path[600], lower[PATH_MAX], pin[512], pid_text[32];
	int cg_fds[CBX_CGROUP_MAX_FDS];
	size_t n_cg = 0;
	cleanup_close int log_fd = -1;
	int rc = -1;

	if (lab_node_dir(ctx, n, dir, sizeof(dir)) < 0)
		return cbx_error_sys(err, ENAMETOOLONG, "node %s", n->name);
	if (cbx_mkdir(dir, 0755, err) < 0)
		return -1;
	if (n->base == CBX_BASE_DIR) {
		struct stat st;
		if (stat(n->base_dir, &st) < 0 || !S_ISDIR(st.st_mode))
			return cbx_error_set(err, CBX_ERR_INPUT, "%s.base: %s is not a directory",
					     n->path, n->base_dir);
		snprintf(lower, sizeof(lower), "%s", n->base_dir);
	} else {
		snprintf(lower, sizeof(lower), "%s/rootfs", ctx->libdir);
	}
	snprintf(path, sizeof(path), "%s/console.log", dir);
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0)
		return cbx_error_sys(err, errno, "create %s", path);
	if (cbx_cgroup_node_create(&ctx->cg, ctx->t->name, n->name, &n->limits, cg_fds, &n_cg, err) < 0)
		return cbx_error_wrap(err, "node %s", n->name);

	spec.rootfs = (struct rootfs_spec){ .base = n->base, .lower = lower, .node_dir = dir,
					    .hostname = n->name };
	snprintf(path, sizeof(path), "%s/hosts", ctx->state_dir);
	spec.rootfs.hosts_file = path;
	spec.log_fd = log_fd;
	spec.cgroup_fds = cg_fds;
	spec.n_cgroup_fds = n_cg;
	spec.privileged = n->privileged;
	spec.argv = lab_node_init_argv(ctx->arena, n);
	spec.envp = lab_node_envp(ctx->arena, ctx->t, n);
	if (!spec.argv || !spec.envp) {
		cbx_error_sys(err, ENOMEM, "node %s", n->name);
		goto out;
	}
	if (node_spawn(&spec, &rt->proc, err) < 0)
		goto out;

	/* The PID is for `status` and `exec`; `down` finds processes through
	 * the cgroup, so a crash before this line loses nothing. */
	snprintf(path, sizeof(path), "%s/pid", dir);
	snprintf(pid_text, sizeof(pid_text), "%d\n", (int)rt->proc.pid);
	if (cbx_create_file(path, 0644, pid_text, strlen(pid_text), err) < 0)
		goto out;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)rt->proc.pid);
	rt->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (rt->netns_fd < 0) {
		cbx_error_sys(err, errno, "node %s: open its netns", n->name);
		goto out;
	}
	if (netns_pin_path(pin, sizeof(pin), ctx->t->name, n->name) < 0 ||
	    netns_pin(rt->proc.pid, pin, err) < 0) {
		cbx_error_wrap(err, "node %s", n->name);
		goto out;
	}
	rt->pinned = true;
	rc = 0;
out:
	for (size_t i = 0; i < n_cg; i++)
		close(cg_fds[i]);
	return rc;
}

static int node_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	char path[PATH_MAX];

	if (netns_prepare_dir(err) < 0)
		return -1;
	if (ctx->init_fd < 0) {
		snprintf(path, sizeof(path), "%s/cboxlab-init", ctx->libdir);
		ctx->init_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (ctx->init_fd < 0)
			return cbx_error_sys(err, errno, "open %s", path);
	}
	for (size_t i = 0; i < n; i++)
		if (spawn_node(ctx, s[i].u.node, err) < 0)
			return -1;
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Kill every node of the phase and wait until they are gone: SIGKILL to a
 * PID namespace's init takes the whole namespace with it, and the init
 * exits last, so its pidfd turning readable means the node is gone. The
 * cgroups cover what has no known init (an `up` killed before writing it). */
static int kill_nodes(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	long deadline = now_ms() + KILL_TIMEOUT_MS;
	int *pidfds = calloc(n ? n : 1, sizeof(int));
	int rc = 0;

	if (!pidfds)
		return cbx_error_sys(err, ENOMEM, "stop nodes");
	for (size_t i = 0; i < n; i++) {
		const struct cbx_node *node = s[i].u.node;
		struct node_rt *rt = &ctx->nodes[node->index];
		pid_t pid = rt->proc.pid > 0 ? rt->proc.pid : lab_node_pid(ctx->t->name, node->name);
		struct cbx_error one;

		pidfds[i] = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
		if (pid > 0)
			kill(pid, SIGKILL);
		if (cbx_cgroup_node_kill(&ctx->cg, ctx->t->name, node->name, &one) < 0 && rc == 0) {
			*err = one;
			rc = -1;
		}
	}
	for (unsigned delay_us = 200;; delay_us = delay_us < 20000 ? delay_us * 2 : delay_us) {
		size_t busy = 0;
		/* Our own children (a failed `up`) must be reaped to go. */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		for (size_t i = 0; i < n; i++) {
			const struct cbx_node *node = s[i].u.node;
			struct pollfd pfd = { .fd = pidfds[i], .events = POLLIN };
			if (pidfds[i] >= 0 && poll(&pfd, 1, 0) == 1) {
				close(pidfds[i]);
				pidfds[i] = -1;
			}
			if (pidfds[i] >= 0 || !cbx_cgroup_node_empty(&ctx->cg, ctx->t->name, node->name)) {
				busy++;
				/* Processes forked while we killed. */
				cbx_cgroup_node_kill(&ctx->cg, ctx->t->name, node->name, &(struct cbx_error){ 0 });
			}
		}
		if (!busy)
			break;
		if (now_ms() > deadline) {
			rc = cbx_error_set(err, CBX_ERR_SYSTEM,
					   "%zu node(s) still have processes after %d s of SIGKILL",
					   busy, KILL_TIMEOUT_MS / 1000);
			break;
		}
		usleep(delay_us);
	}
	for (size_t i = 0; i < n; i++)
		if (pidfds[i] >= 0)
			close(pidfds[i]);
	free(pidfds);
	return rc;
}

static int node_undo(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	int rc = kill_nodes(ctx, s, n, err);

	for (size_t i = 0; i < n; i++) {
		const struct cbx_node *node = s[i].u.node;
		struct node_rt *rt = &ctx->nodes[node->index];
		struct cbx_error one;
		char pin[512];

		/* In a failed `up`, only the pins it made; in `down`, the
		 * lab's pins by name. */
		bool unpin = rt->pinned || ctx->teardown;

		netns_pin_path(pin, sizeof(pin), ctx->t->name, node->name);
		if (((unpin && netns_unpin(pin, &one) < 0) ||
		     cbx_cgroup_node_remove(&ctx->cg, ctx->t->name, node->name, &one) < 0) &&
		    rc == 0) {
			*err = one;
			rc = -1;
		}
		if (rt->proc.sync_fd >= 0)
			close(rt->proc.sync_fd);
		if (rt->netns_fd >= 0)
			close(rt->netns_fd);
		rt->proc.sync_fd = rt->netns_fd = -1;
		rt->proc.pid = 0;
		rt->pinned = false;
	}
	return rc;
}

static void node_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	const struct cbx_node *n = s->u.node;
	static const char *const bases[] = { "busybox", "host", "directory" };

	if (undo)
		snprintf(buf, size,
			 "kill node %s (every process in its cgroup), unpin its netns, remove its cgroup",
			 n->name);
	else
		snprintf(buf, size,
			 "start node %s: new pid/mount/net/uts/ipc/cgroup namespaces, %s rootfs, cgroup limits, netns pinned at /run/netns/%s-%s",
			 n->name, bases[n->base], s->t->name, n->name);
}

const struct step_ops step_ops_node = { node_run, node_undo, node_describe };

/* --- veth pairs --------------------------------------------------------- */

static int veth_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	struct nl_conn *c = lab_rtnl(ctx, err);
	struct nl_batch b;
	int rc;

	if (!c)
		return -1;
	nl_batch_init(&b);
	for (size_t i = 0; i < n; i++) {
		const struct cbx_iface *ifc = s[i].u.iface;
		wiring_add_network_veth(&b, ifc, ctx->nodes[ifc->node->index].netns_fd);
	}
	rc = nl_batch_commit(c, &b, err);
	if (rc == 0) {
		nl_batch_reset(&b);
		for (size_t i = 0; i < n; i++) {
			const struct cbx_iface *ifc = s[i].u.iface;
			wiring_add_network_veth_attach(&b, ctx->t, ifc,
						       ctx->bridge_ifindex[ifc->network->index]);
		}
		rc = nl_batch_commit(c, &b, err);
	}
	nl_batch_free(&b);
	return rc;
}

/* Deleting one end of a veth pair deletes both; the node's end would also
 * go with its netns, but the host's end must be gone before `down` returns
 * so that an immediate `up` can reuse its name. */
static int veth_undo(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	struct nl_conn *c = lab_rtnl(ctx, err);
	struct owned_link *links;
	int rc;

	if (!c)
		return -1;
	links = calloc(n, sizeof(*links));
	if (!links)
		return cbx_error_sys(err, ENOMEM, "delete veths");
	for (size_t i = 0; i < n; i++)
		links[i] = (struct owned_link){ s[i].u.iface->host_name, s[i].u.iface->host_mac, "veth" };
	rc = wiring_del_owned_links(c, links, n, err);
	free(links);
	return rc;
}

static void veth_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	const struct cbx_iface *ifc = s->u.iface;

	if (undo)
		snprintf(buf, size, "delete veth %s (and with it %s:%s)", ifc->host_name,
			 ifc->node->name, ifc->name);
	else
		snprintf(buf, size, "create veth %s:%s in the node's netns, host end %s on bridge %s",
			 ifc->node->name, ifc->name, ifc->host_name, ifc->network->bridge);
}

const struct step_ops step_ops_veth = { veth_run, veth_undo, veth_describe };

static int link_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	struct nl_conn *c = lab_rtnl(ctx, err);
	struct nl_batch b;
	int rc;

	if (!c)
		return -1;
	nl_batch_init(&b);
	for (size_t i = 0; i < n; i++) {
		const struct cbx_link *l = s[i].u.link;
		wiring_add_link_veth(&b, l, ctx->nodes[l->a->node->index].netns_fd,
				     ctx->nodes[l->b->node->index].netns_fd);
	}
	rc = nl_batch_commit(c, &b, err);
	nl_batch_free(&b);
	return rc;
}

static int link_undo(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	/* Both ends live in node netns, which go with their nodes. */
	(void)ctx;
	(void)s;
	(void)n;
	(void)err;
	return 0;
}

static void link_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	const struct cbx_link *l = s->u.link;

	if (undo)
		snprintf(buf, size, "nothing: link %s:%s -- %s:%s goes with the nodes' netns",
			 l->a->node->name, l->a->name, l->b->node->name, l->b->name);
	else
		snprintf(buf, size, "create link %s:%s -- %s:%s, each end in its node's netns",
			 l->a->node->name, l->a->name, l->b->node->name, l->b->name);
}

const struct step_ops step_ops_link = { link_run, link_undo, link_describe };

/* --- node network configuration ---------------------------------------- */

/* One rtnetlink socket per node netns, opened from inside it; sysctls are
 * written there too (/proc/sys/net is the writer's netns), before the
 * addresses, so a setting like disable_ipv6 applies to them. */
static int configure_node(struct lab_ctx *ctx, const struct cbx_node *n, struct cbx_error *err)
{
	struct nl_conn conn = { 0 };
	struct nl_batch b;
	int saved = -1, rc = -1;

	if (netns_enter(ctx->nodes[n->index].netns_fd, &saved, err) < 0)
		goto leave;
	if (nl_open(&conn, NETLINK_ROUTE, err) < 0)
		goto leave;
	for (size_t i = 0; i < n->n_sysctls; i++)
		if (cbx_sysctl_write(n->sysctls[i].key, n->sysctls[i].value, err) < 0)
			goto leave;
	rc = 0;
leave:
	if (saved >= 0) {
		struct cbx_error back;
		if (netns_leave(&saved, &back) < 0) {
			/* Staying in a node's netns would wire the rest of the
			 * lab into it: stop here. */
			*err = back;
			rc = -1;
		}
		close(saved);
	}
	if (rc < 0) {
		nl_close(&conn);
		return cbx_error_wrap(err, "configure node %s", n->name);
	}
	nl_batch_init(&b);
	wiring_add_node_config(&b, n);
	rc = nl_batch_commit(&conn, &b, err);
	nl_batch_free(&b);
	nl_close(&conn);
	return rc;
}

static int node_net_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (configure_node(ctx, s[i].u.node, err) < 0)
			return -1;
	return 0;
}

static int nothing_to_undo(struct lab_ctx *ctx, const struct step *s, size_t n,
			   struct cbx_error *err)
{
	(void)ctx;
	(void)s;
	(void)n;
	(void)err;
	return 0;
}

static void node_net_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	const struct cbx_node *n = s->u.node;
	size_t addrs = 0;

	for (size_t i = 0; i < n->n_ifaces; i++)
		addrs += n->ifaces[i]->n_addrs;
	if (undo)
		snprintf(buf, size, "nothing: node %s's network configuration goes with its netns",
			 n->name);
	else
		snprintf(buf, size, "configure node %s: lo up, %zu sysctl(s), %zu address(es), %zu route(s)",
			 n->name, n->n_sysctls, addrs, n->n_routes);
}

const struct step_ops step_ops_node_net = { node_net_run, nothing_to_undo, node_net_describe };

void nodes_explain_failure(struct lab_ctx *ctx, struct cbx_error *err)
{
	for (size_t i = 0; i < ctx->t->n_nodes; i++) {
		struct node_rt *rt = &ctx->nodes[i];
		struct pollfd pfd = { .fd = rt->proc.sync_fd, .events = POLLIN };
		struct cbx_error node_err;
		char consequence[CBX_ERROR_MSG_MAX];

		if (rt->proc.sync_fd < 0 || poll(&pfd, 1, 0) != 1)
			continue;
		if (node_read_answer(&rt->proc, ctx->t->nodes[i].name, &node_err) == 0)
			continue;
		memcpy(consequence, err->msg, sizeof(consequence));
		*err = node_err;
		if (strcmp(consequence, node_err.msg))
			cbx_error_append(err, " (and then: %s)", consequence);
		return;
	}
}

/* --- start -------------------------------------------------------------- */

static int node_start_run(struct lab_ctx *ctx, const struct step *s, size_t n,
			  struct cbx_error *err)
{
	long deadline = now_ms() + START_TIMEOUT_MS;
	struct pollfd *fds = calloc(n, sizeof(*fds));
	size_t waiting = n;
	int rc = 0;

	if (!fds)
		return cbx_error_sys(err, ENOMEM, "start nodes");
	for (size_t i = 0; i < n; i++) {
		struct node_rt *rt = &ctx->nodes[s[i].u.node->index];
		fds[i] = (struct pollfd){ .fd = rt->proc.sync_fd, .events = POLLIN };
		if (node_release(&rt->proc, err) < 0) {
			cbx_error_wrap(err, "node %s", s[i].u.node->name);
			free(fds);
			return -1;
		}
	}
	/* Every node sets up and starts at once; wait for all answers. */
	while (waiting > 0 && rc == 0) {
		long left = deadline - now_ms();
		int ready;

		if (left <= 0) {
			rc = cbx_error_set(err, CBX_ERR_SYSTEM,
					   "%zu node(s) did not become ready within %d s", waiting,
					   START_TIMEOUT_MS / 1000);
			break;
		}
		ready = poll(fds, n, (int)left);
		if (ready < 0 && errno != EINTR) {
			rc = cbx_error_sys(err, errno, "wait for nodes");
			break;
		}
		for (size_t i = 0; i < n && rc == 0; i++) {
			struct node_rt *rt = &ctx->nodes[s[i].u.node->index];
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			rc = node_read_answer(&rt->proc, s[i].u.node->name, err);
			close(rt->proc.sync_fd);
			rt->proc.sync_fd = -1;
			fds[i].fd = -1;
			waiting--;
		}
	}
	free(fds);
	return rc;
}

static void node_start_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	const struct cbx_node *n = s->u.node;

	if (undo)
		snprintf(buf, size, "nothing: stopping node %s is killing it", n->name);
	else if (n->cmd)
		snprintf(buf, size, "start node %s's command (%s%s) and wait until it runs", n->name,
			 n->cmd[0], n->cmd[1] ? " ..." : "");
	else
		snprintf(buf, size, "let node %s's init run (no command) and wait until it is ready",
			 n->name);
}

const struct step_ops step_ops_node_start = { node_start_run, nothing_to_undo,
					      node_start_describe };
