/* JSON to YAML (yaml.h), for `cboxlab fmt --yaml`: block style, 2 spaces of
 * indent, keys in their order. A string is written plain only where every
 * YAML reader, 1.1 ones too, reads it back as that string; else quoted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo/yaml.h"

struct out {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void put_n(struct out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		char *b;
		while (cap < o->len + n + 1)
			cap *= 2;
		if (!(b = realloc(o->buf, cap))) {
			o->oom = true;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void put(struct out *o, const char *s)
{
	put_n(o, s, strlen(s));
}

static void indent(struct out *o, int n)
{
	for (int i = 0; i < n; i++)
		put(o, " ");
}

/* YAML 1.1's booleans, which a 1.1 reader would take from a plain scalar. */
static bool yaml11_bool(const char *s)
{
	static const char *const words[] = { "y",  "Y",  "yes", "Yes", "YES", "n",   "N",   "no",
					     "No", "NO", "on",  "On",  "ON",  "off", "Off", "OFF" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(s, words[i]))
			return true;
	return false;
}

/* Letters, digits and a few marks; a letter, '/' or '_' first (so nothing
 * a number or an indicator starts with); inner spaces alone, never before
 * '#' or after ':'. */
static bool plain_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/_", s[0]) ||
	    s[n - 1] == ' ' || s[n - 1] == ':' || topo_yaml_plain_type(s) != JSON_STRING ||
	    yaml11_bool(s))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' && (s[i + 1] == '#' || s[i + 1] == ' ' || s[i - 1] == ':'))
			return false;
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "_-./:@+=%, ",
			    s[i]))
			return false;
	}
	return true;
}

/* The Unicode scalar at s (valid UTF-8: jansson's strings are), its length. */
static unsigned utf8_at(const unsigned char *s, size_t *len)
{
	if (s[0] < 0x80)
		return *len = 1, s[0];
	if (s[0] < 0xe0)
		return *len = 2, (unsigned)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	if (s[0] < 0xf0)
		return *len = 3,
		       (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	return *len = 4, (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3f) << 12 |
				 (unsigned)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
}

/* YAML's printable characters go as they are; the others escaped, and so
 * are the line breaks a reader would fold (NEL, U+2028, U+2029). */
static bool printable(unsigned c)
{
	return (c >= 0x20 && c < 0x7f) ||
	       (c >= 0xa0 && c <= 0xd7ff && c != 0x2028 && c != 0x2029) ||
	       (c >= 0xe000 && c <= 0xfffd && c != 0xfeff) || c >= 0x10000;
}

static void put_quoted(struct out *o, const char *s, size_t n)
{
	char esc[16];

	put(o, "\"");
	for (size_t i = 0, len; i < n; i += len) {
		unsigned c = utf8_at((const unsigned char *)s + i, &len);
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put_n(o, esc, 2);
		} else if (c == '\n') {
			put(o, "\\n");
		} else if (printable(c)) {
			put_n(o, s + i, len);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c & 0xffff);
			put(o, esc);
		}
	}
	put(o, "\"");
}

static void put_text(struct out *o, const char *s, size_t n)
{
	if (plain_ok(s))
		put(o, s);
	else
		put_quoted(o, s, n);
}

static void put_scalar(struct out *o, const json_t *v)
{
	char *text;

	if (json_is_string(v)) {
		put_text(o, json_string_value(v), json_string_length(v));
		return;
	}
	/* Numbers, booleans and null as JSON writes them: YAML reads the same. */
	text = json_dumps(v, JSON_ENCODE_ANY);
	if (!text) {
		o->oom = true;
		return;
	}
	put(o, text);
	free(text);
}

static bool is_collection(const json_t *v)
{
	return (json_is_object(v) && json_object_size(v)) ||
	       (json_is_array(v) && json_array_size(v));
}

static void put_value(struct out *o, const json_t *v, int depth);

/* After "key:" or "- ": a scalar or an empty collection on the same line,
 * else the collection below. */
static void put_after(struct out *o, const json_t *v, int depth, bool in_seq)
{
	if (json_is_object(v) && !json_object_size(v)) {
		put(o, " {}\n");
	} else if (json_is_array(v) && !json_array_size(v)) {
		put(o, " []\n");
	} else if (!is_collection(v)) {
		put(o, " ");
		put_scalar(o, v);
		put(o, "\n");
	} else if (in_seq) {
		/* "- a: 1" and "- - 1": the first entry on the dash's line. */
		put(o, " ");
		put_value(o, v, -(depth + 1));
	} else {
		put(o, "\n");
		put_value(o, v, depth + 1);
	}
}

/* depth < 0: the first line is already indented (after "- "). */
static void put_value(struct out *o, const json_t *v, int depth)
{
	bool first = true;
	int level = depth < 0 ? -depth : depth;

	if (json_is_object(v)) {
		const char *key;
		json_t *x;
		json_object_foreach ((json_t *)v, key, x) {
			if (!first || depth >= 0)
				indent(o, 2 * level);
			first = false;
			put_text(o, key, strlen(key));
			put(o, ":");
			put_after(o, x, level, false);
		}
		return;
	}
	for (size_t i = 0; i < json_array_size(v); i++) {
		if (!first || depth >= 0)
			indent(o, 2 * level);
		first = false;
		put(o, "-");
		put_after(o, json_array_get(v, i), level, true);
	}
}

char *topo_yaml_write(const json_t *v)
{
	struct out o = { 0 };

	if (is_collection(v)) {
		put_value(&o, v, 0);
	} else {
		put_after(&o, v, 0, false);
		if (o.buf) /* no space before a lone scalar */
			memmove(o.buf, o.buf + 1, o.len--);
	}
	if (o.oom) {
		free(o.buf);
		return NULL;
	}
	return o.buf;
}
