/* Files in nodes: "binds", "files", "volumes" and "overlay" of a node or of
 * "defaults".
 *
 * What the file alone shows is refused here, with its JSON path: a DST that
 * is not absolute, climbs with "..", or lands in /proc, /sys or /dev (the
 * node's kernel views and devices, which a bind or a file could fake or
 * hide); paths with control bytes (the node's setup message separates its
 * fields with them). What needs the host (a source that is missing, or
 * inside cboxlab's own state) is checked once addresses are known, in
 * topo_resolve_files, and only when the caller asks (cbx_topo_opts). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "topo/parser.h"

static const char *const file_keys[] = { "content", "source", "mode", NULL };

/* Folders the kernel fills (or cboxlab does, /dev) and a node must see as
 * they are. */
static const char *const reserved_dirs[] = { "/proc", "/sys", "/dev", NULL };
/* Files cboxlab itself puts in every node. */
static const char *const reserved_files[] = { "/etc/hosts", "/etc/hostname", NULL };

static int check_text(struct parser *p, const char *s, const char *path, const char *what)
{
	if (!*s)
		return topo_fail(p, path, "the %s is empty", what);
	if (strlen(s) >= CBX_NODE_PATH_MAX)
		return topo_fail(p, path, "the %s is %zu bytes long; at most %d", what, strlen(s),
				 CBX_NODE_PATH_MAX - 1);
	for (const char *c = s; *c; c++)
		if (iscntrl((unsigned char)*c))
			return topo_fail(p, path, "the %s \"%s\" contains %s", what,
					 topo_shown(p, s), topo_shown_char(p, *c));
	return 0;
}

/* A path in the node: absolute, and written the one way ("/etc/frr", not
 * "/etc//frr/." ); "..", which could only mean a way out, is refused. */
static int node_path(struct parser *p, const char *s, const char *path, char **out)
{
	char *norm, *w;
	const char *c = s;

	if (check_text(p, s, path, "path in the node") < 0)
		return -1;
	if (s[0] != '/')
		return topo_fail(p, path, "\"%s\" is not an absolute path in the node",
				 topo_shown(p, s));
	norm = cbx_arena_alloc(p->a, strlen(s) + 2);
	if (!norm)
		return topo_oom(p);
	w = norm;
	while (*c) {
		size_t len;
		while (*c == '/')
			c++;
		len = strcspn(c, "/");
		if (len == 0 || (len == 1 && c[0] == '.')) {
			c += len;
			continue;
		}
		if (len == 2 && c[0] == '.' && c[1] == '.')
			return topo_fail(p, path,
					 "\"%s\" contains \"..\"; a path in the node may not",
					 topo_shown(p, s));
		*w++ = '/';
		memcpy(w, c, len);
		w += len;
		c += len;
	}
	*w = '\0';
	if (!*norm)
		return topo_fail(p, path, "\"%s\" is the node's root folder", topo_shown(p, s));
	for (const char *const *r = reserved_dirs; *r; r++) {
		size_t len = strlen(*r);
		if (!strncmp(norm, *r, len) && (norm[len] == '\0' || norm[len] == '/'))
			return topo_fail(p, path,
					 "\"%s\" is under %s, which the node's kernel view fills; it cannot be replaced",
					 topo_shown(p, s), *r);
	}
	for (const char *const *r = reserved_files; *r; r++)
		if (!strcmp(norm, *r))
			return topo_fail(p, path, "%s is written by cboxlab in every node", *r);
	*out = norm;
	return 0;
}

/* A path on the host: absolute, or relative to the topology's folder. */
static int host_path(struct parser *p, const char *s, const char *path, const char *what,
		     char **out)
{
	if (check_text(p, s, path, what) < 0)
		return -1;
	*out = s[0] == '/' ? cbx_arena_strdup(p->a, s)
			   : cbx_arena_printf(p->a, "%s/%s", p->t->dir, s);
	if (!*out)
		return topo_oom(p);
	if (strlen(*out) >= CBX_NODE_PATH_MAX)
		return topo_fail(p, path, "the %s %s is %zu bytes long; at most %d", what, *out,
				 strlen(*out), CBX_NODE_PATH_MAX - 1);
	return 0;
}

/* "SRC:DST" or "SRC:DST:rw" (":ro" says the default). */
static int parse_bind(struct parser *p, json_t *v, const char *path, struct cbx_bind *b)
{
	char *text, *colon, *last;

	if (topo_expect_string(p, v, path) < 0)
		return -1;
	text = cbx_arena_strdup(p->a, json_string_value(v));
	if (!text)
		return topo_oom(p);
	b->path = (char *)path;
	b->rw = false;
	last = strrchr(text, ':');
	if (last && (!strcmp(last, ":rw") || !strcmp(last, ":ro"))) {
		b->rw = last[1] == 'r' && last[2] == 'w';
		*last = '\0';
	}
	colon = strchr(text, ':');
	if (!colon || strchr(colon + 1, ':'))
		return topo_fail(p, path,
				 "\"%s\" is not \"SRC:DST\", \"SRC:DST:ro\" or \"SRC:DST:rw\"",
				 topo_shown(p, json_string_value(v)));
	*colon = '\0';
	if (host_path(p, text, path, "bind's source", &b->src) < 0 ||
	    node_path(p, colon + 1, path, &b->dst) < 0)
		return -1;
	return 0;
}

/* The node's binds: those of "defaults", then its own; its own replace one
 * of "defaults" at the same DST. */
static int parse_binds(struct parser *p, struct cbx_node *n, json_t *v, const char *path)
{
	size_t cap, count;
	struct cbx_bind *all;

	if (topo_expect_array(p, v, path) < 0)
		return -1;
	cap = n->n_binds + json_array_size(v);
	if (cap > CBX_NODE_BINDS_MAX)
		return topo_fail(p, path, "%zu binds; a node may have at most %d", cap,
				 CBX_NODE_BINDS_MAX);
	all = cbx_arena_array(p->a, cap ? cap : 1, sizeof(*all));
	if (!all)
		return topo_oom(p);
	if (n->n_binds)
		memcpy(all, n->binds, n->n_binds * sizeof(*all));
	count = n->n_binds;
	for (size_t i = 0; i < json_array_size(v); i++) {
		struct cbx_bind b;
		size_t j;

		if (parse_bind(p, json_array_get(v, i), topo_path_index(p, path, i), &b) < 0)
			return -1;
		for (j = 0; j < count; j++)
			if (!strcmp(all[j].dst, b.dst))
				break;
		if (j >= n->n_binds && j < count)
			return topo_fail(p, b.path, "a second bind at %s", b.dst);
		all[j] = b;
		if (j == count)
			count++;
	}
	n->binds = all;
	n->n_binds = count;
	return 0;
}

/* "DST:SIZE": a tmpfs of SIZE at DST (the last ':' ends DST). */
static int parse_volume(struct parser *p, json_t *v, const char *path, struct cbx_volume *vol)
{
	const char *text, *colon, *why;
	char *dst;

	if (topo_expect_string(p, v, path) < 0)
		return -1;
	text = json_string_value(v);
	vol->path = (char *)path;
	colon = strrchr(text, ':');
	if (!colon || colon == text)
		return topo_fail(p, path,
				 "\"%s\" is not \"DST:SIZE\" (e.g. \"/var/lib/redis:64M\")",
				 topo_shown(p, text));
	dst = cbx_arena_alloc(p->a, (size_t)(colon - text) + 1);
	if (!dst)
		return topo_oom(p);
	memcpy(dst, text, (size_t)(colon - text));
	dst[colon - text] = '\0';
	if (node_path(p, dst, path, &vol->dst) < 0)
		return -1;
	if (!cbx_parse_size(colon + 1, &vol->size, &why))
		return topo_fail(p, path, "volume %s: bad size \"%s\": %s", vol->dst,
				 topo_shown(p, colon + 1), why);
	if (vol->size < CBX_STORAGE_SIZE_MIN)
		return topo_fail(p, path,
				 "volume %s: %s is too small; a volume needs at least 1MiB",
				 vol->dst, topo_shown(p, colon + 1));
	return 0;
}

/* The node's volumes: those of "defaults", then its own; its own replace
 * one of "defaults" at the same DST. */
static int parse_volumes(struct parser *p, struct cbx_node *n, json_t *v, const char *path)
{
	size_t cap, count;
	struct cbx_volume *all;

	if (topo_expect_array(p, v, path) < 0)
		return -1;
	cap = n->n_volumes + json_array_size(v);
	all = cbx_arena_array(p->a, cap ? cap : 1, sizeof(*all));
	if (!all)
		return topo_oom(p);
	if (n->n_volumes)
		memcpy(all, n->volumes, n->n_volumes * sizeof(*all));
	count = n->n_volumes;
	for (size_t i = 0; i < json_array_size(v); i++) {
		struct cbx_volume vol;
		size_t j;

		if (parse_volume(p, json_array_get(v, i), topo_path_index(p, path, i), &vol) < 0)
			return -1;
		for (j = 0; j < count; j++)
			if (!strcmp(all[j].dst, vol.dst))
				break;
		if (j >= n->n_volumes && j < count)
			return topo_fail(p, vol.path, "a second volume at %s", vol.dst);
		all[j] = vol;
		if (j == count)
			count++;
	}
	n->volumes = all;
	n->n_volumes = count;
	return 0;
}

/* A volume is mounted as a bind is: one of each at a DST, and no more of
 * both together than the node's setup message holds. */
static int check_volumes(struct parser *p, const struct cbx_node *n, const char *path)
{
	for (size_t i = 0; i < n->n_volumes; i++)
		for (size_t j = 0; j < n->n_binds; j++)
			if (!strcmp(n->volumes[i].dst, n->binds[j].dst))
				return topo_fail(p, n->volumes[i].path,
						 "a volume at %s, where %s binds a host path",
						 n->volumes[i].dst, n->binds[j].path);
	if (n->n_binds + n->n_volumes > CBX_NODE_BINDS_MAX)
		return topo_fail(p, path, "%zu binds and volumes; a node may have at most %d",
				 n->n_binds + n->n_volumes, CBX_NODE_BINDS_MAX);
	return 0;
}

/* "0644": permission bits, in octal. */
static int parse_mode(struct parser *p, json_t *v, const char *path, uint32_t *mode)
{
	const char *s;
	char *end;
	unsigned long m;

	if (topo_expect_string(p, v, path) < 0)
		return -1;
	s = json_string_value(v);
	errno = 0;
	m = strtoul(s, &end, 8);
	if (!*s || *end || errno || s[0] == '-' || s[0] == '+' || isspace((unsigned char)s[0]) ||
	    m > 0777)
		return topo_fail(p, path,
				 "\"%s\" is not a file mode like \"0644\" (permission bits, 0 to 0777)",
				 topo_shown(p, s));
	*mode = (uint32_t)m;
	return 0;
}

static int parse_file(struct parser *p, const char *dst, json_t *v, const char *path,
		      struct cbx_file *f)
{
	json_t *content, *source, *mode;

	if (topo_expect_object(p, v, path) < 0 || topo_check_keys(p, v, path, file_keys) < 0 ||
	    node_path(p, dst, path, &f->dst) < 0)
		return -1;
	f->path = (char *)path;
	content = json_object_get(v, "content");
	source = json_object_get(v, "source");
	if (!content == !source)
		return topo_fail(p, path, "a file needs either \"content\" or \"source\"");
	f->mode = 0644;
	f->content = NULL;
	f->source = NULL;
	if (content) {
		if (topo_expect_string(p, content, topo_path_key(p, path, "content")) < 0)
			return -1;
		f->content = cbx_arena_strdup(p->a, json_string_value(content));
		if (!f->content)
			return topo_oom(p);
	} else {
		const char *spath = topo_path_key(p, path, "source");
		if (topo_expect_string(p, source, spath) < 0 ||
		    host_path(p, json_string_value(source), spath, "file's source", &f->source) < 0)
			return -1;
	}
	if ((mode = json_object_get(v, "mode")) &&
	    parse_mode(p, mode, topo_path_key(p, path, "mode"), &f->mode) < 0)
		return -1;
	return 0;
}

/* The node's files: those of "defaults", its own replacing one at the same
 * DST. */
static int parse_files(struct parser *p, struct cbx_node *n, json_t *v, const char *path)
{
	const char *dst;
	struct cbx_file *all;
	size_t cap, count;
	json_t *x;

	if (topo_expect_object(p, v, path) < 0)
		return -1;
	cap = n->n_files + json_object_size(v);
	all = cbx_arena_array(p->a, cap ? cap : 1, sizeof(*all));
	if (!all)
		return topo_oom(p);
	if (n->n_files)
		memcpy(all, n->files, n->n_files * sizeof(*all));
	count = n->n_files;
	json_object_foreach (v, dst, x) {
		struct cbx_file f;
		size_t j;

		if (parse_file(p, dst, x, topo_path_key(p, path, dst), &f) < 0)
			return -1;
		for (j = 0; j < count; j++)
			if (!strcmp(all[j].dst, f.dst))
				break;
		if (j >= n->n_files && j < count)
			return topo_fail(p, f.path, "a second file at %s", f.dst);
		all[j] = f;
		if (j == count)
			count++;
	}
	if (count > CBX_NODE_FILES_MAX)
		return topo_fail(p, path,
				 "%zu files; a node may have at most %d (an \"overlay\" folder holds any number)",
				 count, CBX_NODE_FILES_MAX);
	n->files = all;
	n->n_files = count;
	return 0;
}

static int parse_overlay(struct parser *p, struct cbx_node *n, json_t *v, const char *path,
			 bool from_defaults)
{
	const char *bad;

	if (topo_expect_string(p, v, path) < 0 ||
	    host_path(p, json_string_value(v), path, "overlay folder", &n->overlay) < 0)
		return -1;
	/* It becomes a "lowerdir=" of overlayfs (see parse_base_path). */
	if ((bad = strpbrk(n->overlay, ",:\\")))
		return topo_fail(p, path,
				 "overlay folder \"%s\" contains %s, which overlayfs options cannot hold",
				 topo_shown(p, n->overlay), topo_shown_char(p, *bad));
	n->overlay_optional = from_defaults;
	return 0;
}

int topo_parse_node_files(struct parser *p, struct cbx_node *n, json_t *obj, const char *path,
			  bool from_defaults)
{
	json_t *x;

	if ((x = json_object_get(obj, "binds")) &&
	    parse_binds(p, n, x, topo_path_key(p, path, "binds")) < 0)
		return -1;
	if ((x = json_object_get(obj, "files")) &&
	    parse_files(p, n, x, topo_path_key(p, path, "files")) < 0)
		return -1;
	if ((x = json_object_get(obj, "volumes")) &&
	    parse_volumes(p, n, x, topo_path_key(p, path, "volumes")) < 0)
		return -1;
	if ((x = json_object_get(obj, "overlay")) &&
	    parse_overlay(p, n, x, topo_path_key(p, path, "overlay"), from_defaults) < 0)
		return -1;
	return check_volumes(p, n, path);
}
