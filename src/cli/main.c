/* cboxlab: networking labs of real Linux nodes from a JSON topology. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#define CBOXLAB_VERSION "0.1.0"

static const char usage[] =
	"usage: cboxlab COMMAND [ARGS]\n"
	"\n"
	"Labs:\n"
	"  validate FILE                 check a topology; exit 2 and say where it is wrong\n"
	"  up [--dry-run] [--json] [--timings] FILE\n"
	"                                bring a lab up; returns when every node is ready\n"
	"  down [--timings] LAB|FILE     remove everything the lab made (idempotent)\n"
	"  status [--json] [LAB]         nodes, PIDs, state, addresses, memory\n"
	"  ls [--json]                   labs on this host\n"
	"\n"
	"Nodes:\n"
	"  exec [-i] [-t] LAB NODE [--] [CMD...]\n"
	"                                run CMD in the node (default: a shell with -it);\n"
	"                                exits with CMD's status\n"
	"  logs LAB NODE                 the node's console: its init and startup command\n"
	"\n"
	"Faults (see docs/faults.md):\n"
	"  impair LAB [NODE:IFACE KEY=VALUE...|clear]\n"
	"                                delay=50ms jitter=10ms loss=2% duplicate=1%\n"
	"                                corrupt=0.1% reorder=5% rate=10mbit; no args: show\n"
	"  link LAB down|up NODE:IFACE   cut or restore a link (also: NODE NODE)\n"
	"  partition LAB [--oneway] A,B C,D...   nodes in different groups cannot talk\n"
	"  partition LAB --grudge JSON|@FILE     {\"node\": [\"nodes it drops\"]}\n"
	"  heal LAB                      remove every partition\n"
	"  stop [--timeout S] LAB NODE...   SIGTERM, then SIGKILL; netns and links stay\n"
	"  start | restart | kill | pause | resume  LAB NODE...\n"
	"  chaos LAB PLAN.json [--seed N] [--log FILE] [--dry-run]\n"
	"  chaos LAB --nemesis NAME --interval T --duration T [--nodes a,b] [--seed N]\n"
	"                                a timed fault timeline, logged as JSON lines, always\n"
	"                                healed at the end (nemeses: random-halves, isolate-one,\n"
	"                                majorities-ring, bridge, flaky-links, pause-random,\n"
	"                                kill-random)\n"
	"\n"
	"Run as root. Topology format: docs/topology.md.\n";

/* Messages carry the user's text (a topology's keys and values, arguments):
 * its control bytes are shown quoted, never sent to the terminal. */
static void print_quoted(const char *prefix, const char *msg)
{
	char shown[4 * CBX_ERROR_MSG_MAX];

	fprintf(stderr, "%s%s\n", prefix, cbx_text_escape(shown, sizeof(shown), msg));
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[CBX_ERROR_MSG_MAX], prefix[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(prefix, sizeof(prefix), "cboxlab %s: ", cmd);
	print_quoted(prefix, msg);
	fprintf(stderr, "(see cboxlab help)\n");
	return 2;
}

int cli_fail(const struct cbx_error *err)
{
	print_quoted("cboxlab: ", err->msg);
	return cbx_error_exit_status(err);
}

bool cli_take_flag(int *argc, char **argv, const char *flag)
{
	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], flag)) {
			memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof(char *));
			(*argc)--;
			return true;
		}
	}
	return false;
}

/* What a command needs root for, or NULL: it runs as anyone (`up` checks
 * for itself: its --dry-run does not). Without root the others would see
 * too little and say wrong things: a running node as stopped with PID 0
 * (its /proc/PID/ns is root's), a lab as not up. */
static const char lab_files[] = "the labs' state, the nodes' processes and cgroups";
static const char faults[] = "namespaces, cgroups, netlink";

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *root_for;
} commands[] = {
	{ "validate", cmd_validate, NULL },	   { "up", cmd_up, NULL },
	{ "down", cmd_down, faults },		   { "status", cmd_status, lab_files },
	{ "ls", cmd_ls, lab_files },		   { "exec", cmd_exec, "the nodes' namespaces" },
	{ "logs", cmd_logs, lab_files },	   { "impair", cmd_impair, faults },
	{ "link", cmd_link, faults },		   { "partition", cmd_partition, faults },
	{ "heal", cmd_heal, faults },		   { "stop", cmd_stop, faults },
	{ "start", cmd_start, faults },		   { "restart", cmd_restart, faults },
	{ "kill", cmd_kill, faults },		   { "pause", cmd_pause, faults },
	{ "resume", cmd_resume, faults },	   { "chaos", cmd_chaos, faults },
};

struct cbx_ctx cli_cbx;

int main(int argc, char **argv)
{
	struct cbx_error err;

	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("cboxlab %s\n", CBOXLAB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		/* `cboxlab impair --help`: the usage, not "lab --help is not up". */
		if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
			fputs(usage, stdout);
			return 0;
		}
		if (cbx_ctx_init(&cli_cbx, &err) < 0)
			return cli_fail(&err);
		if (commands[i].root_for && geteuid() != 0) {
			fprintf(stderr, "cboxlab: %s needs root (%s): run it as root, or with sudo\n",
				commands[i].name, commands[i].root_for);
			return 1;
		}
		return commands[i].run(argc - 1, argv + 1);
	}
	{
		char shown[4 * CBX_EXCERPT_MAX + 32];
		fprintf(stderr, "cboxlab: unknown command \"%s\"\n\n%s",
			cbx_text_excerpt(shown, sizeof(shown), argv[1], CBX_EXCERPT_MAX), usage);
	}
	return 2;
}
