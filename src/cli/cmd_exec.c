/* exec and logs. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/cleanup.h"

int cmd_exec(const struct cli_call *c)
{
	bool tty = c->opt[OPT_TTY], interactive = c->opt[OPT_INTERACTIVE];
	cleanup_topo struct cbx_topo *t = NULL;
	struct lab_exec x = { .tty = tty };
	struct cbx_error err;
	int i = 2, status = 1;

	if (lab_load_saved(&c->cbx, c->argv[0], &t, &err) < 0 ||
	    lab_find_node(t, c->argv[1], &x.node, &err) < 0)
		return cli_fail(&err);
	if (i < c->argc && !strcmp(c->argv[i], "--"))
		i++;
	if (i == c->argc && !(interactive && tty))
		return cli_usage_error("exec",
				       "no command given (use -it for an interactive shell)");
	/* Without a terminal there is nothing to relay: a shell would wait on
	 * its empty input forever. */
	if (tty && !isatty(0))
		return cli_usage_error("exec",
				       "-t needs a terminal on standard input (use -i alone to pipe input in)");
	/* Without -i the command reads nothing: a pipeline must not hang on it. */
	if (!interactive) {
		cleanup_close int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
	}
	x.argv = i < c->argc ? c->argv + i : NULL;
	if (lab_exec(&c->cbx, t, &x, &status, &err) < 0)
		return cli_fail(&err);
	return status;
}

/* Copy what fd has from where it is to its end onto stdout; -1 when stdout
 * is gone. */
static int copy_out(int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, (size_t)n) < 0)
			return -1;
	return 0;
}

/* -f: what the node writes, as it writes it (inotify), until Ctrl-C or the
 * lab goes down; its log is looked at again every second without news (a
 * lab going down unlinks it, and a `down` unmounts lazily: no event). */
static int follow(const struct cli_call *c, const struct cbx_topo *t, const struct cbx_node *node,
		  int fd)
{
	cleanup_close int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	char self[64], events[4096];

	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	if (in < 0 || inotify_add_watch(in, self, IN_MODIFY | IN_DELETE_SELF | IN_ATTRIB) < 0)
		return cli_fail(&(struct cbx_error){
			.kind = CBX_ERR_SYSTEM, .msg = "logs -f: inotify: cannot watch the log" });
	for (;;) {
		struct pollfd p = { .fd = in, .events = POLLIN };

		if (copy_out(fd) < 0)
			return 0;
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			return 0;
		while (read(in, events, sizeof(events)) > 0)
			;
		if (!lab_node_log_current(&c->cbx, t, node, fd)) {
			copy_out(fd);
			return 0;
		}
	}
}

int cmd_logs(const struct cli_call *c)
{
	cleanup_topo struct cbx_topo *t = NULL;
	const struct cbx_node *node;
	cleanup_close int fd = -1;
	struct cbx_error err;

	/* Both names end up in a path under the state root: only a lab that
	 * is up (its name checked), and only a node it has ("../.." is
	 * neither). */
	if (lab_load_saved(&c->cbx, c->argv[0], &t, &err) < 0 ||
	    lab_find_node(t, c->argv[1], &node, &err) < 0 ||
	    (fd = lab_node_log_open(&c->cbx, t, node, &err)) < 0)
		return cli_fail(&err);
	if (c->opt[OPT_FOLLOW])
		return follow(c, t, node, fd);
	copy_out(fd);
	return 0;
}
