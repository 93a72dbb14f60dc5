/* YAML to JSON (yaml.h): libyaml's events built into json_t by a descent
 * bounded in depth, each value's line and column kept beside it under its
 * JSON path, so that the parser's messages can point into the file. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common/text.h"
#include "topo/parser.h"
#include "topo/yaml.h"

/* An anchored value, for its aliases: the tree owns it. */
struct anchor {
	json_t *v;
	size_t size; /* values in it, itself included */
};

struct reader {
	yaml_parser_t parser;
	yaml_event_t ev; /* the current event */
	bool has_ev;
	const char *text;
	const char *source;
	struct cbx_arena *a;
	struct cbx_strmap *marks;
	struct cbx_strmap anchors;
	size_t alias_values; /* what aliases added so far */
	struct cbx_error *err;
};

static int fail_at(struct reader *r, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct reader *r, yaml_mark_t m, const char *fmt, ...)
{
	char msg[CBX_ERROR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cbx_error_set(r->err, CBX_ERR_INPUT, "%s:%zu:%zu: %s", r->source, m.line + 1,
			     m.column + 1, msg);
}

static int oom(struct reader *r)
{
	return cbx_error_set(r->err, CBX_ERR_SYSTEM, "%s: out of memory", r->source);
}

/* libyaml's reader (bad UTF-8, a control character) says where by offset. */
static yaml_mark_t mark_of_offset(const char *text, size_t offset)
{
	yaml_mark_t m = { .index = offset };

	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			m.column++;
		}
	}
	return m;
}

static int syntax_error(struct reader *r)
{
	yaml_parser_t *y = &r->parser;
	const char *problem = y->problem ? y->problem : "not YAML";

	if (y->error == YAML_MEMORY_ERROR)
		return oom(r);
	if (y->error == YAML_READER_ERROR)
		return fail_at(r, mark_of_offset(r->text, y->problem_offset),
			       "syntax error: %s (byte 0x%02x)", problem, y->problem_value & 0xff);
	if (y->context)
		return fail_at(r, y->problem_mark, "syntax error: %s (%s at line %zu)", problem,
			       y->context, y->context_mark.line + 1);
	return fail_at(r, y->problem_mark, "syntax error: %s", problem);
}

static int next(struct reader *r)
{
	if (r->has_ev)
		yaml_event_delete(&r->ev);
	r->has_ev = false;
	if (!yaml_parser_parse(&r->parser, &r->ev))
		return syntax_error(r);
	r->has_ev = true;
	return 0;
}

/* Marks are for messages: without memory for one, a message goes without. */
static void put_mark(struct reader *r, const char *path, yaml_mark_t m)
{
	struct topo_mark *tm = cbx_arena_alloc(r->a, sizeof(*tm));

	if (!tm)
		return;
	tm->line = (unsigned)m.line + 1;
	tm->col = (unsigned)m.column + 1;
	cbx_strmap_put(r->marks, path, tm, NULL);
}

static const char *shown(struct reader *r, const char *s)
{
	char buf[4 * CBX_EXCERPT_MAX + 32];
	char *copy = cbx_arena_strdup(r->a, cbx_text_excerpt(buf, sizeof(buf), s, CBX_EXCERPT_MAX));

	return copy ? copy : "";
}

static bool all_of(const char *s, const char *set)
{
	return *s && !s[strspn(s, set)];
}

#define DIGITS "0123456789"

static bool int_text(const char *s)
{
	if (!strncmp(s, "0x", 2))
		return all_of(s + 2, DIGITS "abcdefABCDEF");
	if (!strncmp(s, "0o", 2))
		return all_of(s + 2, "01234567");
	if (*s == '-' || *s == '+')
		s++;
	return all_of(s, DIGITS);
}

/* [-+]? ( . [0-9]+ | [0-9]+ ( . [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
static bool float_text(const char *s)
{
	size_t whole, frac = 0;

	if (*s == '-' || *s == '+')
		s++;
	whole = strspn(s, DIGITS);
	s += whole;
	if (*s == '.') {
		frac = strspn(++s, DIGITS);
		s += frac;
	}
	if (!whole && !frac)
		return false;
	if (*s == 'e' || *s == 'E') {
		if (*++s == '-' || *s == '+')
			s++;
		if (!strspn(s, DIGITS))
			return false;
		s += strspn(s, DIGITS);
	}
	return !*s;
}

static bool one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return true;
	return false;
}

/* YAML 1.2's core schema, without .inf and .nan (JSON has neither): no
 * 1.1 yes/no/on/off, no sexagesimal 80:8080, no 010 as octal. */
json_type topo_yaml_plain_type(const char *s)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const trues[] = { "true", "True", "TRUE", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", NULL };

	if (one_of(s, nulls))
		return JSON_NULL;
	if (one_of(s, trues))
		return JSON_TRUE;
	if (one_of(s, falses))
		return JSON_FALSE;
	if (int_text(s))
		return JSON_INTEGER;
	if (float_text(s))
		return JSON_REAL;
	return JSON_STRING;
}

static int plain_number(struct reader *r, const char *s, json_type type, json_t **out)
{
	yaml_mark_t m = r->ev.start_mark;
	char *end;

	errno = 0;
	if (type == JSON_REAL) {
		double d = strtod(s, &end);
		if (errno == ERANGE && (d > 1 || d < -1))
			return fail_at(r, m, "%s is out of range", shown(r, s));
		*out = json_real(d);
	} else {
		int base = !strncmp(s, "0x", 2) ? 16 : !strncmp(s, "0o", 2) ? 8 : 10;
		long long i = strtoll(base == 10 ? s : s + 2, &end, base);
		if (errno == ERANGE)
			return fail_at(r, m, "%s is out of range for an integer", shown(r, s));
		*out = json_integer(i);
	}
	return *out ? 0 : oom(r);
}

static int read_scalar(struct reader *r, json_t **out)
{
	const yaml_event_t *e = &r->ev;
	const char *s = (const char *)e->data.scalar.value;
	const char *tag = (const char *)e->data.scalar.tag;
	size_t len = e->data.scalar.length;
	json_type type = JSON_STRING;

	if (memchr(s, '\0', len))
		return fail_at(r, e->start_mark, "a NUL character (\\0) in a string");
	if (tag && strcmp(tag, "!") && strcmp(tag, YAML_STR_TAG))
		return fail_at(r, e->start_mark, "the tag %s is not supported (only !!str is)",
			       shown(r, tag));
	if (!tag && e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		type = topo_yaml_plain_type(s);
	switch (type) {
	case JSON_NULL:
		*out = json_null();
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		*out = json_boolean(type == JSON_TRUE);
		return 0;
	case JSON_INTEGER:
	case JSON_REAL:
		return plain_number(r, s, type, out);
	default:
		/* jansson refuses what is not UTF-8: a lone surrogate ("\ud800"). */
		*out = json_stringn(s, len);
		return *out ? 0 : fail_at(r, e->start_mark, "a string that is not UTF-8 text");
	}
}

static int read_alias(struct reader *r, json_t **out, size_t *size)
{
	const yaml_event_t *e = &r->ev;
	const char *name = (const char *)e->data.alias.anchor;
	struct anchor *an = cbx_strmap_get(&r->anchors, name);

	/* An anchor is known once its value ends: an alias inside the value
	 * it names (a loop) is unknown too. */
	if (!an)
		return fail_at(r, e->start_mark,
			       "unknown alias *%s (an alias names an anchor &%s above it)",
			       shown(r, name), shown(r, name));
	if (an->size > TOPO_YAML_ALIAS_VALUES_MAX - r->alias_values)
		return fail_at(r, e->start_mark,
			       "aliases expand to more than %u values: refused (an alias bomb?)",
			       TOPO_YAML_ALIAS_VALUES_MAX);
	r->alias_values += an->size;
	*out = json_incref(an->v);
	*size = an->size;
	return 0;
}

static int read_value(struct reader *r, const char *path, int depth, json_t **out, size_t *size);

static int read_sequence(struct reader *r, const char *path, int depth, json_t **out, size_t *size)
{
	json_t *arr = json_array();

	*size = 1;
	if (!arr)
		return oom(r);
	for (size_t i = 0;; i++) {
		const char *ipath;
		json_t *v;
		size_t n;

		if (next(r) < 0)
			goto fail;
		if (r->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		ipath = cbx_arena_printf(r->a, "%s[%zu]", path, i);
		if (!ipath) {
			oom(r);
			goto fail;
		}
		if (read_value(r, ipath, depth + 1, &v, &n) < 0)
			goto fail;
		*size += n;
		if (json_array_append_new(arr, v) < 0) {
			oom(r);
			goto fail;
		}
	}
	*out = arr;
	return 0;
fail:
	json_decref(arr);
	return -1;
}

static const char *const event_what[] = {
	[YAML_ALIAS_EVENT] = "an alias",
	[YAML_SEQUENCE_START_EVENT] = "a sequence",
	[YAML_MAPPING_START_EVENT] = "a mapping",
};

/* A mapping's key: a string, once. The key's mark is its value's. */
static int read_key(struct reader *r, json_t *obj, const char *path, char **key, const char **kpath)
{
	const yaml_event_t *e = &r->ev;
	struct topo_mark *first;

	if (e->type != YAML_SCALAR_EVENT)
		return fail_at(r, e->start_mark, "a key must be a string, not %s",
			       e->type < sizeof(event_what) / sizeof(event_what[0]) &&
					       event_what[e->type]
				       ? event_what[e->type]
				       : "that");
	if (memchr(e->data.scalar.value, '\0', e->data.scalar.length))
		return fail_at(r, e->start_mark, "a NUL character (\\0) in a key");
	*key = cbx_arena_strdup(r->a, (const char *)e->data.scalar.value);
	if (!*key || !(*kpath = topo_path_key_in(r->a, path, *key)))
		return oom(r);
	if (e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !strcmp(*key, "<<"))
		return fail_at(r, e->start_mark,
			       "merge keys (<<) are not supported: write the keys out, or use an alias as a whole value");
	if (json_object_get(obj, *key)) {
		first = cbx_strmap_get(r->marks, *kpath);
		return fail_at(r, e->start_mark, "duplicate key \"%s\" (first at line %u)",
			       shown(r, *key), first ? first->line : 0);
	}
	put_mark(r, *kpath, e->start_mark);
	return 0;
}

static int read_mapping(struct reader *r, const char *path, int depth, json_t **out, size_t *size)
{
	json_t *obj = json_object();

	*size = 1;
	if (!obj)
		return oom(r);
	for (;;) {
		const char *kpath = NULL;
		char *key = NULL;
		yaml_mark_t at;
		json_t *v;
		size_t n;

		if (next(r) < 0)
			goto fail;
		if (r->ev.type == YAML_MAPPING_END_EVENT)
			break;
		at = r->ev.start_mark;
		if (read_key(r, obj, path, &key, &kpath) < 0 || next(r) < 0 ||
		    read_value(r, kpath, depth + 1, &v, &n) < 0)
			goto fail;
		*size += n;
		if (json_object_set_new(obj, key, v) < 0) {
			fail_at(r, at, "a key that is not UTF-8 text");
			goto fail;
		}
	}
	*out = obj;
	return 0;
fail:
	json_decref(obj);
	return -1;
}

static int remember_anchor(struct reader *r, const char *name, json_t *v, size_t size)
{
	struct anchor *an = cbx_strmap_get(&r->anchors, name);
	char *copy;

	/* A name given again names the later value from there on. */
	if (!an) {
		an = cbx_arena_alloc(r->a, sizeof(*an));
		copy = cbx_arena_strdup(r->a, name);
		if (!an || !copy || !cbx_strmap_put(&r->anchors, copy, an, NULL))
			return oom(r);
	}
	an->v = v;
	an->size = size;
	return 0;
}

static const char *anchor_of(const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_SCALAR_EVENT:
		return (const char *)e->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return (const char *)e->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT:
		return (const char *)e->data.mapping_start.anchor;
	default:
		return NULL;
	}
}

static const char *collection_tag(const yaml_event_t *e)
{
	const char *tag =
		(const char *)(e->type == YAML_SEQUENCE_START_EVENT ? e->data.sequence_start.tag
								    : e->data.mapping_start.tag);

	if (!tag || !strcmp(tag, "!") || !strcmp(tag, YAML_SEQ_TAG) || !strcmp(tag, YAML_MAP_TAG))
		return NULL;
	return tag;
}

/* The value whose first event is current, up to its last event. */
static int read_value(struct reader *r, const char *path, int depth, json_t **out, size_t *size)
{
	const yaml_event_t *e = &r->ev;
	char *anchor = NULL;
	int rc;

	if (depth > TOPO_YAML_DEPTH_MAX)
		return fail_at(r, e->start_mark, "nested too deeply (more than %d levels)",
			       TOPO_YAML_DEPTH_MAX);
	put_mark(r, path, e->start_mark);
	if (anchor_of(e) && !(anchor = cbx_arena_strdup(r->a, anchor_of(e))))
		return oom(r);
	if ((e->type == YAML_SEQUENCE_START_EVENT || e->type == YAML_MAPPING_START_EVENT) &&
	    collection_tag(e))
		return fail_at(r, e->start_mark, "the tag %s is not supported",
			       shown(r, collection_tag(e)));
	switch (e->type) {
	case YAML_ALIAS_EVENT:
		return read_alias(r, out, size);
	case YAML_SCALAR_EVENT:
		*size = 1;
		rc = read_scalar(r, out);
		break;
	case YAML_SEQUENCE_START_EVENT:
		rc = read_sequence(r, path, depth, out, size);
		break;
	case YAML_MAPPING_START_EVENT:
		rc = read_mapping(r, path, depth, out, size);
		break;
	default:
		return fail_at(r, e->start_mark, "syntax error: a value expected");
	}
	if (rc == 0 && anchor && remember_anchor(r, anchor, *out, *size) < 0) {
		json_decref(*out);
		return -1;
	}
	return rc;
}

static int expect(struct reader *r, yaml_event_type_t type)
{
	if (next(r) < 0)
		return -1;
	if (r->ev.type == type)
		return 0;
	if (r->ev.type == YAML_DOCUMENT_START_EVENT)
		return fail_at(r, r->ev.start_mark, "a second document: a file holds one topology");
	return fail_at(r, r->ev.start_mark, "syntax error: unexpected event %d", r->ev.type);
}

static int read_document(struct reader *r, json_t **out)
{
	size_t size;

	if (expect(r, YAML_STREAM_START_EVENT) < 0 || next(r) < 0)
		return -1;
	if (r->ev.type == YAML_STREAM_END_EVENT)
		return cbx_error_set(r->err, CBX_ERR_INPUT, "%s: the file holds no topology",
				     r->source);
	if (r->ev.type != YAML_DOCUMENT_START_EVENT || next(r) < 0 ||
	    read_value(r, "", 0, out, &size) < 0)
		return -1;
	if (expect(r, YAML_DOCUMENT_END_EVENT) < 0 || expect(r, YAML_STREAM_END_EVENT) < 0) {
		json_decref(*out);
		return -1;
	}
	return 0;
}

int topo_yaml_read(const char *text, size_t len, const char *source, struct cbx_arena *a,
		   struct cbx_strmap *marks, json_t **out, struct cbx_error *err)
{
	struct reader r = { .text = text, .source = source, .a = a, .marks = marks, .err = err };
	struct cbx_strmap own_marks;
	int rc;

	cbx_strmap_init(&own_marks);
	cbx_strmap_init(&r.anchors);
	if (!r.marks)
		r.marks = &own_marks;
	if (!r.a && !(r.a = cbx_arena_new()))
		return oom(&r);
	if (!yaml_parser_initialize(&r.parser)) {
		rc = oom(&r);
	} else {
		yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
		rc = read_document(&r, out);
		if (r.has_ev)
			yaml_event_delete(&r.ev);
		yaml_parser_delete(&r.parser);
	}
	cbx_strmap_free(&r.anchors);
	cbx_strmap_free(&own_marks);
	if (r.a != a)
		cbx_arena_free(r.a);
	return rc;
}
