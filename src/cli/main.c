/* cboxlab: networking labs of real Linux nodes from a JSON topology.
 *
 * One parser for every command: the command's row in the table (verbs.c)
 * says which options it takes, getopt_long takes them out wherever they are
 * (but for exec, whose options end where LAB starts: its command has
 * options of its own), and the handler gets the rest as its arguments. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/version.h"

/* getopt_long's value for an option that has no letter: past any char. */
#define LONG_ONLY 256

/* The getopt_long tables for a command: its options, and --help/-h. */
struct getopt_tables {
	struct option longs[OPT_MAX + 2];
	char shorts[2 * OPT_MAX + 8];
};

static void make_tables(const struct cli_verb *v, struct getopt_tables *g)
{
	size_t nl = 0, ns = 0;

	/* '+': stop at the first argument; '-': take arguments in order, as
	 * options come anywhere. ':': a missing value is ':', not '?'. */
	g->shorts[ns++] = v->options_first ? '+' : '-';
	g->shorts[ns++] = ':';
	for (const struct cli_verb_opt *o = v->opts; o->id != OPT_MAX; o++) {
		const struct cli_option *opt = &cli_options[o->id];
		g->longs[nl++] =
			(struct option){ opt->name, opt->value ? required_argument : no_argument,
					 NULL, opt->letter ? opt->letter : LONG_ONLY + (int)o->id };
		if (opt->letter) {
			g->shorts[ns++] = opt->letter;
			if (opt->value)
				g->shorts[ns++] = ':';
		}
	}
	g->longs[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
	g->longs[nl] = (struct option){ 0 };
	g->shorts[ns++] = 'h';
	g->shorts[ns] = '\0';
}

/* The option getopt_long returned `ch` for. */
static enum cli_opt option_of(const struct cli_verb *v, int ch)
{
	if (ch >= LONG_ONLY)
		return (enum cli_opt)(ch - LONG_ONLY);
	for (const struct cli_verb_opt *o = v->opts; o->id != OPT_MAX; o++)
		if (cli_options[o->id].letter == ch)
			return o->id;
	return OPT_MAX;
}

/* An option that is not the command's: "--jsn", "-x", "--d" (the start of
 * two of them), or one of its flags given a value ("--json=1"). */
static int bad_option(const struct cli_verb *v, const char *arg, int optopt_ch)
{
	char name[64];
	size_t len, matches = 0;

	if (optopt_ch && option_of(v, optopt_ch) != OPT_MAX)
		return cli_usage_error(v->name, "option --%s takes no value",
				       cli_options[option_of(v, optopt_ch)].name);
	if (optopt_ch)
		return cli_usage_error(v->name, "unknown option -%c", optopt_ch);
	len = strcspn(arg, "=");
	snprintf(name, sizeof(name), "%.*s", (int)len, arg);
	for (const struct cli_verb_opt *o = v->opts; o->id != OPT_MAX && len > 2; o++)
		matches += !strncmp(cli_options[o->id].name, name + 2, len - 2);
	if (matches > 1)
		return cli_usage_error(v->name, "option %s is ambiguous: give more of its name",
				       name);
	return cli_usage_error(v->name, "unknown option %s", name);
}

static bool takes(const struct cli_verb *v, enum cli_opt id)
{
	for (const struct cli_verb_opt *o = v->opts; o->id != OPT_MAX; o++)
		if (o->id == id)
			return true;
	return false;
}

/* --json among the command's options (before any "--"), for a command
 * that takes it. */
static bool wants_json(const struct cli_verb *v, int argc, char **argv)
{
	for (int i = 1; takes(v, OPT_JSON) && i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			return true;
	return false;
}

/* argv[0] is the command. 0 and *c filled; 1 when --help was asked for
 * (and shown); else the exit status of a usage error. */
static int parse(const struct cli_verb *v, int argc, char **argv, struct cli_call *c)
{
	struct getopt_tables g;
	int ch;

	memset(c, 0, sizeof(*c));
	c->verb = v;
	c->argv = calloc((size_t)argc + 1, sizeof(char *));
	if (!c->argv) {
		perror("cboxlab");
		return 1;
	}
	make_tables(v, &g);
	/* Before anything can fail: with --json, errors are JSON too. */
	cli_output_init(v->name, wants_json(v, argc, argv));
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		enum cli_opt id;

		if (ch == 1) { /* an argument, in its place */
			c->argv[c->argc++] = optarg;
			continue;
		}
		if (ch == 'h') {
			cli_help_verb(v, stdout);
			return 1;
		}
		if (ch == '?')
			return bad_option(v, argv[optind - 1], optopt);
		id = option_of(v, optopt);
		if (ch == ':')
			return cli_usage_error(v->name, "option --%s needs a value (%s)",
					       cli_options[id].name, cli_options[id].value);
		id = option_of(v, ch);
		c->opt[id] = optarg ? optarg : "";
	}
	while (optind < argc) /* after "--", or exec's LAB and on */
		c->argv[c->argc++] = argv[optind++];
	if (c->argc < v->min_args || (v->max_args >= 0 && c->argc > v->max_args))
		return v->max_args == 0 ? cli_usage_error(v->name, "takes no arguments")
					: cli_usage_error(v->name, "expected %s", v->args);
	return 0;
}

/* `quiet`: -q before the command, for a command that takes it. */
static int run(const struct cli_verb *v, int argc, char **argv, bool quiet)
{
	struct cli_call c;
	struct cbx_error err;
	int rc = parse(v, argc, argv, &c);

	if (rc == 0 && quiet && takes(v, OPT_QUIET))
		c.opt[OPT_QUIET] = "";
	if (rc == 1) /* --help */
		rc = 0;
	else if (rc == 0 && v->root_for && geteuid() != 0)
		rc = cli_error("root", 1, "%s needs root (%s): run it as root, or with sudo",
			       v->name, v->root_for);
	else if (rc == 0 && cbx_ctx_init(&c.cbx, &err) < 0) {
		rc = cli_fail(&err);
	} else if (rc == 0) {
		/* Only where someone watches, and never in what a program reads. */
		if (v->progress && !c.opt[OPT_JSON] && !c.opt[OPT_QUIET] && !c.opt[OPT_DRY_RUN] &&
		    isatty(STDERR_FILENO))
			cli_progress_start(&c.cbx, v->name);
		rc = v->run(&c);
		cli_progress_clear();
	}
	free(c.argv);
	return rc;
}

static int unknown_command(const char *name)
{
	char shown[4 * CBX_EXCERPT_MAX + 32];

	fprintf(stderr, "cboxlab: unknown command \"%s\"\n\n",
		cbx_text_excerpt(shown, sizeof(shown), name, CBX_EXCERPT_MAX));
	cli_help_all(stderr);
	return 2;
}

static bool is(const char *arg, const char *a, const char *b)
{
	return !strcmp(arg, a) || (b && !strcmp(arg, b));
}

/* cboxlab [-q] COMMAND ..., cboxlab -V, cboxlab help [COMMAND]. */
int main(int argc, char **argv)
{
	const struct cli_verb *v;
	bool quiet = false;
	int i = 1;

	if (argc > 1 && !strcmp(argv[1], "__complete")) /* for the shells (completion/) */
		return cli_complete(argc - 2, argv + 2);
	for (; i < argc && argv[i][0] == '-' && !is(argv[i], "-h", "--help"); i++) {
		if (is(argv[i], "-V", "--version")) {
			printf("cboxlab %s\n", CBOXLAB_VERSION);
			return 0;
		}
		if (!is(argv[i], "-q", "--quiet")) {
			char shown[4 * CBX_EXCERPT_MAX + 32];
			fprintf(stderr,
				"cboxlab: unknown option %s (before the command: -q, -V, -h)\n",
				cbx_text_excerpt(shown, sizeof(shown), argv[i], CBX_EXCERPT_MAX));
			return 2;
		}
		quiet = true;
	}
	if (i >= argc) {
		cli_help_all(stderr);
		return 2;
	}
	if (is(argv[i], "help", "--help") || is(argv[i], "-h", NULL)) {
		if (i + 1 >= argc) {
			cli_help_all(stdout);
			return 0;
		}
		if (!(v = cli_verb_find(argv[i + 1])))
			return unknown_command(argv[i + 1]);
		cli_help_verb(v, stdout);
		return 0;
	}
	if (is(argv[i], "version", NULL)) {
		printf("cboxlab %s\n", CBOXLAB_VERSION);
		return 0;
	}
	if (!(v = cli_verb_find(argv[i])))
		return unknown_command(argv[i]);
	return run(v, argc - i, argv + i, quiet);
}
