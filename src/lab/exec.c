/* A command in a running node (lab_exec), and a node's console log: what
 * `exec` and `logs` need of a lab beyond the runtime's node_exec. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/fsutil.h"
#include "lab/lab.h"
#include "lab/node_env.h"
#include "lab/node_netns.h"
#include "runtime/netns_exec.h"
#include "runtime/node_exec.h"

extern char **environ;

/* Where a command for the node goes, and what it may hold there. */
struct exec_target {
	struct cbx_cgroups cg;
	pid_t init_pid;
	char filter[PATH_MAX / 2]; /* its seccomp filter's file; "": none */
};

static int exec_target(const struct cbx_ctx *cbx, const struct cbx_topo *t,
		       const struct cbx_node *n, struct exec_target *out, struct cbx_error *err)
{
	if (!cbx_node_here(t, n))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "node %s runs on host %s, and this is host %s's part of lab %s: run the command there",
				     n->name, n->host->name, t->local->name, t->name);
	out->init_pid = lab_node_pid(cbx, t->name, n->name);
	if (out->init_pid <= 0)
		return cbx_error_set(err, CBX_ERR_STATE,
				     "node %s of lab %s is not running (cboxlab start %s %s)",
				     n->name, t->name, t->name, n->name);
	if (cbx_cgroups_detect(&out->cg, err) < 0)
		return -1;
	cbx_cgroups_for_lab(&out->cg, t);
	/* A frozen node would freeze the command too, and us waiting for it. */
	if (out->cg.ops->frozen(&out->cg, t->name, n->name) == 1)
		return cbx_error_set(err, CBX_ERR_STATE,
				     "node %s is paused; resume it first: cboxlab resume %s %s",
				     n->name, t->name, n->name);
	lab_node_filter_name(cbx, t->name, n, out->filter, sizeof(out->filter));
	return 0;
}

/* A node's environment is its init's: an image node's has the image's Env
 * under the file's (lab_node_envp), read back rather than the image read
 * again; a node's with a clock skew has libfaketime's (lab_node_envp_skewed),
 * whichever start gave it. */
static char **init_envp(struct cbx_arena *a, pid_t pid)
{
	char path[64], *buf = NULL;
	size_t len, n = 0, k = 0;
	struct cbx_error none;
	char **envp;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	if (cbx_read_file(path, &buf, &len, &none) < 0)
		return NULL;
	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	envp = cbx_arena_array(a, n + 1, sizeof(char *));
	for (size_t i = 0; envp && i < len; i += strlen(buf + i) + 1)
		if (!(envp[k++] = cbx_arena_strdup(a, buf + i)))
			envp = NULL;
	free(buf);
	return envp;
}

/* A node of a kind without processes (a netns node) is a netns only: the
 * command runs in it as the caller, on the host's filesystem
 * (runtime/netns_exec.h). */
static int exec_in_netns(const struct cbx_topo *t, const struct lab_exec *x, int *status,
			 struct cbx_error *err)
{
	static char *shell[] = { "/bin/sh", NULL };
	struct netns_exec_spec spec = { .node = x->node->name,
					.argv = x->argv ? x->argv : shell,
					.envp = environ,
					.out_fd = x->out_fd,
					.timeout_ms = x->timeout_ms };
	int rc;

	if (!cbx_node_here(t, x->node))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "node %s runs on host %s, and this is host %s's part of lab %s: run the command there",
				     x->node->name, x->node->host->name, t->local->name, t->name);
	spec.netns_fd = lab_node_netns_open(t, x->node, err);
	if (spec.netns_fd < 0) {
		err->kind = CBX_ERR_STATE; /* the lab is down, or going */
		return -1;
	}
	rc = netns_exec(&spec, status, err);
	close(spec.netns_fd);
	return rc;
}

static int exec_in_container(const struct cbx_ctx *cbx, const struct cbx_topo *t,
			     const struct lab_exec *x, int *status, struct cbx_error *err)
{
	static char *shell[] = { "/bin/sh", NULL };
	struct cbx_arena *arena = cbx_arena_new();
	struct node_exec_spec spec = { 0 };
	struct exec_target target;
	int rc = -1;

	spec.envp = arena ? lab_node_envp(arena, t, x->node, NULL) : NULL;
	if (!spec.envp)
		cbx_error_set(err, CBX_ERR_SYSTEM, "out of memory");
	else if (exec_target(cbx, t, x->node, &target, err) == 0) {
		spec.envp = init_envp(arena, target.init_pid) ?: spec.envp;
		spec.cg = &target.cg;
		spec.lab = t->name;
		spec.node = x->node->name;
		spec.init_pid = target.init_pid;
		spec.argv = x->argv ? x->argv : shell;
		spec.tty = x->tty;
		spec.out_fd = x->out_fd;
		spec.timeout_ms = x->timeout_ms;
		spec.caps = lab_node_caps(x->node);
		spec.userns = x->node->userns_count > 0;
		spec.seccomp = target.filter[0] ? target.filter : NULL;
		rc = node_exec(&spec, status, err);
	}
	cbx_arena_free(arena);
	return rc;
}

int lab_exec(const struct cbx_ctx *cbx, const struct cbx_topo *t, const struct lab_exec *x,
	     int *status, struct cbx_error *err)
{
	if (!cbx_node_kinds[x->node->kind].processes)
		return exec_in_netns(t, x, status, err);
	return exec_in_container(cbx, t, x, status, err);
}

static int log_path(const struct cbx_ctx *cbx, const struct cbx_topo *t, const struct cbx_node *n,
		    char *path, size_t size)
{
	char file[128];

	snprintf(file, sizeof(file), "nodes/%s/console.log", n->name);
	return lab_state_path(cbx, t->name, file, path, size);
}

bool lab_node_log_current(const struct cbx_ctx *cbx, const struct cbx_topo *t,
			  const struct cbx_node *n, int fd)
{
	char path[PATH_MAX];
	struct stat now, ours;

	return log_path(cbx, t, n, path, sizeof(path)) == 0 && stat(path, &now) == 0 &&
	       fstat(fd, &ours) == 0 && now.st_dev == ours.st_dev && now.st_ino == ours.st_ino;
}

int lab_node_log_open(const struct cbx_ctx *cbx, const struct cbx_topo *t, const struct cbx_node *n,
		      struct cbx_error *err)
{
	char path[PATH_MAX];
	int fd = -1;

	/* A checked lab name and a node name of at most 63 bytes: it fits. */
	if (log_path(cbx, t, n, path, sizeof(path)) == 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	else
		errno = ENAMETOOLONG;
	if (fd < 0)
		cbx_error_errno(err, CBX_ERR_STATE, errno, "no log for node %s of lab %s (%s)",
				n->name, t->name, path);
	return fd;
}
