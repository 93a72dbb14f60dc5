/* Helpers shared by the parsing steps: JSON paths, type checks with
 * "expected X, got Y", unknown keys with a suggestion, and errors. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "topo/parser.h"

/* A message once in the list: a bad "defaults" fails every node alike. */
static void list_error(struct parser *p)
{
	struct cbx_topo_errors *e = p->opts ? p->opts->errors : NULL;
	char **msgs, *copy;

	if (!e || e->n >= CBX_TOPO_ERRORS_MAX)
		return;
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->msgs[i], p->err->msg))
			return;
	if (!(copy = strdup(p->err->msg)))
		return;
	if (!(msgs = realloc(e->msgs, (e->n + 1) * sizeof(*msgs)))) {
		free(copy);
		return;
	}
	e->msgs = msgs;
	e->msgs[e->n++] = copy;
}

int topo_fail(struct parser *p, const char *path, const char *fmt, ...)
{
	const struct topo_mark *m = topo_mark_of(p, path);
	char msg[CBX_ERROR_MSG_MAX / 2], where[32] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (m)
		snprintf(where, sizeof(where), ":%u:%u", m->line, m->col);
	if (path && *path)
		cbx_error_set(p->err, CBX_ERR_INPUT, "%s%s: %s: %s", p->t->source, where, path,
			      msg);
	else
		cbx_error_set(p->err, CBX_ERR_INPUT, "%s%s: %s", p->t->source, where, msg);
	p->n_failed++;
	list_error(p);
	return -1;
}

bool topo_keep_going(struct parser *p)
{
	const struct cbx_topo_errors *e = p->opts ? p->opts->errors : NULL;

	return e && p->err->kind == CBX_ERR_INPUT && e->n < CBX_TOPO_ERRORS_MAX;
}

void cbx_topo_errors_free(struct cbx_topo_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->msgs[i]);
	free(e->msgs);
	e->msgs = NULL;
	e->n = 0;
}

int topo_oom(struct parser *p)
{
	return cbx_error_set(p->err, CBX_ERR_SYSTEM, "%s: out of memory", p->t->source);
}

static bool plain_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static const char *shown_in(struct cbx_arena *a, const char *s)
{
	char buf[4 * CBX_EXCERPT_MAX + 32];
	char *copy = cbx_arena_strdup(a, cbx_text_excerpt(buf, sizeof(buf), s, CBX_EXCERPT_MAX));

	return copy ? copy : "";
}

const char *topo_shown(struct parser *p, const char *s)
{
	return shown_in(p->a, s);
}

const char *topo_shown_char(struct parser *p, char c)
{
	unsigned char u = (unsigned char)c;
	char *s = u < 0x20 || u == 0x7f ? cbx_arena_printf(p->a, "\\x%02x", u)
					: cbx_arena_printf(p->a, "'%c'", c);

	return s ? s : "";
}

char *topo_path_key_in(struct cbx_arena *a, const char *parent, const char *key)
{
	if (plain_word(key) && strlen(key) <= CBX_EXCERPT_MAX)
		return cbx_arena_printf(a, "%s%s%s", parent, *parent ? "." : "", key);
	return cbx_arena_printf(a, "%s[\"%s\"]", parent, shown_in(a, key));
}

char *topo_path_key(struct parser *p, const char *parent, const char *key)
{
	return topo_path_key_in(p->a, parent, key);
}

char *topo_path_index(struct parser *p, const char *parent, size_t i)
{
	return cbx_arena_printf(p->a, "%s[%zu]", parent, i);
}

/* Edit distance, for "did you mean". Keys are short, so O(n*m) is fine. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* An unknown key: the closest known key as a suggestion, or the list. */
static int unknown_key(struct parser *p, const char *path, const char *key,
		       const char *const *known)
{
	const char *best = NULL;
	size_t best_d = 99;
	char list[512] = "";
	size_t len = 0;

	for (const char *const *k = known; *k; k++) {
		size_t d = distance(key, *k);
		if (d < best_d) {
			best_d = d;
			best = *k;
		}
	}
	/* Suggest only what a typo could explain. */
	if (best && best_d <= 1 + strlen(key) / 4)
		return topo_fail(p, topo_path_key(p, path, key),
				 "unknown key \"%s\" (did you mean \"%s\"?)", topo_shown(p, key),
				 best);
	for (const char *const *k = known; *k && len < sizeof(list); k++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "",
					*k);
	return topo_fail(p, topo_path_key(p, path, key), "unknown key \"%s\" (known keys: %s)",
			 topo_shown(p, key), list);
}

int topo_check_keys(struct parser *p, json_t *obj, const char *path, const char *const *known)
{
	size_t before = p->n_failed;
	const char *key;
	json_t *v;

	json_object_foreach (obj, key, v) {
		const char *const *k;

		for (k = known; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (!*k && unknown_key(p, path, key, known) < 0 && !topo_keep_going(p))
			return -1;
	}
	return p->n_failed > before ? -1 : 0;
}

static const char *type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

static int expect_type(struct parser *p, json_t *v, const char *path, bool ok, const char *want)
{
	if (ok)
		return 0;
	return topo_fail(p, path, "expected %s, got %s", want, type_name(v));
}

int topo_expect_object(struct parser *p, json_t *v, const char *path)
{
	return expect_type(p, v, path, json_is_object(v), "an object");
}

int topo_expect_array(struct parser *p, json_t *v, const char *path)
{
	return expect_type(p, v, path, json_is_array(v), "an array");
}

int topo_expect_string(struct parser *p, json_t *v, const char *path)
{
	return expect_type(p, v, path, json_is_string(v), "a string");
}

int topo_expect_bool(struct parser *p, json_t *v, const char *path)
{
	return expect_type(p, v, path, json_is_boolean(v), "a boolean (true or false)");
}

int topo_expect_uint(struct parser *p, json_t *v, const char *path, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	json_int_t i;

	if (expect_type(p, v, path, json_is_integer(v), "an integer") < 0)
		return -1;
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
		return topo_fail(p, path, "%lld is out of range (%llu to %llu)", (long long)i,
				 (unsigned long long)min, (unsigned long long)max);
	*out = (uint64_t)i;
	return 0;
}

int topo_expect_scalar_text(struct parser *p, json_t *v, const char *path, const char **out)
{
	if (json_is_string(v)) {
		*out = json_string_value(v);
		return 0;
	}
	if (json_is_integer(v)) {
		*out = cbx_arena_printf(p->a, "%lld", (long long)json_integer_value(v));
		return *out ? 0 : topo_oom(p);
	}
	if (json_is_real(v)) {
		*out = cbx_arena_printf(p->a, "%.17g", json_real_value(v));
		return *out ? 0 : topo_oom(p);
	}
	return topo_fail(p, path, "expected a string or a number, got %s", type_name(v));
}
