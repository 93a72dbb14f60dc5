#include "lab/lab_ctx.h"

#include <errno.h>
#include <stdint.h>
#include <libgen.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "runtime/caps.h"
#include "runtime/seccomp_profile.h"

#ifndef CBX_DEFAULT_LIBDIR
#define CBX_DEFAULT_LIBDIR "/usr/local/lib/cboxlab"
#endif

static bool has_runtime_files(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/cboxlab-init", dir);
	if (access(path, X_OK) < 0)
		return false;
	snprintf(path, sizeof(path), "%s/rootfs/bin/busybox", dir);
	return stat(path, &st) == 0;
}

int lab_find_libdir(char *buf, size_t size, struct cbx_error *err)
{
	const char *env = getenv("CBOXLAB_LIBDIR");
	char exe[PATH_MAX / 4], candidates[4][PATH_MAX / 2];
	ssize_t n;

	if (env && *env) {
		if (!has_runtime_files(env))
			return cbx_error_set(err, CBX_ERR_SYSTEM,
					     "CBOXLAB_LIBDIR=%s has no cboxlab-init and rootfs/",
					     env);
		snprintf(buf, size, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return cbx_error_sys(err, errno, "readlink /proc/self/exe");
	exe[n] = '\0';
	dirname(exe);
	/* A build tree (build/cboxlab, or build/san/cboxlab) or an install. */
	snprintf(candidates[0], sizeof(candidates[0]), "%s", exe);
	snprintf(candidates[1], sizeof(candidates[1]), "%s/..", exe);
	snprintf(candidates[2], sizeof(candidates[2]), "%s/../lib/cboxlab", exe);
	snprintf(candidates[3], sizeof(candidates[3]), "%s", CBX_DEFAULT_LIBDIR);
	for (size_t i = 0; i < 4; i++) {
		if (has_runtime_files(candidates[i])) {
			if (!realpath(candidates[i], buf) || strlen(buf) >= size)
				return cbx_error_sys(err, errno, "resolve %s", candidates[i]);
			return 0;
		}
	}
	return cbx_error_set(err, CBX_ERR_SYSTEM,
			     "cannot find cboxlab-init and the default rootfs (looked next to %s and in %s); run `make` or `make install`",
			     exe, CBX_DEFAULT_LIBDIR);
}

int lab_state_path(const struct cbx_ctx *cbx, const char *lab, const char *file, char *buf,
		   size_t size)
{
	int n = snprintf(buf, size, "%s/%s%s%s", cbx->state_root, lab, file ? "/" : "",
			 file ? file : "");

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int lab_node_dir(const struct lab_ctx *ctx, const struct cbx_node *n, char *buf, size_t size)
{
	int len = snprintf(buf, size, "%s/nodes/%s", ctx->state_dir, n->name);

	return len < 0 || (size_t)len >= size ? -1 : 0;
}

static int nodes_dir(const struct lab_ctx *ctx, char *buf, size_t size, struct cbx_error *err)
{
	int len = snprintf(buf, size, "%s/nodes", ctx->state_dir);

	return len < 0 || (size_t)len >= size
		       ? cbx_error_sys(err, ENAMETOOLONG, "%s/nodes", ctx->state_dir)
		       : 0;
}

int lab_nodes_dir_mount(const struct lab_ctx *ctx, struct cbx_error *err)
{
	char path[512];

	if (nodes_dir(ctx, path, sizeof(path), err) < 0 || cbx_mkdir(path, 0755, err) < 0)
		return -1;
	if (mount("cboxlab-nodes", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		return cbx_error_sys(err, errno, "mount a tmpfs on %s", path);
	return 0;
}

int lab_nodes_dir_unmount(const struct lab_ctx *ctx, struct cbx_error *err)
{
	char path[512];

	if (nodes_dir(ctx, path, sizeof(path), err) < 0)
		return -1;
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return cbx_error_sys(err, errno, "unmount %s", path);
	return 0;
}

int lab_node_volume_dir(const struct lab_ctx *ctx, const struct cbx_node *n, size_t i, char *buf,
			size_t size)
{
	int len = snprintf(buf, size, "%s/nodes/%s/volumes/%zu", ctx->state_dir, n->name, i);

	return len < 0 || (size_t)len >= size ? -1 : 0;
}

int lab_disk_dir(const struct lab_ctx *ctx, char *buf, size_t size)
{
	const char *root = ctx->cbx->disk_root[0] ? ctx->cbx->disk_root : CBX_DISK_ROOT_DEFAULT;
	int len = snprintf(buf, size, "%s/%s", root, ctx->t->name);

	return len < 0 || (size_t)len >= size ? -1 : 0;
}

int lab_node_disk_dir(const struct lab_ctx *ctx, const struct cbx_node *n, char *buf, size_t size)
{
	size_t len;

	if (lab_disk_dir(ctx, buf, size) < 0)
		return -1;
	len = strlen(buf);
	return snprintf(buf + len, size - len, "/%s", n->name) >= (int)(size - len) ? -1 : 0;
}

bool lab_uses_disk(const struct cbx_topo *t)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].storage == CBX_STORAGE_DISK)
			return true;
	return false;
}

int64_t lab_node_skew(const struct lab_ctx *ctx, const struct cbx_node *n)
{
	const struct node_rt *rt = &ctx->nodes[n->index];

	return rt->skew_set ? rt->clock_skew_us : n->clock_skew_us;
}

uint64_t lab_node_caps(const struct cbx_node *n)
{
	return caps_node_set(n->privileged, n->cap_add, n->cap_drop);
}

int lab_node_filter_name(const struct cbx_ctx *cbx, const char *lab, const struct cbx_node *n,
			 char *buf, size_t size)
{
	char dir[256];

	buf[0] = '\0';
	if (n->privileged || n->seccomp_off)
		return 0;
	if (lab_state_path(cbx, lab, "seccomp", dir, sizeof(dir)) < 0)
		return -1;
	return seccomp_profile_name(lab_node_caps(n), dir, buf, size);
}

int lab_node_filter(struct lab_ctx *ctx, const struct cbx_node *n, const char **path,
		    struct cbx_error *err)
{
	uint64_t key = seccomp_profile_key(lab_node_caps(n));
	char dir[sizeof(ctx->state_dir) + 16];

	*path = NULL;
	if (n->privileged || n->seccomp_off)
		return 0;
	if (!ctx->filter_path[0] || ctx->filter_key != key) {
		snprintf(dir, sizeof(dir), "%s/seccomp", ctx->state_dir);
		if (seccomp_profile_install(lab_node_caps(n), ctx->libdir, dir, ctx->filter_path,
					    sizeof(ctx->filter_path), err) < 0)
			return cbx_error_wrap(err, "node %s", n->name);
		ctx->filter_key = key;
	}
	*path = ctx->filter_path;
	return 0;
}

int lab_ctx_init(struct lab_ctx *ctx, const struct cbx_ctx *cbx, const struct cbx_topo *t,
		 bool need_libdir, struct cbx_error *err)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cbx = cbx;
	ctx->t = t;
	ctx->lock_fd = -1;
	ctx->init_fd = -1;
	ctx->cache.lock_fd = -1;
	ctx->node_mntns_fd = -1;
	ctx->max_undetached = SIZE_MAX;
	/* A lab holds a descriptor per node while it comes up (its sync
	 * socket; lab_check_descriptors): raise our own limit to the hard
	 * one, and give the nodes the usual one. */
	if (getrlimit(RLIMIT_NOFILE, &ctx->nofile) == 0 &&
	    ctx->nofile.rlim_cur < ctx->nofile.rlim_max) {
		struct rlimit raised = { ctx->nofile.rlim_max, ctx->nofile.rlim_max };
		setrlimit(RLIMIT_NOFILE, &raised);
	}
	/* What the nodes get once set up, whatever `up` then raises its own
	 * priority to. */
	errno = 0;
	ctx->nice = getpriority(PRIO_PROCESS, 0);
	if (errno)
		ctx->nice = 0;
	ctx->arena = cbx_arena_new();
	if (!ctx->arena)
		return cbx_error_sys(err, ENOMEM, "lab %s", t->name);
	ctx->nodes = cbx_arena_array(ctx->arena, t->n_nodes, sizeof(*ctx->nodes));
	ctx->net_ifindex = cbx_arena_array(ctx->arena, t->n_networks + 1, sizeof(int));
	ctx->leaf_ifindex = cbx_arena_array(ctx->arena, t->n_leaves + 1, sizeof(int));
	if (!ctx->nodes || !ctx->net_ifindex || !ctx->leaf_ifindex)
		return cbx_error_sys(err, ENOMEM, "lab %s", t->name);
	for (size_t i = 0; i < t->n_nodes; i++) {
		ctx->nodes[i].proc.sync_fd = -1;
		ctx->nodes[i].proc.pidfd = -1;
		ctx->nodes[i].proc.child_fd = -1;
		ctx->nodes[i].proc.child_netns_fd = -1;
		ctx->nodes[i].sysctl_fd = -1;
		ctx->nodes[i].netns_fd = -1;
	}
	if (lab_state_path(cbx, t->name, NULL, ctx->state_dir, sizeof(ctx->state_dir)) < 0)
		return cbx_error_sys(err, ENAMETOOLONG, "lab %s", t->name);
	if (cbx_cgroups_detect(&ctx->cg, err) < 0)
		return -1;
	if (need_libdir && lab_find_libdir(ctx->libdir, sizeof(ctx->libdir), err) < 0)
		return -1;
	return 0;
}

/* Descriptors up holds whatever the lab: the low part of its table, where
 * the transient ones go (runtime/node_spawn.c keeps the nodes' above 64),
 * its sockets, the init binary, the lock. */
#define FDS_RESERVED 80
/* A node holds its sync socket while the lab comes up, and its /proc/sys
 * until its sysctls are set; one not yet detached (node_spawn_detach) two
 * more: its pidfd, and our copy of its end of the socket. */
#define FDS_PER_UNDETACHED 2
/* With a tight limit, how few nodes may still be detaching. */
#define FDS_UNDETACHED_MIN 16

int lab_check_descriptors(struct lab_ctx *ctx, struct cbx_error *err)
{
	struct rlimit lim;
	size_t kept = FDS_RESERVED, need;

	for (size_t i = 0; i < ctx->t->n_nodes; i++)
		/* A netns node keeps its namespace's descriptor alone. */
		kept += cbx_node_kinds[ctx->t->nodes[i].kind].processes &&
					ctx->t->nodes[i].n_sysctls
				? 2
				: 1;
	need = kept + FDS_PER_UNDETACHED * FDS_UNDETACHED_MIN;
	ctx->max_undetached = SIZE_MAX;
	/* lab_ctx_init raised the soft limit to the hard one: what is left
	 * is all this process may open. */
	if (getrlimit(RLIMIT_NOFILE, &lim) < 0 || lim.rlim_cur == RLIM_INFINITY)
		return 0;
	if (need > lim.rlim_cur)
		return cbx_error_set(err, CBX_ERR_SYSTEM,
				     "lab %s of %zu nodes needs %zu open files while it comes up (1 per node, 2 for a container node with sysctls, and %d more); this process may open %llu (ulimit -Hn): raise the hard limit (prlimit --nofile=%zu:%zu, or ulimit -n %zu as root)",
				     ctx->t->name, ctx->t->n_nodes, need,
				     FDS_RESERVED + FDS_PER_UNDETACHED * FDS_UNDETACHED_MIN,
				     (unsigned long long)lim.rlim_cur, need, need, need);
	ctx->max_undetached = (lim.rlim_cur - kept) / FDS_PER_UNDETACHED;
	return 0;
}

void lab_node_rt_reset(struct node_rt *rt)
{
	if (rt->proc.sync_fd >= 0)
		close(rt->proc.sync_fd);
	if (rt->proc.pidfd >= 0)
		close(rt->proc.pidfd);
	if (rt->sysctl_fd >= 0)
		close(rt->sysctl_fd);
	if (rt->netns_fd >= 0)
		close(rt->netns_fd);
	rt->proc.sync_fd = rt->proc.pidfd = rt->sysctl_fd = rt->netns_fd = -1;
	node_spawn_settled(&rt->proc);
	rt->proc.pid = 0;
	rt->pinned = false;
}

void lab_drop_node_mntns(struct lab_ctx *ctx)
{
	if (ctx->node_mntns_fd >= 0)
		close(ctx->node_mntns_fd);
	ctx->node_mntns_fd = -1;
}

static void close_parked_nft(struct lab_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_parked_nft; i++)
		nl_close(&ctx->parked_nft[i]);
	ctx->n_parked_nft = 0;
}

void lab_nft_park(struct lab_ctx *ctx, struct nl_conn *c)
{
	if (!c->sock)
		return;
	if (ctx->n_parked_nft == LAB_NFT_PARKED_MAX)
		close_parked_nft(ctx);
	ctx->parked_nft[ctx->n_parked_nft++] = *c;
	memset(c, 0, sizeof(*c));
}

void lab_ctx_fini(struct lab_ctx *ctx)
{
	if (ctx->nodes)
		for (size_t i = 0; i < ctx->t->n_nodes; i++)
			lab_node_rt_reset(&ctx->nodes[i]);
	nl_close(&ctx->rtnl);
	nl_close(&ctx->nft);
	close_parked_nft(ctx);
	if (ctx->init_fd >= 0)
		close(ctx->init_fd);
	lab_drop_node_mntns(ctx);
	lab_reap_fini(ctx);
	if (ctx->pins_loaded)
		cbx_strmap_free(&ctx->pins);
	ctx->pins_loaded = false;
	free(ctx->pins_text);
	ctx->pins_text = NULL;
	cbx_cache_close(&ctx->cache);
	if (ctx->lock_fd >= 0)
		close(ctx->lock_fd);
	cbx_arena_free(ctx->arena);
	ctx->arena = NULL;
	ctx->nodes = NULL;
}

struct nl_conn *lab_rtnl(struct lab_ctx *ctx, struct cbx_error *err)
{
	if (!ctx->rtnl.sock && nl_open(&ctx->rtnl, NETLINK_ROUTE, err) < 0)
		return NULL;
	return &ctx->rtnl;
}

struct nl_conn *lab_nft(struct lab_ctx *ctx, struct cbx_error *err)
{
	if (!ctx->nft.sock && nl_open(&ctx->nft, NETLINK_NETFILTER, err) < 0)
		return NULL;
	return &ctx->nft;
}

void lab_warn(struct lab_ctx *ctx, const char *msg)
{
	if (ctx->n_warnings < LAB_WARNINGS_MAX)
		ctx->warnings[ctx->n_warnings++] = msg;
}

void lab_progress(struct lab_ctx *ctx, size_t done)
{
	const struct cbx_ctx *cbx = ctx->cbx;

	if (!cbx || !cbx->progress || !ctx->progress.phase)
		return;
	ctx->progress.done += done - ctx->progress.phase_done;
	ctx->progress.phase_done = done;
	cbx->progress(cbx->progress_arg, &ctx->progress);
}
