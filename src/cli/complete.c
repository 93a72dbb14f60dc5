/* Shell completion, for bash and zsh alike (completion/): the shells ask
 *   cboxlab __complete CWORD WORD...
 * (WORD... the command line, "cboxlab" first; CWORD the index of the word
 * being completed) and print what we print, a candidate a line. Made from
 * the command table, so a new command or option completes without a
 * change here: a command's arguments are read from its synopsis (LAB,
 * NODE..., NODE:IFACE|NETWORK, down|up, FILE), labs from the state root,
 * nodes, interfaces and networks from a lab's saved topology. A line
 * ":files" asks the shell to complete file names too. Nothing is printed
 * for what cannot be read (a lab's state is root's): completion never
 * says an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* What the command line says so far. */
struct line {
	char **w;
	int n;
	const char *cur; /* the word being completed (its start) */
	const char *lab; /* the LAB argument, once given */
	struct cbx_ctx cbx;
	bool ctx_ok;
	struct cbx_topo *t; /* the lab's saved topology, loaded when needed */
	bool t_tried;
};

static void offer(const struct line *l, const char *cand)
{
	if (!strncmp(cand, l->cur, strlen(l->cur)))
		puts(cand);
}

static const struct cbx_topo *lab_topo(struct line *l)
{
	struct cbx_error err;

	if (!l->t_tried && l->lab && l->ctx_ok)
		lab_load_saved(&l->cbx, l->lab, &l->t, &err);
	l->t_tried = true;
	return l->t;
}

static void offer_labs(struct line *l)
{
	struct cbx_error err;
	char **labs;
	size_t n;

	if (!l->ctx_ok || lab_list(&l->cbx, &labs, &n, &err) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		offer(l, labs[i]);
	lab_list_free(labs, n);
}

/* Nodes; in a comma list (partition's groups: a,b c), after its last comma. */
static void offer_nodes(struct line *l, bool list)
{
	const struct cbx_topo *t = lab_topo(l);
	const char *comma = list ? strrchr(l->cur, ',') : NULL;
	size_t keep = comma ? (size_t)(comma - l->cur) + 1 : 0;
	char cand[256];

	for (size_t i = 0; t && i < t->n_nodes; i++) {
		snprintf(cand, sizeof(cand), "%.*s%s", (int)keep, l->cur, t->nodes[i].name);
		offer(l, cand);
	}
}

static void offer_ifaces(struct line *l)
{
	const struct cbx_topo *t = lab_topo(l);
	char cand[256];

	for (size_t i = 0; t && i < t->n_nodes; i++)
		for (size_t k = 0; k < t->nodes[i].n_ifaces; k++) {
			snprintf(cand, sizeof(cand), "%s:%s", t->nodes[i].name,
				 t->nodes[i].ifaces[k]->name);
			offer(l, cand);
		}
}

static void offer_networks(struct line *l)
{
	const struct cbx_topo *t = lab_topo(l);

	for (size_t i = 0; t && i < t->n_networks; i++)
		offer(l, t->networks[i].name);
}

/* One alternative of a synopsis word: "LAB", "NODE:IFACE", "down". */
static void offer_kind(struct line *l, const char *alt, size_t len)
{
	char word[64];
	bool lower = true;

	snprintf(word, sizeof(word), "%.*s", (int)len, alt);
	if ((len = strlen(word)) > 3 && !strcmp(word + len - 3, "..."))
		word[len -= 3] = '\0';
	for (size_t i = 0; i < len; i++)
		lower &= (word[i] >= 'a' && word[i] <= 'z') || word[i] == '-';
	if (!strcmp(word, "LAB"))
		offer_labs(l);
	else if (!strcmp(word, "NODE"))
		offer_nodes(l, false);
	else if (strchr(word, ',')) /* A,B C,D */
		offer_nodes(l, true);
	else if (!strcmp(word, "NODE:IFACE"))
		offer_ifaces(l);
	else if (!strcmp(word, "NETWORK"))
		offer_networks(l);
	else if (!strcmp(word, "FILE") || !strcmp(word, "LOG") || strstr(word, ".json"))
		puts(":files");
	else if (!strcmp(word, "SHAPE")) {
		static const char *const shapes[] = { "linear", "ring", "star",
						      "tree",   "mesh", "clos" };
		for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
			offer(l, shapes[i]);
	} else if (!strcmp(word, "KEY=VALUE")) {
		static const char *const keys[] = { "delay=",   "jitter=",  "loss=", "duplicate=",
						    "corrupt=", "reorder=", "rate=" };
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			offer(l, keys[i]);
	} else if (lower && len)
		offer(l, word);
}

/* The synopsis's words for the arguments ("LAB", "NODE...", "[CHECKS.json]"),
 * options and brackets taken out: the i-th is what argument i is; the last
 * repeats when it ends with "...". */
static bool arg_word(const struct cli_verb *v, int i, char *buf, size_t size)
{
	char args[256], *save = NULL, *w;
	const char *src = v->usage ? v->usage : v->args;
	int k = 0;

	size_t len = 0;

	/* The first form, without its options ("[--seed N]", "[--]"). */
	for (const char *p = src; *p && *p != '\n' && len + 1 < sizeof(args); p++) {
		if (p[0] == '[' && p[1] == '-') {
			p += strcspn(p, "]\n");
			if (*p != ']')
				break;
			continue;
		}
		args[len++] = *p == '[' || *p == ']' ? ' ' : *p;
	}
	args[len] = '\0';
	buf[0] = '\0';
	for (w = strtok_r(args, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (w[0] == '-') /* --oneway, --: options, not arguments */
			continue;
		snprintf(buf, size, "%s", w);
		if (k++ == i)
			return true;
	}
	return k > 0 && strlen(buf) > 3 && !strcmp(buf + strlen(buf) - 3, "...");
}

static bool takes_value(const struct cli_verb *v, const char *word)
{
	for (const struct cli_verb_opt *o = v->opts; o->id != OPT_MAX; o++) {
		const struct cli_option *opt = &cli_options[o->id];
		if (!opt->value)
			continue;
		if ((word[0] == '-' && word[1] == '-' && !strcmp(word + 2, opt->name)) ||
		    (opt->letter && word[0] == '-' && word[1] == opt->letter && !word[2]))
			return true;
	}
	return false;
}

/* An option's value: a file, or one of the words its help lists. */
static void offer_value(struct line *l, const char *option)
{
	static const char *const formats[] = { "dot", "mermaid", "svg" };
	static const char *const nemeses[] = { "random-halves",    "isolate-one",
					       "majorities-ring",  "bridge",
					       "flaky-links",      "pause-random",
					       "kill-random",      "disk-full-random",
					       "clock-skew-random" };

	if (!strcmp(option, "--format"))
		for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
			offer(l, formats[i]);
	else if (!strcmp(option, "--nemesis"))
		for (size_t i = 0; i < sizeof(nemeses) / sizeof(nemeses[0]); i++)
			offer(l, nemeses[i]);
	else if (!strcmp(option, "--nodes"))
		offer_nodes(l, true);
	else if (!strcmp(option, "--log") || !strcmp(option, "--junit") ||
		 !strcmp(option, "--write") || !strcmp(option, "-w") || !strcmp(option, "--grudge"))
		puts(":files");
}

static void complete_verb_args(struct line *l, const struct cli_verb *v, int from, int cword)
{
	char word[128];
	int arg = 0;
	bool dashdash = false;

	for (int i = from; i < cword; i++) {
		const char *w = l->w[i];
		if (!dashdash && !strcmp(w, "--")) {
			dashdash = true;
			continue;
		}
		if (!dashdash && w[0] == '-' && w[1] && !(v->options_first && arg > 0)) {
			if (!strchr(w, '=') && takes_value(v, w) && i + 1 < cword)
				i++;
			continue;
		}
		if (arg_word(v, arg, word, sizeof(word)) && !strcmp(word, "LAB"))
			l->lab = w;
		arg++;
	}
	if (cword > from && !dashdash && takes_value(v, l->w[cword - 1]) &&
	    !(v->options_first && arg > 0)) {
		offer_value(l, l->w[cword - 1]);
		return;
	}
	if (l->cur[0] == '-' && !dashdash && !(v->options_first && arg > 0)) {
		for (const struct cli_verb_opt *o = v->opts; o->id != OPT_MAX; o++) {
			char opt[64];
			snprintf(opt, sizeof(opt), "--%s", cli_options[o->id].name);
			offer(l, opt);
		}
		offer(l, "--help");
		return;
	}
	if (!arg_word(v, arg, word, sizeof(word)))
		return;
	for (const char *alt = word; *alt;) {
		size_t len = strcspn(alt, "|");
		offer_kind(l, alt, len);
		alt += len + (alt[len] == '|');
	}
}

int cli_complete(int argc, char **argv)
{
	static const char *const globals[] = { "--quiet", "--version", "--help", "-q", "-V", "-h" };
	struct line l = { .w = argv + 1, .n = argc - 1 };
	struct cbx_error err;
	int cword, cmd = 1;

	if (argc < 2)
		return 0;
	cword = atoi(argv[0]);
	if (cword < 1 || cword > l.n)
		return 0;
	l.cur = cword < l.n ? l.w[cword] : "";
	l.ctx_ok = cbx_ctx_init(&l.cbx, &err) == 0;
	while (cmd < cword && l.w[cmd][0] == '-')
		cmd++;
	if (cword == cmd) {
		if (l.cur[0] == '-') {
			for (size_t i = 0; i < sizeof(globals) / sizeof(globals[0]); i++)
				offer(&l, globals[i]);
			return 0;
		}
		for (const struct cli_verb *v = cli_verbs; v->name; v++)
			offer(&l, v->name);
		offer(&l, "help");
		offer(&l, "version");
	} else if (!strcmp(l.w[cmd], "help")) {
		if (cword == cmd + 1)
			for (const struct cli_verb *v = cli_verbs; v->name; v++)
				offer(&l, v->name);
	} else if (cli_verb_find(l.w[cmd])) {
		complete_verb_args(&l, cli_verb_find(l.w[cmd]), cmd + 1, cword);
	}
	cbx_topo_free(l.t);
	return 0;
}
