/* Help, made from the command table (verbs.c): the summary of every
 * command, and one command's usage with its options. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* Where a summary starts on the line, after the synopsis; an option's
 * help, after the option. */
#define SUMMARY_COLUMN 32
#define OPTION_COLUMN 24

static const char *const group_titles[] = {
	[CLI_LABS] = "Labs:",
	[CLI_NODES] = "Nodes:",
	[CLI_FAULTS] = "Faults (see docs/faults.md):",
	[CLI_KIT] = "Checks, captures, drawings, generators (see docs/kit.md):",
};
_Static_assert(sizeof(group_titles) / sizeof(group_titles[0]) == CLI_GROUP_MAX,
	       "a title for every group");

/* "[--dry-run] [--timeout S] [-i] ": a command's options as its synopsis
 * shows them. */
static size_t options_synopsis(const struct cli_verb *v, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (const struct cli_verb_opt *o = v->opts; o->id != OPT_MAX && len < size; o++) {
		const struct cli_option *opt = &cli_options[o->id];
		if (opt->letter)
			len += (size_t)snprintf(buf + len, size - len, "[-%c%s%s] ", opt->letter,
						opt->value ? " " : "",
						opt->value ? opt->value : "");
		else
			len += (size_t)snprintf(buf + len, size - len, "[--%s%s%s] ", opt->name,
						opt->value ? " " : "",
						opt->value ? opt->value : "");
	}
	return len;
}

/* The synopsis's line `i` (0 first), without "cboxlab "; false past the last. */
static bool synopsis_line(const struct cli_verb *v, int i, char *buf, size_t size)
{
	char opts[256];

	if (!v->usage) {
		if (i > 0)
			return false;
		size_t len;

		options_synopsis(v, opts, sizeof(opts));
		snprintf(buf, size, "%s %s%s", v->name, opts, v->args);
		/* No arguments (ls): no space after the options. */
		for (len = strlen(buf); len && buf[len - 1] == ' ';)
			buf[--len] = '\0';
		return true;
	}
	for (const char *line = v->usage; line; i--) {
		const char *end = strchr(line, '\n');
		if (i == 0) {
			snprintf(buf, size, "%s %.*s", v->name,
				 (int)(end ? (size_t)(end - line) : strlen(line)), line);
			return true;
		}
		line = end ? end + 1 : NULL;
	}
	return false;
}

/* Each line of `text` at column `col`, the first after `used` columns,
 * wrapped at word ends to stay within WIDTH. */
#define WIDTH 100

static void print_at(FILE *out, const char *text, size_t used, size_t col)
{
	for (const char *line = text; line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		while (len > 0) {
			size_t room = WIDTH > col ? WIDTH - col : 20, take = len;

			if (take > room) { /* the last space that fits, if any */
				for (take = room; take > 0 && line[take] != ' '; take--)
					;
				if (take == 0)
					take = room;
			}
			fprintf(out, "%*s%.*s\n", (int)(col > used ? col - used : 1), "", (int)take,
				line);
			used = 0;
			while (take < len && line[take] == ' ')
				take++;
			line += take;
			len -= take;
		}
		line = end ? end + 1 : NULL;
	}
}

void cli_help_all(FILE *out)
{
	char line[512];

	fputs("usage: cboxlab [-q] COMMAND [ARGS]\n"
	      "       cboxlab -V|--version\n",
	      out);
	for (int g = 0; g < CLI_GROUP_MAX; g++) {
		fprintf(out, "\n%s\n", group_titles[g]);
		for (const struct cli_verb *v = cli_verbs; v->name; v++) {
			size_t len = 0;

			if (v->group != (enum cli_group)g)
				continue;
			for (int i = 0; synopsis_line(v, i, line, sizeof(line)); i++) {
				if (i > 0)
					fputc('\n', out);
				fprintf(out, "  %s", line);
				len = 2 + strlen(line);
			}
			if (len >= SUMMARY_COLUMN - 1) {
				fputc('\n', out);
				len = 0;
			}
			print_at(out, v->summary, len, SUMMARY_COLUMN);
		}
	}
	fputs("\nRun as root. Topology format: docs/topology.md. A command's options:\n"
	      "cboxlab help COMMAND (or cboxlab COMMAND --help); man cboxlab.\n"
	      "-q, --quiet before the command: its --quiet, where it has one.\n",
	      out);
}

void cli_help_verb(const struct cli_verb *v, FILE *out)
{
	char line[512];

	for (int i = 0; synopsis_line(v, i, line, sizeof(line)); i++)
		fprintf(out, "%s cboxlab %s\n", i ? "      " : "usage:", line);
	fputc('\n', out);
	print_at(out, v->summary, 0, 2);
	if (v->details)
		print_at(out, v->details, 0, 2);
	if (v->root_for)
		fprintf(out, "  Needs root (%s).\n", v->root_for);
	fputs("\nOptions:\n", out);
	for (const struct cli_verb_opt *o = v->opts; o->id != OPT_MAX; o++) {
		const struct cli_option *opt = &cli_options[o->id];
		int len;

		if (opt->letter)
			len = fprintf(out, "  -%c, --%s%s%s", opt->letter, opt->name,
				      opt->value ? " " : "", opt->value ? opt->value : "");
		else
			len = fprintf(out, "      --%s%s%s", opt->name, opt->value ? " " : "",
				      opt->value ? opt->value : "");
		print_at(out, o->help, (size_t)len, OPTION_COLUMN);
	}
	print_at(out, "this help", (size_t)fprintf(out, "  -h, --help"), OPTION_COLUMN);
}
