/* exec and logs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/arena.h"
#include "lab/cboxlab.h"
#include "lab/lab.h"
#include "lab/node_env.h"
#include "runtime/node_exec.h"

static int exec_in(const struct node_exec_spec *spec, struct cbx_cgroups *cg,
		   const struct cbx_topo *t, int *status, struct cbx_error *err)
{
	if (!spec->envp)
		return cbx_error_set(err, CBX_ERR_SYSTEM, "out of memory");
	if (spec->init_pid <= 0)
		return cbx_error_set(err, CBX_ERR_STATE, "node %s of lab %s is not running (cboxlab start %s %s)",
				     spec->node, t->name, t->name, spec->node);
	if (cbx_cgroups_detect(cg, err) < 0)
		return -1;
	cbx_cgroups_for_lab(cg, t);
	/* A frozen node would freeze the command too, and us waiting for it. */
	if (cg->ops->frozen(cg, t->name, spec->node) == 1)
		return cbx_error_set(err, CBX_ERR_STATE, "node %s is paused; resume it first: cboxlab resume %s %s",
				     spec->node, t->name, spec->node);
	return node_exec(spec, status, err);
}

int cmd_exec(int argc, char **argv)
{
	bool tty = false, interactive = false;
	struct node_exec_spec spec = { 0 };
	static char *shell[] = { "/bin/sh", NULL };
	struct cbx_topo *t = NULL;
	struct cbx_cgroups cg;
	struct cbx_error err;
	struct cbx_arena *arena;
	const struct cbx_node *node;
	char filter[512];
	int i = 1, status = 1;

	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-it") || !strcmp(argv[i], "-ti"))
			tty = interactive = true;
		else if (!strcmp(argv[i], "-t"))
			tty = true;
		else if (!strcmp(argv[i], "-i"))
			interactive = true;
		else
			return cli_usage_error("exec", "unknown option %s", argv[i]);
	}
	if (argc - i < 2)
		return cli_usage_error("exec", "expected LAB NODE [--] [CMD...]");
	if (lab_load_saved(&cli_cbx, argv[i], &t, &err) < 0)
		return cli_fail(&err);
	if (lab_find_node(t, argv[i + 1], &node, &err) < 0) {
		cbx_topo_free(t);
		return cli_fail(&err);
	}
	i += 2;
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i == argc && !(interactive && tty)) {
		cbx_topo_free(t);
		return cli_usage_error("exec", "no command given (use -it for an interactive shell)");
	}
	/* Without a terminal there is nothing to relay: a shell would wait on
	 * its empty input forever. */
	if (tty && !isatty(0)) {
		cbx_topo_free(t);
		return cli_usage_error("exec", "-t needs a terminal on standard input (use -i alone to pipe input in)");
	}
	/* Without -i the command reads nothing: a pipeline must not hang on it. */
	if (!interactive) {
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0) {
			dup2(null, 0);
			close(null);
		}
	}
	arena = cbx_arena_new();
	spec.cg = &cg;
	spec.lab = t->name;
	spec.node = node->name;
	spec.init_pid = lab_node_pid(&cli_cbx, t->name, node->name);
	spec.argv = i < argc ? argv + i : shell;
	spec.envp = arena ? lab_node_envp(arena, t, node) : NULL;
	spec.tty = tty;
	spec.caps = lab_node_caps(node);
	spec.userns = node->userns_count > 0;
	lab_node_filter_name(&cli_cbx, t->name, node, filter, sizeof(filter));
	spec.seccomp = filter[0] ? filter : NULL;
	if (exec_in(&spec, &cg, t, &status, &err) < 0)
		status = cli_fail(&err);
	cbx_arena_free(arena);
	cbx_topo_free(t);
	return status;
}

/* The node's console log, in the lab's state directory. */
static int open_console(const struct cbx_topo *t, const struct cbx_node *node, struct cbx_error *err)
{
	char file[128], path[512];
	int fd = -1;

	snprintf(file, sizeof(file), "nodes/%s/console.log", node->name);
	/* A checked lab name and a node name of at most 63 bytes: it fits. */
	if (lab_state_path(&cli_cbx, t->name, file, path, sizeof(path)) == 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	else
		errno = ENAMETOOLONG;
	if (fd < 0)
		cbx_error_errno(err, CBX_ERR_STATE, errno, "no log for node %s of lab %s (%s)", node->name,
				t->name, path);
	return fd;
}

int cmd_logs(int argc, char **argv)
{
	char buf[65536];
	const struct cbx_node *node;
	struct cbx_topo *t = NULL;
	struct cbx_error err;
	ssize_t n;
	int fd;

	if (argc != 3)
		return cli_usage_error("logs", "expected LAB NODE");
	/* Both names end up in a path under /run/cboxlab: only a lab that is
	 * up (its name checked), and only a node it has ("../.." is neither). */
	if (lab_load_saved(&cli_cbx, argv[1], &t, &err) < 0)
		return cli_fail(&err);
	if (lab_find_node(t, argv[2], &node, &err) < 0) {
		cbx_topo_free(t);
		return cli_fail(&err);
	}
	fd = open_console(t, node, &err);
	cbx_topo_free(t);
	if (fd < 0)
		return cli_fail(&err);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, (size_t)n) < 0)
			break;
	close(fd);
	return 0;
}
