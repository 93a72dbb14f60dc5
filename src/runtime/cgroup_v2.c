/* cgroup v2 layout: one unified hierarchy. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "runtime/cgroup.h"

static int v2_write(const struct cbx_cgroups *cg, const char *lab, const char *node,
		    const char *file, const char *value, struct cbx_error *err)
{
	char path[512];

	cbx_cgroup_path(path, sizeof(path), cg, 0, lab, node, file);
	if (cbx_write_str(path, value, err) == 0)
		return 0;
	/* A controller's files exist only where the parent enables it. */
	if (err->code == ENOENT)
		return cbx_error_sys(err, ENOENT,
				     "node %s: cgroup v2 file %s (is the controller enabled?)",
				     node, path);
	return -1;
}

static int v2_apply_limits(const struct cbx_cgroups *cg, const char *lab, const char *node,
			   const struct cbx_limits *l, struct cbx_error *err)
{
	char value[64], path[512];

	if (l->memory) {
		snprintf(value, sizeof(value), "%" PRIu64, l->memory);
		if (v2_write(cg, lab, node, "memory.max", value, err) < 0)
			return -1;
		/* No swapping past the limit: a node over it is OOM-killed. The
		 * file is missing without swap accounting: nothing to limit. */
		cbx_cgroup_path(path, sizeof(path), cg, 0, lab, node, "memory.swap.max");
		if (cbx_write_str(path, "0", err) < 0 && err->code != ENOENT)
			return -1;
	}
	if (l->cpu_milli) {
		snprintf(value, sizeof(value), "%u 100000", l->cpu_milli * 100u);
		if (v2_write(cg, lab, node, "cpu.max", value, err) < 0)
			return -1;
	}
	if (l->pids) {
		snprintf(value, sizeof(value), "%u", l->pids);
		if (v2_write(cg, lab, node, "pids.max", value, err) < 0)
			return -1;
	}
	return 0;
}

static int v2_freeze(const struct cbx_cgroups *cg, const char *lab, const char *node, bool frozen,
		     struct cbx_error *err)
{
	return v2_write(cg, lab, node, "cgroup.freeze", frozen ? "1" : "0", err);
}

static int64_t v2_read_int(const struct cbx_cgroups *cg, const char *lab, const char *node,
			   const char *file)
{
	cleanup_free char *text = NULL;
	struct cbx_error err;
	char path[512];

	cbx_cgroup_path(path, sizeof(path), cg, 0, lab, node, file);
	if (cbx_read_file(path, &text, NULL, &err) < 0)
		return -1;
	return strtoll(text, NULL, 10);
}

static int v2_frozen(const struct cbx_cgroups *cg, const char *lab, const char *node)
{
	int64_t v = v2_read_int(cg, lab, node, "cgroup.freeze");

	return v < 0 ? -1 : v == 1;
}

static int64_t v2_memory_current(const struct cbx_cgroups *cg, const char *lab, const char *node)
{
	return v2_read_int(cg, lab, node, "memory.current");
}

static int64_t v2_oom_kills(const struct cbx_cgroups *cg, const char *lab, const char *node)
{
	cleanup_free char *text = NULL;
	struct cbx_error err;
	char path[512];

	cbx_cgroup_path(path, sizeof(path), cg, 0, lab, node, "memory.events");
	if (cbx_read_file(path, &text, NULL, &err) < 0)
		return -1;
	return cbx_cgroup_keyed_value(text, "oom_kill");
}

/* cgroup.kill (Linux 5.14) kills every process of the cgroup at once, even
 * ones forking while we look. */
static int v2_kill_all(const struct cbx_cgroups *cg, const char *lab, const char *node)
{
	char path[512];
	struct cbx_error err;

	/* Missing before 5.14: open fails and the caller kills each process. */
	cbx_cgroup_path(path, sizeof(path), cg, 0, lab, node, "cgroup.kill");
	return cbx_write_str(path, "1", &err) < 0 ? 1 : 0;
}

const struct cbx_cgroup_ops cbx_cgroup_v2_ops = {
	.apply_limits = v2_apply_limits,
	.freeze = v2_freeze,
	.frozen = v2_frozen,
	.memory_current = v2_memory_current,
	.oom_kills = v2_oom_kills,
	.kill_all = v2_kill_all,
};
