/* The command line: a table of commands (verbs.c), each parsed the same way
 * (main.c: getopt_long over the options the command lists) before its
 * handler runs, and help made from the table (help.c). A new command is a
 * row in the table and a handler. Only this layer prints; it calls the
 * library through lab/cboxlab.h alone. */
#ifndef CBX_CLI_H
#define CBX_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "lab/cboxlab.h"

/* Every option any command takes; each command lists its own. */
enum cli_opt {
	OPT_DRY_RUN,
	OPT_JSON,
	OPT_TIMINGS,
	OPT_TIMEOUT,
	OPT_ONEWAY,
	OPT_GRUDGE,
	OPT_SEED,
	OPT_LOG,
	OPT_NEMESIS,
	OPT_INTERVAL,
	OPT_DURATION,
	OPT_NODES,
	OPT_LOSS,
	OPT_INTERACTIVE,
	OPT_TTY,
	OPT_FOLLOW,
	OPT_TAP,
	OPT_JUNIT,
	OPT_NO_MATRIX,
	OPT_WRITE,
	OPT_COUNT,
	OPT_FORMAT,
	OPT_NAME,
	OPT_CLOCK_OFFSET,
	OPT_YAML,
	OPT_QUIET,
	OPT_HOST,
	OPT_CLOCK_SKEW,
	OPT_KIND,
	OPT_ALL,
	OPT_PATH,
	OPT_MAX
};

/* An option: its names, and the name of its value (NULL: a flag). */
struct cli_option {
	const char *name; /* --name */
	char letter;      /* -l, or 0 */
	const char *value;
};
extern const struct cli_option cli_options[];

/* An option of a command, with what it does there. */
struct cli_verb_opt {
	enum cli_opt id;
	const char *help;
};

/* A command line, parsed: what a handler gets. */
struct cli_call {
	const struct cli_verb *verb;
	int argc; /* the arguments, options taken out */
	char **argv;
	/* Each option's value ("" for a flag), NULL when not given. */
	const char *opt[OPT_MAX];
	struct cbx_ctx cbx;
};

enum cli_group {
	CLI_LABS,
	CLI_NODES,
	CLI_FAULTS,
	CLI_KIT,
	CLI_GROUP_MAX
};

struct cli_verb {
	const char *name;
	enum cli_group group;
	/* The arguments, as the synopsis shows them ("LAB NODE..."), and how
	 * many there may be (max -1: any number). */
	const char *args;
	int min_args, max_args;
	int (*run)(const struct cli_call *c);
	int arg; /* the handler's own: the node faults' kind */
	/* For the summary of every command; lines after the first indented. */
	const char *summary;
	/* More for `cboxlab help CMD`, or NULL. */
	const char *details;
	const struct cli_verb_opt *opts; /* ending with { OPT_MAX } */
	/* Synopsis lines when the generated one would mislead ("\n" between
	 * forms), without "cboxlab CMD"; NULL: options, then args. */
	const char *usage;
	/* What it needs root for, or NULL (it runs as anyone). */
	const char *root_for;
	/* Options end where the arguments start: exec's command has options
	 * of its own. */
	bool options_first;
	/* On a terminal, a progress line while it runs (progress.c). */
	bool progress;
};

extern const struct cli_verb cli_verbs[];
const struct cli_verb *cli_verb_find(const char *name);

int cmd_validate(const struct cli_call *c);
int cmd_up(const struct cli_call *c);
int cmd_down(const struct cli_call *c);
int cmd_status(const struct cli_call *c);
int cmd_ls(const struct cli_call *c);
int cmd_exec(const struct cli_call *c);
int cmd_logs(const struct cli_call *c);
int cmd_impair(const struct cli_call *c);
int cmd_link(const struct cli_call *c);
int cmd_partition(const struct cli_call *c);
int cmd_heal(const struct cli_call *c);
int cmd_throttle(const struct cli_call *c);
int cmd_node_fault(const struct cli_call *c);
int cmd_chaos(const struct cli_call *c);
int cmd_images(const struct cli_call *c);
int cmd_check(const struct cli_call *c);
int cmd_capture(const struct cli_call *c);
int cmd_graph(const struct cli_call *c);
int cmd_gen(const struct cli_call *c);
int cmd_timeline(const struct cli_call *c);
int cmd_fmt(const struct cli_call *c);

/* help.c: every command (to `out`), or one with its options. */
void cli_help_all(FILE *out);
void cli_help_verb(const struct cli_verb *v, FILE *out);

/* The command about to run, and whether its errors go out as JSON (it was
 * given --json): set before anything can fail. */
void cli_output_init(const char *cmd, bool json);
/* Print "cboxlab: <message>" to stderr (with --json: {"error": ...});
 * return the exit status for it. */
int cli_fail(const struct cbx_error *err);
/* Print "cboxlab CMD: <message>" and where to look; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An error of the CLI's own, of `kind` ("root", "system"...), the same
 * way; returns `status`. */
int cli_error(const char *kind, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cli_warn(const char *msg);

/* complete.c: cboxlab __complete CWORD WORD...: the candidates for
 * WORD[CWORD], a line each (the shells' completion scripts ask). */
int cli_complete(int argc, char **argv);

/* progress.c: on a terminal, a line on stderr that says how far `up` or
 * `down` has got, rewritten in place (at most 10 times a second, and
 * only once the command has run 100 ms); cleared before anything else is
 * printed. */
void cli_progress_start(struct cbx_ctx *cbx, const char *verb);
void cli_progress_clear(void);

/* A node's interfaces as JSON: [{"name", "network"|"link", "host_interface",
 * "mac", "addresses": [...]}]. */
json_t *cli_ifaces_json(const struct cbx_node *n);
/* "eth0 10.0.0.2/24 fd00::2/64, eth1 ..." */
void cli_ifaces_text(const struct cbx_node *n, char *buf, size_t size);
/* A lab as status --json shows it, and up --json (docs/json.md). */
json_t *cli_lab_json(const char *lab, const struct cbx_topo *t, const struct lab_status *st);
/* Print and free a JSON value, indented. */
void cli_print_json(json_t *v);

#endif
