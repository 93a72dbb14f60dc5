/* Loading a topology: JSON or YAML syntax first (file:line:column), then the
 * steps of parser.h in order, each failing with the JSON path of what is
 * wrong and, where the text says, its line and column. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "topo/parser.h"

/* clang-format off */
static const char *const root_keys[] = {
	"$schema", "description", "name", "hosts", "limits", "defaults", "networks", "links", "nodes",
	"checks", NULL,
};
/* clang-format on */

const char *cbx_json_error_text(const char *text, char *buf, size_t size)
{
	/* jansson's texts that name its own flags or internals. */
	static const struct {
		const char *lib, *user;
	} words[] = {
		{ "\\u0000 is not allowed without JSON_ALLOW_NUL",
		  "a NUL character (\\u0000) in a string" },
		{ "NUL byte in object key not supported", "a NUL character (\\u0000) in a key" },
		{ "maximum parsing depth reached", "nested too deeply" },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i].lib);
		if (!strncmp(text, words[i].lib, n)) {
			snprintf(buf, size, "%s%s", words[i].user, text + n);
			return buf;
		}
	}
	return text;
}

/* jansson's words for a duplicate key are terse; say what it means here. */
static int syntax_error(const char *source, const json_error_t *je, struct cbx_error *err)
{
	const char *dup = "duplicate object key";
	char buf[256];

	if (!strncmp(je->text, dup, strlen(dup)))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "%s:%d:%d: %s (node, network and interface names must be unique)",
				     source, je->line, je->column, je->text);
	return cbx_error_set(err, CBX_ERR_INPUT, "%s:%d:%d: syntax error: %s", source, je->line,
			     je->column, cbx_json_error_text(je->text, buf, sizeof(buf)));
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

bool topo_is_yaml(const char *source, const char *text, size_t len)
{
	if (has_suffix(source, ".yaml") || has_suffix(source, ".yml"))
		return true;
	if (has_suffix(source, ".json"))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", text[i]) || !text[i])
			return text[i] != '{';
	return true;
}

/* The text as JSON values, from JSON or YAML; a YAML file's marks in
 * `marks` (in arena a), when given. */
static int read_root(const char *text, size_t len, const char *source, struct cbx_arena *a,
		     struct cbx_strmap *marks, json_t **root, struct cbx_error *err)
{
	json_error_t je;

	if (topo_is_yaml(source, text, len))
		return topo_yaml_read(text, len, source, a, marks, root, err);
	*root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	return *root ? 0 : syntax_error(source, &je, err);
}

/* Interfaces are stored in one array whose elements must not move (nodes,
 * networks and links point into it), so its size is counted up front: every
 * declared interface plus, at most, both ends of every link. */
static size_t count_ifaces(json_t *root)
{
	json_t *nodes = json_object_get(root, "nodes");
	json_t *links = json_object_get(root, "links");
	const char *name;
	json_t *node;
	size_t n = 0;

	if (json_is_object(nodes)) {
		json_object_foreach (nodes, name, node) {
			json_t *ifaces = json_object_get(node, "interfaces");
			if (json_is_object(ifaces))
				n += json_object_size(ifaces);
		}
	}
	if (json_is_array(links))
		n += 2 * json_array_size(links);
	return n;
}

/* The steps that read the file, each on its own part: with a list of
 * errors, every one runs whatever became of the others. */
static int parse_parts(struct parser *p)
{
	int (*const steps[])(struct parser *) = {
		topo_parse_lab_name, topo_parse_hosts, topo_parse_networks,
		topo_parse_nodes,    topo_parse_links, topo_parse_lab_limits,
	};
	size_t before = p->n_failed;

	if (topo_check_keys(p, p->root, "", root_keys) < 0 && !topo_keep_going(p))
		return -1;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		/* Without nodes, every link would only say so again. */
		if (steps[i] == topo_parse_links && !p->t->n_nodes)
			break;
		if (steps[i](p) < 0 && !topo_keep_going(p))
			return -1;
	}
	return p->n_failed > before ? -1 : 0;
}

static int load(struct parser *p)
{
	size_t cap;

	if (topo_expect_object(p, p->root, "(top level)") < 0)
		return -1;
	p->defaults = json_object_get(p->root, "defaults");
	cap = count_ifaces(p->root);
	p->t->ifaces = cbx_arena_array(p->a, cap, sizeof(*p->t->ifaces));
	p->iface_in = cbx_arena_array(p->a, cap, sizeof(*p->iface_in));
	p->ifaces_cap = cap;
	if (!p->t->ifaces || !p->iface_in)
		return topo_oom(p);

	/* What resolves the parts needs them whole. */
	if (parse_parts(p) < 0 || topo_resolve_vlans(p) < 0 || topo_resolve_addresses(p) < 0 ||
	    topo_resolve_routes(p) < 0 || topo_resolve_publish(p) < 0 ||
	    topo_resolve_impairments(p) < 0 || topo_resolve_hosts(p) < 0 ||
	    topo_assign_names_and_macs(p) < 0 || topo_resolve_files(p) < 0 ||
	    topo_parse_checks(p, json_object_get(p->root, "checks"), "checks") < 0)
		return -1;
	return 0;
}

/* The folder of the file, absolute; the working directory for a text. */
static char *topo_dir(struct cbx_arena *a, const char *source, const struct cbx_topo_opts *o)
{
	char buf[PATH_MAX], *slash;

	if (o && o->dir)
		return cbx_arena_strdup(a, o->dir);
	if (!source || !(slash = strrchr(source, '/'))) {
		if (!getcwd(buf, sizeof(buf)))
			snprintf(buf, sizeof(buf), ".");
		return cbx_arena_strdup(a, buf);
	}
	if (slash == source)
		return cbx_arena_strdup(a, "/");
	snprintf(buf, sizeof(buf), "%.*s", (int)(slash - source), source);
	{
		char real[PATH_MAX];
		if (realpath(buf, real))
			return cbx_arena_strdup(a, real);
	}
	return cbx_arena_strdup(a, buf);
}

int cbx_topo_load_text(const char *text, size_t len, const char *source, struct cbx_topo **out,
		       struct cbx_error *err)
{
	return cbx_topo_load_text_opts(text, len, source, NULL, out, err);
}

/* A failed load's list holds its first error, whatever made it. */
static void list_first(const struct cbx_topo_opts *o, struct cbx_error *err)
{
	struct cbx_topo_errors *e = o ? o->errors : NULL;

	if (!e)
		return;
	if (e->n == 0 && (e->msgs = malloc(sizeof(*e->msgs))) && (e->msgs[0] = strdup(err->msg)))
		e->n = 1;
	if (e->n > 0)
		snprintf(err->msg, sizeof(err->msg), "%s", e->msgs[0]);
}

int cbx_topo_load_text_opts(const char *text, size_t len, const char *source,
			    const struct cbx_topo_opts *o, struct cbx_topo **out,
			    struct cbx_error *err)
{
	struct cbx_arena *arena = cbx_arena_new();
	struct parser p = { .err = err, .opts = o, .text = text, .len = len };
	int rc;

	if (!arena)
		return cbx_error_sys(err, ENOMEM, "load %s", source);
	p.a = arena;
	p.t = cbx_arena_alloc(arena, sizeof(*p.t));
	if (!p.t) {
		cbx_arena_free(arena);
		return cbx_error_sys(err, ENOMEM, "load %s", source);
	}
	p.t->arena = arena;
	p.t->source = cbx_arena_strdup(arena, source);
	p.t->dir = topo_dir(arena, source, o);
	if (!p.t->source || !p.t->dir) {
		cbx_arena_free(arena);
		return cbx_error_sys(err, ENOMEM, "load %s", source);
	}
	cbx_strmap_init(&p.t->node_by_name);
	cbx_strmap_init(&p.t->network_by_name);
	cbx_strmap_init(&p.marks);
	cbx_strmap_init(&p.t->host_by_name);

	/* A YAML file's marks come with it; a JSON file's when needed. */
	p.marks_built = topo_is_yaml(source, text, len);
	rc = read_root(text, len, p.t->source, arena, &p.marks, &p.root, err);
	if (rc == 0) {
		rc = load(&p);
		json_decref(p.root);
	}
	cbx_strmap_free(&p.marks);
	if (rc < 0) {
		list_first(o, err);
		cbx_topo_free(p.t);
		return -1;
	}
	*out = p.t;
	return 0;
}

static int read_input(const char *path, char **buf, size_t *n, struct cbx_error *err);
static char *json_text(const json_t *root);

/* A YAML lab is kept as JSON in its state: what reads it there (down, a
 * node's restart) reads JSON alone. */
static int as_json_text(const char *source, char **buf, size_t *len, struct cbx_error *err)
{
	json_t *root;
	char *text;

	if (topo_yaml_read(*buf, *len, source, NULL, NULL, &root, err) < 0)
		return -1;
	text = json_text(root);
	json_decref(root);
	if (!text)
		return cbx_error_sys(err, ENOMEM, "load %s", source);
	free(*buf);
	*buf = text;
	*len = strlen(text);
	return 0;
}

int cbx_topo_load_file(const char *path, struct cbx_topo **out, char **text, size_t *len,
		       struct cbx_error *err)
{
	return cbx_topo_load_opts(path, NULL, out, text, len, err);
}

int cbx_topo_load_opts(const char *path, const struct cbx_topo_opts *o, struct cbx_topo **out,
		       char **text, size_t *len, struct cbx_error *err)
{
	char *buf;
	size_t n;
	int rc;

	/* The file is the user's: not reading it is their input's fault.
	 * "-" is standard input (`cboxlab gen ring 5 | cboxlab up -`). */
	if (read_input(path, &buf, &n, err) < 0)
		return -1;
	if (!strcmp(path, "-"))
		path = "(stdin)";
	rc = cbx_topo_load_text_opts(buf, n, path, o, out, err);
	if (rc == 0 && text && topo_is_yaml(path, buf, n) &&
	    as_json_text(path, &buf, &n, err) < 0) {
		cbx_topo_free(*out);
		rc = -1;
	}
	if (rc == 0 && text) {
		*text = buf;
		*len = n;
	} else {
		free(buf);
	}
	return rc;
}

int cbx_topo_load(const char *path, struct cbx_topo **out, struct cbx_error *err)
{
	return cbx_topo_load_file(path, out, NULL, NULL, err);
}

int cbx_topo_load_checks(struct cbx_topo *t, const char *path, struct cbx_error *err)
{
	struct parser p = { .t = t, .a = t->arena, .err = err };
	const char *source = t->source;
	cleanup_free char *buf = NULL;
	json_t *checks;
	size_t n;
	int rc;

	if (read_input(path, &buf, &n, err) < 0)
		return -1;
	/* Messages name the checks' file, not the topology's. */
	t->source = cbx_arena_strdup(t->arena, strcmp(path, "-") ? path : "(stdin)");
	p.text = buf;
	p.len = n;
	cbx_strmap_init(&p.marks);
	p.marks_built = topo_is_yaml(t->source, buf, n);
	rc = read_root(buf, n, t->source, t->arena, &p.marks, &p.root, err);
	if (rc < 0) {
		/* said */
	} else if (json_is_object(p.root)) {
		static const char *const keys[] = { "$schema", "description", "checks", NULL };
		checks = json_object_get(p.root, "checks");
		rc = topo_check_keys(&p, p.root, "", keys);
		if (rc == 0 && !checks)
			rc = topo_fail(&p, "", "expected \"checks\": [...]");
		if (rc == 0)
			rc = topo_parse_checks(&p, checks, "checks");
	} else {
		rc = topo_parse_checks(&p, p.root, "(top level)");
	}
	json_decref(p.root);
	cbx_strmap_free(&p.marks);
	t->source = (char *)source;
	return rc;
}

/* JSON as `fmt --json` writes it, and as a YAML lab's state keeps it. */
static char *json_text(const json_t *root)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_ENCODE_ANY), *line = NULL;

	if (text && asprintf(&line, "%s\n", text) < 0)
		line = NULL;
	free(text);
	return line;
}

static int read_input(const char *path, char **buf, size_t *n, struct cbx_error *err)
{
	return !strcmp(path, "-") ? cbx_read_fd_as(0, "(stdin)", CBX_ERR_INPUT, buf, n, err)
				  : cbx_read_file_as(path, CBX_ERR_INPUT, buf, n, err);
}

int cbx_topo_convert(const char *path, bool to_yaml, char **out, struct cbx_error *err)
{
	const char *source = strcmp(path, "-") ? path : "(stdin)";
	cleanup_free char *buf = NULL;
	json_t *root;
	size_t n;

	if (read_input(path, &buf, &n, err) < 0 ||
	    read_root(buf, n, source, NULL, NULL, &root, err) < 0)
		return -1;
	*out = to_yaml ? topo_yaml_write(root) : json_text(root);
	json_decref(root);
	return *out ? 0 : cbx_error_sys(err, ENOMEM, "convert %s", source);
}
