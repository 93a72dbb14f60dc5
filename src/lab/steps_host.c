/* Steps on the host side of a lab: its state directory, parent cgroups,
 * NAT table and the final "up" mark (its networks: steps_network.c). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bridge/nat.h"
#include "bridge/sysctl.h"
#include "bridge/wiring.h"
#include "common/fsutil.h"
#include "lab/fault_record.h"
#include "lab/hosts.h"
#include "lab/lab.h"
#include "lab/steps.h"
#include "runtime/cgroup_devices.h"
#include "runtime/host_mask.h"
#include "runtime/tmpfiles.h"

/* --- state directory --------------------------------------------------- */

/* Does a node name host paths (binds, files, an overlay folder)? Only then
 * is the folder they are relative to saved: a node's restart resolves
 * them again. */
static bool names_host_paths(const struct cbx_topo *t)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].n_binds || t->nodes[i].n_files || t->nodes[i].overlay)
			return true;
	return false;
}

/* Each node's files with content, as its init will copy them: a node's
 * restart finds them here too. Nothing for a lab without any. */
static int stage_files(struct lab_ctx *ctx, struct cbx_error *err)
{
	char path[512];
	bool made = false;

	for (size_t i = 0; i < ctx->t->n_nodes; i++) {
		const struct cbx_node *n = &ctx->t->nodes[i];
		bool node_made = false;

		for (size_t k = 0; k < n->n_files; k++) {
			const struct cbx_file *f = &n->files[k];
			if (!f->content)
				continue;
			if (!made) {
				snprintf(path, sizeof(path), "%s/" CBX_NODE_FILES_DIR,
					 ctx->state_dir);
				if (cbx_mkdir(path, 0700, err) < 0)
					return -1;
				made = true;
			}
			if (!node_made) {
				snprintf(path, sizeof(path), "%s/" CBX_NODE_FILES_DIR "/%s",
					 ctx->state_dir, n->name);
				if (cbx_mkdir(path, 0700, err) < 0)
					return -1;
				node_made = true;
			}
			snprintf(path, sizeof(path), "%s/" CBX_NODE_FILES_DIR "/%s/%zu",
				 ctx->state_dir, n->name, k);
			if (cbx_create_file(path, 0600, f->content, strlen(f->content), err) < 0)
				return -1;
		}
	}
	return 0;
}

/* "storage": "disk": the lab's folder on disk, root's alone. What an
 * earlier lab of the name left there (a host that crashed while it was up)
 * is not this lab's: it goes. */
static int make_disk_dir(struct lab_ctx *ctx, struct cbx_error *err)
{
	char dir[PATH_MAX];

	if (lab_disk_dir(ctx, dir, sizeof(dir)) < 0)
		return cbx_error_set(err, CBX_ERR_INPUT, "the disk root is too long");
	if (cbx_rm_rf(dir, err) < 0 || cbx_mkdir_p(dir, 0700, err) < 0 || chmod(dir, 0700) < 0)
		return cbx_error_wrap(err, "the lab's folder on disk %s", dir);
	return 0;
}

/* "volumes": a tmpfs of its size for each, in the node's folder on the
 * host's side (<node dir>/volumes/<i>), where `fill --path` finds it by its
 * host path, a node's restart binds it again with its files, and `down`'s
 * lazy unmount of the lab's tmpfs takes it. The node's init binds it at
 * DST as it binds a host folder (runtime/node_files.c): resolved inside
 * the node's root, never through a symlink out of it. A node in a user
 * namespace owns its volumes' root. */
static int mount_node_volumes(struct lab_ctx *ctx, const struct cbx_node *n, const char *dir,
			      struct cbx_error *err)
{
	char path[600], opts[96];

	snprintf(path, sizeof(path), "%s/volumes", dir);
	if (cbx_mkdir(path, 0700, err) < 0)
		return -1;
	for (size_t k = 0; k < n->n_volumes; k++) {
		int len = snprintf(opts, sizeof(opts), "mode=0755,size=%" PRIu64 ",nr_inodes=%d",
				   n->volumes[k].size, LAB_VOLUME_INODES);
		if (n->userns_count)
			snprintf(opts + len, sizeof(opts) - (size_t)len, ",uid=%u,gid=%u",
				 n->userns_start, n->userns_start);
		if (lab_node_volume_dir(ctx, n, k, path, sizeof(path)) < 0)
			return cbx_error_sys(err, ENAMETOOLONG, "node %s", n->name);
		if (cbx_mkdir(path, 0700, err) < 0)
			return -1;
		if (mount("cboxlab-volume", path, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
			return cbx_error_sys(err, errno,
					     "node %s: mount its volume %s (a tmpfs of %s) on %s",
					     n->name, n->volumes[k].dst, opts, path);
	}
	return 0;
}

/* "storage_size": a tmpfs of that size on the node's folder, before the
 * node is cloned (its mount namespace copies it), so that its writable
 * layers, /run and /tmp are its own filesystem: `fill` makes that one full
 * and no other node's. Under the lab's tmpfs, `down`'s lazy unmount takes
 * it too. Only these nodes: every mount here is copied into each node
 * cloned after it. */
static int mount_node_disks(struct lab_ctx *ctx, struct cbx_error *err)
{
	for (size_t i = 0; i < ctx->t->n_nodes; i++) {
		const struct cbx_node *n = &ctx->t->nodes[i];
		char dir[512], opts[64];
		if (!n->storage_size && !n->n_volumes)
			continue;
		if (lab_node_dir(ctx, n, dir, sizeof(dir)) < 0)
			return cbx_error_sys(err, ENAMETOOLONG, "node %s", n->name);
		if (cbx_mkdir(dir, 0755, err) < 0)
			return -1;
		if (n->storage_size) {
			snprintf(opts, sizeof(opts), "mode=0755,size=%" PRIu64, n->storage_size);
			if (mount("cboxlab-storage", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
				return cbx_error_sys(err, errno,
						     "node %s: mount its storage (a tmpfs of %s) on %s",
						     n->name, opts, dir);
		}
		if (n->n_volumes && mount_node_volumes(ctx, n, dir, err) < 0)
			return -1;
	}
	return 0;
}

static int lab_state_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	const char *lab = ctx->t->name;
	char path[512];

	(void)s;
	(void)n;
	/* The state root exists: the lab's lock file, held, is in it. */
	if (mkdir(ctx->state_dir, 0700) < 0) {
		/* Not ours: the undo must leave it alone. */
		if (errno == EEXIST)
			return cbx_error_set(err, CBX_ERR_STATE,
					     "lab \"%s\" is already up, or an earlier `up` of it was interrupted (state in %s); bring it down first: cboxlab down %s",
					     lab, ctx->state_dir, lab);
		return cbx_error_sys(err, errno, "create %s", ctx->state_dir);
	}
	ctx->state_owned = true;
	/* A tmpfs of the lab's own, and in it one of its nodes' (their
	 * writable layers, logs, PIDs: lab_nodes_dir_mount). Made and removed
	 * whole, in memory: a lab's hundreds of small files cost no disk
	 * writes, and `down` an unmount instead of a walk. */
	if (mount("cboxlab", ctx->state_dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
		return cbx_error_sys(err, errno, "mount a tmpfs on %s", ctx->state_dir);
	snprintf(path, sizeof(path), "%s/topology.json", ctx->state_dir);
	if (cbx_create_file(path, 0600, ctx->topology_text, ctx->topology_len, err) < 0)
		return -1;
	if (lab_nodes_dir_mount(ctx, err) < 0 || mount_node_disks(ctx, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/" CBX_TOPOLOGY_DIR_FILE, ctx->state_dir);
	if (names_host_paths(ctx->t) &&
	    cbx_create_file(path, 0600, ctx->t->dir, strlen(ctx->t->dir), err) < 0)
		return -1;
	/* Which part of a lab over hosts this is: `down`, `status` and the
	 * faults rebuild the same part from the saved topology. */
	snprintf(path, sizeof(path), "%s/" LAB_PART_FILE, ctx->state_dir);
	if (ctx->t->local &&
	    cbx_create_file(path, 0600, ctx->t->local->name, strlen(ctx->t->local->name), err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/hosts", ctx->state_dir);
	if (lab_write_hosts(ctx->t, path, err) < 0 || stage_files(ctx, err) < 0 ||
	    lab_images_record(ctx, err) < 0)
		return -1;
	if (lab_uses_disk(ctx->t) && make_disk_dir(ctx, err) < 0)
		return -1;
	for (size_t i = 0; i < ctx->t->n_nodes; i++)
		if (cbx_base_kinds[ctx->t->nodes[i].base].root == CBX_ROOT_HOST) {
			snprintf(path, sizeof(path), "%s/" CBX_HOST_MASK_DIR, ctx->state_dir);
			if (host_mask_make("/", path, err) < 0)
				return -1;
			snprintf(path, sizeof(path), "%s/" CBX_HOST_MASK_DIR "/" CBX_TMPFILES_LIST,
				 ctx->state_dir);
			return cbx_tmpfiles_collect("/", path, err);
		}
	return 0;
}

static int lab_state_undo(struct lab_ctx *ctx, const struct step *s, size_t n,
			  struct cbx_error *err)
{
	(void)s;
	(void)n;
	char disk[PATH_MAX];

	/* A lab that is already up keeps its state when a second `up` fails. */
	if (!ctx->state_owned)
		return 0;
	if (lab_uses_disk(ctx->t) && lab_disk_dir(ctx, disk, sizeof(disk)) == 0 &&
	    cbx_rm_rf(disk, err) < 0)
		return cbx_error_wrap(err, "remove the lab's folder on disk");
	return lab_state_remove(ctx->state_dir, err);
}

static void lab_state_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	if (undo)
		snprintf(buf, size, "unmount and remove the lab's state directory %s/%s",
			 s->state_root, s->t->name);
	else
		snprintf(buf, size,
			 "create the lab's state directory %s/%s (a tmpfs, root's alone), with topology.json, the nodes' /etc/hosts and, for host-base nodes, the layer that hides the host's secrets",
			 s->state_root, s->t->name);
}

const struct step_ops step_ops_lab_state = {
	.name = "state",
	.run = lab_state_run,
	.undo = lab_state_undo,
	.describe = lab_state_describe,
};

/* --- lab cgroups -------------------------------------------------------- */

/* The bound on a lab's processes when its file sets none, from what this
 * host can hold (cbx_lab_pids_default); 0, no bound, when it does not say. */
static uint64_t host_lab_pids_default(void)
{
	char pid_max[32], threads_max[32];
	struct cbx_error ignored;

	if (cbx_sysctl_read("kernel.pid_max", pid_max, sizeof(pid_max), &ignored) < 0 ||
	    cbx_sysctl_read("kernel.threads-max", threads_max, sizeof(threads_max), &ignored) < 0)
		return 0;
	return cbx_lab_pids_default(strtoull(pid_max, NULL, 10), strtoull(threads_max, NULL, 10));
}

static int lab_cgroup_run(struct lab_ctx *ctx, const struct step *s, size_t n,
			  struct cbx_error *err)
{
	(void)s;
	(void)n;
	if (cbx_cgroup_lab_create(&ctx->cg, ctx->t->name, host_lab_pids_default(), err) < 0)
		return -1;
	return cbx_devices_lab(&ctx->cg, ctx->t->name, err);
}

static int lab_cgroup_undo(struct lab_ctx *ctx, const struct step *s, size_t n,
			   struct cbx_error *err)
{
	char path[512];

	(void)s;
	(void)n;
	if (cbx_cgroup_lab_remove(&ctx->cg, ctx->t->name, err) == 0)
		return 0;
	/* The lab's cgroup is shared by the parts of a lab over hosts that
	 * run on one machine (hosts simulated by network namespaces, as
	 * tests/integration/test_multihost.sh does): busy with another
	 * part's nodes, it is that part's to remove. With one of ours in
	 * it, the failure stands. */
	if (!ctx->t->local || err->code != EBUSY)
		return -1;
	for (size_t i = 0; i < ctx->t->n_nodes; i++)
		if (cbx_node_here(ctx->t, &ctx->t->nodes[i]) &&
		    cbx_cgroup_path(path, sizeof(path), &ctx->cg, 0, ctx->t->name,
				    ctx->t->nodes[i].name, NULL) == 0 &&
		    access(path, F_OK) == 0)
			return -1;
	cbx_error_clear(err);
	return 0;
}

static void lab_cgroup_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	if (undo)
		snprintf(buf, size, "remove cgroup cboxlab-%s", s->t->name);
	else if (s->t->lab_pids)
		snprintf(buf, size,
			 "create cgroup cboxlab-%s in each cgroup hierarchy (v2: with the nodes' device policy), the lab's processes bounded at %u (limits.pids)",
			 s->t->name, s->t->lab_pids);
	else
		snprintf(buf, size,
			 "create cgroup cboxlab-%s in each cgroup hierarchy (v2: with the nodes' device policy), the lab's processes bounded at three quarters of the host's",
			 s->t->name);
}

const struct step_ops step_ops_lab_cgroup = {
	.name = "cgroups",
	.run = lab_cgroup_run,
	.undo = lab_cgroup_undo,
	.describe = lab_cgroup_describe,
};

/* --- NAT ---------------------------------------------------------------- */

static int nat_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	struct nl_conn *c = lab_nft(ctx, err);
	struct nl_batch b;
	const char *warning;
	int rc;

	(void)s;
	(void)n;
	if (!c)
		return -1;
	nl_batch_init(&b);
	nat_add_table(&b, ctx->t);
	rc = nl_batch_commit(c, &b, err);
	nl_batch_free(&b);
	if (rc < 0 || nat_set_bridge_sysctls(ctx->t, err) < 0)
		return -1;
	if ((warning = nat_forwarding_warning(ctx->t)))
		lab_warn(ctx, warning);
	return 0;
}

static int nat_undo(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	struct nl_conn *c = lab_nft(ctx, err);
	struct nl_batch b;
	int rc;

	(void)s;
	(void)n;
	if (!c)
		return -1;
	nl_batch_init(&b);
	nat_del_table(&b, ctx->t->name);
	rc = nl_batch_commit(c, &b, err);
	nl_batch_free(&b);
	return rc;
}

static void nat_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	if (undo)
		snprintf(buf, size, "delete nftables table inet cboxlab-%s", s->t->name);
	else
		snprintf(buf, size,
			 "create nftables table inet cboxlab-%s: masquerade for NAT networks, DNAT for published ports",
			 s->t->name);
}

const struct step_ops step_ops_nat = {
	.name = "nat",
	.run = nat_run,
	.undo = nat_undo,
	.describe = nat_describe,
};

/* --- ready mark ------------------------------------------------------- */

static int lab_ready_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	char path[512];

	(void)s;
	(void)n;
	if (fault_record_initial(ctx, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/state", ctx->state_dir);
	return cbx_create_file(path, 0644, "up\n", 3, err);
}

static int lab_ready_undo(struct lab_ctx *ctx, const struct step *s, size_t n,
			  struct cbx_error *err)
{
	char path[512];

	(void)s;
	(void)n;
	snprintf(path, sizeof(path), "%s/state", ctx->state_dir);
	if (unlink(path) < 0 && errno != ENOENT)
		return cbx_error_sys(err, errno, "remove %s", path);
	return 0;
}

static void lab_ready_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	(void)s;
	snprintf(buf, size, undo ? "mark the lab as going down" : "mark the lab as up");
}

const struct step_ops step_ops_lab_ready = {
	.name = "ready",
	.run = lab_ready_run,
	.undo = lab_ready_undo,
	.describe = lab_ready_describe,
};
