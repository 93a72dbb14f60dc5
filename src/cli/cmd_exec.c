/* exec and logs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

int cmd_exec(int argc, char **argv)
{
	bool tty = false, interactive = false;
	struct lab_exec x = { 0 };
	struct cbx_topo *t = NULL;
	struct cbx_error err;
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
	if (lab_find_node(t, argv[i + 1], &x.node, &err) < 0) {
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
	x.argv = i < argc ? argv + i : NULL;
	x.tty = tty;
	if (lab_exec(&cli_cbx, t, &x, &status, &err) < 0)
		status = cli_fail(&err);
	cbx_topo_free(t);
	return status;
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
	fd = lab_node_log_open(&cli_cbx, t, node, &err);
	cbx_topo_free(t);
	if (fd < 0)
		return cli_fail(&err);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, (size_t)n) < 0)
			break;
	close(fd);
	return 0;
}
