/* cgroup v1 (and hybrid) layout: one hierarchy per controller. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "runtime/cgroup.h"

/* The node's control file `file` in whichever hierarchy has it (controllers
 * may be co-mounted, e.g. cpu,cpuacct), its controller's first: `down`
 * asks every node for freezer.state, and a lookup that fails costs as much
 * as one that works. */
static int v1_file(char *buf, size_t size, const struct cbx_cgroups *cg, const char *lab,
		   const char *node, const char *file)
{
	int first = cbx_cgroups_hier_of(cg, file);

	for (int k = -1; k < (int)cg->n_hier; k++) {
		int h = k < 0 ? first : k;
		if (h < 0 || (k >= 0 && h == first))
			continue;
		if (cbx_cgroup_path(buf, size, cg, (size_t)h, lab, node, file) == 0 &&
		    access(buf, F_OK) == 0)
			return 0;
	}
	return -1;
}

/* Write `value` to the node's `file` in the first hierarchy that has it,
 * found by opening it (not an access() and then an open(): `up` does this
 * for every node), in its controller's hierarchy first: a lookup that fails
 * costs as much as one that works. 1 when no hierarchy has it, and
 * `optional`. */
static int v1_write_in(const struct cbx_cgroups *cg, const char *lab, const char *node,
		       const char *file, const char *value, bool optional, struct cbx_error *err)
{
	int first = cbx_cgroups_hier_of(cg, file);
	char path[512];

	for (int k = -1; k < (int)cg->n_hier; k++) {
		int h = k < 0 ? first : k;
		if (h < 0 || (k >= 0 && h == first) ||
		    cbx_cgroup_path(path, sizeof(path), cg, (size_t)h, lab, node, file) < 0)
			continue;
		if (cbx_write_str(path, value, err) == 0)
			return 0;
		if (err->code != ENOENT)
			return -1;
	}
	if (optional)
		return 1;
	return cbx_error_set(err, CBX_ERR_SYSTEM,
			     "node %s: cgroup v1 has no %s (is its controller mounted?)", node,
			     file);
}

static int v1_write(const struct cbx_cgroups *cg, const char *lab, const char *node,
		    const char *file, const char *value, struct cbx_error *err)
{
	return v1_write_in(cg, lab, node, file, value, false, err) < 0 ? -1 : 0;
}

static int v1_apply_limits(const struct cbx_cgroups *cg, const char *lab, const char *node,
			   const struct cbx_limits *l, struct cbx_error *err)
{
	char value[64];

	if (l->memory) {
		snprintf(value, sizeof(value), "%" PRIu64, l->memory);
		if (v1_write(cg, lab, node, "memory.limit_in_bytes", value, err) < 0)
			return -1;
		/* With swap accounting, memory+swap gets the same limit, so a
		 * node over its limit is OOM-killed instead of swapping. */
		if (v1_write_in(cg, lab, node, "memory.memsw.limit_in_bytes", value, true, err) < 0)
			return -1;
	}
	if (l->cpu_milli) {
		snprintf(value, sizeof(value), "%u", l->cpu_milli * 100u);
		if (v1_write(cg, lab, node, "cpu.cfs_period_us", "100000", err) < 0 ||
		    v1_write(cg, lab, node, "cpu.cfs_quota_us", value, err) < 0)
			return -1;
	}
	if (l->pids) {
		snprintf(value, sizeof(value), "%u", l->pids);
		if (v1_write(cg, lab, node, "pids.max", value, err) < 0)
			return -1;
	}
	return 0;
}

static int v1_freeze(const struct cbx_cgroups *cg, const char *lab, const char *node, bool frozen,
		     struct cbx_error *err)
{
	return v1_write(cg, lab, node, "freezer.state", frozen ? "FROZEN" : "THAWED", err);
}

/* The node's control file `file`, read whole (malloc'd); NULL when no
 * hierarchy has it or it cannot be read. */
static char *v1_read(const struct cbx_cgroups *cg, const char *lab, const char *node,
		     const char *file)
{
	char path[512], *text = NULL;
	struct cbx_error err;

	if (v1_file(path, sizeof(path), cg, lab, node, file) < 0 ||
	    cbx_read_file(path, &text, NULL, &err) < 0)
		return NULL;
	return text;
}

static int v1_frozen(const struct cbx_cgroups *cg, const char *lab, const char *node)
{
	cleanup_free char *text = v1_read(cg, lab, node, "freezer.state");

	if (!text)
		return -1;
	/* FREEZING counts as frozen: the kernel is on its way there. */
	return strncmp(text, "THAWED", 6) != 0;
}

static int64_t v1_memory_current(const struct cbx_cgroups *cg, const char *lab, const char *node)
{
	cleanup_free char *text = v1_read(cg, lab, node, "memory.usage_in_bytes");

	return text ? strtoll(text, NULL, 10) : -1;
}

static int64_t v1_oom_kills(const struct cbx_cgroups *cg, const char *lab, const char *node)
{
	cleanup_free char *text = v1_read(cg, lab, node, "memory.oom_control");

	return text ? cbx_cgroup_keyed_value(text, "oom_kill") : -1;
}

static int v1_kill_all(const struct cbx_cgroups *cg, const char *lab, const char *node)
{
	(void)cg;
	(void)lab;
	(void)node;
	return 1; /* v1 has no cgroup.kill: the caller kills each process */
}

const struct cbx_cgroup_ops cbx_cgroup_v1_ops = {
	.apply_limits = v1_apply_limits,
	.freeze = v1_freeze,
	.frozen = v1_frozen,
	.memory_current = v1_memory_current,
	.oom_kills = v1_oom_kills,
	.kill_all = v1_kill_all,
};
