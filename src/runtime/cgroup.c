/* The layout-independent half of node cgroups: directories, joining,
 * killing and listing. Detection is cgroup_detect.c's; limits and the
 * freezer differ per layout and live in cgroup_v1.c / cgroup_v2.c. */
#include "runtime/cgroup.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"

/* clang-format off */
const char *const cbx_cgroup_v1_ctrl_names[] = {
	[CBX_V1_MEMORY] = "memory",   [CBX_V1_PIDS] = "pids",       [CBX_V1_CPU] = "cpu",
	[CBX_V1_FREEZER] = "freezer", [CBX_V1_DEVICES] = "devices",
};
/* clang-format on */
_Static_assert(CBX_ARRAY_SIZE(cbx_cgroup_v1_ctrl_names) == CBX_V1_CTRL_MAX,
	       "a name for every v1 controller");

int cbx_cgroups_hier_of(const struct cbx_cgroups *cg, const char *file)
{
	const char *dot = strchr(file, '.');

	for (size_t i = 0; dot && i < CBX_V1_CTRL_MAX; i++) {
		if (strlen(cbx_cgroup_v1_ctrl_names[i]) != (size_t)(dot - file) ||
		    strncmp(file, cbx_cgroup_v1_ctrl_names[i], (size_t)(dot - file)))
			continue;
		for (size_t h = 0; h < cg->n_hier; h++)
			if (cg->ctrl[h] & (1u << i))
				return (int)h;
	}
	return -1;
}

void cbx_cgroups_for_lab(struct cbx_cgroups *cg, const struct cbx_topo *t)
{
	unsigned unneeded = 1u << CBX_V1_CPU | 1u << CBX_V1_MEMORY | 1u << CBX_V1_PIDS;
	size_t kept = 0;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct cbx_limits *l = &t->nodes[i].limits;
		if (l->cpu_milli)
			unneeded &= ~(1u << CBX_V1_CPU);
		if (l->memory)
			unneeded &= ~(1u << CBX_V1_MEMORY);
		if (l->pids)
			unneeded &= ~(1u << CBX_V1_PIDS);
	}
	cg->lab_pids = t->lab_pids;
	cg->lab_only = 0;
	if (cg->v2) {
		cg->v2_skip = unneeded;
		return;
	}
	for (size_t h = 0; h < cg->n_hier; h++) {
		if (!(cg->ctrl[h] & ~unneeded)) {
			/* The lab's bound on its processes is in pids, at the
			 * lab's level: one directory per lab, none per node. */
			if (!(cg->ctrl[h] & 1u << CBX_V1_PIDS))
				continue;
			cg->lab_only |= 1u << kept;
		}
		if (kept != h) {
			memcpy(cg->hier[kept], cg->hier[h], sizeof(cg->hier[0]));
			cg->ctrl[kept] = cg->ctrl[h];
		}
		kept++;
	}
	/* Freezer and devices are always kept: a lab has at least one. */
	if (kept)
		cg->n_hier = kept;
}

bool cbx_cgroups_relative(const struct cbx_cgroups *cg, struct cbx_cgroups *rel)
{
	const char *slash = strrchr(cg->hier[0], '/');
	size_t parent = slash ? (size_t)(slash - cg->hier[0]) : 0;
	char dir[sizeof(cg->hier[0])];

	if (parent == 0)
		return false;
	for (size_t h = 0; h < cg->n_hier; h++)
		if (strncmp(cg->hier[h], cg->hier[0], parent + 1) ||
		    strchr(cg->hier[h] + parent + 1, '/'))
			return false;
	memcpy(dir, cg->hier[0], parent);
	dir[parent] = '\0';
	if (chdir(dir) < 0)
		return false;
	*rel = *cg;
	for (size_t h = 0; h < cg->n_hier; h++)
		memmove(rel->hier[h], cg->hier[h] + parent + 1,
			strlen(cg->hier[h] + parent + 1) + 1);
	return true;
}

void cbx_cgroups_wrap_relative(const struct cbx_cgroups *cg, struct cbx_error *err)
{
	cbx_error_wrap(err, "in %.*s", (int)(strrchr(cg->hier[0], '/') - cg->hier[0]), cg->hier[0]);
}

int cbx_cgroup_path(char *buf, size_t size, const struct cbx_cgroups *cg, size_t hier,
		    const char *lab, const char *node, const char *file)
{
	int n = snprintf(buf, size, "%s/cboxlab-%s%s%s%s%s", cg->hier[hier], lab, node ? "/" : "",
			 node ? node : "", file ? "/" : "", file ? file : "");

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Is `word` one of the space-separated words of `list` ("cpu" is not in
 * "cpuset io")? */
static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\n' || !p[len]))
			return true;
	return false;
}

/* v2: a child cgroup gets the memory, pids and cpu controllers only when its
 * parent lists them in cgroup.subtree_control. Enable what is missing and
 * not skipped (no node limits it). */
static int v2_enable_controllers(const char *dir, unsigned skip, struct cbx_error *err)
{
	static const enum cbx_cgroup_v1_ctrl wanted[] = { CBX_V1_MEMORY, CBX_V1_PIDS, CBX_V1_CPU };
	cleanup_free char *avail = NULL, *enabled = NULL;
	char path[512], line[128] = "";

	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	if (cbx_read_file(path, &avail, NULL, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if (cbx_read_file(path, &enabled, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < CBX_ARRAY_SIZE(wanted); i++) {
		const char *name = cbx_cgroup_v1_ctrl_names[wanted[i]];
		if (skip & 1u << wanted[i] || !has_word(avail, name) || has_word(enabled, name))
			continue;
		strcat(line, line[0] ? " +" : "+");
		strcat(line, name);
	}
	return line[0] ? cbx_write_str(path, line, err) : 0;
}

uint64_t cbx_lab_pids_default(uint64_t pid_max, uint64_t threads_max)
{
	uint64_t host = pid_max < threads_max ? pid_max : threads_max;

	return host / 4 * 3;
}

/* The lab's pids.max: its file's bound, or the default. */
static int bound_lab_pids(const struct cbx_cgroups *cg, const char *lab, uint64_t default_pids,
			  struct cbx_error *err)
{
	int h = cg->v2 ? 0 : cbx_cgroups_hier_of(cg, "pids.max");
	uint64_t bound = cg->lab_pids ? cg->lab_pids : default_pids;
	char path[512], value[32];

	if (!bound)
		return 0;
	if (h < 0 || cbx_cgroup_path(path, sizeof(path), cg, (size_t)h, lab, NULL, "pids.max") < 0)
		return cg->lab_pids
			       ? cbx_error_set(err, CBX_ERR_SYSTEM,
					       "limits.pids: this host's cgroups have no pids controller")
			       : 0;
	snprintf(value, sizeof(value), "%" PRIu64, bound);
	if (cbx_write_str(path, value, err) == 0)
		return 0;
	/* A v2 host whose root does not offer pids: nothing can bound the
	 * lab's processes, and only a bound the file asks for fails. */
	if (err->code == ENOENT && !cg->lab_pids)
		return 0;
	return cbx_error_wrap(err, "bound the lab's processes at %s (%s)", value,
			      cg->lab_pids ? "limits.pids" : "three quarters of the host's");
}

int cbx_cgroup_lab_create(const struct cbx_cgroups *cg, const char *lab, uint64_t default_pids,
			  struct cbx_error *err)
{
	char path[512];

	for (size_t h = 0; h < cg->n_hier; h++) {
		/* The lab's directory has pids for its bound, whatever its
		 * nodes do. */
		if (cg->v2 &&
		    v2_enable_controllers(cg->hier[h], cg->v2_skip & ~(1u << CBX_V1_PIDS), err) < 0)
			return -1;
		cbx_cgroup_path(path, sizeof(path), cg, h, lab, NULL, NULL);
		if (cbx_mkdir(path, 0755, err) < 0)
			return -1;
		if (cg->v2 && v2_enable_controllers(path, cg->v2_skip, err) < 0)
			return -1;
	}
	return bound_lab_pids(cg, lab, default_pids, err);
}

int cbx_cgroup_lab_pids(const struct cbx_cgroups *cg, const char *lab, int64_t *current,
			int64_t *max)
{
	int h = cg->v2 ? 0 : cbx_cgroups_hier_of(cg, "pids.max");
	cleanup_free char *now = NULL, *bound = NULL;
	struct cbx_error err;
	char path[512];

	if (h < 0 ||
	    cbx_cgroup_path(path, sizeof(path), cg, (size_t)h, lab, NULL, "pids.current") ||
	    cbx_read_file(path, &now, NULL, &err) < 0 ||
	    cbx_cgroup_path(path, sizeof(path), cg, (size_t)h, lab, NULL, "pids.max") ||
	    cbx_read_file(path, &bound, NULL, &err) < 0)
		return -1;
	*current = strtoll(now, NULL, 10);
	*max = strncmp(bound, "max", 3) ? strtoll(bound, NULL, 10) : -1;
	return 0;
}

int cbx_cgroup_lab_remove(const struct cbx_cgroups *cg, const char *lab, struct cbx_error *err)
{
	char path[512];

	for (size_t h = 0; h < cg->n_hier; h++) {
		struct stat st;
		int e;

		cbx_cgroup_path(path, sizeof(path), cg, h, lab, NULL, NULL);
		if (rmdir(path) == 0 || (e = errno) == ENOENT)
			continue;
		/* A cgroup that is not there is gone, whatever rmdir says: a
		 * read-only hierarchy (an up that failed to make the lab's
		 * cgroup there) says EROFS first. */
		if (lstat(path, &st) < 0 && errno == ENOENT)
			continue;
		return cbx_error_sys(err, e, "remove cgroup %s", path);
	}
	return 0;
}

int cbx_cgroup_node_create(const struct cbx_cgroups *cg, const char *lab, const char *node,
			   const struct cbx_limits *l, bool reuse, struct cbx_error *err)
{
	char path[512];

	for (size_t h = 0; h < cg->n_hier; h++) {
		if (cg->lab_only & 1u << h)
			continue;
		cbx_cgroup_path(path, sizeof(path), cg, h, lab, node, NULL);
		if (mkdir(path, 0755) < 0 && !(reuse && errno == EEXIST))
			return cbx_error_sys(err, errno, "create cgroup %s", path);
	}
	return cg->ops->apply_limits(cg, lab, node, l, err);
}

int cbx_cgroup_node_join_self(const struct cbx_cgroups *cg, const char *lab, const char *node,
			      struct cbx_error *err)
{
	char path[512];

	/* v1: "tasks" moves the calling thread alone, which for our
	 * single-threaded callers is the whole process; the kernel then skips
	 * the global threadgroup lock, whose first writer waits for an RCU
	 * grace period (milliseconds: docs/performance.md), that "cgroup.procs"
	 * would take. */
	const char *file = cg->v2 ? "cgroup.procs" : "tasks";

	for (size_t h = 0; h < cg->n_hier; h++) {
		cbx_cgroup_path(path, sizeof(path), cg, h, lab,
				cg->lab_only & 1u << h ? NULL : node, file);
		/* "0" is the writer itself, whatever PID namespace it is in. */
		if (cbx_write_str(path, "0", err) < 0)
			return -1;
	}
	return 0;
}

int cbx_cgroup_node_clone_fd(const struct cbx_cgroups *cg, const char *lab, const char *node,
			     struct cbx_error *err)
{
	char path[512];
	int fd;

	if (!cg->v2)
		return -1;
	cbx_cgroup_path(path, sizeof(path), cg, 0, lab, node, NULL);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		cbx_error_sys(err, errno, "open cgroup %s", path);
	return fd;
}

/* The node's cgroup.procs, opened in the first hierarchy that has the
 * node's directory: on v1 a lab without memory or pids limits has no node
 * cgroups in those hierarchies (cbx_cgroups_for_lab), and the commands that
 * only look (status, down) detect every hierarchy. -1 with errno ENOENT
 * when none has it. `down` asks this of every node, twice: a lookup that
 * fails costs as much as one that works. */
static int open_node_procs(const struct cbx_cgroups *cg, const char *lab, const char *node,
			   char *path, size_t size)
{
	/* v1: the freezer's first, which every lab's nodes are in. */
	int first = cg->v2 ? 0 : cbx_cgroups_hier_of(cg, "freezer.state");

	for (int k = -1; k < (int)cg->n_hier; k++) {
		int h = k < 0 ? first : k, fd;
		if (h < 0 || (k >= 0 && h == first))
			continue;
		cbx_cgroup_path(path, size, cg, (size_t)h, lab, node, "cgroup.procs");
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0 || errno != ENOENT)
			return fd;
	}
	errno = ENOENT;
	return -1;
}

int cbx_cgroup_node_pids(const struct cbx_cgroups *cg, const char *lab, const char *node,
			 pid_t **pids, size_t *n, struct cbx_error *err)
{
	cleanup_free char *text = NULL;
	cleanup_close int fd = -1;
	char path[512], *line, *save = NULL;
	size_t cap = 0;

	*pids = NULL;
	*n = 0;
	if ((fd = open_node_procs(cg, lab, node, path, sizeof(path))) < 0)
		return errno == ENOENT ? 0 : cbx_error_sys(err, errno, "open %s", path);
	if (cbx_read_fd_as(fd, path, CBX_ERR_SYSTEM, &text, NULL, err) < 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (*n == cap) {
			pid_t *grown = realloc(*pids, (cap = cap ? cap * 2 : 16) * sizeof(pid_t));
			if (!grown) {
				free(*pids);
				*pids = NULL;
				return cbx_error_sys(err, ENOMEM, "read %s", path);
			}
			*pids = grown;
		}
		(*pids)[(*n)++] = (pid_t)atoi(line);
	}
	return 0;
}

int cbx_cgroup_node_kill(const struct cbx_cgroups *cg, const char *lab, const char *node,
			 struct cbx_error *err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n;

	/* A frozen (paused) process cannot die before it is thawed. */
	if (cg->ops->frozen(cg, lab, node) == 1)
		cg->ops->freeze(cg, lab, node, false, &(struct cbx_error){ 0 });
	if (cg->ops->kill_all(cg, lab, node) == 0)
		return 0;
	if (cbx_cgroup_node_pids(cg, lab, node, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	return 0;
}

bool cbx_cgroup_node_empty(const struct cbx_cgroups *cg, const char *lab, const char *node)
{
	char path[512], buf[64];
	cleanup_close int fd = -1;
	ssize_t n;

	fd = open_node_procs(cg, lab, node, path, sizeof(path));
	if (fd < 0)
		return errno == ENOENT;
	n = read(fd, buf, sizeof(buf));
	return n == 0;
}

int cbx_cgroup_node_remove(const struct cbx_cgroups *cg, const char *lab, const char *node,
			   struct cbx_error *err)
{
	char path[512];

	for (size_t h = 0; h < cg->n_hier; h++) {
		cbx_cgroup_path(path, sizeof(path), cg, h, lab, node, NULL);
		/* A killed task leaves cgroup.procs at exit but keeps its cgroup
		 * populated until its last context switch: rmdir can see EBUSY
		 * for a moment after the cgroup looked empty. */
		for (int tries = 0; rmdir(path) < 0; tries++) {
			if (errno == ENOENT)
				break;
			if (errno != EBUSY || tries == 2000)
				return cbx_error_sys(err, errno, "remove cgroup %s", path);
			usleep(1000);
		}
	}
	return 0;
}

int64_t cbx_cgroup_keyed_value(const char *text, const char *key)
{
	size_t len = strlen(key);

	for (const char *line = text; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (!strncmp(line, key, len) && line[len] == ' ')
			return strtoll(line + len + 1, NULL, 10);
	return -1;
}
