/* A node's processes over its life: clone it (first start or restart into
 * its kept netns), let it start its command, stop or kill it. Used by the
 * plan's node steps and by the node faults (stop, start, restart, kill). */
#include "lab/node_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/clock.h"
#include "common/fsutil.h"
#include "init/init_proto.h"
#include "lab/lab.h"
#include "lab/node_env.h"
#include "lab/node_ready.h"
#include "runtime/cgroup_devices.h"
#include "runtime/mntns.h"
#include "runtime/netns.h"

#define START_TIMEOUT_MS 60000
#define KILL_TIMEOUT_MS 10000

static int open_init(struct lab_ctx *ctx, struct cbx_error *err)
{
	char path[PATH_MAX];

	if (ctx->init_fd >= 0)
		return 0;
	snprintf(path, sizeof(path), "%s/cboxlab-init", ctx->libdir);
	ctx->init_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ctx->init_fd < 0)
		return cbx_error_sys(err, errno, "open %s", path);
	return 0;
}

/* cgroup v1: the node's cgroups, made from /sys/fs/cgroup as the working
 * directory for the while (cbx_cgroups_relative: the nodes starting around
 * us hold sysfs's lock as they register their loopback devices). */
static int make_v1_cgroups(struct lab_ctx *ctx, const struct cbx_node *n, bool restart,
			   struct cbx_error *err)
{
	cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct cbx_cgroups rel;
	bool relative = cwd >= 0 && cbx_cgroups_relative(&ctx->cg, &rel);
	int rc = cbx_cgroup_node_create(relative ? &rel : &ctx->cg, ctx->t->name, n->name,
					&n->limits, restart, err);

	if (rc == 0)
		rc = cbx_devices_node(relative ? &rel : &ctx->cg, ctx->t->name, n->name,
				      n->privileged, err);

	if (relative && fchdir(cwd) < 0 && rc == 0)
		rc = cbx_error_sys(err, errno, "return to the working directory");
	else if (relative && rc < 0)
		cbx_cgroups_wrap_relative(&ctx->cg, err);
	return rc;
}

/* The lower layer of the node's base (cbx_base_kinds) in buf; "" for none. */
static int node_lower(struct lab_ctx *ctx, const struct cbx_node *n, char *buf, size_t size,
		      struct cbx_error *err)
{
	struct stat st;

	switch (cbx_base_kinds[n->base].lower) {
	case CBX_LOWER_NONE:
		buf[0] = '\0';
		return 0;
	case CBX_LOWER_ROOTFS:
		return cbx_path(buf, size, err, "%s/rootfs", ctx->libdir);
	case CBX_LOWER_PATH:
		if (stat(n->base_dir, &st) < 0 || !S_ISDIR(st.st_mode))
			return cbx_error_set(err, CBX_ERR_INPUT, "%s.base: %s is not a directory",
					     n->path, n->base_dir);
		return cbx_path(buf, size, err, "%s", n->base_dir);
	case CBX_LOWER_IMAGE:
		/* Prepared by `up`; a node started again later loads it here. */
		if (lab_images_prepare(ctx, err) < 0)
			return -1;
		return cbx_path(buf, size, err, "%s", ctx->images[n->index]->lowers);
	}
	return cbx_error_set(err, CBX_ERR_SYSTEM, "node %s: unknown base kind %d", n->name,
			     (int)n->base);
}

/* The node's binds and files as its init puts them (runtime/node_files.h):
 * a file with content is the copy `up` wrote in the lab's state
 * (steps_host.c); its overlay folder, unless it came from "defaults" and
 * this node has none. In the arena. */
static int node_puts(struct lab_ctx *ctx, const struct cbx_node *n, struct rootfs_spec *r,
		     struct cbx_error *err)
{
	struct rootfs_put *binds = NULL, *files = NULL;
	struct stat st;

	if (n->overlay && !(n->overlay_optional && stat(n->overlay, &st) < 0))
		r->overlay = n->overlay;
	if (!n->n_binds && !n->n_files && !n->n_volumes)
		return 0;
	binds = cbx_arena_array(ctx->arena, n->n_binds + n->n_volumes + 1, sizeof(*binds));
	files = cbx_arena_array(ctx->arena, n->n_files + 1, sizeof(*files));
	if (!binds || !files)
		return cbx_error_sys(err, ENOMEM, "node %s", n->name);
	for (size_t i = 0; i < n->n_binds; i++)
		binds[i] = (struct rootfs_put){ .src = n->binds[i].src,
						.dst = n->binds[i].dst,
						.rw = n->binds[i].rw };
	for (size_t i = 0; i < n->n_files; i++) {
		const struct cbx_file *f = &n->files[i];
		files[i] = (struct rootfs_put){ .dst = f->dst, .mode = f->mode, .src = f->source };
		if (f->content)
			files[i].src =
				cbx_arena_printf(ctx->arena, "%s/" CBX_NODE_FILES_DIR "/%s/%zu",
						 ctx->state_dir, n->name, i);
		if (!files[i].src)
			return cbx_error_sys(err, ENOMEM, "node %s", n->name);
	}
	/* Volumes after binds: a volume may lie below a bound folder. Each
	 * is a writable bind of its tmpfs in the node's folder (steps_host.c). */
	for (size_t i = 0; i < n->n_volumes; i++) {
		char dir[512];
		if (lab_node_volume_dir(ctx, n, i, dir, sizeof(dir)) < 0)
			return cbx_error_sys(err, ENAMETOOLONG, "node %s", n->name);
		binds[n->n_binds + i] =
			(struct rootfs_put){ .src = cbx_arena_strdup(ctx->arena, dir),
					     .dst = n->volumes[i].dst,
					     .rw = true };
		if (!binds[n->n_binds + i].src)
			return cbx_error_sys(err, ENOMEM, "node %s", n->name);
	}
	r->binds = binds;
	r->n_binds = n->n_binds + n->n_volumes;
	r->files = files;
	r->n_files = n->n_files;
	return 0;
}

/* cgroup v2: the node's cgroup with its limits and device policy, opened
 * for the node to be cloned into; -1 on failure. */
static int v2_node_cgroup(struct lab_ctx *ctx, const struct cbx_node *n, bool restart,
			  struct cbx_error *err)
{
	const struct cbx_cgroups *cg = &ctx->cg;
	const char *lab = ctx->t->name;
	int fd;

	if (cbx_cgroup_node_create(cg, lab, n->name, &n->limits, restart, err) < 0 ||
	    cbx_devices_node(cg, lab, n->name, n->privileged, err) < 0 ||
	    (fd = cbx_cgroup_node_clone_fd(cg, lab, n->name, err)) < 0)
		return cbx_error_wrap(err, "node %s", n->name);
	return fd;
}

/* Might the nodes find `path` under /run? Resolved first: a symlink or
 * "/tmp/../run" leads there too. Unresolvable: say yes. */
static bool under_run(const char *path)
{
	char real[PATH_MAX];

	if (!realpath(path, real))
		return true;
	return !strncmp(real, "/run", 4) && (real[4] == '/' || real[4] == '\0');
}

/* The lab's state directory, when it is all the nodes need of /run (see
 * mntns_for_nodes); else NULL (a state root elsewhere: nothing). */
static const char *run_needs(const struct lab_ctx *ctx)
{
	if (under_run(ctx->libdir) || !under_run(ctx->state_dir))
		return NULL;
	for (size_t i = 0; i < ctx->t->n_nodes; i++)
		if (cbx_base_kinds[ctx->t->nodes[i].base].lower == CBX_LOWER_PATH &&
		    under_run(ctx->t->nodes[i].base_dir))
			return NULL;
	return ctx->state_dir;
}

int lab_node_mntns(struct lab_ctx *ctx, size_t to_clone, struct cbx_error *err)
{
	size_t pins;

	if (ctx->node_mntns_fd >= 0)
		return 0;
	/* With other labs' pins on the host, without them. That is only a
	 * speed-up: when it cannot be made, the nodes copy the host's mounts,
	 * and `up` says why. */
	if (mntns_without_pins_pays(to_clone, &pins)) {
		struct cbx_error why;

		ctx->node_mntns_fd = mntns_for_nodes(true, run_needs(ctx), &why);
		if (ctx->node_mntns_fd >= 0) {
			ctx->pins_left_out = pins;
			return 0;
		}
		lab_warn(ctx, cbx_arena_printf(ctx->arena,
					       "%s (the nodes copy the host's mounts instead)",
					       why.msg));
	}
	ctx->node_mntns_fd = mntns_for_nodes(false, NULL, err);
	return ctx->node_mntns_fd < 0 ? -1 : 0;
}

int lab_clone_node(struct lab_ctx *ctx, const struct cbx_node *n, bool restart,
		   struct cbx_error *err)
{
	const struct cbx_base_info *base = &cbx_base_kinds[n->base];
	struct node_rt *rt = &ctx->nodes[n->index];
	struct node_spawn_spec spec = {
		.name = n->name, .netns_fd = -1, .mntns_fd = -1, .cgroup_fd = -1
	};
	char dir[512], hosts[600], mask[600], lower[PATH_MAX], pin[512], disk[PATH_MAX];
	cleanup_close int cgroup_fd = -1;
	cleanup_close int old_netns = -1;

	if (open_init(ctx, err) < 0 || lab_node_mntns(ctx, 1, err) < 0)
		return -1;
	if (lab_node_dir(ctx, n, dir, sizeof(dir)) < 0)
		return cbx_error_sys(err, ENAMETOOLONG, "node %s", n->name);
	if (node_lower(ctx, n, lower, sizeof(lower), err) < 0)
		return -1;
	snprintf(hosts, sizeof(hosts), "%s/hosts", ctx->state_dir);
	snprintf(mask, sizeof(mask), "%s/" CBX_HOST_MASK_DIR, ctx->state_dir);

	/* cgroup v2: made here and the node cloned into it. v1: made below. */
	if (ctx->cg.v2 && (cgroup_fd = v2_node_cgroup(ctx, n, restart, err)) < 0)
		return -1;
	/* A restarted node comes back into the netns its pin kept: its
	 * interfaces, addresses, routes and rules are still there. */
	if (restart) {
		netns_pin_path(pin, sizeof(pin), ctx->t->name, n->name);
		old_netns = open(pin, O_RDONLY | O_CLOEXEC);
		if (old_netns < 0)
			return cbx_error_sys(err, errno, "node %s: open its pinned netns %s",
					     n->name, pin);
	}

	if (n->storage == CBX_STORAGE_DISK &&
	    (lab_node_disk_dir(ctx, n, disk, sizeof(disk)) < 0 || cbx_mkdir(disk, 0755, err) < 0))
		return cbx_error_wrap(err, "node %s: its folder on disk", n->name);
	spec.rootfs =
		(struct rootfs_spec){ .base = n->base,
				      .lower = lower[0] ? lower : NULL,
				      .node_dir = dir,
				      .layer_dir = n->storage == CBX_STORAGE_DISK ? disk : NULL,
				      .hosts_file = hosts,
				      .hostname = n->name,
				      .host_mask = base->root == CBX_ROOT_HOST ? mask : NULL,
				      .unmasked = n->privileged,
				      .userns = { n->userns_start, n->userns_count } };
	if (node_puts(ctx, n, &spec.rootfs, err) < 0)
		return -1;
	spec.init_fd = ctx->init_fd;
	spec.cgroup_fd = cgroup_fd;
	spec.cg = &ctx->cg;
	spec.lab = ctx->t->name;
	spec.netns_fd = old_netns;
	spec.mntns_fd = ctx->node_mntns_fd;
	spec.caps = lab_node_caps(n);
	spec.clock_offset_us = rt->clock_set ? rt->clock_offset_us : n->clock_offset_us;
	if (lab_node_filter(ctx, n, &spec.seccomp, err) < 0)
		return -1;
	spec.nofile = ctx->nofile;
	spec.nice = ctx->nice;
	spec.argv = lab_node_init_argv(ctx->arena, n, lab_node_image(ctx, n));
	spec.envp = lab_node_envp(ctx->arena, ctx->t, n, lab_node_image(ctx, n));
	if (!spec.argv || !spec.envp)
		return cbx_error_sys(err, ENOMEM, "node %s", n->name);
	if (lab_node_skew(ctx, n) &&
	    !(spec.envp = lab_node_envp_skewed(ctx->arena, spec.envp, lab_node_skew(ctx, n), err)))
		return cbx_error_wrap(err, "node %s: its clock skew", n->name);
	return node_spawn(&spec, &rt->proc, err);
}

int lab_node_cgroups(struct lab_ctx *ctx, const struct cbx_node *n, bool restart,
		     struct cbx_error *err)
{
	/* cgroup v1: made once the node is cloned, while it execs its init
	 * and makes its namespaces, the longest part of its start (on a lone
	 * node the memory cgroup alone was a twentieth of `up`:
	 * docs/performance.md); the node joins them itself once told ('C'), since moving
	 * another process takes the kernel's global threadgroup lock. mkdir in
	 * a cgroup hierarchy holds the global cgroup_mutex, so the nodes could
	 * never make theirs in parallel anyway. A failure leaves the node to
	 * the step's undo, which kills it and removes what was made. */
	if (!ctx->cg.v2 && (make_v1_cgroups(ctx, n, restart, err) < 0 ||
			    node_cgroups_made(&ctx->nodes[n->index].proc, err) < 0))
		return cbx_error_wrap(err, "node %s", n->name);
	return 0;
}

int lab_spawn_node(struct lab_ctx *ctx, const struct cbx_node *n, bool restart,
		   struct cbx_error *err)
{
	if (lab_clone_node(ctx, n, restart, err) < 0)
		return -1;
	return lab_node_cgroups(ctx, n, restart, err);
}

int lab_pin_node(struct lab_ctx *ctx, const struct cbx_node *n, const char *template,
		 struct cbx_error *err)
{
	struct node_rt *rt = &ctx->nodes[n->index];
	char pin[512];

	if (netns_pin_path(pin, sizeof(pin), ctx->t->name, n->name) < 0 ||
	    netns_pin(rt->proc.pid, pin, template, err) < 0)
		return cbx_error_wrap(err, "node %s", n->name);
	rt->pinned = true;
	return 0;
}

/* Wait until every node's pidfd is readable (its process exited) or the
 * deadline, in one poll() over all of them; the ones that exited are closed
 * and set to -1 (poll skips those). With `stall_ms`, the deadline moves to
 * stall_ms from the last node that went: the kernel takes its time over
 * thousands (a 10,000-node down, on a busy machine, was still reaping
 * them when a fixed 10 s ran out, and failed). */
static long wait_exited(struct lab_ctx *ctx, struct pollfd *p, size_t n, long deadline,
			long stall_ms)
{
	for (;;) {
		size_t left = 0;
		long now = cbx_now_ms();

		/* Our own children (a failed `up`) must be reaped to go. */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		for (size_t i = 0; i < n; i++) {
			p[i].revents = 0;
			left += p[i].fd >= 0;
		}
		/* poll() skips negative descriptors but still sleeps its whole
		 * timeout when none is left: a stop whose nodes had all exited
		 * within the grace period, or a kill of nodes already gone,
		 * waited the full 10 s here. */
		if (!left)
			return deadline;
		left = 0;
		if (poll(p, n, now < deadline ? (int)(deadline - now) : 0) < 0 && errno != EINTR)
			return deadline;
		for (size_t i = 0; i < n; i++) {
			if (p[i].fd >= 0 && p[i].revents) {
				lab_reap_keep(ctx, p[i].fd);
				p[i].fd = -1;
				if (stall_ms > 0 && cbx_now_ms() + stall_ms > deadline)
					deadline = cbx_now_ms() + stall_ms;
			}
			left += p[i].fd >= 0;
		}
		if (!left || cbx_now_ms() >= deadline)
			return deadline;
	}
}

static void thaw(struct lab_ctx *ctx, const struct cbx_node *node)
{
	const struct cbx_cgroups *cg = &ctx->cg;

	if (cg->ops->frozen(cg, ctx->t->name, node->name) == 1)
		cg->ops->freeze(cg, ctx->t->name, node->name, false, &(struct cbx_error){ 0 });
}

/* After SIGKILL: wait for each node's init (when it goes, the kernel kills
 * the rest of its PID namespace), then for its cgroup to be empty, killing
 * what was forked meanwhile; p[i].fd is node i's pidfd, or -1. */
static int wait_nodes_gone(struct lab_ctx *ctx, const struct cbx_node *const *nodes, size_t n,
			   struct pollfd *p, long deadline, struct cbx_error *err)
{
	cleanup_free bool *gone = calloc(n ? n : 1, sizeof(*gone));

	size_t last_busy = SIZE_MAX;

	if (!gone)
		return cbx_error_sys(err, ENOMEM, "stop nodes");
	deadline = wait_exited(ctx, p, n, deadline, KILL_TIMEOUT_MS);
	for (unsigned delay_us = 200;; delay_us = delay_us < 20000 ? delay_us * 2 : delay_us) {
		size_t busy = 0;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		for (size_t i = 0; i < n; i++) {
			const struct cbx_node *node = nodes[i];

			if (gone[i])
				continue;
			if (p[i].fd < 0 &&
			    cbx_cgroup_node_empty(&ctx->cg, ctx->t->name, node->name)) {
				gone[i] = true;
				continue;
			}
			busy++;
			/* Processes forked while we killed. */
			cbx_cgroup_node_kill(&ctx->cg, ctx->t->name, node->name,
					     &(struct cbx_error){ 0 });
		}
		if (!busy)
			return 0;
		/* Nodes still going: the kernel is at work, not stuck. */
		if (busy < last_busy && last_busy != SIZE_MAX &&
		    cbx_now_ms() + KILL_TIMEOUT_MS > deadline)
			deadline = cbx_now_ms() + KILL_TIMEOUT_MS;
		last_busy = busy;
		if (cbx_now_ms() > deadline)
			return cbx_error_set(err, CBX_ERR_SYSTEM,
					     "%zu node(s) still have processes after SIGKILL, %d s after the last one went",
					     busy, KILL_TIMEOUT_MS / 1000);
		usleep(delay_us);
		wait_exited(ctx, p, n, 0, 0);
	}
}

static void close_pidfds(struct pollfd **p)
{
	for (size_t i = 0; *p && (*p)[i].events; i++)
		if ((*p)[i].fd >= 0)
			close((*p)[i].fd);
	free(*p);
}

int lab_kill_nodes(struct lab_ctx *ctx, const struct cbx_node *const *nodes, size_t n, int grace_ms,
		   struct cbx_error *err)
{
	long deadline = cbx_now_ms() + KILL_TIMEOUT_MS;
	/* One more, zeroed: close_pidfds stops at it. */
	__attribute__((cleanup(close_pidfds))) struct pollfd *p = calloc(n + 1, sizeof(*p));
	struct cbx_error one;
	int rc = 0;

	if (!p)
		return cbx_error_sys(err, ENOMEM, "stop nodes");
	for (size_t i = 0; i < n; i++) {
		const struct cbx_node *node = nodes[i];
		struct node_rt *rt = &ctx->nodes[node->index];
		pid_t pid = rt->proc.pid > 0 ? rt->proc.pid
					     : lab_node_pid(ctx->cbx, ctx->t->name, node->name);

		p[i].fd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
		p[i].events = POLLIN;
		/* A frozen process cannot act on a signal (a stop's SIGTERM). */
		thaw(ctx, node);
		if (grace_ms > 0 && p[i].fd >= 0)
			syscall(SYS_pidfd_send_signal, p[i].fd, SIGTERM, NULL, 0);
	}
	/* A stop: init passes SIGTERM to everyone and exits when they are
	 * gone; whatever outlives the grace period is killed below. */
	if (grace_ms > 0)
		wait_exited(ctx, p, n, cbx_now_ms() + grace_ms, 0);
	/* A node's init takes its PID namespace with it, which holds every
	 * process of the node; only a node whose init could not be signalled
	 * is killed through its cgroup here, and wait_nodes_gone kills
	 * whatever a cgroup still holds once its init is gone. */
	for (size_t i = 0; i < n; i++) {
		if (p[i].fd >= 0 && syscall(SYS_pidfd_send_signal, p[i].fd, SIGKILL, NULL, 0) == 0)
			continue;
		rc = cbx_error_keep_first(rc, err,
					  cbx_cgroup_node_kill(&ctx->cg, ctx->t->name,
							       nodes[i]->name, &one),
					  &one);
	}
	return cbx_error_keep_first(rc, err, wait_nodes_gone(ctx, nodes, n, p, deadline, &one),
				    &one);
}

/* Wait until every node has said `expect`, or one failed. Until a node has
 * a descriptor table of its own we hold its end of the socket too (its
 * first process shares our table), so a node that dies that early shows as
 * its pidfd, not as the end of its socket; only those nodes have one
 * (node_spawn_detach), and only theirs are polled: poll() takes no more
 * descriptors than the open-file limit. After 'R' a node's socket says
 * only whether its command ended (lab_nodes_settle). */
static int wait_answers(struct lab_ctx *ctx, const struct cbx_node *const *nodes, size_t n,
			char expect, struct cbx_error *err)
{
	long deadline = cbx_now_ms() + START_TIMEOUT_MS;
	size_t nfds = n, waiting = n;
	cleanup_free struct pollfd *fds = calloc(2 * n + 1, sizeof(*fds));
	/* Where node i's pidfd is in fds, or 0 for none. */
	cleanup_free size_t *pid_at = calloc(n + 1, sizeof(*pid_at));
	int rc = 0;

	if (!fds || !pid_at)
		return cbx_error_sys(err, ENOMEM, "start nodes");
	for (size_t i = 0; i < n; i++)
		fds[i] = (struct pollfd){ .fd = ctx->nodes[nodes[i]->index].proc.sync_fd,
					  .events = POLLIN };
	for (size_t i = 0; expect == CBX_SYNC_NAMESPACES && i < n; i++) {
		int pidfd = ctx->nodes[nodes[i]->index].proc.pidfd;
		if (pidfd >= 0) {
			pid_at[i] = nfds;
			fds[nfds++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		}
	}
	/* Every node sets up and starts at once; wait for all answers. */
	while (waiting > 0 && rc == 0) {
		long left = deadline - cbx_now_ms();
		int ready;

		if (left <= 0) {
			rc = cbx_error_set(err, CBX_ERR_SYSTEM,
					   "%zu node(s) did not become ready within %d s", waiting,
					   START_TIMEOUT_MS / 1000);
			break;
		}
		ready = poll(fds, nfds, (int)left);
		if (ready < 0 && errno != EINTR) {
			rc = cbx_error_sys(err, errno, "wait for nodes");
			break;
		}
		for (size_t i = 0; i < n && rc == 0; i++) {
			struct node_rt *rt = &ctx->nodes[nodes[i]->index];
			bool exited = pid_at[i] && fds[pid_at[i]].fd >= 0 && fds[pid_at[i]].revents;

			if (fds[i].fd < 0 || (!fds[i].revents && !exited))
				continue;
			/* Its last words may be on the socket still. 'N' brings
			 * the node's /proc/sys, kept for its sysctls (a node
			 * without any holds one descriptor less). */
			if (fds[i].revents || poll(&fds[i], 1, 0) == 1)
				rc = node_read_answer(&rt->proc, nodes[i]->name, expect,
						      expect == CBX_SYNC_NAMESPACES &&
								      rt->sysctl_fd < 0 &&
								      nodes[i]->n_sysctls
							      ? &rt->sysctl_fd
							      : NULL,
						      err);
			else
				rc = cbx_error_set(err, CBX_ERR_SYSTEM,
						   "node %s died while starting (see its log: cboxlab logs)",
						   nodes[i]->name);
			/* Closes its pidfd, if it still had one. */
			if (expect == CBX_SYNC_NAMESPACES)
				node_spawn_settled(&rt->proc);
			fds[i].fd = -1;
			if (pid_at[i])
				fds[pid_at[i]].fd = -1;
			waiting--;
		}
	}
	return rc;
}

int lab_wait_namespaces(struct lab_ctx *ctx, const struct cbx_node *const *nodes, size_t n,
			struct cbx_error *err)
{
	return wait_answers(ctx, nodes, n, CBX_SYNC_NAMESPACES, err);
}

int lab_release_nodes(struct lab_ctx *ctx, const struct cbx_node *const *nodes, size_t n,
		      struct cbx_error *err)
{
	for (size_t i = 0; i < n; i++) {
		struct node_rt *rt = &ctx->nodes[nodes[i]->index];

		/* Its /proc/sys was for its sysctls, set by now (a restart
		 * has none to set). */
		if (rt->sysctl_fd >= 0)
			close(rt->sysctl_fd);
		rt->sysctl_fd = -1;
		if (node_release(&rt->proc, err) < 0)
			return cbx_error_wrap(err, "node %s", nodes[i]->name);
	}
	if (wait_answers(ctx, nodes, n, CBX_SYNC_READY, err) < 0)
		return -1;
	return lab_nodes_settle(ctx, nodes, n, err);
}

void lab_nodes_explain_failure(struct lab_ctx *ctx, struct cbx_error *err)
{
	for (size_t i = 0; i < ctx->t->n_nodes; i++) {
		struct node_rt *rt = &ctx->nodes[i];
		struct pollfd pfd = { .fd = rt->proc.sync_fd, .events = POLLIN };
		struct cbx_error node_err;
		char consequence[CBX_ERROR_MSG_MAX], kind = 0;

		if (rt->proc.sync_fd < 0)
			continue;
		/* Only its last words explain a failure ('E', 'F', or the end of
		 * its socket): an 'N' or 'R' it said in time is read past, and
		 * so is an 'X' (its command ended: lab_nodes_settle's business). */
		while (poll(&pfd, 1, 0) == 1 &&
		       recv(rt->proc.sync_fd, &kind, 1, MSG_PEEK | MSG_DONTWAIT) == 1 &&
		       (kind == CBX_SYNC_NAMESPACES || kind == CBX_SYNC_READY ||
			kind == CBX_SYNC_EXITED))
			node_read_answer(&rt->proc, ctx->t->nodes[i].name, kind, NULL, &node_err);
		if (poll(&pfd, 1, 0) != 1 || node_read_answer(&rt->proc, ctx->t->nodes[i].name,
							      CBX_SYNC_READY, NULL, &node_err) == 0)
			continue;
		memcpy(consequence, err->msg, sizeof(consequence));
		*err = node_err;
		if (strcmp(consequence, node_err.msg))
			cbx_error_append(err, " (and then: %s)", consequence);
		return;
	}
}
