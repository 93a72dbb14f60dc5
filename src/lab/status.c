/* What `status` shows of a lab (cboxlab.h): each node's process, state and
 * memory, read from the kernel, and the faults in force. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "lab/fault_record.h"
#include "lab/lab.h"
#include "runtime/cgroup.h"
#include "runtime/netns.h"
#include "runtime/node_fate.h"

const char *lab_node_state_name(enum lab_node_state s)
{
	static const char *const names[] = {
		[LAB_NODE_STOPPED] = "stopped",
		[LAB_NODE_RUNNING] = "running",
		[LAB_NODE_PAUSED] = "paused",
	};
	_Static_assert(CBX_ARRAY_SIZE(names) == LAB_NODE_STATE_MAX, "a name for every state");

	return names[s];
}

const char *lab_command_state_name(enum lab_command_state s)
{
	static const char *const names[] = {
		[LAB_COMMAND_NONE] = "none",
		[LAB_COMMAND_RUNNING] = "running",
		[LAB_COMMAND_EXITED] = "exited",
		[LAB_COMMAND_KILLED] = "killed",
		[LAB_COMMAND_OOM_KILLED] = "OOM-killed",
	};
	_Static_assert(CBX_ARRAY_SIZE(names) == LAB_COMMAND_STATE_MAX, "a name for every state");

	return names[s];
}

/* The node's fate file, read as little of as a fate line takes: a file of
 * the lab's state, but `status` trusts nothing it did not write itself. */
static struct lab_command_status command_status(const struct cbx_ctx *cbx,
						const struct cbx_cgroups *cg, const char *lab,
						const struct cbx_node *n)
{
	struct lab_command_status c = { .state = LAB_COMMAND_NONE };
	char file[128], path[PATH_MAX], text[CBX_FATE_LINE + 1];
	struct node_fate f;
	cleanup_close int fd = -1;
	ssize_t len;

	if (!n->cmd)
		return c;
	snprintf(file, sizeof(file), "nodes/%s/" CBX_FATE_FILE, n->name);
	if (lab_state_path(cbx, lab, file, path, sizeof(path)) < 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0)
		return c;
	len = read(fd, text, sizeof(text));
	if (len < 0 || !node_fate_parse(text, (size_t)len, &f))
		return c;
	c.state = f.state == NODE_FATE_RUNNING  ? LAB_COMMAND_RUNNING
		  : f.state == NODE_FATE_EXITED ? LAB_COMMAND_EXITED
						: LAB_COMMAND_KILLED;
	c.code = f.code;
	c.since_ms = f.since_ms;
	c.restarts = f.restarts;
	if (c.state == LAB_COMMAND_KILLED && c.code == SIGKILL && cg->ops->oom_kills &&
	    cg->ops->oom_kills(cg, lab, n->name) > 0)
		c.state = LAB_COMMAND_OOM_KILLED;
	return c;
}

/* A node without processes (a netns node) is its netns: up while pinned
 * (something is mounted on the pin). */
static bool netns_pinned(const char *lab, const struct cbx_node *n)
{
	char pin[512];
	struct stat st, dir;

	return netns_pin_path(pin, sizeof(pin), lab, n->name) == 0 && stat(pin, &st) == 0 &&
	       stat(CBX_NETNS_DIR, &dir) == 0 && st.st_dev != dir.st_dev;
}

static struct lab_node_status node_status(const struct cbx_ctx *cbx, const struct cbx_cgroups *cg,
					  const char *lab, const struct cbx_node *n)
{
	struct lab_node_status s = { .memory = -1 };

	if (!cbx_node_kinds[n->kind].processes) {
		s.state = netns_pinned(lab, n) ? LAB_NODE_RUNNING : LAB_NODE_STOPPED;
		return s;
	}
	s.pid = lab_node_pid(cbx, lab, n->name);

	s.state = LAB_NODE_STOPPED;
	if (s.pid > 0) {
		s.state =
			cg->ops->frozen(cg, lab, n->name) == 1 ? LAB_NODE_PAUSED : LAB_NODE_RUNNING;
		s.memory = cg->ops->memory_current(cg, lab, n->name);
		s.command = command_status(cbx, cg, lab, n);
	}
	return s;
}

/* The record's faults, then the nodes that are stopped or paused. */
static int faults_in_force(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
			   struct lab_status *st, struct cbx_error *err)
{
	char path[PATH_MAX];
	struct fault_record *r;
	int rc;

	if (lab_state_path(cbx, lab, "faults.json", path, sizeof(path)) < 0)
		return cbx_error_sys(err, ENAMETOOLONG, "lab %s", lab);
	if (!(r = fault_record_load(path)))
		return cbx_error_sys(err, ENOMEM, "lab %s", lab);
	rc = fault_record_summary(r, &st->faults, err);
	if (rc == 0)
		rc = fault_record_in_force(r, &st->in_force, err);
	fault_record_free(r);
	for (size_t i = 0; rc == 0 && t && i < t->n_nodes; i++) {
		const char *name = t->nodes[i].name;
		enum lab_node_state state = st->nodes[i].state;
		if (state == LAB_NODE_RUNNING)
			continue;
		if (cbx_lines_add(&st->faults, "%s: %s", lab_node_state_name(state), name) < 0 ||
		    !fault_in_force_add(&st->in_force,
					state == LAB_NODE_STOPPED ? LAB_IN_FORCE_STOPPED
								  : LAB_IN_FORCE_PAUSED,
					name, NULL))
			rc = cbx_error_sys(err, ENOMEM, "lab %s", lab);
	}
	return rc;
}

int lab_status(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
	       struct lab_status *st, struct cbx_error *err)
{
	struct cbx_cgroups cg;

	memset(st, 0, sizeof(*st));
	st->state = lab_state(cbx, lab);
	if (cbx_cgroups_detect(&cg, err) < 0)
		return -1;
	/* Only container nodes' processes are the lab's to count. */
	st->processes = st->processes_max = -1;
	if (t && cbx_topo_nodes_with_processes(t))
		cbx_cgroup_lab_pids(&cg, lab, &st->processes, &st->processes_max);
	if (t) {
		st->nodes = calloc(t->n_nodes + 1, sizeof(*st->nodes));
		if (!st->nodes)
			return cbx_error_sys(err, ENOMEM, "lab %s", lab);
		for (size_t i = 0; i < t->n_nodes; i++)
			st->nodes[i] = node_status(cbx, &cg, lab, &t->nodes[i]);
	}
	if (faults_in_force(cbx, lab, t, st, err) < 0) {
		lab_status_free(st);
		return -1;
	}
	return 0;
}

void lab_status_free(struct lab_status *st)
{
	free(st->nodes);
	st->nodes = NULL;
	cbx_lines_free(&st->faults);
	fault_in_force_free(&st->in_force);
}

const char *lab_in_force_kind_name(enum lab_in_force_kind k)
{
	static const char *const names[] = {
		[LAB_IN_FORCE_IMPAIR] = "impair",         [LAB_IN_FORCE_PARTITION] = "partition",
		[LAB_IN_FORCE_LINK_DOWN] = "link-down",   [LAB_IN_FORCE_STOPPED] = "stopped",
		[LAB_IN_FORCE_PAUSED] = "paused",         [LAB_IN_FORCE_DISK_FULL] = "disk-full",
		[LAB_IN_FORCE_CLOCK_SKEW] = "clock-skew", [LAB_IN_FORCE_DISK_SLOW] = "disk-slow",
	};
	_Static_assert(CBX_ARRAY_SIZE(names) == LAB_IN_FORCE_KIND_MAX, "a name for every kind");

	return names[k];
}

int lab_fault_view(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
		   struct lab_fault_view *v, struct cbx_error *err)
{
	char path[PATH_MAX];
	struct fault_record *r;

	memset(v, 0, sizeof(*v));
	if (lab_state_path(cbx, lab, "faults.json", path, sizeof(path)) < 0)
		return cbx_error_sys(err, ENAMETOOLONG, "lab %s", lab);
	if (lab_grudge_init(&v->partition, t->n_nodes, err) < 0)
		return -1;
	v->link_down = calloc(t->n_ifaces ? t->n_ifaces : 1, sizeof(*v->link_down));
	v->impair = calloc(t->n_ifaces ? t->n_ifaces : 1, sizeof(*v->impair));
	r = fault_record_load(path);
	if (!v->link_down || !v->impair || !r) {
		fault_record_free(r);
		lab_fault_view_free(v);
		return cbx_error_sys(err, ENOMEM, "lab %s", lab);
	}
	fault_record_partition_get(r, t, &v->partition);
	for (size_t i = 0; i < t->n_ifaces; i++) {
		v->link_down[i] = fault_record_link_down(r, &t->ifaces[i]);
		fault_record_impair_get(r, &t->ifaces[i], &v->impair[i]);
	}
	fault_record_free(r);
	return 0;
}

void lab_fault_view_free(struct lab_fault_view *v)
{
	lab_grudge_free(&v->partition);
	free(v->link_down);
	free(v->impair);
	memset(v, 0, sizeof(*v));
}
