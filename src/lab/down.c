/* Bringing a lab down: the undo side of its plan, rebuilt from the
 * topology it was brought up with (saved before `up` made anything else).
 * Without that, a sweep for what is surely the lab's by name (its cgroups,
 * host links named and aliased for it, its nftables table, its state), so
 * an `up` killed before it saved its topology leaves nothing behind; with
 * only a given file, which may not be what was brought up, both. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge/nat.h"
#include "bridge/wiring.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "lab/lab.h"
#include "lab/plan.h"
#include "netlink/rtnl_msg.h"
#include "runtime/netns.h"

struct link_sweep {
	const char *lab;
	struct nl_batch *batch;
};

/* A host link is the lab's if both its name and its alias say so. */
static int sweep_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_sweep *sw = data;
	const struct nlattr *attr;
	const char *name = NULL, *alias = NULL;
	char prefix[64];

	mnl_attr_for_each (attr, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(attr) == IFLA_IFNAME)
			name = mnl_attr_get_str(attr);
		else if (mnl_attr_get_type(attr) == IFLA_IFALIAS)
			alias = mnl_attr_get_str(attr);
	}
	snprintf(prefix, sizeof(prefix), "%s-", sw->lab);
	if (!name || !alias || strncmp(name, prefix, strlen(prefix)))
		return MNL_CB_OK;
	snprintf(prefix, sizeof(prefix), "cboxlab %s/", sw->lab);
	if (!strncmp(alias, prefix, strlen(prefix)))
		wiring_del_link(sw->batch, name, "leftover link");
	return MNL_CB_OK;
}

static void sweep_reset(void *data)
{
	nl_batch_reset(((struct link_sweep *)data)->batch);
}

static int sweep_links(struct lab_ctx *ctx, struct cbx_error *err)
{
	struct nl_conn *c = lab_rtnl(ctx, err);
	struct nl_batch b;
	struct link_sweep sw = { .lab = ctx->t->name, .batch = &b };
	int rc;

	if (!c)
		return -1;
	nl_batch_init(&b);
	rc = wiring_dump_links(c, sweep_link_cb, sweep_reset, &sw, err);
	if (rc == 0 && !nl_batch_empty(&b))
		rc = nl_batch_commit(c, &b, err);
	nl_batch_free(&b);
	return rc;
}

/* A node's cgroups, found by name: killed, waited for, and removed from
 * every hierarchy. */
static int sweep_node_cgroup(struct lab_ctx *ctx, const char *node, struct cbx_error *err)
{
	const char *lab = ctx->t->name;
	int rc = cbx_cgroup_node_kill(&ctx->cg, lab, node, err);

	for (int i = 0; i < 5000 && !cbx_cgroup_node_empty(&ctx->cg, lab, node); i++) {
		usleep(2000);
		cbx_cgroup_node_kill(&ctx->cg, lab, node, &(struct cbx_error){ 0 });
	}
	return rc < 0 ? -1 : cbx_cgroup_node_remove(&ctx->cg, lab, node, err);
}

/* Node cgroups by listing cboxlab-<lab>/ in every hierarchy: a lab's nodes
 * need not be in the first (a lab without memory limits has no memory
 * cgroups: cbx_cgroups_for_lab), and what one hierarchy's listing finds is
 * removed from all of them, so the next lists only what is left. */
static int sweep_cgroups(struct lab_ctx *ctx, struct cbx_error *err)
{
	const char *lab = ctx->t->name;
	char path[512];
	int rc = 0;

	for (size_t h = 0; h < ctx->cg.n_hier && rc == 0; h++) {
		cleanup_closedir DIR *dir = NULL;
		struct dirent *de;

		cbx_cgroup_path(path, sizeof(path), &ctx->cg, h, lab, NULL, NULL);
		if (!(dir = opendir(path))) {
			if (errno == ENOENT)
				continue;
			return cbx_error_sys(err, errno, "open %s", path);
		}
		while ((de = readdir(dir)) && rc == 0)
			if (de->d_type == DT_DIR && de->d_name[0] != '.')
				rc = sweep_node_cgroup(ctx, de->d_name, err);
	}
	if (rc == 0)
		rc = cbx_cgroup_lab_remove(&ctx->cg, lab, err);
	return rc;
}

static int sweep(struct lab_ctx *ctx, struct cbx_error *err)
{
	struct nl_conn *nft = lab_nft(ctx, err);
	struct nl_batch b;
	int rc;

	/* No sweep of /run/netns: a "<lab>-x" there may be a user's own
	 * `ip netns add`; the plan's undo unpins the lab's nodes by name. */
	if (sweep_cgroups(ctx, err) < 0 || sweep_links(ctx, err) < 0 || !nft)
		return -1;
	nl_batch_init(&b);
	nat_del_table(&b, ctx->t->name);
	rc = nl_batch_commit(nft, &b, err);
	nl_batch_free(&b);
	return rc < 0 ? -1 : lab_state_remove(ctx->state_dir, err);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t len = strlen(s), n = strlen(suffix);

	return len > n && !strcmp(s + len - n, suffix);
}

bool lab_arg_is_file(const char *arg)
{
	return !strcmp(arg, "-") || strchr(arg, '/') || ends_with(arg, ".json") ||
	       ends_with(arg, ".yaml") || ends_with(arg, ".yml");
}

/* A stand-in topology with just the lab's name, for the sweep alone: its
 * node is never undone (a "<lab>-x" in /run/netns may be a user's own). */
static int name_only_topology(const char *lab, struct cbx_topo **t, struct cbx_error *err)
{
	char text[256];

	snprintf(text, sizeof(text), "{\"name\": \"%s\", \"nodes\": {\"x\": {}}}", lab);
	return cbx_topo_load_text(text, strlen(text), "(lab name)", t, err);
}

int lab_down(const struct cbx_ctx *cbx, const char *arg, struct lab_down_result *res,
	     struct cbx_error *err)
{
	char *lab = res->lab;
	struct cbx_topo *t = NULL, *file_topo = NULL;
	char state_dir[256];
	int lock = -1;
	struct lab_ctx ctx;
	struct plan plan = { 0 };
	bool saved = false, name_only = false;
	int rc = -1;

	*res = (struct lab_down_result){ 0 };
	/* A file's name was checked by its load: the same rule. */
	if (lab_arg_is_file(arg)) {
		if (cbx_topo_load(arg, &file_topo, err) < 0)
			return -1;
		snprintf(lab, CBX_LAB_NAME_MAX + 1, "%s", file_topo->name);
	} else {
		if (cbx_lab_name_check(arg, err) < 0)
			return -1;
		snprintf(lab, CBX_LAB_NAME_MAX + 1, "%s", arg);
	}
	lab_state_path(cbx, lab, NULL, state_dir, sizeof(state_dir));
	/* Waits for an `up` or a fault command of this lab still running. */
	if (lab_lock(cbx, lab, false, &lock, err) < 0)
		goto out;
	res->was_up = access(state_dir, F_OK) == 0;
	/* The plan it was brought up with; else the given file's, and the
	 * sweep; else only the lab's name, and the sweep does the work. */
	if (res->was_up && lab_load_saved(cbx, lab, &t, &(struct cbx_error){ 0 }) == 0) {
		cbx_topo_free(file_topo);
		file_topo = NULL;
		saved = true;
	} else if (file_topo) {
		t = file_topo;
		file_topo = NULL;
	} else if (name_only_topology(lab, &t, err) < 0) {
		goto out;
	} else {
		name_only = true;
	}
	if (lab_ctx_init(&ctx, cbx, t, false, err) < 0) {
		lab_ctx_fini(&ctx);
		goto out;
	}
	ctx.state_owned = true; /* locked above: ours to remove */
	ctx.teardown = true;
	if ((name_only ||
	     (plan_build(cbx, t, &plan, err) == 0 && plan_undo(&ctx, &plan, plan.n, err) == 0)) &&
	    (saved || sweep(&ctx, err) == 0))
		rc = 0;
	if (rc < 0)
		cbx_error_wrap(err, "bring lab %s down", lab);
	else
		res->unreaped = lab_reap_wait(&ctx, cbx->reap_wait_ms);
	memcpy(res->phase_us, ctx.phase_us, STEP_KIND_COUNT * sizeof(*res->phase_us));
	plan_free(&plan);
	lab_ctx_fini(&ctx);
out:
	lab_unlock(cbx, lab, lock, rc == 0);
	cbx_topo_free(t);
	cbx_topo_free(file_topo);
	return rc;
}
