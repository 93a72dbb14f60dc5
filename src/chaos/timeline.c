/* `cboxlab timeline`: client histories and chaos event logs merged into one
 * ordered view. Both are JSON lines on the host's CLOCK_MONOTONIC in
 * nanoseconds: a history operation's "time" (docs/testing-with-cboxlab.md),
 * a fault event's "monotonic_ns" (chaos/runner.c). Entries are ordered by
 * that time; entries of the same time keep the order of the files on the
 * command line, then of their lines, so that a merge is reproducible. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/cboxlab.h"

int cbx_chaos_timeline_add_line(struct cbx_timeline *tl, size_t source, size_t line,
				const char *text, struct cbx_error *err)
{
	json_t *o = json_loads(text, 0, NULL), *time;
	struct cbx_timeline_entry *grown, *e;
	enum cbx_timeline_kind kind;

	if (!json_is_object(o)) {
		json_decref(o);
		return cbx_error_set(err, CBX_ERR_INPUT, "line %zu: not a JSON object", line);
	}
	if (json_is_string(json_object_get(o, "event"))) {
		kind = CBX_TIMELINE_FAULT;
		time = json_object_get(o, "monotonic_ns");
	} else if (json_is_string(json_object_get(o, "type"))) {
		kind = CBX_TIMELINE_OP;
		time = json_object_get(o, "time");
	} else {
		json_decref(o);
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "line %zu: neither a chaos event (\"event\") nor a history operation (\"type\")",
				     line);
	}
	if (!json_is_integer(time)) {
		json_decref(o);
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "line %zu: no time: wanted \"%s\", CLOCK_MONOTONIC in nanoseconds",
				     line, kind == CBX_TIMELINE_FAULT ? "monotonic_ns" : "time");
	}
	grown = realloc(tl->v, (tl->n + 1) * sizeof(*tl->v));
	if (!grown) {
		json_decref(o);
		return cbx_error_sys(err, ENOMEM, "line %zu", line);
	}
	tl->v = grown;
	e = &tl->v[tl->n];
	*e = (struct cbx_timeline_entry){ .time_ns = json_integer_value(time),
					  .source = source,
					  .line = line,
					  .kind = kind,
					  .text = strdup(text) };
	json_decref(o);
	if (!e->text)
		return cbx_error_sys(err, ENOMEM, "line %zu", line);
	tl->n++;
	return 0;
}

int cbx_chaos_timeline_add_file(struct cbx_timeline *tl, size_t source, const char *path,
				struct cbx_error *err)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, line = 0;
	ssize_t len;
	int rc = 0;

	if (!f)
		return cbx_error_errno(err, CBX_ERR_INPUT, errno, "%s", path);
	while (rc == 0 && (len = getline(&buf, &cap, f)) >= 0) {
		line++;
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (len == 0)
			continue;
		if (cbx_chaos_timeline_add_line(tl, source, line, buf, err) < 0)
			rc = cbx_error_wrap(err, "%s", path);
	}
	free(buf);
	fclose(f);
	return rc;
}

static int by_time(const void *pa, const void *pb)
{
	const struct cbx_timeline_entry *a = pa, *b = pb;

	if (a->time_ns != b->time_ns)
		return a->time_ns < b->time_ns ? -1 : 1;
	if (a->source != b->source)
		return a->source < b->source ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

void cbx_chaos_timeline_sort(struct cbx_timeline *tl)
{
	qsort(tl->v, tl->n, sizeof(*tl->v), by_time);
}

void cbx_chaos_timeline_free(struct cbx_timeline *tl)
{
	for (size_t i = 0; i < tl->n; i++)
		free(tl->v[i].text);
	free(tl->v);
	tl->v = NULL;
	tl->n = 0;
}

/* A value as compact JSON, or "" for none. */
static void value_text(json_t *v, char *buf, size_t size)
{
	char *s;

	buf[0] = '\0';
	if (!v)
		return;
	if (json_is_string(v)) {
		snprintf(buf, size, "%s", json_string_value(v));
		return;
	}
	if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY))) {
		snprintf(buf, size, "%s", s);
		free(s);
	}
}

void cbx_chaos_timeline_describe(const struct cbx_timeline_entry *e, char *buf, size_t size)
{
	json_t *o = json_loads(e->text, 0, NULL);
	char a[512], b[512], c[512];

	if (e->kind == CBX_TIMELINE_FAULT) {
		/* "apply partition: n1 drops n2", "start lab l seed 42" */
		const char *event = json_string_value(json_object_get(o, "event"));
		value_text(json_object_get(o, "what"), a, sizeof(a));
		if (!a[0])
			value_text(json_object_get(o, "fault"), a, sizeof(a));
		if (!strcmp(event, "start")) {
			value_text(json_object_get(o, "lab"), b, sizeof(b));
			value_text(json_object_get(o, "seed"), c, sizeof(c));
			snprintf(buf, size, "fault start: lab %s, seed %s", b, c);
		} else if (!strcmp(event, "error")) {
			value_text(json_object_get(o, "error"), b, sizeof(b));
			snprintf(buf, size, "fault error: %s: %s", a, b);
		} else {
			snprintf(buf, size, "fault %s%s%s", event, a[0] ? ": " : "", a);
		}
	} else {
		/* "p3 invoke write 3" */
		value_text(json_object_get(o, "process"), a, sizeof(a));
		value_text(json_object_get(o, "f"), b, sizeof(b));
		value_text(json_object_get(o, "value"), c, sizeof(c));
		snprintf(buf, size, "p%s %s %s%s%s", a,
			 json_string_value(json_object_get(o, "type")), b, c[0] ? " " : "", c);
	}
	json_decref(o);
}

char *cbx_chaos_timeline_json(const struct cbx_timeline_entry *e, const char *source, int64_t t0_ns)
{
	json_t *o = json_loads(e->text, 0, NULL);
	char *s;

	if (!o)
		return NULL;
	json_object_set_new(o, "source", json_string(source));
	json_object_set_new(o, "time", json_integer(e->time_ns));
	json_object_set_new(o, "t", json_real((double)(e->time_ns - t0_ns) / 1e9));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(9));
	json_decref(o);
	return s;
}
